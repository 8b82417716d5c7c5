"""How long a prose edit takes to reach the open browser tab under `paper preview`, against `paper build`.

    .venv/bin/python bench/bench_preview.py [--edits 7]

On a temporary copy of the project: one `paper build`, then `paper build` again after a prose edit (what an
author ran before the preview), then `paper preview --html-only` with Chromium (Playwright) on the paper:
each edit appends a new sentence to paper/paper.qmd and the clock stops when the tab shows it (edit ->
watcher -> fast render -> identifier scan -> event -> the section replaced, or the page reloaded, in the
tab). The tab is checked at every animation frame: Playwright's own text wait polls less and less often
(after half a second, every 500 ms), which once added up to 0.3 s to each edit measured here. The first
edit is not counted: it waits for the warm-up render that follows the preview's first build. Prints each
edit, the median and the slowest, and their ratio to the prose-edit build and to the clean build measured
in the same run. The machine's load is printed too: on a shared machine absolute times move with it, the
ratio much less.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))

from peerpaper import verify  # noqa: E402

# true once the tab shows the sentence (pandoc wraps lines: compare with whitespace collapsed)
SHOWN = "s => document.body !== null && document.body.textContent.replace(/\\s+/g, ' ').includes(s)"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def paper(project: Path, *args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "peerpaper.cli", *args], cwd=project, capture_output=True,
                          text=True, env={**os.environ, "PAPER_ROOT": str(project)})
    if done.returncode:
        sys.exit(f"paper {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - start


def append(qmd: Path, sentence: str) -> None:
    text = qmd.read_text(encoding="utf-8")
    qmd.write_text(text.replace("The paper proceeds as follows.", f"{sentence} The paper proceeds as follows.", 1),
                   encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=7)
    edits = parser.parse_args().edits
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-preview-") as tmp:
        project = verify.copy_project(REPO, Path(tmp) / "project")
        qmd = project / "paper" / "paper.qmd"
        clean = paper(project, "build")
        append(qmd, "A sentence for the build.")
        prose_build = paper(project, "build")

        process = subprocess.Popen([sys.executable, "-m", "peerpaper.cli", "preview", "--port", "0", "--html-only"],
                                   cwd=project, env={**os.environ, "PAPER_ROOT": str(project)},
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        url = re.search(r"(http://127\.0\.0\.1:\d+/)", process.stdout.readline()).group(1)
        times, loads = [], []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(url)
                page.get_by_role("heading", name=re.compile("Introduction")).wait_for(timeout=300_000)
                for i in range(edits + 1):
                    sentence = f"Benchmark sentence number {i} reached the browser."
                    loads.append(os.getloadavg()[0])
                    start = time.perf_counter()
                    append(qmd, sentence)
                    page.wait_for_function(SHOWN, arg=sentence, polling="raf", timeout=60_000)
                    times.append(time.perf_counter() - start)
                    time.sleep(0.5)
                times, loads = times[1:], loads[1:]
                browser.close()
        finally:
            process.send_signal(signal.SIGINT)
            log, _ = process.communicate(timeout=60)
    median, worst = statistics.median(times), max(times)
    renders = re.findall(r"shown: paper\.html \((\d+\.\d+) s\)", log)
    print(f"load average during the edits: {statistics.mean(loads):.1f} (2 cores)")
    print(f"clean `paper build`              {clean:6.1f} s")
    print(f"`paper build` after a prose edit {prose_build:6.2f} s")
    print(f"preview, edit -> text in the tab  median {median:.2f} s, slowest {worst:.2f} s over {edits} edits"
          f" (server-side render of paper.html: median {statistics.median(map(float, renders[-edits:])):.2f} s)")
    print("each edit, in order (s):", " ".join(f"{t:.2f}" for t in times),
          "| its render (s):", " ".join(renders[-edits:]))
    print(f"ratio to `paper build` after the same kind of edit: median {median / prose_build:.2f}, "
          f"slowest {worst / prose_build:.2f}; to a clean `paper build`: median {median / clean:.3f}")


if __name__ == "__main__":
    main()
