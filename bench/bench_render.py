"""How long rendering takes: all five outputs in one `render()` (formats in parallel threads) against the
same formats one call at a time, for the test fixture and, once its artifacts exist, the real paper.

Run: .venv/bin/python bench/bench_render.py   (prints seconds and the ratio measured in this run;
the target for all five outputs is under 3 s on an idle machine. CPU seconds are printed too: on a busy
machine wall time mostly measures the wait for a core.)
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from peerpaper.render import FORMATS, render

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = {"fixture": ROOT / "tests" / "fixtures" / "render-project", "paper": ROOT}


def cpu() -> float:
    """CPU seconds used so far by this process and the pandoc processes it waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bench(name: str, root: Path) -> None:
    with tempfile.TemporaryDirectory() as out:
        render(root, Path(out))  # warm the file cache and any lazy imports
        before = cpu()
        together = min(seconds(lambda: render(root, Path(out))) for _ in range(2))
        cpu_once = (cpu() - before) / 2
        alone = {fmt: seconds(lambda f=fmt: render(root, Path(out), formats=(f,))) for fmt in FORMATS}
    each = "  ".join(f"{fmt} {t:.2f}s" for fmt, t in alone.items())
    print(f"{name}: all five outputs {together:.2f}s wall, {cpu_once:.2f}s CPU; one at a time {sum(alone.values()):.2f}s "
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
