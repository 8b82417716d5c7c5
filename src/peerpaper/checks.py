"""`paper check [all|data|refs|claims] [DIR] [--strict]`: run the data, citation and claim checks, print one
line per problem and a summary, and return the exit code (1 on any error; on warnings too with --strict).

Nothing here parses or validates: the data checks are `peerpaper.validate.check_data` and
`peerpaper.paper_fit.problems`, the citation checks `peerpaper.bibcheck.check_project` and the claim checks
`peerpaper.claims.check_project` (a comparison, strength or size in the findings that no computed value
governs); this module only runs them and reports.
"""

from __future__ import annotations

from pathlib import Path

from . import bibcheck, claims, paths


def run(what: str = "all", data_dir: Path | None = None, strict: bool = False) -> int:
    """Run the checks named by `what` ("all", "data" or "refs") and print what they find."""
    root = paths.project_root()
    lines: list[str] = []
    errors = warnings = 0
    if what in ("all", "data"):
        problems = data_problems(Path(data_dir) if data_dir else root / "data" / "synthetic")
        lines += problems
        errors += len(problems)
    if what in ("all", "refs"):
        messages = bibcheck.check_project(root)
        lines += [str(m) for m in messages]
        errors += sum(m.level == bibcheck.ERROR for m in messages)
        warnings += sum(m.level == bibcheck.WARNING for m in messages)
    if what in ("all", "claims"):
        found = claims.check_project(root)
        lines += [str(c) for c in found]
        errors += len(found)
    for line in lines:
        print(line)
    failed = errors > 0 or (strict and warnings > 0)
    strictness = " (--strict: warnings count)" if strict and warnings else ""
    print(f"paper check {what}: {'failed' if failed else 'passed'}: "
          f"{_count(errors, 'error')}, {_count(warnings, 'warning')}{strictness}")
    return 1 if failed else 0


def data_problems(data_dir: Path) -> list[str]:
    """The data folder's problems, every one an error, as `file:row:column: error: message`: the data
    contract's, then (on a valid folder) what this paper needs of its codebook (`paper_fit`)."""
    from .paper_fit import problems as misfits
    from .validate import check_data

    found = check_data(data_dir) or misfits(data_dir, paths.project_root() / "data" / "policy")
    return [f"{str(p)[: -len(p.message) - 2]}: error: {p.message}" for p in found]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
