"""Errors a user can act on: one line each, naming the file, row and field where there is one."""

from __future__ import annotations

from dataclasses import dataclass


class PaperError(Exception):
    """Base for every error the CLI reports as one line and a non-zero exit, without a traceback."""

    exit_code = 1


class DataError(PaperError):
    """A data folder breaks the data contract; `problems` lists every one found."""

    def __init__(self, problems: list["Problem"] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one place: `file:row:column: message` (row counts the header as row 1)."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.column:
            where += f":{self.column}"
        return f"{where}: {self.message}"
