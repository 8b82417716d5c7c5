"""Small-cell suppression: a sector with 1 to k-1 participants never shows, nor follows from a total, for
any k (3, the old default; 5, the project's; 10, UK LLC's)."""

from __future__ import annotations

import itertools
import random

import pandas as pd
import pytest

from peerpaper.errors import PaperError
from peerpaper.privacy import SECONDARY_MARK, suppress_small_counts, suppression_note

K = 3
SMALL = f"<{K}"
KS = [3, 5, 10]


def sector_table(counts: list[int], with_total: bool = True) -> pd.DataFrame:
    sectors = ["street", "indoor", "online", "mixed"][: len(counts)]
    rows = {"sector": sectors, "n": counts}
    if with_total:
        rows = {"sector": [*sectors, "Total"], "n": [*counts, sum(counts)]}
    return pd.DataFrame(rows)


def readings(shown: list[object], total: object, k: int = K) -> list[tuple[int, ...]]:
    """Every filling of the hidden cells (and of the total, last) that a reader who knows the rule accepts."""
    visible = sum(v for v in shown if not isinstance(v, str))
    ceiling = total if isinstance(total, int) else visible + 4 * k  # a generous cap only helps the reader

    def values(mark):
        return range(1, k) if mark == f"<{k}" else range(k, ceiling + 1) if mark == SECONDARY_MARK else [mark]

    hidden = [values(v) for v in shown if isinstance(v, str)]
    return [
        (*fill, t) for fill in itertools.product(*hidden) for t in values(total) if visible + sum(fill) == t
    ]


def compositions(n: int, parts: int):
    return [c for c in itertools.product(range(n + 1), repeat=parts) if sum(c) == n]


@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize("with_total", [True, False])
def test_no_small_sector_is_shown_or_derivable_for_any_small_study(with_total, k):
    small = f"<{k}"
    every = [counts for n in range(1, k + 4) for counts in compositions(n, 4)]
    for counts in every[:: max(1, len(every) // 500)]:  # all of them up to k=5; an even fifth at k=10
        n = sum(counts)
        try:
            table = suppress_small_counts(sector_table(list(counts), with_total), ["n"], k=k,
                                          total_row="Total" if with_total else None)
        except PaperError as refusal:  # only when hiding every non-zero cell would still give one away
            assert "cannot be protected" in str(refusal)
            continue
        shown = list(table["n"])[:4]
        total = table["n"].iloc[4] if with_total else n
        for true, cell in zip(counts, shown):
            assert not (isinstance(cell, int) and 1 <= cell < k), (counts, shown)
            if 1 <= true < k:
                assert cell == small
        # total minus the visible cells: never lands on one hidden cell
        hidden = [i for i, v in enumerate(shown) if isinstance(v, str)]
        assert len(hidden) != 1 or isinstance(total, str), (counts, shown)
        # and no combination of what is known pins a small cell to one value
        fills = readings(shown, total, k)
        assert (*(counts[i] for i in hidden), n) in fills
        for position, i in enumerate(hidden):
            if shown[i] == small:
                assert len({fill[position] for fill in fills}) > 1, (counts, shown)


def test_a_realistic_sector_table_is_shown_with_its_smallest_safe_neighbour_hidden():
    table = suppress_small_counts(sector_table([2, 17, 9, 6]), ["n"], k=K, total_row="Total")
    assert list(table["n"]) == [SMALL, 17, 9, SECONDARY_MARK, 34]


def test_a_table_that_cannot_be_protected_is_refused_not_leaked():
    # everyone is in one sector, and the paper states there are 2 participants
    with pytest.raises(PaperError, match="cannot be protected.*drop the table"):
        suppress_small_counts(sector_table([0, 2, 0, 0], with_total=False), ["n"], k=K)


def test_two_ones_under_a_total_of_two_are_not_enough():
    # the one-cell rule alone would leave "<3, <3" with a visible 12: the total gives 1 + 1 away
    table = suppress_small_counts(sector_table([1, 1, 10]), ["n"], k=K, total_row="Total")
    assert list(table["n"]) == [SMALL, SMALL, SECONDARY_MARK, 12]


def test_zero_stays_zero_and_large_counts_stay():
    table = suppress_small_counts(sector_table([0, 7, 5, 4]), ["n"], k=K, total_row="Total")
    assert list(table["n"]) == [0, 7, 5, 4, 16]


def test_overlapping_counts_get_primary_suppression_only():
    themes = pd.DataFrame({"theme": ["law", "funding", "rights"], "n_speakers": [2, 14, 9]})
    table = suppress_small_counts(themes, ["n_speakers"], additive=False, k=K)
    assert list(table["n_speakers"]) == [SMALL, 14, 9]
    assert list(themes["n_speakers"]) == [2, 14, 9], "the input is not modified"


def brute_force_pins(table: pd.DataFrame, shown: pd.DataFrame, k: int = K) -> list:
    """Small cells a reader could pin, trying every filling against every row and column total.

    `table` is a body with a total column (last) and a total row (last), as plain integers.
    """
    grid = table.to_numpy().tolist()
    marks = shown.to_numpy().tolist()
    cells = [(r, c) for r, row in enumerate(marks) for c, v in enumerate(row) if isinstance(v, str)]
    ceiling = grid[-1][-1] + k  # a reader does not know a hidden grand total; a cap only helps the reader
    ranges = [range(1, k) if marks[r][c] == f"<{k}" else range(k, ceiling + 1) for r, c in cells]
    fills = []
    for fill in itertools.product(*ranges):
        trial = [list(row) for row in marks]
        for (r, c), v in zip(cells, fill):
            trial[r][c] = v
        if all(sum(row[:-1]) == row[-1] for row in trial) and all(
            sum(row[c] for row in trial[:-1]) == trial[-1][c] for c in range(len(trial[0]))
        ):
            fills.append(fill)
    assert fills, "the true table must be one of the readings"
    return [cell for n, cell in enumerate(cells) if marks[cell[0]][cell[1]] == f"<{k}" and len({f[n] for f in fills}) == 1]


@pytest.mark.parametrize("k", [3, 5])  # at 10 the readings are too many to enumerate; the LP is the same
def test_two_way_tables_with_totals_leak_nothing(k):
    rng = random.Random(7)
    checked = 0
    while checked < 6:
        body = pd.DataFrame([[rng.choice([0, 1, k - 1, k, k + 1, 2 * k]) for _ in range(2)] for _ in range(3)],
                            columns=["a", "b"])
        body["total"] = body.sum(axis=1)
        table = pd.concat([body, body.sum().to_frame("Total").T], ignore_index=True)
        try:
            shown = suppress_small_counts(table, ["a", "b"], total_row=3, total_column="total", k=k)
        except PaperError:
            continue
        if (shown == SECONDARY_MARK).to_numpy().sum() > 4 - (k > 3):
            continue  # too many unknowns to enumerate quickly; such tables are near-empty anyway
        checked += 1
        for column in ["a", "b", "total"]:
            for true, cell in zip(table[column], shown[column]):
                assert not 1 <= true < k or cell == f"<{k}"
        assert brute_force_pins(table, shown, k) == [], shown


def test_a_bad_cell_is_named():
    bad = pd.DataFrame({"sector": ["street", "indoor"], "n": [3, -1]})
    with pytest.raises(PaperError, match=r"row 2, column 'n': -1 is not a count"):
        suppress_small_counts(bad, ["n"], k=K)
    with pytest.raises(ValueError, match="total_row 'All' matches 0 rows"):
        suppress_small_counts(sector_table([3, 4]), ["n"], k=K, total_row="All")


def test_same_input_same_output_and_a_note_for_readers():
    table = sector_table([1, 6, 2, 9])
    assert suppress_small_counts(table, ["n"], total_row="Total", k=K).equals(suppress_small_counts(table, ["n"], total_row="Total", k=K))
    assert "<3" in suppression_note(3) and SECONDARY_MARK in suppression_note(3)
