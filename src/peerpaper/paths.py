"""Where things live. One place, so that tests can point the whole project at a temporary copy."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The folder holding `_quarto.yml`: $PAPER_ROOT, else the nearest parent of the working directory."""
    if env := os.environ.get("PAPER_ROOT"):
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "_quarto.yml").exists() or (folder / "pyproject.toml").exists():
            return folder
    return here


ROOT = project_root()
SYNTHETIC_DATA = ROOT / "data" / "synthetic"
POLICY_DATA = ROOT / "data" / "policy"
RESOURCES = Path(__file__).resolve().parent / "resources"  # files shipped inside the package
