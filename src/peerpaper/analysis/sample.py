"""Who and what the study rests on: groups, participants by one attribute at a time, talk per group.

Participant attributes are tabulated one at a time and never crossed (a role x sector table could single
someone out); masking of small counts happens where tables are written (`peerpaper.artifacts.write_table`).
"""

from __future__ import annotations

import pandas as pd

from ..artifacts import fmt_count, fmt_int, month
from ..privacy.disclosure import PROTECTED, describe
from . import in_order, members, participants_only

UNKNOWN = "unknown"  # the data contract's value for an attribute that was not recorded
ROLE_ORDER = ["organiser", "activist", "both", UNKNOWN]
SECTOR_ORDER = ["street", "indoor", "online", "mixed", UNKNOWN]


def words(text: pd.Series) -> pd.Series:
    """Words per turn: runs of non-space characters."""
    return text.fillna("").astype(str).str.count(r"\S+")


def groups_table(study) -> pd.DataFrame:
    """One row per group in order (`in_order`): group, participants, turns, words; a participant counts in
    every group they took part in.

    No month, setting or region per group: quotes carry the group id, so a group's attributes would place a
    quoted speaker (the disclosure audit's `linkable` rule). The prose gives them one at a time, as counts."""
    groups, _ = in_order(study.groups)
    people = members(study).groupby("group_id").size()
    talk = study.segments.assign(words=words(study.segments["text"])).groupby("group_id")
    table = pd.DataFrame(
        {
            "group": groups["group_id"].values,
            "participants": people.reindex(groups["group_id"]).fillna(0).astype(int).values,
            "turns": talk.size().reindex(groups["group_id"]).fillna(0).astype(int).values,
            "words": talk["words"].sum().reindex(groups["group_id"]).fillna(0).astype(int).values,
        }
    )
    n_people = len(participants_only(study.participants))  # the groups add up to it when nobody came twice
    additive = {"participants": n_people} if table["participants"].sum() == n_people else {}
    return describe(table, labels=["group"], counts={"participants": PROTECTED, "turns": "turns", "words": "words"},
                    additive=additive)


def attribute_counts(study, attribute: str, order: list[str]) -> pd.DataFrame:
    """Participants by one attribute, with a total row: columns `<attribute>`, participants."""
    values = participants_only(study.participants)[attribute].fillna("").astype(str)
    counts = values.value_counts()
    categories = [c for c in order if c in counts.index] + sorted(set(counts.index) - set(order))
    table = pd.DataFrame({attribute: categories, "participants": [int(counts[c]) for c in categories]})
    total = pd.DataFrame({attribute: ["total"], "participants": [int(counts.sum())]})
    return describe(pd.concat([table, total], ignore_index=True), labels=[attribute],
                    counts={"participants": PROTECTED}, additive={"participants": "total"})


def _range(low: int, high: int, k: int) -> str:
    """"5-7" participants per group; a group below k reads "from fewer than 5 to 7", as tables mask it."""
    if high < k:
        return fmt_count(high, k) if high else "0"
    return f"from {fmt_count(low, k)} to {high}" if 0 < low < k else f"{low}-{high}"


def values(study, k: int) -> dict[str, str]:
    """The 01-sample values of docs/VALUES.md, formatted for prose."""
    groups = study.groups
    dates = pd.to_datetime(groups["date"]).dropna()
    people = participants_only(study.participants)
    per_group = members(study).groupby("group_id").size().reindex(groups["group_id"]).fillna(0).astype(int)
    setting = groups["setting"].value_counts()
    minutes = pd.to_numeric(groups.get("duration_min", pd.Series(dtype=float)), errors="coerce").dropna()
    return {
        "n_groups": fmt_int(len(groups)),
        "n_groups_online": fmt_int(setting.get("online", 0)),
        "n_groups_in_person": fmt_int(setting.get("in_person", 0)),
        "n_groups_setting_unknown": fmt_int(setting.get(UNKNOWN, 0)),
        "n_groups_date_unknown": fmt_int(len(groups) - len(dates)),
        "n_participants": fmt_count(len(people), k),
        "n_regions": fmt_int(groups.loc[groups["region"] != UNKNOWN, "region"].nunique()),
        "first_group_month": month(dates.min()) if len(dates) else UNKNOWN,
        "last_group_month": month(dates.max()) if len(dates) else UNKNOWN,
        "n_segments": fmt_int(len(study.segments)),
        "n_participant_segments": fmt_int(study.segments["speaker_id"].isin(people["participant_id"]).sum()),
        "n_words": fmt_int(words(study.segments["text"]).sum()),
        "median_group_minutes": fmt_int(round(minutes.median())) if len(minutes) else "n/a",
        "participants_per_group_range": _range(per_group.min(), per_group.max(), k),
        "small_cell_k": str(k),
    }
