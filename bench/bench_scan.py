"""What the identifier scan costs, as ratios measured in one run on this machine.

    .venv/bin/python bench/bench_scan.py

Builds a temporary copy of the project once, then times the scans exactly as the build runs them: every
published file (the post-render guard) and every notebook's artifacts (the pre-render scan), each file on
its own and in total, and prints them against the clean build's time. The working tree is not touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from peerpaper import build, privacy, verify  # noqa: E402
from peerpaper.privacy.outputs import code_digests  # noqa: E402
from peerpaper.render.revealjs import reveal_js  # noqa: E402


def timed_scan(plan: build.Plan, files: list[Path], known: set[str]) -> float:
    roster = privacy.load_roster(plan.data / "roster.csv")
    allow = privacy.load_allowlist(privacy.SHIPPED_ALLOWLIST) + privacy.load_allowlist(plan.data / "allowlist.csv")
    keys = privacy.citation_keys(plan.root / "references.bib")
    start = time.perf_counter()
    hits = privacy.scan_outputs(files, roster, allow, citation_keys=keys, known_code=known)
    took = time.perf_counter() - start
    if hits:
        sys.exit(f"unexpected hits: {[str(h) for h in hits[:5]]}")
    return took


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        project = verify.copy_project(REPO, Path(tmp) / "project")
        env = {**os.environ, "PAPER_ROOT": str(project)}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "peerpaper.cli", "build"], cwd=project, env=env, check=True,
                       capture_output=True)
        clean = time.perf_counter() - start
        plan = build.make_plan(root=project)
        known = code_digests(reveal_js(project))
        privacy.scan_outputs([])  # load the look-alike table and the domain list once, as a build step does
        timed_scan(plan, [project / "_output" / "manifest.json"], known)
        published = sorted(p for p in (project / "_output").rglob("*") if p.is_file())
        per_file = {p.relative_to(project / "_output").as_posix(): timed_scan(plan, [p], known) for p in published}
        artifacts = []
        for nb in plan.notebooks():
            artifacts += [plan.build_dir / rel for rel in json.loads(plan.stamp(nb.stem).read_text())]
        artifacts_time = timed_scan(plan, artifacts, known)
        outputs_time = sum(per_file.values())
        size = sum(p.stat().st_size for p in published) / 1e6
        for name, took in sorted(per_file.items(), key=lambda item: -item[1])[:8]:
            print(f"  {took:6.2f} s  {name}")
        print(f"scan of the {len(published)} published files ({size:.1f} MB): {outputs_time:.2f} s, "
              f"{outputs_time / clean:.1%} of a clean build ({clean:.1f} s)")
        print(f"scan of the {len(artifacts)} notebook artifacts before rendering: {artifacts_time:.2f} s, "
              f"{artifacts_time / clean:.1%} of a clean build")


if __name__ == "__main__":
    main()
