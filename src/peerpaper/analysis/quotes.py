"""Exemplar quotes per theme, chosen by rule so the choice is reproducible and open to review.

Candidates are participant turns (never facilitators') of a length within bounds that carry a code of the
theme. The best candidate is the most focused: the largest share of its codes in the theme, then the
most codes of the theme, then a stable pseudo-random tie-break (SHA-256 of the segment id, so the order
does not follow group or position). Picks spread across speakers and groups: a theme takes a new speaker
and group while it can, and no turn is quoted twice or for two themes. Themes with the fewest candidates
choose first, so a rare theme is not left without a quote. Attribution is "(pseudonym, group id)" only.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from ..errors import PaperError
from . import coded_talk, theme_rows
from .sample import words


def candidates(study, min_words: int, max_words: int) -> pd.DataFrame:
    """(theme_id, segment_id, speaker_id, group_id, text, focus, in_theme, tiebreak) for turns in bounds."""
    rows = coded_talk(study)
    per_turn = rows.groupby("segment_id")["code_id"].size().rename("n_codes")
    hits = rows.groupby(["theme_id", "segment_id"]).size().rename("in_theme").reset_index()
    hits = hits.join(per_turn, on="segment_id")
    hits["focus"] = hits["in_theme"] / hits["n_codes"]
    turns = study.segments.set_index("segment_id")[["speaker_id", "group_id", "text"]]
    hits = hits.join(turns, on="segment_id")
    length = words(hits["text"])
    hits = hits[(length >= min_words) & (length <= max_words)].copy()
    hits["tiebreak"] = [hashlib.sha256(str(s).encode()).hexdigest() for s in hits["segment_id"]]
    return hits.sort_values(["theme_id", "focus", "in_theme", "tiebreak"], ascending=[True, False, False, True])


def choose(study, per_theme: int = 3, min_words: int = 12, max_words: int = 60) -> pd.DataFrame:
    """Up to `per_theme` quotes per theme: theme_id, rank (1 = best), segment_id, speaker_id, group_id, text."""
    if min_words > max_words:
        raise PaperError(f"min_words ({min_words}) is above max_words ({max_words})")
    pool = candidates(study, min_words, max_words)
    order = theme_rows(study.codebook)["code_id"].tolist()
    sizes = pool.groupby("theme_id").size().reindex(order, fill_value=0)
    used: set = set()
    chosen = []
    for theme in sorted(order, key=lambda t: (sizes[t], order.index(t))):
        mine = pool[pool["theme_id"] == theme]
        speakers, groups = set(), set()
        for rank in range(1, per_theme + 1):
            free = mine[~mine["segment_id"].isin(used)]
            if free.empty:
                break
            # prefer a new speaker in a new group, then a new speaker, then anyone
            new_both = free[~free["speaker_id"].isin(speakers) & ~free["group_id"].isin(groups)]
            new_speaker = free[~free["speaker_id"].isin(speakers)]
            pick = next(f for f in (new_both, new_speaker, free) if not f.empty).iloc[0]
            used.add(pick["segment_id"])
            speakers.add(pick["speaker_id"])
            groups.add(pick["group_id"])
            chosen.append({"theme_id": theme, "rank": rank, **pick[["segment_id", "speaker_id", "group_id", "text"]]})
    out = pd.DataFrame(chosen, columns=["theme_id", "rank", "segment_id", "speaker_id", "group_id", "text"])
    out["_order"] = out["theme_id"].map(order.index)
    return out.sort_values(["_order", "rank"]).drop(columns="_order").reset_index(drop=True)
