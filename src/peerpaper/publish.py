"""Swap a finished site into `_output/` all at once, so readers never see half a build.

The new tree is copied beside `_output/` and exchanged by two renames. A build killed between them leaves
`_output.old/`, which `recover()` puts back at the start of the next build.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def _siblings(output: Path) -> tuple[Path, Path]:
    return output.with_name(output.name + ".new"), output.with_name(output.name + ".old")


def recover(output: Path) -> None:
    """Undo what an interrupted publish left behind; the last complete `_output/` wins."""
    new, old = _siblings(output)
    if old.exists() and not output.exists():
        old.rename(output)
    for leftover in (new, old):
        if leftover.exists():
            shutil.rmtree(leftover)


def publish(site: Path, output: Path) -> None:
    recover(output)
    new, old = _siblings(output)
    shutil.copytree(site, new)
    if output.exists():
        output.rename(old)
    new.rename(output)
    if old.exists():
        shutil.rmtree(old)
