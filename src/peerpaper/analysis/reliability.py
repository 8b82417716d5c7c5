"""Agreement between coders: Krippendorff's alpha (nominal) and percent agreement, per code and overall.

The double-coded subset is the segments two or more coders coded, whatever they found in them. It must
not depend on the outcome: "segments to which two coders applied a code" drops every segment a coder
read and left uncoded, so it drops agreements on absence and inflates alpha. The subset is therefore what
the data record (double_coded.csv: each segment drawn for double coding and each coder who coded it, code
or no code). A folder that does not record it gets a stated fallback: a coder who applied any code in a
group is taken to have coded every participant turn of that group (the usual design when transcripts are
double-coded whole); the basis is reported with the values.

The unit is (segment, code) on that subset: 1 if the coder applied the code, 0 if the coder coded the
segment but not with this code, missing if the coder did not code the segment. Alpha comes from the
`krippendorff` package; its default level is "interval", so "nominal" is always passed explicitly.
Every figure is reported with its number of units.
"""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd

from ..artifacts import fmt_dec, fmt_int, fmt_pct
from ..privacy.disclosure import describe
from . import code_rows, participants_only, primary_codings, qualifiers


def alpha(reliability_data, level: str = "nominal") -> float:
    """Krippendorff's alpha of a coders x units array (nan = missing); nan when undefined (no variation)."""
    data = np.asarray(reliability_data, dtype=float)
    if np.isfinite(data).sum(axis=0).max(initial=0) < 2:
        return float("nan")
    try:
        return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    except ValueError:  # one value in the whole domain: agreement is trivial, alpha undefined
        return float("nan")


def percent_agreement(reliability_data) -> float:
    """Share of units (with two or more values) on which every coder gave the same value."""
    data = np.asarray(reliability_data, dtype=float)
    present = np.isfinite(data)
    pairable = present.sum(axis=0) >= 2
    if not pairable.any():
        return float("nan")
    high = np.where(present, data, -np.inf).max(axis=0)
    low = np.where(present, data, np.inf).min(axis=0)
    return float((high == low)[pairable].mean())


RECORDED = "recorded in the data"
INFERRED = "inferred from the data: every participant turn of each group a coder applied codes in"


def coverage(study) -> tuple[pd.DataFrame, str]:
    """(segment_id, coder_id) for every coder who coded each segment, and the basis (RECORDED or INFERRED)."""
    recorded = getattr(study, "double_coded", None)
    if recorded is not None:
        return recorded[["segment_id", "coder_id"]].drop_duplicates().reset_index(drop=True), RECORDED
    speakers = participants_only(study.participants)["participant_id"]
    turns = study.segments[study.segments["speaker_id"].isin(speakers)][["segment_id", "group_id"]]
    group_of = study.segments.set_index("segment_id")["group_id"]
    worked = study.codings.assign(group_id=study.codings["segment_id"].map(group_of))[["group_id", "coder_id"]]
    coded = turns.merge(worked.drop_duplicates(), on="group_id")[["segment_id", "coder_id"]]
    return coded.reset_index(drop=True), INFERRED


def double_coded(coded: pd.DataFrame) -> pd.Index:
    """Segments that two or more coders coded (`coded`: segment_id, coder_id), sorted."""
    coders = coded.groupby("segment_id")["coder_id"].nunique()
    return pd.Index(sorted(coders.index[coders >= 2]), name="segment_id")


def reliability_data(codings: pd.DataFrame, code_ids, coded: pd.DataFrame) -> tuple[np.ndarray, list, pd.Index, pd.Index]:
    """(array coders x segments x codes, coders, segments, codes) on the double-coded subset of `coded`."""
    segments = double_coded(coded)
    code_ids = pd.Index(list(code_ids))
    applied = codings[codings["segment_id"].isin(segments)]
    present = pd.concat([coded[coded["segment_id"].isin(segments)], applied[["segment_id", "coder_id"]]])
    coders = sorted(present["coder_id"].unique())
    data = np.full((len(coders), len(segments), len(code_ids)), np.nan)
    for c, coder in enumerate(coders):
        data[c, segments.get_indexer(present.loc[present["coder_id"] == coder, "segment_id"].unique()), :] = 0
        mine = applied[applied["coder_id"] == coder]
        s, k = segments.get_indexer(mine["segment_id"]), code_ids.get_indexer(mine["code_id"])
        data[c, s[k >= 0], k[k >= 0]] = 1
    return data, coders, segments, code_ids


def by_code(codings: pd.DataFrame, codebook: pd.DataFrame, coded: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Per-code table (code_id, label, units, applied, alpha, agreement) and the overall figures."""
    book = code_rows(codebook)
    data, coders, segments, code_ids = reliability_data(codings, book["code_id"], coded)
    rows = []
    for k, code in enumerate(code_ids):
        units = data[:, :, k]
        rows.append(
            {
                "code_id": code,
                "label": book["label"].iloc[k],
                "units": units.shape[1],
                "applied": int((np.nan_to_num(units) > 0).any(axis=0).sum()),
                "alpha": alpha(units),
                "agreement": percent_agreement(units),
            }
        )
    flat = data.reshape(len(coders), len(segments) * len(code_ids))  # explicit: -1 is undefined when empty
    overall = {
        "coders": len(set(codings["coder_id"]) | set(coded["coder_id"])),
        "segments": len(segments),
        "units": flat.shape[1],
        "alpha": alpha(flat),
        "agreement": percent_agreement(flat),
    }
    return pd.DataFrame(rows, columns=["code_id", "label", "units", "applied", "alpha", "agreement"]), overall


def table(per_code: pd.DataFrame, overall: dict) -> pd.DataFrame:
    """The printed table, overall row last."""
    body = pd.DataFrame(
        {
            "Code": per_code["label"].values,
            "Units": per_code["units"].values,
            "Units coded by anyone": per_code["applied"].values,
            "Krippendorff's alpha": [fmt_dec(x) for x in per_code["alpha"]],
            "Reading": [qualifiers.alpha_reading(x) for x in per_code["alpha"]],
            "Agreement": [fmt_pct(x) for x in per_code["agreement"]],
        }
    )
    total = pd.DataFrame(
        {
            "Code": ["All codes"],
            "Units": [overall["units"]],
            "Units coded by anyone": [int(per_code["applied"].sum())],
            "Krippendorff's alpha": [fmt_dec(overall["alpha"])],
            "Reading": [qualifiers.alpha_reading(overall["alpha"])],
            "Agreement": [fmt_pct(overall["agreement"])],
        }
    )
    return describe(pd.concat([body, total], ignore_index=True), labels=["Code", "Reading"],  # coding decisions
                    counts={"Units": "units", "Units coded by anyone": "units"},
                    statistics=["Krippendorff's alpha", "Agreement"])


def values(per_code: pd.DataFrame, overall: dict) -> dict[str, str]:
    """The 05-reliability values of docs/VALUES.md about agreement, each alpha with its reading."""
    defined = per_code.dropna(subset=["alpha"]).sort_values(["alpha", "code_id"], kind="stable")
    low, high = (defined.iloc[0], defined.iloc[-1]) if len(defined) else (None, None)
    out = {
        "n_coders": fmt_int(overall["coders"]),
        "n_double_coded_segments": fmt_int(overall["segments"]),
        "n_reliability_units": fmt_int(overall["units"]),
        "alpha_overall": fmt_dec(overall["alpha"]),
        "alpha_overall_reading": qualifiers.alpha_reading(overall["alpha"]),
        "pct_agreement_overall": fmt_pct(overall["agreement"]),
        "alpha_min_code": low["label"] if low is not None else "n/a",
        "alpha_min_value": fmt_dec(low["alpha"]) if low is not None else "n/a",
        "alpha_max_code": high["label"] if high is not None else "n/a",
        "alpha_max_value": fmt_dec(high["alpha"]) if high is not None else "n/a",
    }
    readings = [qualifiers.alpha_reading(a) for a in per_code["alpha"]]
    for r, reading in zip(per_code.itertuples(), readings):
        out[f"alpha_{r.code_id}"] = fmt_dec(r.alpha)
        out[f"alpha_{r.code_id}_reading"] = reading
        out[f"alpha_{r.code_id}_n_applied"] = fmt_int(r.applied)
    for reading, name in ((qualifiers.RELIABLE, "reliable"), (qualifiers.TENTATIVE, "tentative"),
                          (qualifiers.UNRELIABLE, "unreliable"), (qualifiers.UNDEFINED, "undefined")):
        out[f"n_codes_alpha_{name}"] = fmt_int(readings.count(reading))
    undefined = readings.count(qualifiers.UNDEFINED)
    out["alpha_undefined_clause"] = (  # reads after a semicolon, whatever the count
        "alpha could be computed for every code" if not undefined else
        f"for {fmt_int(undefined)}, alpha could not be computed, because no coder applied "
        f"{'the code' if undefined == 1 else 'those codes'} in the subset")
    return out


NOT_DESCRIBED = "not described in the data"


def design_note(study) -> dict[str, str]:
    """The data package's own account of the double coding ("double_coding": {"sample", "disagreements"})."""
    path = getattr(study, "path", None)
    try:
        note = json.loads((Path(path) / "datapackage.json").read_text(encoding="utf-8-sig")).get("double_coding")
    except (OSError, TypeError, ValueError, AttributeError):
        return {}
    return note if isinstance(note, dict) else {}


def _pct_range(shares: pd.Series) -> str:
    """"18-22%", or "20%" when every group's share rounds the same."""
    if not len(shares):
        return "n/a"
    low, high = fmt_pct(shares.min()), fmt_pct(shares.max())
    return low if low == high else f"{low[:-1]}-{high}"


def design_values(study, coded: pd.DataFrame, basis: str) -> dict[str, str]:
    """How the double-coded subset was drawn and whether it looks outcome-independent.

    The check: the share of turns the primary coder coded inside the subset against outside it; a subset
    drawn by outcome (turns someone coded) shows a gap, a random one does not.
    """
    speakers = participants_only(study.participants)["participant_id"]
    turns = study.segments[study.segments["speaker_id"].isin(speakers)]
    subset = set(double_coded(coded))
    inside = turns["segment_id"].isin(subset)
    share = inside.groupby(turns["group_id"]).mean()
    coded_turns = set(primary_codings(study.codings)["segment_id"])
    carries = turns["segment_id"].isin(coded_turns)
    primary = primary_codings(study.codings)["coder_id"].value_counts()
    note = design_note(study)
    resolution = note.get("disagreements") or (
        f"the analyses use the first coder's codes ({primary.index[0]}) for every segment, and the other "
        "coders' codes only to measure agreement" if len(primary) else NOT_DESCRIBED)
    return {
        "reliability_subset_basis": basis,
        "pct_double_coded": fmt_pct(inside.mean()) if len(turns) else "n/a",
        "pct_double_coded_range": _pct_range(share),
        "n_groups_double_coded": fmt_int((share > 0).sum()),
        "pct_coded_in_subset": fmt_pct(carries[inside].mean()) if inside.any() else "n/a",
        "pct_coded_outside_subset": fmt_pct(carries[~inside].mean()) if (~inside).any() else "n/a",
        "double_coding_sample": note.get("sample") or NOT_DESCRIBED,
        "disagreement_resolution": resolution,
        "primary_coder": str(primary.index[0]) if len(primary) else "n/a",
    }
