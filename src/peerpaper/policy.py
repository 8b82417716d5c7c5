"""The law and policy of England and Wales on sex work, the peer practices they bear on, and the codes that
mark talk about each practice.

Why: the paper aligns participants' talk with the law, so the law is data (data/policy/, authored from
checked records), validated like the study by frictionless against resources/policy_datapackage.json,
and checked against the codebook so that no practice is marked by a code the study does not have.
Statutes (kind offence, order, power, defence) are kept apart from policy documents, recommendations and
conduct that is lawful: only the first are counted as provisions (`STATUTORY`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from .errors import DataError, Problem
from .paths import RESOURCES
from .validate import check_tables

SCHEMA = RESOURCES / "policy_datapackage.json"
STATUTORY = ("offence", "order", "power", "defence")  # kinds that are provisions of the law


@dataclass(frozen=True)
class Policy:
    provisions: pd.DataFrame  # one row per provision, policy document or recommendation; year is a nullable Int64
    practices: pd.DataFrame  # practice_id, label, description
    provision_practices: pd.DataFrame  # provision_id, practice_id, why
    practice_codes: pd.DataFrame  # practice_id, code_id: the codes that mark talk about the practice
    path: Path

    @property
    def statutes(self) -> pd.DataFrame:
        """Provisions of the law proper: not policy documents, recommendations or lawful conduct."""
        return self.provisions[self.provisions["kind"].isin(STATUTORY)]


@cache
def descriptor() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def check_policy(path: Path | str, codebook: pd.DataFrame | None = None) -> list[Problem]:
    """Every problem in a policy folder; with a codebook, also every mapped code it lacks."""
    folder = Path(path)
    if not folder.is_dir():
        return [Problem(str(folder), None, None, "no such policy folder")]
    problems, tables = check_tables(folder, descriptor())
    if codebook is not None and "practice_codes" in tables:
        known = set(codebook["code_id"])
        themes = set(codebook.loc[codebook["parent_id"].fillna("").astype(str) == "", "code_id"])
        header, rows, _ = tables["practice_codes"]
        column = header.index("code_id")
        for number, row in enumerate(rows, start=2):
            code = row[column] if len(row) > column else ""
            if code and code not in known:
                problems.append(Problem(str(folder / "practice_codes.csv"), number, "code_id",
                                        f"unknown code_id '{code}': not in the study's codebook"))
            elif code in themes:
                problems.append(Problem(str(folder / "practice_codes.csv"), number, "code_id",
                                        f"'{code}' is a theme: mark the practice with one of its codes"))
    return problems


def load_policy(path: Path | str, codebook: pd.DataFrame | None = None) -> Policy:
    """Validate, then load a policy folder; raises DataError listing every problem."""
    folder = Path(path)
    if problems := check_policy(folder, codebook):
        raise DataError(problems)

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")

    provisions = read("provisions")
    provisions["year"] = pd.to_numeric(provisions["year"].replace("", None)).astype("Int64")
    return Policy(provisions=provisions, practices=read("practices"), provision_practices=read("provision_practices"),
                  practice_codes=read("practice_codes"), path=folder)
