"""The study's analyses: pure functions from a Study's DataFrames to DataFrames (no I/O, no plotting state).

Each module answers one question and is called by one notebook: sample (01), themes (02), cooccurrence
(03), saturation (04), reliability (05), alignment with the law (06), quotes (07). They need only the five
tables of a Study (`groups, participants, codebook, segments, codings`), so tests can pass any object that
has them. The helpers below fix, once, what "coded participant talk" means everywhere:

- participants are rows of participants.csv whose role is not "facilitator"; a participant may speak in
  several groups (`members` says who took part in which group);
- groups are taken in date order, or, when any group's date was not recorded, in source order (the order
  of groups.csv, which an import keeps from the coding project): `in_order` says which;
- prevalence, co-occurrence, policy and quotes read one coding per segment: that of the first coder (in
  coder_id order) who coded the segment, so double-coded segments are not counted twice; agreement between
  coders is the reliability notebook's business.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

FACILITATOR = "facilitator"


def participants_only(participants: pd.DataFrame) -> pd.DataFrame:
    """Participants proper: facilitators speak but are never counted."""
    return participants[participants["role"] != FACILITATOR]


def in_order(groups: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """The groups in date order (ties by group_id), or in source order when any date is unknown; and
    whether the order is by date."""
    dates = pd.to_datetime(groups["date"])
    if dates.isna().any():
        return groups, False
    return groups.assign(date=dates).sort_values(["date", "group_id"], kind="stable"), True


def members(study) -> pd.DataFrame:
    """(group_id, participant_id) for every participant in every group they took part in: their own
    group, and any other group they speak in."""
    people = participants_only(study.participants)
    speaking = study.segments[study.segments["speaker_id"].isin(people["participant_id"])]
    pairs = pd.concat([people[["group_id", "participant_id"]],
                       speaking[["group_id", "speaker_id"]].rename(columns={"speaker_id": "participant_id"})])
    return pairs.drop_duplicates().reset_index(drop=True)


def theme_of(codebook: pd.DataFrame) -> pd.Series:
    """code_id -> the id of its theme (the top ancestor), for codes at any depth."""
    parent = dict(zip(codebook["code_id"], codebook["parent_id"].fillna("").astype(str)))

    def top(code: str) -> str:
        for _ in range(len(parent)):  # bounded: a cyclic codebook cannot hang the analysis
            if not parent.get(code):
                break
            code = parent[code]
        return code

    return pd.Series({code: top(code) for code in parent}, dtype=object)


def code_rows(codebook: pd.DataFrame) -> pd.DataFrame:
    """Codebook rows that are codes (have a parent), in codebook order."""
    return codebook[codebook["parent_id"].fillna("").astype(str) != ""]


def theme_rows(codebook: pd.DataFrame) -> pd.DataFrame:
    """Codebook rows that are themes (no parent), in codebook order."""
    return codebook[codebook["parent_id"].fillna("").astype(str) == ""]


def primary_codings(codings: pd.DataFrame) -> pd.DataFrame:
    """One coder's codes per segment: the first coder (by coder_id) who coded it."""
    first = codings.sort_values("coder_id", kind="stable").drop_duplicates("segment_id")
    first_coder = codings["segment_id"].map(first.set_index("segment_id")["coder_id"])
    return codings[codings["coder_id"] == first_coder]


def coded_talk(study) -> pd.DataFrame:
    """(segment_id, group_id, speaker_id, position, code_id, theme_id), participant turns, primary coder."""
    speakers = participants_only(study.participants)["participant_id"]
    turns = study.segments[study.segments["speaker_id"].isin(speakers)]
    rows = primary_codings(study.codings)[["segment_id", "code_id"]].merge(
        turns[["segment_id", "group_id", "speaker_id", "position"]], on="segment_id"
    )
    rows["theme_id"] = rows["code_id"].map(theme_of(study.codebook))
    return rows.drop_duplicates(["segment_id", "code_id"]).reset_index(drop=True)


def incidence(rows: pd.DataFrame, unit: str, item: str, units=None, items=None):
    """A sparse 0/1 matrix units x items from long rows; returns (matrix, unit index, item index)."""
    units = pd.Index(pd.unique(rows[unit]) if units is None else units)
    items = pd.Index(pd.unique(rows[item]) if items is None else items)
    pairs = rows[[unit, item]].drop_duplicates()
    r, c = units.get_indexer(pairs[unit]), items.get_indexer(pairs[item])
    keep = (r >= 0) & (c >= 0)
    data = np.ones(int(keep.sum()), dtype=np.int32)
    matrix = sparse.csr_matrix((data, (r[keep], c[keep])), shape=(len(units), len(items)))
    return matrix, units, items
