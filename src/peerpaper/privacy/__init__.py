"""Protection of participants: checks that fail the build, not the people.

How to call it (the analysis and the build use exactly these):

    from peerpaper.privacy import suppress_small_counts, suppression_note
    table = suppress_small_counts(df, ["n"], k=3, total_row="Total")   # every participant count table

See the submodules for the rule each check applies: `suppression` (small cells).
"""

from .suppression import SECONDARY_MARK, small_mark, suppress_small_counts, suppression_note

__all__ = ["SECONDARY_MARK", "small_mark", "suppress_small_counts", "suppression_note"]
