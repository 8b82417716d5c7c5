"""Whether a data folder can give this paper: the paper is written for the study's nine themes and maps
the law to some of its codes (docs/CONTRACTS.md, "The codebook ids"), so a codebook that lacks them
cannot give it, however valid its tables are.

Checked with the data (`paper check data`, and the build's first step), so that such a folder is refused
in one line that names what is missing and where to map it, before any notebook runs, rather than
stopping at a missing quote file or a KeyError in the policy notebook.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from .errors import Problem
from .paths import RESOURCES


@cache
def study_codebook() -> dict[str, dict]:
    """The study's own codebook, id -> entry (label, parent, definition): the fixed ids the paper, the
    policy mapping and the generator use, read from the synthetic study's definition."""
    import yaml

    entries = yaml.safe_load((RESOURCES / "synthetic_study.yaml").read_text(encoding="utf-8"))["codebook"]
    return {entry["id"]: entry for entry in entries}


def paper_themes() -> list[str]:
    """The themes the paper is written for, in the study's order."""
    return [code for code, entry in study_codebook().items() if not entry.get("parent")]


def policy_codes(policy: Path) -> list[str]:
    """The codes that mark talk about the practices the law bears on (practice_codes.csv of the policy folder)."""
    path = Path(policy) / "practice_codes.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sorted({row["code_id"] for row in csv.DictReader(handle) if row.get("code_id")})


def problems(data: Path, policy: Path) -> list[Problem]:
    """One problem naming every theme and mapped code the data folder's codebook lacks, or none.

    Call it on a folder that passed `validate.check_data` (it reads codebook.csv as the contract has it)."""
    codebook = Path(data) / "codebook.csv"
    if not codebook.is_file():
        return []  # the data contract's problem, reported by validate.check_data
    with codebook.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    codes = {row["code_id"] for row in rows}
    themes = {row["code_id"] for row in rows if not row.get("parent_id")}
    missing_themes = [theme for theme in paper_themes() if theme not in themes]
    missing_codes = [code for code in policy_codes(policy) if code not in codes]
    if not missing_themes and not missing_codes:
        return []
    lacks = []
    if missing_themes:
        nested = [theme for theme in missing_themes if theme in codes]
        lacks.append(f"the theme(s) {', '.join(missing_themes)}"
                     + (f" ({', '.join(nested)} under another code, not at the top)" if nested else ""))
    if missing_codes:
        lacks.append(f"the code(s) {', '.join(missing_codes)}, which the law is mapped to")
    message = (f"this paper is written for the study's {len(paper_themes())} themes, and this codebook lacks "
               + " and ".join(lacks) + ": give your codes these ids (after an import, in the mapping file's "
               "codebook: ids: section, code name -> study id, then import again; the ids are in docs/CONTRACTS.md)")
    return [Problem(str(codebook), None, None, message)]
