"""How long rendering takes: all five outputs in one `render()` (formats in parallel threads) against the
same formats one call at a time, for the test fixture and, once its artifacts exist, the real paper.

Run: .venv/bin/python bench/bench_render.py   (prints seconds and the ratio measured in this run;
the target for all five outputs is under 3 s on an idle machine.)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from peerpaper.render import FORMATS, render

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = {"fixture": ROOT / "tests" / "fixtures" / "render-project", "paper": ROOT}


def seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bench(name: str, root: Path) -> None:
    with tempfile.TemporaryDirectory() as out:
        render(root, Path(out))  # warm the file cache and any lazy imports
        together = min(seconds(lambda: render(root, Path(out))) for _ in range(2))
        alone = {fmt: seconds(lambda f=fmt: render(root, Path(out), formats=(f,))) for fmt in FORMATS}
    each = "  ".join(f"{fmt} {t:.2f}s" for fmt, t in alone.items())
    print(f"{name}: all five outputs {together:.2f}s; one at a time {sum(alone.values()):.2f}s "
          f"({each}); one-at-a-time / together = {sum(alone.values()) / together:.2f}x")


def main() -> int:
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1756944000")
    for name, root in PROJECTS.items():
        if name == "paper" and not ((root / "_variables.yml").exists() and (root / "_build" / "figures").is_dir()):
            print("paper: skipped (no _variables.yml or _build/ yet: run `paper build` first)")
            continue
        bench(name, root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
