"""How generation and validation scale: 600 groups against the default 6, measured in one run.

Run: .venv/bin/python bench/bench_synth.py  (prints seconds and ratios; asserts nothing)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from peerpaper import synth
from peerpaper.validate import check_data


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp, "g6"), Path(tmp, "g600")
        make_small = timed(lambda: synth.generate(small, groups=6))
        make_large = timed(lambda: synth.generate(large, groups=600))
        check_small = timed(lambda: check_data(small))
        check_large = timed(lambda: check_data(large))
        segments = sum(1 for _ in open(large / "segments.csv", encoding="utf-8")) - 1
    print(f"generate   6 groups: {make_small:6.2f} s")
    print(f"generate 600 groups: {make_large:6.2f} s  ({segments} segments)  ratio 600/6: {make_large / make_small:5.1f}")
    print(f"validate   6 groups: {check_small:6.2f} s")
    print(f"validate 600 groups: {check_large:6.2f} s  ratio 600/6: {check_large / check_small:5.1f}")


if __name__ == "__main__":
    main()
