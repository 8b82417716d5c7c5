"""`--engine quarto`: hand the same sources to Quarto (>= 1.4) when it is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .project import EXTENSION, QUARTO_FORMAT, RenderError, documents, load_project


def metadata_args(metadata: dict) -> list[str]:
    """`-M key:value` for each entry; Quarto reads the value as YAML, so `true` stays a boolean."""
    args: list[str] = []
    for key, value in metadata.items():
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        args += ["-M", f"{key}:{text}"]
    return args


def render_with_quarto(root: Path, out_dir: Path, formats, metadata: dict | None = None) -> dict[str, Path]:
    quarto = shutil.which("quarto")
    if quarto is None:
        raise RenderError("quarto is not on PATH: install Quarto >= 1.4 or use the built-in engine "
                          "(--engine builtin)")
    out_dir.mkdir(parents=True, exist_ok=True)
    made: dict[str, Path] = {}
    for document in documents(load_project(root, metadata)):
        for fmt in (f for f in document.formats if f in formats):
            args = [quarto, "render", str(document.path.relative_to(root)), "--to", QUARTO_FORMAT[fmt],
                    "--output-dir", str(out_dir), *metadata_args(metadata or {})]
            proc = subprocess.run(args, cwd=root, capture_output=True, text=True)
            if proc.returncode != 0:
                last = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
                raise RenderError(f"{document.path}: quarto render --to {QUARTO_FORMAT[fmt]} failed: {last}")
            name = document.stem + EXTENSION[fmt]
            made[name] = out_dir / name
    return made
