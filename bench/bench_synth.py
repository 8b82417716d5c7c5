"""How generation and validation scale, and what the generated talk looks like: 600 groups against the
default 6, measured in one run.

Run: .venv/bin/python bench/bench_synth.py  (prints seconds, ratios and plausibility figures; asserts nothing)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

from peerpaper import synth, synth_text
from peerpaper.validate import check_data


def timed(action) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process): on a shared machine the second is the fairer figure."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def plausibility(folder: Path) -> str:
    segments = pd.read_csv(folder / "segments.csv", keep_default_na=False)
    groups = pd.read_csv(folder / "groups.csv").set_index("group_id")
    words = segments.text.str.split().str.len()
    rate = words.groupby(segments.group_id).sum() / groups.duration_min
    turns = segments[~segments.speaker_id.str.startswith("FAC-")]
    length = words[turns.index]
    run, example = synth_text.longest_shared_run(turns.text, turns.speaker_id)
    closest = synth_text.closest_pairs(turns.text, turns.speaker_id, top=1)
    return (
        f"  {len(groups)} groups, {len(segments):,} turns, {words.sum():,} words, median {groups.duration_min.median():.0f} min\n"
        f"  words a minute per group: {rate.min():.0f}-{rate.max():.0f}\n"
        f"  participant turn length: median {length.median():.0f} words, {(length <= 3).mean():.0%} of 3 words or fewer, "
        f"{(length >= 100).mean():.1%} of 100 or more, longest {length.max()}\n"
        f"  longest run of words two speakers share: {run} ('{example}'); "
        f"highest trigram Jaccard between two speakers' sentences: {closest[0][0]:.2f}"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp, "g6"), Path(tmp, "g600")
        stats_small, stats_large = {}, {}
        make_small = timed(lambda: synth.generate(small, groups=6, stats=stats_small))
        make_large = timed(lambda: synth.generate(large, groups=600, stats=stats_large))
        check_small = timed(lambda: check_data(small))
        check_large = timed(lambda: check_data(large))
        segments = sum(1 for _ in open(large / "segments.csv", encoding="utf-8")) - 1
        print(f"generate   6 groups: {make_small[0]:6.2f} s wall, {make_small[1]:6.2f} s CPU "
              f"({stats_small['sentences']:,} participant sentences, {stats_small['unchecked']} unchecked)")
        print(f"generate 600 groups: {make_large[0]:6.2f} s wall, {make_large[1]:6.2f} s CPU  ({segments:,} segments, "
              f"{stats_large['unchecked']:,} of {stats_large['sentences']:,} sentences past the phrase bank)  "
              f"ratio 600/6 (CPU): {make_large[1] / make_small[1]:5.1f}")
        print(f"validate   6 groups: {check_small[0]:6.2f} s wall, {check_small[1]:6.2f} s CPU")
        print(f"validate 600 groups: {check_large[0]:6.2f} s wall, {check_large[1]:6.2f} s CPU  "
              f"ratio 600/6 (CPU): {check_large[1] / check_small[1]:5.1f}")
        print("the default study:\n" + plausibility(small))


if __name__ == "__main__":
    main()
