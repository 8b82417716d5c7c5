"""How fast `paper build` is, as ratios measured in one run on this machine.

    .venv/bin/python bench/bench_build.py

Prints: a clean build against a naive baseline (each notebook through the papermill CLI in turn, then each
render in its own process), a no-op rebuild, an edit to prose only, and which steps a changed parameter
of one notebook re-runs. Works on a temporary copy of the project; the working tree is not touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import yaml  # noqa: E402

from peerpaper import build, notebooks, render, verify  # noqa: E402


def run(cmd: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    env = {**os.environ, "PAPER_ROOT": str(cwd)}
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return took, done.stdout


def paper(project: Path, *args: str) -> tuple[float, str]:
    return run([sys.executable, "-m", "peerpaper.cli", *args], project)


def naive_baseline(project: Path) -> float:
    """What a careful person would do by hand: papermill CLI per notebook, then one render per output."""
    plan = build.make_plan(root=project)
    (plan.build_dir / "executed").mkdir(parents=True)
    start = time.perf_counter()
    for nb in plan.notebooks():
        (plan.build_dir / "nb" / nb.stem).mkdir(parents=True)
        args = []
        for name, value in plan.params_for(nb).items():
            args += ["-p", name, str(value)]
        run([sys.executable, "-m", "papermill", "--no-progress-bar", nb.name, str(plan.executed(nb.stem)), *args],
            project / "notebooks")
        # the artifacts each notebook wrote into its private folder go where the paper includes them
        private = plan.build_dir / "nb" / nb.stem
        shutil.copytree(private, plan.build_dir, dirs_exist_ok=True)
    values = {}
    for path in sorted((plan.build_dir / "values").glob("*.json")):
        values.update(json.loads(path.read_text()))
    values.update(build.collect_values(plan))  # the build's own values (data kind, notice)
    (project / "_variables.yml").write_text(yaml.safe_dump(values, sort_keys=True, allow_unicode=True))
    for fmt in [f for formats in render.outputs(project).values() for f in formats]:
        run([sys.executable, "-c", f"from peerpaper import build; p = build.make_plan(); build.render_document(p, [{fmt!r}])"],
            project)
    for nb in plan.notebooks():
        build.export_notebook(plan, nb)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        base = verify.copy_project(REPO, Path(tmp) / "baseline")
        naive = naive_baseline(base)
        project = verify.copy_project(REPO, Path(tmp) / "project")
        clean, _ = paper(project, "build")
        noop, noop_out = paper(project, "build")
        qmd = project / "paper" / "paper.qmd"
        qmd.write_text(qmd.read_text() + "\nOne more sentence of prose, added by the benchmark.\n")
        prose, prose_out = paper(project, "build")
        nb = notebooks.discover(project / "notebooks")[3]
        name = next(iter(k for k in notebooks.parameters(nb) if k not in {"data_dir", "out_dir", "policy_dir"}))
        value = notebooks.parameters(nb)[name]
        changed = value - 1 if isinstance(value, int) and not isinstance(value, bool) and value > 1 else value
        param, param_out = paper(project, "build", "-P", f"{nb.stem.split('-')[0]}.{name}={changed}")
    reran = sorted(set(re.findall(r"ok  (.+?) \(", param_out)))
    print(f"clean build           {clean:6.1f} s   naive baseline {naive:6.1f} s   ratio {clean / naive:.2f} (target <= 0.60)")
    print(f"no-op rebuild         {noop:6.2f} s   ({noop_out.strip().splitlines()[-2] if noop_out.strip() else ''})")
    print(f"prose edit            {prose:6.2f} s   ratio to clean build {prose / clean:.2f}")
    print(f"parameter {nb.stem}.{name}={changed}: {param:.1f} s; steps re-run: {', '.join(reran)}")


if __name__ == "__main__":
    main()
