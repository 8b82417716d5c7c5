"""One finding, shared by every check: where it is, how bad, and what to do.

Its own module so each check module can return it without importing the package that runs them.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True, order=True)
class Message:
    """One finding: where it is, how bad, and what to do."""

    file: str
    line: int
    level: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.level}: {self.message}"
