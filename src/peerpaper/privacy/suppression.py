"""Small-cell suppression: no table lets a reader learn that one or two named-by-attribute people exist.

The rule (documented here because the paper's methods section cites it):

1. Primary: a count of 1..k-1 is shown as "<k" (default k=3). A 0 stays 0: it says nobody, which
   exposes no one, and hiding it would only make secondary suppression leak more.
2. Secondary: wherever cells add up to a total a reader can see (a total row, a total column, or a column
   total published elsewhere - the paper states n_participants, so an additive column's total is public
   even without a total row), a hidden count must not be recoverable by arithmetic. We audit the table as
   a reader who knows this rule would: each "<k" cell lies in 1..k-1, each secondary cell is >= k, every
   line adds up. For each hidden cell we compute the least and greatest value it could take (a linear
   program, scipy.optimize.linprog; table constraints are totally unimodular, so LP bounds are the integer
   bounds). If any hidden cell is pinned to one value, the smallest visible non-zero cell in a line
   through it is hidden too, shown as "[c]" (the GSS symbol for "confidential"), and the audit repeats
   until nothing can be pinned. This is the usual "hide the next-smallest cell in that line" rule, plus
   the cases it misses, e.g. two hidden 1s under a visible total of 2.

Shares (%) beside a count reveal it: compute them from the suppressed table, or do not show them.
Why scipy: it is already a dependency and its LP solver makes the audit exact instead of heuristic.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from ..errors import PaperError

SECONDARY_MARK = "[c]"


def small_mark(k: int) -> str:
    """The text a primary-suppressed cell shows: "<3" for k=3."""
    return f"<{k}"


def suppression_note(k: int = 3) -> str:
    """The table note that explains both marks to a reader."""
    return (
        f"{small_mark(k)}: fewer than {k} (1 to {k - 1}), not shown to protect participants; "
        f"{SECONDARY_MARK}: withheld so that a hidden count cannot be worked out from a total."
    )


def suppress_small_counts(
    df: pd.DataFrame,
    count_columns: Sequence[Hashable],
    k: int = 3,
    total_row: Hashable | None = None,
    *,
    total_column: Hashable | None = None,
    additive: bool = True,
) -> pd.DataFrame:
    """Return a copy of `df` whose `count_columns` hide every count of 1..k-1 and anything that reveals one.

    total_row: the row of column totals, if the table shows one: an index label, or the text of a label
        column (e.g. "Total" in a `sector` column).
    total_column: the column of row totals, if any (it is suppressed like the count columns).
    additive: True when each person is counted in one row only, so each column adds up to a total a
        reader can know (published elsewhere) even without a total row. Set False for overlapping counts
        (e.g. speakers per theme: one person raises many themes): then only primary suppression applies.
    """
    columns = list(count_columns) + ([total_column] if total_column is not None and total_column not in count_columns else [])
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    if not additive and (total_row is not None or total_column is not None):
        raise ValueError("totals only make sense for additive counts")
    values = _counts(df, columns)
    total_pos = _total_row_position(df, columns, total_row) if total_row is not None else None
    part_columns = [j for j, c in enumerate(columns) if c != total_column]
    total_j = columns.index(total_column) if total_column is not None else None

    primary = (values >= 1) & (values < k)
    hidden = primary.copy()
    lines = _lines(values, total_pos, part_columns, total_j) if additive else []
    while pinned := _pinned(values, primary, hidden, lines, k):
        extra = _best_extra(values, primary, hidden, lines, k, pinned)
        if extra is None:
            row, column = pinned[0]
            raise PaperError(
                f"table cannot be protected: the count at row {row + 1}, column {columns[column]!r} "
                "follows from a published total and nothing else in its lines can be hidden; drop the table"
            )
        hidden[extra] = True

    out = df.copy()
    for j, column in enumerate(columns):
        cells: list[object] = [int(v) for v in values[:, j]]
        for i in range(len(cells)):
            if hidden[i, j]:
                cells[i] = small_mark(k) if primary[i, j] else SECONDARY_MARK
        out[column] = pd.Series(cells, index=out.index, dtype=object)
    return out


def _counts(df: pd.DataFrame, columns: list[Hashable]) -> np.ndarray:
    """The count cells as an integer matrix, or a clear error naming the first bad cell."""
    for column in columns:
        if column not in df.columns:
            raise ValueError(f"count column {column!r} is not in the table (columns: {list(df.columns)})")
        for position, value in enumerate(df[column]):
            if isinstance(value, bool) or not _is_count(value):
                raise PaperError(f"row {position + 1}, column {column!r}: {value!r} is not a count (integer >= 0)")
    return df[columns].to_numpy(dtype=np.int64).reshape(len(df), len(columns))


def _is_count(value: object) -> bool:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return number >= 0 and number.is_integer()


def _total_row_position(df: pd.DataFrame, columns: list[Hashable], label: Hashable) -> int:
    """Where the total row is: by index label first, else by the text of a non-count column."""
    matches = [i for i, name in enumerate(df.index) if name == label]
    if not matches:
        labels = df.drop(columns=columns)
        matches = [i for i in range(len(df)) if (labels.iloc[i] == label).any()]
    if len(matches) != 1:
        raise ValueError(f"total_row {label!r} matches {len(matches)} rows; it must match exactly one")
    return matches[0]


Line = tuple[list[tuple[int, int]], tuple[int, int] | None, int]


def _lines(values: np.ndarray, total_pos: int | None, parts: list[int], total_j: int | None) -> list[Line]:
    """Every equation a reader can use: (part cells, total cell or None, the total's value)."""
    rows = [i for i in range(values.shape[0]) if i != total_pos]
    lines: list[Line] = []
    for j in [*parts, *([total_j] if total_j is not None else [])]:
        cells = [(i, j) for i in rows]
        total = (total_pos, j) if total_pos is not None else None
        lines.append((cells, total, int(sum(values[i, j] for i, _ in cells))))
    if total_j is not None:
        for i in range(values.shape[0]):
            lines.append(([(i, j) for j in parts], (i, total_j), int(values[i, total_j])))
    return lines


def _pinned(values, primary, hidden, lines: list[Line], k: int) -> list[tuple[int, int]]:
    """The hidden cells whose value a reader can work out exactly."""
    unknowns = [(int(i), int(j)) for i, j in np.argwhere(hidden)]
    if not unknowns or not lines:
        return []
    index = {cell: n for n, cell in enumerate(unknowns)}
    rows, rhs = [], []
    for cells, total, total_value in lines:
        coefficients = np.zeros(len(unknowns))
        known = 0
        for cell in cells:
            if cell in index:
                coefficients[index[cell]] += 1
            else:
                known += values[cell]
        if total is not None and total in index:
            coefficients[index[total]] -= 1
            total_value = 0
        if coefficients.any():
            rows.append(coefficients)
            rhs.append(total_value - known)
    if not rows:
        return []
    pinned = []
    bounds = [(1, k - 1) if primary[cell] else (k, None) for cell in unknowns]
    for n, cell in enumerate(unknowns):
        objective = np.zeros(len(unknowns))
        objective[n] = 1
        low = linprog(objective, A_eq=rows, b_eq=rhs, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=rows, b_eq=rhs, bounds=bounds, method="highs")
        if high.status == 3:  # unbounded above: cannot be pinned
            continue
        if low.status == 0 and high.status == 0 and -high.fun - low.fun < 0.5:
            pinned.append(cell)
    return pinned


def _best_extra(values, primary, hidden, lines: list[Line], k: int, pinned) -> tuple[int, int] | None:
    """The visible non-zero cell, in a line through a pinned cell, whose hiding leaves fewest cells pinned.

    Ties go to the smallest count (the least information lost), then to reading order.
    """
    candidates = set()
    for cells, total, _ in lines:
        members = cells + ([total] if total is not None else [])
        if any(cell in members for cell in pinned):
            candidates.update(c for c in members if not hidden[c] and values[c] > 0)

    def cost(candidate):
        trial = hidden.copy()
        trial[candidate] = True
        return (len(_pinned(values, primary, trial, lines, k)), values[candidate], candidate)

    return min(candidates, key=cost, default=None)
