"""Swap a finished site into `_output/` all at once, so readers never see half a build.

The new tree is copied beside `_output/` and exchanged by two renames. A build killed between them leaves
`_output.old/`, which `recover()` puts back at the start of the next build.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path


class NotAsChecked(Exception):
    """A copied file is not what `check` accepts (its relative path is the message); nothing was swapped."""


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


def publish(site: Path, output: Path, files: list[Path], check: Callable[[Path, Path], bool] | None = None) -> None:
    """Put exactly `files` (relative to `site`) into `output`, replacing all of it in one swap.

    `check(rel, copy)` sees every copy before the swap; if it refuses one, `output` is left as it was."""
    recover(output)
    new, old = _siblings(output)
    for rel in files:
        target = new / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(site / rel, target)
        if check is not None and not check(Path(rel), target):
            shutil.rmtree(new)
            raise NotAsChecked(str(rel))
    if output.exists():
        output.rename(old)
    new.rename(output)
    if old.exists():
        shutil.rmtree(old)
