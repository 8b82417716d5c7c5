"""A study: the five tables of a data folder, validated, typed and loaded into pandas.

Why: every analysis starts from the same checked tables, so no notebook re-reads or re-checks CSVs.
Text columns stay `str` with "" for an empty cell (never NaN, so a pseudonym such as "Nan" or a text
"NA" stays itself); `position` is int, `duration_min` a nullable Int64, `date` a datetime64 (NaT where the
date was not recorded: see "Unknown is a value" in docs/CONTRACTS.md).
Files are only ever opened for reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import DataError
from .validate import check_data, is_synthetic


@dataclass(frozen=True)
class Study:
    groups: pd.DataFrame
    participants: pd.DataFrame
    codebook: pd.DataFrame
    segments: pd.DataFrame
    codings: pd.DataFrame
    path: Path
    synthetic: bool
    double_coded: pd.DataFrame | None = None  # segment_id, coder_id: the double-coded subset, when recorded

    @property
    def themes(self) -> pd.DataFrame:
        """Codebook rows without a parent."""
        return self.codebook[self.codebook.parent_id == ""]

    @property
    def theme_of(self) -> pd.Series:
        """code_id -> the theme at the top of its branch (a theme maps to itself), for every codebook row."""
        parent = dict(zip(self.codebook.code_id, self.codebook.parent_id))

        def top(code: str) -> str:
            seen = set()
            while parent.get(code) and code not in seen:
                seen.add(code)
                code = parent[code]
            return code

        return pd.Series({code: top(code) for code in self.codebook.code_id}, name="theme_id")

    @property
    def speakers(self) -> pd.DataFrame:
        """Participants who are not facilitators: the people the study counts."""
        return self.participants[self.participants.role != "facilitator"]


def load_study(path: Path | str) -> Study:
    """Validate a data folder, then load it; raises DataError listing every problem found."""
    folder = Path(path)
    if problems := check_data(folder):
        raise DataError(problems)

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")

    groups = read("groups")
    groups["date"] = pd.to_datetime(groups["date"], format="%Y-%m-%d")
    if "duration_min" in groups:
        groups["duration_min"] = pd.to_numeric(groups["duration_min"].replace("", None)).astype("Int64")
    codebook = read("codebook")
    for note in ("include", "exclude"):
        if note not in codebook:
            codebook[note] = ""
    segments = read("segments")
    segments["position"] = segments["position"].astype(int)
    double_coded = read("double_coded") if (folder / "double_coded.csv").exists() else None
    return Study(
        groups=groups,
        participants=read("participants"),
        codebook=codebook,
        segments=segments,
        codings=read("codings"),
        path=folder,
        synthetic=is_synthetic(folder),
        double_coded=double_coded,
    )
