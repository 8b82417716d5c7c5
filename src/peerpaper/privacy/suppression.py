"""Small-cell suppression: no table lets a reader learn that one or two named-by-attribute people exist.

The rule (documented here because the paper's methods section cites it):

1. Primary: a count of 1..k-1 is shown as "<k" (k: the project setting, `privacy.disclosure`). A 0 stays 0: it says nobody, which
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
3. The hidden cells of a line whose total is known add up to at least k: two hidden sectors of 1 and 2
   under a known total say "3 people work in one of these two", a group below k; the next-smallest
   visible cell is hidden until they do. (Figures that merge the hidden sectors into "other" rely on it.)

Shares (%) beside a count reveal it: compute them from the suppressed table, or do not show them.
Why scipy: it is already a dependency and its LP solver makes the audit exact instead of heuristic.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from ..errors import PaperError
from .disclosure import DEFAULT_K

SECONDARY_MARK = "[c]"


def small_mark(k: int) -> str:
    """The text a primary-suppressed cell shows: "<5" for k=5."""
    return f"<{k}"


def suppression_note(k: int = DEFAULT_K) -> str:
    """The table note that explains both marks to a reader."""
    return (
        f"{small_mark(k)}: fewer than {k} (1 to {k - 1}), not shown to protect participants; "
        f"{SECONDARY_MARK}: withheld so that a hidden count cannot be worked out from a total."
    )


def suppress_small_counts(
    df: pd.DataFrame,
    count_columns: Sequence[Hashable],
    k: int = DEFAULT_K,
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
    if k < 3:
        raise ValueError(f"k must be at least 3 (at 2, '<2' would say 1), got {k}")
    if not additive and (total_row is not None or total_column is not None):
        raise ValueError("totals only make sense for additive counts")
    values = _counts(df, columns)
    total_pos = _total_row_position(df, columns, total_row) if total_row is not None else None
    part_columns = [j for j, c in enumerate(columns) if c != total_column]
    total_j = columns.index(total_column) if total_column is not None else None

    primary = (values >= 1) & (values < k)
    hidden = primary.copy()
    lines = _lines(values, total_pos, part_columns, total_j) if additive else []
    while True:
        if pinned := _pinned(values, primary, hidden, lines, k):
            extra = _best_extra(values, primary, hidden, lines, k, pinned)
        elif short := _short_lines(values, hidden, lines, k):
            pinned = [cell for cell in short[0][0] if hidden[cell]]
            extra = min((c for c in short[0][0] if not hidden[c] and values[c] > 0), key=lambda c: (values[c], c), default=None)
        else:
            break
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
        for position, value in enumerate(df[column].tolist()):
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
        matches = np.flatnonzero(df.drop(columns=columns).eq(label).any(axis=1).to_numpy()).tolist()
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
    bounds = [(1, k - 1) if primary[cell] else (k, None) for cell in unknowns]
    if (np.abs(np.array(rows)).sum(axis=0) <= 1).all():  # no cell in two lines: each line on its own is exact
        return [unknowns[n] for n in _pinned_in_own_line(np.array(rows), np.array(rhs), bounds)]
    pinned = []
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


def _short_lines(values, hidden, lines: list[Line], k: int) -> list[Line]:
    """Lines whose total a reader knows and whose hidden cells add up to 1..k-1: together they would name a
    group of fewer than k people (two hidden sectors of 1 and 2 under a known total are "3 people")."""
    short = []
    for line in lines:
        cells, total, total_value = line
        if total is not None and hidden[total]:
            continue
        together = sum(int(values[c]) for c in cells if hidden[c])
        if 0 < together < k:
            short.append(line)
    return short


def _pinned_in_own_line(rows: np.ndarray, rhs: np.ndarray, bounds) -> list[int]:
    """Unknowns pinned when each lies in one line: a cell's range is what the others' ranges leave of the
    line's total (the same answer as the linear program, without solving one per cell)."""
    low = np.array([b[0] for b in bounds], dtype=float)
    high = np.array([np.inf if b[1] is None else b[1] for b in bounds], dtype=float)
    pinned = []
    for row, total in zip(rows, rhs):
        members = np.flatnonzero(row)
        sign = row[members]  # +1 for a part, -1 for a hidden total: move it to the other side
        for n in members:
            others = members[members != n]
            s_others = sign[members != n] * sign[members == n][0]
            target = total * sign[members == n][0]
            lo_sum = np.where(s_others > 0, low[others], -high[others]).sum()
            hi_sum = np.where(s_others > 0, high[others], -low[others]).sum()
            cell_low, cell_high = max(low[n], target - hi_sum), min(high[n], target - lo_sum)
            if cell_high - cell_low < 0.5:
                pinned.append(int(n))
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


# ---- a described table: every protected count, what is nested with it, and its shares ---------------------

SHARE_MASK = "–"  # a share that would give a hidden count away


def hidden_categories(counts: pd.Series, k: int = DEFAULT_K) -> list:
    """The categories a one-attribute table of these participant counts hides (each person in one
    category, the total known): a figure merges them into "other", whose size is then at least k."""
    table = pd.DataFrame({"category": list(counts.index), "n": [int(v) for v in counts.to_numpy()]})
    try:
        shown = suppress_small_counts(table, ["n"], k=k)
    except PaperError:  # no category can be shown: all of them are "other"
        return list(table["category"])
    return [c for c, cell in zip(table["category"], shown["n"]) if isinstance(cell, str)]


def protect(df: pd.DataFrame, k: int = DEFAULT_K) -> pd.DataFrame:
    """Mask a table described with `privacy.describe` so that the disclosure audit finds nothing.

    1. Participant counts: primary and secondary suppression, additive ones line by line with their totals.
    2. In a row where a participant count is hidden, every count nested with it (groups <= participants <=
       turns) that is below k is hidden too, whatever its unit: "Turns 1" beside "<5" would say one person.
    3. A share is hidden ("–") when its count or its base is hidden, or its base is fewer than k people.
    4. Then the audit's own reader looks: where it can still pin a hidden count, the visible counts nested
       with it in that row are hidden, until nothing can be pinned (or the table is refused).
    """
    from .audit import audit_table
    from .disclosure import PROTECTED, Columns, columns_of

    columns: Columns | None = columns_of(df)
    if columns is None:
        raise PaperError("protect: describe the table first (privacy.describe)")
    columns = _publishable(columns, k)
    out = df.reset_index(drop=True).copy()
    for column in [c for c, unit in columns.counts.items() if unit == PROTECTED]:
        out[column] = out[column].astype(object)
        if column not in columns.additive:
            out[column] = suppress_small_counts(out, [column], k=k, additive=False)[column]
            continue
        total = columns.additive[column]
        for members in _line_groups(out, columns):
            part = out.loc[members]
            try:
                shown = suppress_small_counts(part, [column], k=k, total_row=total if isinstance(total, str) else None)
            except PaperError:
                if columns.lines_by is None:
                    raise
                shown = part.assign(**{column: SHARE_MASK})  # a line no mask can protect is not shown at all
            out.loc[members, column] = shown[column].to_numpy()
    hidden = lambda v: isinstance(v, str)  # noqa: E731
    for chain in columns.nested:
        members = [c for c in chain if c in out.columns]
        for column in members:
            out[column] = out[column].astype(object)
        for row in out.index:
            if any(hidden(out.at[row, c]) for c in members if columns.counts[c] == PROTECTED):
                for c in members:
                    if not hidden(out.at[row, c]) and 1 <= float(out.at[row, c]) < k:
                        out.at[row, c] = small_mark(k)
    for _ in range(len(out) * max(len(columns.counts), 1) + 1):
        _mask_shares(out, columns, k)
        pinned = [(f.row - 2, f.column) for f in audit_table(out.astype(str), columns, k) if f.rule == "derivable"]
        if not pinned:
            out.attrs["columns"] = columns
            return out
        widened = False
        for row, column in pinned:
            if columns.lines_by is not None:  # long data repeat a base in every line: hiding it in one line
                if column in {s.base for s in columns.shares.values()}:  # would hide nothing, so refuse
                    break
                line = out.index[out[columns.lines_by] == out.at[row, columns.lines_by]]
                out.loc[line, column] = SHARE_MASK  # the line's own counts in that column are not shown
                widened = True
                continue
            for chain in columns.nested:
                if column in chain:
                    for c in chain:
                        value = out.at[row, c]
                        if not hidden(value):
                            out.at[row, c] = small_mark(k) if 1 <= float(value) < k else SECONDARY_MARK
                            widened = True
        if not widened:
            break
    raise PaperError(f"table cannot be protected: a hidden count in column {pinned[0][1]!r}, row {pinned[0][0] + 1}, "
                     "follows from what else it shows; drop or coarsen the table")


def _publishable(columns, k: int):
    """The description as it may be published: a total or a base below k that the prose masks ("fewer than
    5 participants") is not written into the schema, nor used as if a reader knew it."""
    from dataclasses import replace

    from .disclosure import PROTECTED, Share

    small = lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 < v < k  # noqa: E731
    additive = {c: t for c, t in columns.additive.items() if not (columns.counts[c] == PROTECTED and small(t))}
    shares = {c: Share(s.of, None) if columns.counts.get(s.of) == PROTECTED and small(s.base) else s
              for c, s in columns.shares.items()}
    return replace(columns, additive=additive, shares=shares)


def _line_groups(df: pd.DataFrame, columns) -> list[list]:
    if columns.lines_by is None:
        return [list(df.index)]
    return [list(v) for v in df.groupby(columns.lines_by, sort=False).indices.values()]


def _mask_shares(out: pd.DataFrame, columns, k: int) -> None:
    from .disclosure import PROTECTED

    for column, share in columns.shares.items():
        out[column] = out[column].astype(object)
        people = columns.counts.get(share.of) == PROTECTED
        for row in out.index:
            count = out.at[row, share.of]
            base = out.at[row, share.base] if isinstance(share.base, str) else share.base
            small_base = people and base is not None and not isinstance(base, str) and 0 < float(base) < k
            if isinstance(count, str) or isinstance(base, str) or small_base:
                out.at[row, column] = SHARE_MASK
