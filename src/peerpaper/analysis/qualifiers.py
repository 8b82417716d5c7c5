"""Qualifiers: the words prose may use about a number only because the number says so.

Why: "the most raised", "reliable", "above chance" and "too few to read" are claims. Each is computed here
from the analysis, with the convention it follows, so a sentence that uses one changes when the data do:

- standing of a theme: its rank by coded participant turns (ties broken by participants, then groups, then
  codebook order); the top third of themes are "among the most raised", the bottom third "among the least
  raised";
- reading of a count: fewer than k participants (k, the project's disclosure threshold) is too few to read;
- reading of an alpha: Krippendorff's (2004) conventions: at or above .800 reliable, at or above .667 good
  only for tentative conclusions, below that not reliable;
- reading of a co-occurrence: against a permutation null (analysis.cooccurrence.chance), one-sided at 5%.
"""

from __future__ import annotations

import math

import pandas as pd

MOST, MIDDLE, LEAST = "among the most raised", "neither among the most nor the least raised", "among the least raised"
RELIABLE, TENTATIVE, UNRELIABLE, UNDEFINED = "reliable", "tentative", "not reliable", "not computable"
ALPHA_RELIABLE, ALPHA_TENTATIVE = 0.800, 0.667
NOT_RAISED, TOO_FEW, ENOUGH = "not raised", "too few to read", "enough to read"
ABOVE, BELOW, CHANCE = "above chance", "below chance", "no different from chance"
CHANCE_LEVEL = 0.05  # one-sided: above chance when at most 5% of permutations reach the observed value
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
            "eleventh", "twelfth"]


def ranks(prev: pd.DataFrame) -> pd.Series:
    """id -> rank (1 = most raised) from a prevalence table (analysis.themes.prevalence), in its row order."""
    order = prev.assign(_book=range(len(prev))).sort_values(
        ["n_segments", "n_speakers", "n_groups", "_book"], ascending=[False, False, False, True], kind="stable"
    )
    return pd.Series(range(1, len(order) + 1), index=order["id"].to_numpy()).reindex(prev["id"].to_numpy())


def standing(rank: int, n: int) -> str:
    """Among the most raised (top third of n), the least raised (bottom third), or neither."""
    third = max(1, n // 3)
    if rank <= third:
        return MOST
    if rank > n - third:
        return LEAST
    return MIDDLE


def ordinal(rank: int) -> str:
    """3 -> "third" (words up to twelfth, then "13th")."""
    if 1 <= rank <= len(ORDINALS):
        return ORDINALS[rank - 1]
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


def count_reading(n_speakers: int, k: int) -> str:
    """Whether a theme or code was raised by enough participants (at least k) to be read at all."""
    if n_speakers <= 0:
        return NOT_RAISED
    return TOO_FEW if n_speakers < k else ENOUGH


def alpha_reading(alpha: float) -> str:
    """Krippendorff's conventions for an alpha: reliable, tentative, not reliable (or not computable)."""
    if alpha is None or math.isnan(alpha):
        return UNDEFINED
    if alpha >= ALPHA_RELIABLE:
        return RELIABLE
    if alpha >= ALPHA_TENTATIVE:
        return TENTATIVE
    return UNRELIABLE


def chance_reading(p_above: float, p_below: float) -> str:
    """A co-occurrence read against its permutation null: above, below or no different from chance."""
    if p_above is None or math.isnan(p_above):
        return UNDEFINED
    if p_above <= CHANCE_LEVEL:
        return ABOVE
    if p_below <= CHANCE_LEVEL:
        return BELOW
    return CHANCE


def join_labels(labels) -> str:
    """["A", "B", "C"] -> "A, B and C" (for lists of themes in prose)."""
    labels = [str(x) for x in labels]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]
