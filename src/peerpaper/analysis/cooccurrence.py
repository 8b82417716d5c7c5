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
from ..figures import SEQUENTIAL, new_figure, wrap_label
from . import code_rows, coded_talk, incidence, theme_of, theme_rows


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


def cooccurrence(study, level: str = "code", window: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(counts, jaccard), items x items, for codes or themes; window=1 means within a single turn."""
    turns = study.segments.sort_values(["group_id", "position"], kind="stable")
    rows = coded_talk(study)
    book = code_rows(study.codebook) if level == "code" else theme_rows(study.codebook)
    key = {"code": "code_id", "theme": "theme_id"}[level]
    X, _, items = incidence(rows, "segment_id", key, units=turns["segment_id"], items=book["code_id"])
    X = windowed(X, turns["group_id"].to_numpy(), window)
    counts = (X.T @ X).toarray()
    return (pd.DataFrame(counts, index=items, columns=items), pd.DataFrame(jaccard(counts), index=items, columns=items))


def top_pairs(study, window: int, n: int = 10) -> pd.DataFrame:
    """The n pairs of codes from different themes with the highest windowed Jaccard index."""
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
    pairs = pairs.sort_values(["jaccard_window", "windows_together", "code_a", "code_b"], ascending=[False, False, True, True])
    return pairs.head(n).reset_index(drop=True)


def cluster_order(similarity: pd.DataFrame) -> list:
    """Items ordered so that similar ones sit together (average linkage on 1 - similarity)."""
    if len(similarity) < 3:
        return list(similarity.index)
    distance = 1 - similarity.to_numpy(dtype=float)
    np.fill_diagonal(distance, 0)
    tree = linkage(squareform(distance, checks=False), method="average", optimal_ordering=True)
    return list(similarity.index[leaves_list(tree)])


def table(pairs: pd.DataFrame, labels: pd.Series, window: int) -> pd.DataFrame:
    """The printed top pairs."""
    return pd.DataFrame(
        {
            "Code": labels.reindex(pairs["code_a"]).values,
            "Co-occurs with": labels.reindex(pairs["code_b"]).values,
            "Same turn": pairs["turns_together"].values,
            "Jaccard (turn)": [fmt_dec(x) for x in pairs["jaccard_turn"]],
            f"Within {window} turns": pairs["windows_together"].values,
            f"Jaccard ({window} turns)": [fmt_dec(x) for x in pairs["jaccard_window"]],
        }
    )


def values(study, pairs: pd.DataFrame, window: int) -> dict[str, str]:
    """The 03-cooccurrence values of docs/VALUES.md (theme indices use the same window)."""
    labels = study.codebook.set_index("code_id")["label"]
    _, theme_j = cooccurrence(study, "theme", window)

    def between(a: str, b: str) -> str:
        return fmt_dec(theme_j.loc[a, b]) if a in theme_j.index and b in theme_j.index else "n/a"

    top = pairs.iloc[0] if len(pairs) else None
    return {
        "cooc_window": fmt_int(window),
        "cooc_top_pair": f"{labels[top.code_a]} & {labels[top.code_b]}" if top is not None else "n/a",
        "cooc_top_jaccard": fmt_dec(top.jaccard_window) if top is not None else "n/a",
        "cooc_funding_deleg_jaccard": between("funding", "delegitimisation"),
        "cooc_law_barriers_jaccard": between("law", "barriers"),
    }


def figure(similarity: pd.DataFrame, labels: pd.Series, window: int):
    """Clustered heatmap of Jaccard indices between codes (diagonal blank: a code with itself is 1)."""
    order = cluster_order(similarity)
    grid = similarity.loc[order, order].to_numpy(dtype=float).copy()
    np.fill_diagonal(grid, np.nan)
    names = [wrap_label(labels.get(c, c), 34, lines=1) for c in order]
    fig, ax = new_figure(height_in=max(3.0, 0.16 * len(order) + 2.3))
    top = np.nanmax(grid) if np.isfinite(grid).any() else 1.0
    image = ax.imshow(grid, cmap=SEQUENTIAL, vmin=0, vmax=top if top > 0 else 1.0, aspect="auto")
    ax.set_xticks(range(len(order)), names, rotation=90, fontsize=8)
    ax.set_yticks(range(len(order)), names, fontsize=8)
    ax.spines[:].set_visible(False)
    fig.colorbar(image, ax=ax, label=f"Jaccard index, window of {window} turn{'s' if window > 1 else ''}", shrink=0.7)
    off = np.where(np.isnan(grid), -1, grid)
    a, b = np.unravel_index(np.argmax(off), off.shape)
    alt = (
        f"Heatmap of Jaccard co-occurrence between {len(order)} codes within windows of {window} adjacent turns, "
        f"codes ordered by hierarchical clustering. The strongest pair is {names[a]} and {names[b]} "
        f"(Jaccard {fmt_dec(off[a, b])})."
    )
    return fig, alt
