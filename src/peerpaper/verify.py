"""`paper verify`: a reviewer's check that what `_output/` shows is what the data give.

It copies the project as a fresh clone would have it, re-runs the analysis there from nothing, and compares
every value and every table cell with the published ones. Only the analysis is re-run: the renders present
those values and tables and add none of their own.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from . import manifest
from .build import BuildError, make_plan, run_tasks
from .paths import project_root


def copy_project(root: Path, dest: Path) -> Path:
    """The project as a fresh clone would have it (tracked and new, unignored files)."""
    listed = manifest.git(root, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    names = [n for n in listed.split("\0") if n] if listed else None
    if names is None:
        shutil.copytree(root, dest, ignore=shutil.ignore_patterns("_build", "_output*", ".venv", "node_modules", ".git"))
    else:
        for name in names:
            src = root / name
            if src.is_file():
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / name)
    if (root / "node_modules").is_dir() and not (dest / "node_modules").exists():
        (dest / "node_modules").symlink_to(root / "node_modules")  # npm packages: read-only, shared
    return dest


def compare_analysis(current: Path, fresh: Path) -> list[str]:
    """Every value and every table cell that differs between two `analysis/` folders."""
    differences = []
    old = json.loads((current / "values.json").read_text()) if (current / "values.json").exists() else {}
    new = json.loads((fresh / "values.json").read_text())
    for name in sorted(set(old) | set(new)):
        if old.get(name) != new.get(name):
            differences.append(f"value {name}: published {old.get(name)!r}, re-run gives {new.get(name)!r}")
    old_tables = {p.name for p in (current / "tables").glob("*.csv")}
    new_tables = {p.name for p in (fresh / "tables").glob("*.csv")}
    for name in sorted(old_tables | new_tables):
        a, b = current / "tables" / name, fresh / "tables" / name
        if not a.exists() or not b.exists():
            differences.append(f"table {name}: only in the {'re-run' if b.exists() else 'published build'}")
            continue
        rows_a, rows_b = a.read_text().splitlines(), b.read_text().splitlines()
        for i in range(max(len(rows_a), len(rows_b))):
            ra = rows_a[i] if i < len(rows_a) else "(missing)"
            rb = rows_b[i] if i < len(rows_b) else "(missing)"
            if ra != rb:
                differences.append(f"table {name} row {i + 1}: published {ra!r}, re-run gives {rb!r}")
    return differences


def verify(data: Path | None = None, verbose: bool = False, root: Path | None = None) -> int:
    """Re-run the analysis from scratch in a temporary copy and compare with what `_output/` shows."""
    root = (root or project_root()).resolve()
    current = root / "_output" / "analysis"
    if not (current / "values.json").exists():
        raise BuildError("_output/analysis/values.json: nothing to verify yet; run `paper build` first")
    with tempfile.TemporaryDirectory(prefix="paper-verify-") as tmp:
        copy = Path(tmp) / "project"
        copy_project(root, copy)
        data = (data or root / "data" / "synthetic").resolve()
        if data.is_relative_to(root):
            data = copy / data.relative_to(root)
        plan = make_plan(data, [], "builtin", root=copy)
        print(f"Re-running the analysis from scratch in {copy} ...")
        code = run_tasks(plan, ["values"], None, verbose)
        if code:
            return code
        differences = compare_analysis(current, plan.site / "analysis")
    if differences:
        print(f"{len(differences)} difference(s) between _output/ and a fresh run:")
        for line in differences:
            print(f"  {line}")
        return 1
    print("Verified: every value and table in _output/ matches a fresh run.")
    return 0
