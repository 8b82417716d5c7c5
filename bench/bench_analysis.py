"""How the analyses scale: every analysis on 60 and on 600 synthetic groups, and the ratio of the times.

    .venv/bin/python bench/bench_analysis.py [--small 60] [--large 600] [--repeat 3]

Linear code gives a ratio near the ratio of sizes (about 10); the co-occurrence and policy matrices are
sparse and the saturation runs slide once over the groups, so nothing here should grow faster. Times
are the best of `--repeat` runs of the pure analysis functions on a loaded study (loading and plotting
are not timed: the first is the data model's, the second does not depend on the number of groups).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from peerpaper import synth  # noqa: E402
from peerpaper.analysis import alignment, cooccurrence, quotes, reliability, sample, saturation, themes  # noqa: E402
from peerpaper.policy import load_policy  # noqa: E402
from peerpaper.study import load_study  # noqa: E402


def all_analyses(study, policy) -> None:
    """What notebooks 01-07 compute, with their default parameters."""
    sample.groups_table(study), sample.values(study, 3)
    sample.attribute_counts(study, "role", sample.ROLE_ORDER)
    prev = themes.prevalence(study)
    themes.prevalence(study, "code"), themes.by_sector(study), themes.values(study, prev, 3)
    cooccurrence.cooccurrence(study, "code", 3)
    cooccurrence.values(study, cooccurrence.top_pairs(study, 3), 3)
    by_group = saturation.codes_by_group(study)
    saturation.runs(by_group, 4, 2, 0.05)
    reliability.by_code(study.codings, study.codebook)
    alignment.bearing(study, policy.provisions, policy.provision_codes)
    quotes.choose(study)


def best_time(study, policy, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        all_analyses(study, policy)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=60)
    parser.add_argument("--large", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measured = {}
        for groups in (args.small, args.large):
            study = load_study(synth.generate(Path(tmp) / str(groups), seed=1, groups=groups))
            policy = load_policy(REPO / "data" / "policy", study.codebook)
            all_analyses(study, policy)  # warm up imports and caches
            measured[groups] = best_time(study, policy, args.repeat)
            print(f"{groups:>5} groups, {len(study.segments):>7,} turns: {measured[groups]:6.2f} s")
    ratio = measured[args.large] / measured[args.small]
    print(f"ratio {args.large}/{args.small} groups: {ratio:.1f} (sizes differ {args.large / args.small:.0f}x)")


if __name__ == "__main__":
    main()
