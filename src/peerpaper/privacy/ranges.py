"""What a reader can work out of hidden counts: the least and greatest value of each, over every integer
table consistent with what is shown. Shared by the audit and by `protect`, which masks until nothing is
pinned. scipy's `milp` (HiGHS) solves the general case exactly; the common case, one line adding up to a
known total, has a closed form.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

INF = math.inf


def integer_ranges(low, high, rows, wanted: Sequence[int]) -> dict[int, tuple[float, float]] | None:
    """The least and greatest integer value of each `wanted` unknown, over every integer solution of
    `lower <= coefficients . x <= upper` (each row) within the bounds; None when there is none.

    Unknowns split into independent groups (linked by rows); a group bound by one equation with
    coefficients +-1 (a line adding up to its total) is solved in closed form, any other exactly by
    scipy's integer programming (`milp`, HiGHS), twice per unknown."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(low)
    parent = list(range(n))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for coefficients, _, _ in rows:
        first, *others = list(coefficients)
        for j in others:
            parent[root(j)] = root(first)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(root(i), []).append(i)
    out: dict[int, tuple[float, float]] = {}
    for group in {root(i) for i in wanted}:
        unknowns = members[group]
        mine = [r for r in rows if root(next(iter(r[0]))) == group]
        if not mine:
            out.update({i: (low[i], high[i]) for i in unknowns if low[i] <= high[i]})
            continue
        if len(mine) == 1 and mine[0][1] == mine[0][2] and {abs(v) for v in mine[0][0].values()} == {1.0}:
            solved = _one_line(mine[0][0], mine[0][1], low, high)
            if solved is None:
                return None
            out.update(solved)
            continue
        position = {i: p for p, i in enumerate(unknowns)}
        matrix = np.zeros((len(mine), len(unknowns)))
        for r, (coefficients, _, _) in enumerate(mine):
            for j, v in coefficients.items():
                matrix[r, position[j]] = v
        options = {"integrality": np.ones(len(unknowns)), "bounds": Bounds(low[unknowns], high[unknowns]),
                   "constraints": [LinearConstraint(matrix, [r[1] for r in mine], [r[2] for r in mine])]}
        for i in (i for i in unknowns if i in set(wanted)):
            objective = np.zeros(len(unknowns))
            objective[position[i]] = 1
            least, most = milp(objective, **options), milp(-objective, **options)
            if least.status == 2 or most.status == 2:
                return None
            out[i] = (least.fun if least.status == 0 else -INF, -most.fun if most.status == 0 else INF)
    return out


def _one_line(coefficients: Mapping[int, float], total: float, low, high) -> dict[int, tuple[float, float]] | None:
    """sum(s_j x_j) = total, s_j = +-1, x_j in [low_j, high_j]: each x_i's range is what the others leave
    (exact for integers: the bounds are whole numbers and the coefficients +-1)."""
    terms = list(coefficients.items())
    least = [low[j] if s > 0 else -high[j] for j, s in terms]  # each term's smallest contribution
    most = [high[j] if s > 0 else -low[j] for j, s in terms]

    def without(values, i, infinite):
        rest = [v for n, v in enumerate(values) if n != i]
        return infinite if any(v == infinite for v in rest) else sum(rest)

    if not (sum(v for v in least if v != -INF) <= total or -INF in least) or not (total <= sum(v for v in most if v != INF) or INF in most):
        return None
    out = {}
    for i, (j, s) in enumerate(terms):
        others_low, others_high = without(least, i, -INF), without(most, i, INF)
        a, b = (total - others_high, total - others_low) if s > 0 else (others_low - total, others_high - total)
        out[j] = (max(low[j], a), min(high[j], b))
        if out[j][0] > out[j][1]:
            return None
    return out
