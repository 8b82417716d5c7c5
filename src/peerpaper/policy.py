"""The law and policy of England and Wales on sex work, and which of the study's codes each bears on.

Why: the paper aligns participants' talk with the law, so the law is data (data/policy/, authored from
checked records), validated like the study by frictionless against resources/policy_datapackage.json,
and checked against the codebook so that no provision points at a code the study does not have.
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


@dataclass(frozen=True)
class Policy:
    provisions: pd.DataFrame  # one row per provision or policy document; year is a nullable Int64
    provision_codes: pd.DataFrame  # provision_id, code_id
    path: Path


@cache
def descriptor() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def check_policy(path: Path | str, codebook: pd.DataFrame | None = None) -> list[Problem]:
    """Every problem in a policy folder; with a codebook, also every mapped code it lacks."""
    folder = Path(path)
    if not folder.is_dir():
        return [Problem(str(folder), None, None, "no such policy folder")]
    problems, tables = check_tables(folder, descriptor())
    if codebook is not None and "provision_codes" in tables:
        known = set(codebook["code_id"])
        header, rows, _ = tables["provision_codes"]
        column = header.index("code_id")
        for number, row in enumerate(rows, start=2):
            if len(row) > column and row[column] and row[column] not in known:
                problems.append(Problem(str(folder / "provision_codes.csv"), number, "code_id",
                                        f"unknown code_id '{row[column]}': not in the study's codebook"))
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
    return Policy(provisions=provisions, provision_codes=read("provision_codes"), path=folder)
