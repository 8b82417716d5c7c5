"""Which codes are talked about together: within one turn, and within a window of adjacent turns.

Vectorised with scipy.sparse: a turns x codes 0/1 incidence matrix X gives co-occurrence counts as X.T @ X
(the diagonal holds each code's own count). A window of w turns is X summed over w shifted copies of
itself, never across a group boundary. Counts are normalised to Jaccard indices, |A and B| / |A or B|, so
frequent codes do not dominate. The heatmap is ordered by average-linkage hierarchical clustering
(scipy.cluster.hierarchy, optimal leaf ordering: deterministic) on 1 - Jaccard, so clusters sit together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform

from ..artifacts import fmt_dec, fmt_int
from ..errors import PaperError
from ..figures import PALETTE, new_figure, wrap_label
from ..privacy.disclosure import describe
from . import code_rows, coded_talk, incidence, qualifiers, theme_of, theme_rows


def windowed(X: sparse.csr_matrix, group: np.ndarray, window: int) -> sparse.csr_matrix:
    """Row i becomes the union of rows i..i+window-1 that lie in the same group as row i."""
    if window < 1:
        raise PaperError(f"window must be at least 1, got {window}")
    n = X.shape[0]
    total = sparse.csr_matrix(X.shape, dtype=X.dtype)
    for offset in range(window):
        rows = np.arange(n - offset)
        same = group[rows] == group[rows + offset]
        shift = sparse.csr_matrix((np.ones(same.sum(), dtype=X.dtype), (rows[same], rows[same] + offset)), shape=(n, n))
        total = total + shift @ X
    return (total > 0).astype(np.int32)


def jaccard(counts: np.ndarray) -> np.ndarray:
    """Jaccard indices from a co-occurrence count matrix whose diagonal holds each item's own count."""
    own = np.diag(counts)
    union = own[:, None] + own[None, :] - counts
    return np.divide(counts, union, out=np.zeros(counts.shape), where=union > 0)


def turn_incidence(study, level: str = "code") -> tuple[sparse.csr_matrix, np.ndarray, pd.Index]:
    """(turns x items 0/1 matrix, group of each turn, items): every segment in group and position order."""
    turns = study.segments.sort_values(["group_id", "position"], kind="stable")
    rows = coded_talk(study)
    book = code_rows(study.codebook) if level == "code" else theme_rows(study.codebook)
    key = {"code": "code_id", "theme": "theme_id"}[level]
    X, _, items = incidence(rows, "segment_id", key, units=turns["segment_id"], items=book["code_id"])
    return X, turns["group_id"].to_numpy(), items


def cooccurrence(study, level: str = "code", window: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(counts, jaccard), items x items, for codes or themes; window=1 means within a single turn."""
    X, group, items = turn_incidence(study, level)
    W = windowed(X, group, window)
    counts = (W.T @ W).toarray()
    return (pd.DataFrame(counts, index=items, columns=items), pd.DataFrame(jaccard(counts), index=items, columns=items))


def chance(study, level: str = "code", window: int = 1, permutations: int = 1000, seed: int = 0) -> dict:
    """What chance gives each pair's Jaccard index, for codes or themes (see `chance_of`)."""
    X, group, items = turn_incidence(study, level)
    return chance_of(X.toarray().astype(bool), group, items, window, permutations, seed)


def chance_of(dense: np.ndarray, group: np.ndarray, items, window: int = 1, permutations: int = 1000,
              seed: int = 0) -> dict:
    """A circular-shift permutation null for the Jaccard index of every pair of columns of a turns x items array.

    Each item's column is rotated, within every group, by its own random offset: every item keeps how often
    and how clustered it is raised in each group, and only its alignment with the other items is broken.
    Returns DataFrames items x items: `observed`, `expected` (mean Jaccard under the null), `p_above` and
    `p_below` (share of permutations at or above / at or below the observed value, counting the observed
    one, as in Phipson & Smyth's (2010) (b + 1) / (m + 1)).
    """
    W = windowed(sparse.csr_matrix(dense.astype(np.int32)), group, window)
    observed = jaccard((W.T @ W).toarray())
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if len(group) else np.array([], dtype=int)
    lengths = np.diff(np.r_[starts, len(group)])
    which = np.repeat(np.arange(len(starts)), lengths)  # group number of each turn
    position = np.arange(len(group)) - starts[which]
    same = [group[: len(group) - o] == group[o:] for o in range(window)]
    rng = np.random.default_rng(seed)
    at_least = np.zeros(observed.shape)
    at_most = np.zeros(observed.shape)
    total = np.zeros(observed.shape)
    for _ in range(permutations):
        offset = rng.integers(0, np.iinfo(np.int64).max, size=(len(starts), dense.shape[1])) % lengths[:, None]
        rows = starts[which][:, None] + (position[:, None] + offset[which]) % lengths[which][:, None]
        shifted = np.take_along_axis(dense, rows, axis=0)
        joined = shifted.copy()
        for o in range(1, window):
            joined[: len(group) - o] |= shifted[o:] & same[o][:, None]
        joined = joined.astype(np.float64)
        null = jaccard(joined.T @ joined)
        total += null
        at_least += null >= observed - 1e-12
        at_most += null <= observed + 1e-12
    frame = lambda a: pd.DataFrame(a, index=items, columns=items)  # noqa: E731
    return {
        "observed": frame(observed),
        "expected": frame(total / max(permutations, 1)),
        "p_above": frame((at_least + 1) / (permutations + 1)),
        "p_below": frame((at_most + 1) / (permutations + 1)),
    }


def top_pairs(study, window: int, n: int = 10, null: dict | None = None) -> pd.DataFrame:
    """The n pairs of codes from different themes with the highest windowed Jaccard index.

    With `null` (chance(study, "code", window)), each pair also gets what chance gives and its reading.
    """
    turn_counts, turn_j = cooccurrence(study, "code", 1)
    win_counts, win_j = cooccurrence(study, "code", window)
    ids = win_j.index.to_numpy()
    theme = theme_of(study.codebook).reindex(ids).to_numpy()
    i, j = np.triu_indices(len(ids), k=1)
    keep = (theme[i] != theme[j]) & (win_counts.to_numpy()[i, j] > 0)
    i, j = i[keep], j[keep]
    pairs = pd.DataFrame(
        {
            "code_a": ids[i],
            "code_b": ids[j],
            "turns_together": turn_counts.to_numpy()[i, j],
            "jaccard_turn": turn_j.to_numpy()[i, j],
            "windows_together": win_counts.to_numpy()[i, j],
            "jaccard_window": win_j.to_numpy()[i, j],
        }
    )
    if null is not None:
        pairs["chance_window"] = null["expected"].to_numpy()[i, j]
        pairs["p_above"] = null["p_above"].to_numpy()[i, j]
        pairs["reading"] = [qualifiers.chance_reading(a, b) for a, b in
                            zip(pairs["p_above"], null["p_below"].to_numpy()[i, j])]
    pairs = pairs.sort_values(["jaccard_window", "windows_together", "code_a", "code_b"], ascending=[False, False, True, True])
    return pairs.head(n).reset_index(drop=True)


def cross_theme_readings(study, null: dict) -> pd.Series:
    """Reading of every pair of codes from different themes (analysis.qualifiers.chance_reading)."""
    ids = null["observed"].index.to_numpy()
    theme = theme_of(study.codebook).reindex(ids).to_numpy()
    i, j = np.triu_indices(len(ids), k=1)
    keep = theme[i] != theme[j]
    above, below = null["p_above"].to_numpy(), null["p_below"].to_numpy()
    return pd.Series([qualifiers.chance_reading(above[a, b], below[a, b]) for a, b in zip(i[keep], j[keep])],
                     index=pd.MultiIndex.from_arrays([ids[i[keep]], ids[j[keep]]]), dtype=object)


def cluster_order(similarity: pd.DataFrame) -> list:
    """Items ordered so that similar ones sit together (average linkage on 1 - similarity)."""
    if len(similarity) < 3:
        return list(similarity.index)
    distance = 1 - similarity.to_numpy(dtype=float)
    np.fill_diagonal(distance, 0)
    tree = linkage(squareform(distance, checks=False), method="average", optimal_ordering=True)
    return list(similarity.index[leaves_list(tree)])


def table(pairs: pd.DataFrame, labels: pd.Series, window: int) -> pd.DataFrame:
    """The printed top pairs (with what chance gives, when `pairs` carries it)."""
    out = pd.DataFrame(
        {
            "Code": labels.reindex(pairs["code_a"]).values,
            "Co-occurs with": labels.reindex(pairs["code_b"]).values,
            "Same turn": pairs["turns_together"].values,
            f"Within {window} turns": pairs["windows_together"].values,
            f"Jaccard ({window} turns)": [fmt_dec(x) for x in pairs["jaccard_window"]],
        }
    )
    if "chance_window" in pairs:
        out["Chance gives"] = [fmt_dec(x) for x in pairs["chance_window"]]
        out["Reading"] = pairs["reading"].values
    return describe(out, labels=[c for c in ("Code", "Co-occurs with", "Reading") if c in out],  # talk, not people
                    counts={"Same turn": "turns", f"Within {window} turns": "windows"},
                    statistics=[c for c in out if c.startswith("Jaccard") or c == "Chance gives"])


def figure_data(pairs: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    """What `figure` draws, described for `artifacts.write_figure_data`: one row per top pair of codes (talk,
    not people: nothing here is masked)."""
    data = pairs.copy()
    data.insert(2, "code", labels.reindex(data["code_a"]).to_numpy())
    data.insert(3, "with", labels.reindex(data["code_b"]).to_numpy())
    return describe(data, labels=[c for c in ("code_a", "code_b", "code", "with", "reading") if c in data],
                    counts={"turns_together": "turns", "windows_together": "windows"},
                    statistics=[c for c in ("jaccard_turn", "jaccard_window", "chance_window", "p_above") if c in data])


THEME_PAIRS = {"funding_deleg": ("funding", "delegitimisation"), "law_barriers": ("law", "barriers")}


def values(study, pairs: pd.DataFrame, window: int, theme_null: dict | None = None,
           code_null: dict | None = None) -> dict[str, str]:
    """The 03-cooccurrence values of docs/VALUES.md (theme indices use the same window), each read against
    what chance gives when the nulls are passed (chance(study, level, window))."""
    labels = study.codebook.set_index("code_id")["label"]
    _, theme_j = cooccurrence(study, "theme", window)
    out = {"cooc_window": fmt_int(window)}
    for name, (a, b) in THEME_PAIRS.items():
        known = a in theme_j.index and b in theme_j.index
        out[f"cooc_{name}_jaccard"] = fmt_dec(theme_j.loc[a, b]) if known else "n/a"
        if theme_null is not None:
            out[f"cooc_{name}_chance"] = fmt_dec(theme_null["expected"].loc[a, b]) if known else "n/a"
            out[f"cooc_{name}_reading"] = (qualifiers.chance_reading(theme_null["p_above"].loc[a, b],
                                                                     theme_null["p_below"].loc[a, b])
                                           if known else qualifiers.UNDEFINED)
    top = pairs.iloc[0] if len(pairs) else None
    out["cooc_top_pair"] = f"{labels[top.code_a]} & {labels[top.code_b]}" if top is not None else "n/a"
    out["cooc_top_jaccard"] = fmt_dec(top.jaccard_window) if top is not None else "n/a"
    if "chance_window" in pairs:
        out["cooc_top_chance"] = fmt_dec(top.chance_window) if top is not None else "n/a"
        out["cooc_top_reading"] = top.reading if top is not None else qualifiers.UNDEFINED
    if code_null is not None:
        readings = cross_theme_readings(study, code_null)
        out["cooc_n_pairs"] = fmt_int(len(readings))
        out["cooc_n_pairs_above_chance"] = fmt_int((readings == qualifiers.ABOVE).sum())
        out["cooc_n_pairs_expected_by_chance"] = fmt_int(round(qualifiers.CHANCE_LEVEL * len(readings)))
    return out


def figure(pairs: pd.DataFrame, labels: pd.Series, window: int):
    """The top pairs of codes from different themes: each pair's Jaccard index (dot; filled when above chance)
    against what chance gives (grey bar), so "0.14" reads as above or below chance at a glance.

    `pairs` is `top_pairs`, or `figure_data` as `artifacts.write_figure_data` returns it."""
    numbers = [c for c in ("jaccard_window", "chance_window") if c in pairs]
    pairs = pairs.assign(**{c: pd.to_numeric(pairs[c], errors="coerce") for c in numbers})
    data = pairs.iloc[::-1]
    fig, ax = new_figure(height_in=0.5 * max(len(data), 1) + 1.3)
    y = np.arange(len(data))
    chance_ = data["chance_window"] if "chance_window" in data else pd.Series(np.nan, index=data.index)
    above = (data["reading"] == qualifiers.ABOVE).to_numpy() if "reading" in data else np.zeros(len(data), dtype=bool)
    ax.barh(y, chance_.fillna(0), height=0.5, color="0.85", label="What chance gives (mean of shifts)")
    ax.scatter(data["jaccard_window"].to_numpy()[above], y[above], s=40, color=PALETTE[0], zorder=3,
               label="Observed, above chance")
    ax.scatter(data["jaccard_window"].to_numpy()[~above], y[~above], s=40, facecolors="white", edgecolors=PALETTE[0],
               zorder=3, label="Observed, not above chance")
    names = [wrap_label(f"{labels.get(a, a)} & {labels.get(b, b)}", 44, lines=2) for a, b in zip(data["code_a"], data["code_b"])]
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlabel(f"Jaccard index, within {window} adjacent turn{'s' if window > 1 else ''}")
    ax.set_xlim(0, max(0.05, float(np.nanmax(data["jaccard_window"].to_numpy(), initial=0)) * 1.15))
    ax.legend(loc="lower right", fontsize=8)
    alt = (f"Dot plot of the {len(data)} pairs of codes from different themes that co-occur most within {window} adjacent "
           "turns, each against what chance gives. " + "; ".join(
               f"{labels.get(r.code_a, r.code_a)} and {labels.get(r.code_b, r.code_b)}: Jaccard {fmt_dec(r.jaccard_window)}"
               + (f", chance {fmt_dec(r.chance_window)}, {r.reading}" if "chance_window" in data else "")
               for r in pairs.itertuples()) + ".")
    return fig, alt
