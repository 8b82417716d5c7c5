"""Agreement between coders: Krippendorff's alpha (nominal) and percent agreement, per code and overall.

The unit is (segment, code) on the double-coded subset (segments to which two or more coders applied a
code): 1 if the coder applied the code, 0 if the coder coded the segment but not with this code, missing
if the coder did not code the segment. Alpha comes from the `krippendorff` package; its default level is
"interval", so "nominal" is always passed explicitly. Every figure is reported with its number of units.
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd

from ..artifacts import fmt_dec, fmt_int, fmt_pct
from . import code_rows


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


def double_coded(codings: pd.DataFrame) -> pd.Index:
    """Segments to which two or more coders applied at least one code, sorted."""
    coders = codings.groupby("segment_id")["coder_id"].nunique()
    return pd.Index(sorted(coders.index[coders >= 2]), name="segment_id")


def reliability_data(codings: pd.DataFrame, code_ids) -> tuple[np.ndarray, list, pd.Index, pd.Index]:
    """(array coders x segments x codes, coders, segments, codes) on the double-coded subset."""
    segments = double_coded(codings)
    code_ids = pd.Index(list(code_ids))
    coders = sorted(codings["coder_id"].unique())
    subset = codings[codings["segment_id"].isin(segments)]
    data = np.full((len(coders), len(segments), len(code_ids)), np.nan)
    for c, coder in enumerate(coders):
        mine = subset[subset["coder_id"] == coder]
        rows = segments.get_indexer(mine["segment_id"].unique())
        data[c, rows, :] = 0
        s, k = segments.get_indexer(mine["segment_id"]), code_ids.get_indexer(mine["code_id"])
        data[c, s[k >= 0], k[k >= 0]] = 1
    return data, coders, segments, code_ids


def by_code(codings: pd.DataFrame, codebook: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Per-code table (code_id, label, units, applied, alpha, agreement) and the overall figures."""
    book = code_rows(codebook)
    data, coders, segments, code_ids = reliability_data(codings, book["code_id"])
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
    flat = data.reshape(len(coders), -1)
    overall = {
        "coders": len(codings["coder_id"].unique()),
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
            "Agreement": [fmt_pct(x) for x in per_code["agreement"]],
        }
    )
    total = pd.DataFrame(
        {
            "Code": ["All codes"],
            "Units": [overall["units"]],
            "Units coded by anyone": [int(per_code["applied"].sum())],
            "Krippendorff's alpha": [fmt_dec(overall["alpha"])],
            "Agreement": [fmt_pct(overall["agreement"])],
        }
    )
    return pd.concat([body, total], ignore_index=True)


def values(codings: pd.DataFrame, per_code: pd.DataFrame, overall: dict) -> dict[str, str]:
    """The 05-reliability values of docs/VALUES.md."""
    defined = per_code.dropna(subset=["alpha"]).sort_values(["alpha", "code_id"], kind="stable")
    low, high = (defined.iloc[0], defined.iloc[-1]) if len(defined) else (None, None)
    return {
        "n_coders": fmt_int(overall["coders"]),
        "n_double_coded_segments": fmt_int(overall["segments"]),
        "pct_double_coded": fmt_pct(overall["segments"] / max(codings["segment_id"].nunique(), 1)),
        "n_reliability_units": fmt_int(overall["units"]),
        "alpha_overall": fmt_dec(overall["alpha"]),
        "pct_agreement_overall": fmt_pct(overall["agreement"]),
        "alpha_min_code": low["label"] if low is not None else "n/a",
        "alpha_min_value": fmt_dec(low["alpha"]) if low is not None else "n/a",
        "alpha_max_code": high["label"] if high is not None else "n/a",
        "alpha_max_value": fmt_dec(high["alpha"]) if high is not None else "n/a",
    }
