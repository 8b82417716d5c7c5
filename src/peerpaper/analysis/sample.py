"""Who and what the study rests on: groups, participants by one attribute at a time, talk per group.

Participant attributes are tabulated one at a time and never crossed (a role x sector table could single
someone out); masking of small counts happens where tables are written (`peerpaper.artifacts.write_table`).
"""

from __future__ import annotations

import pandas as pd

from ..artifacts import fmt_count, fmt_int, month
from . import participants_only

ROLE_ORDER = ["organiser", "activist", "both"]
SECTOR_ORDER = ["street", "indoor", "online", "mixed"]


def words(text: pd.Series) -> pd.Series:
    """Words per turn: runs of non-space characters."""
    return text.fillna("").astype(str).str.count(r"\S+")


def groups_table(study) -> pd.DataFrame:
    """One row per group in date order: group, month, setting, region, participants, turns, words."""
    groups = study.groups.assign(_date=pd.to_datetime(study.groups["date"])).sort_values(["_date", "group_id"])
    people = participants_only(study.participants).groupby("group_id").size()
    talk = study.segments.assign(words=words(study.segments["text"])).groupby("group_id")
    return pd.DataFrame(
        {
            "group": groups["group_id"].values,
            "month": [month(d) for d in groups["_date"]],
            "setting": groups["setting"].str.replace("_", " ").values,
            "region": groups["region"].values,
            "participants": people.reindex(groups["group_id"]).fillna(0).astype(int).values,
            "turns": talk.size().reindex(groups["group_id"]).fillna(0).astype(int).values,
            "words": talk["words"].sum().reindex(groups["group_id"]).fillna(0).astype(int).values,
        }
    )


def attribute_counts(study, attribute: str, order: list[str]) -> pd.DataFrame:
    """Participants by one attribute, with a total row: columns `<attribute>`, participants."""
    values = participants_only(study.participants)[attribute].fillna("").astype(str)
    counts = values.value_counts()
    categories = [c for c in order if c in counts.index] + sorted(set(counts.index) - set(order))
    table = pd.DataFrame({attribute: categories, "participants": [int(counts[c]) for c in categories]})
    total = pd.DataFrame({attribute: ["total"], "participants": [int(counts.sum())]})
    return pd.concat([table, total], ignore_index=True)


def values(study, k: int) -> dict[str, str]:
    """The 01-sample values of docs/VALUES.md, formatted for prose."""
    groups = study.groups
    dates = pd.to_datetime(groups["date"])
    people = participants_only(study.participants)
    per_group = people.groupby("group_id").size().reindex(groups["group_id"]).fillna(0).astype(int)
    setting = groups["setting"].value_counts()
    minutes = pd.to_numeric(groups.get("duration_min", pd.Series(dtype=float)), errors="coerce").dropna()
    return {
        "n_groups": fmt_int(len(groups)),
        "n_groups_online": fmt_int(setting.get("online", 0)),
        "n_groups_in_person": fmt_int(setting.get("in_person", 0)),
        "n_participants": fmt_count(len(people), k),
        "n_regions": fmt_int(groups["region"].nunique()),
        "first_group_month": month(dates.min()),
        "last_group_month": month(dates.max()),
        "n_segments": fmt_int(len(study.segments)),
        "n_participant_segments": fmt_int(study.segments["speaker_id"].isin(people["participant_id"]).sum()),
        "n_words": fmt_int(words(study.segments["text"]).sum()),
        "median_group_minutes": fmt_int(round(minutes.median())) if len(minutes) else "n/a",
        "participants_per_group_range": f"{per_group.min()}-{per_group.max()}",
        "small_cell_k": str(k),
    }
