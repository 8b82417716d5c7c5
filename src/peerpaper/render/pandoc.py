"""Run pandoc (the binary shipped in the pypandoc-binary wheel) as a subprocess.

A subprocess rather than pypandoc's wrappers: we pass JSON on stdin, need the exact argument list for
reproducibility, and want pandoc's warnings (unknown citations) back to turn them into errors.
"""

from __future__ import annotations

import json
import os
import subprocess
from functools import cache
from pathlib import Path

from .project import RenderError


@cache
def executable() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def environment(epoch: str | None) -> dict:
    env = dict(os.environ)
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    return env


def run(args: list[str], stdin: bytes, *, cwd: Path, epoch: str | None, what: str) -> tuple[bytes, str]:
    """(stdout, stderr) of `pandoc args`, or a RenderError naming `what` with pandoc's own message."""
    proc = subprocess.run([executable(), *args], input=stdin, capture_output=True, cwd=cwd,
                          env=environment(epoch))
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        first = stderr.strip().splitlines()[0] if stderr.strip() else f"exit status {proc.returncode}"
        raise RenderError(f"{what}: pandoc failed: {first}")
    return proc.stdout, stderr


def read_markdown(markdown: str, *, cwd: Path, epoch: str | None, what: str) -> dict:
    """Pandoc's JSON AST of Quarto-flavoured pandoc markdown."""
    out, _ = run(["--from", "markdown", "--to", "json"], markdown.encode("utf-8"), cwd=cwd, epoch=epoch,
                 what=what)
    return json.loads(out)


def dumps(doc: dict) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write(doc: dict, to: str, out: Path, extra: list[str], *, cwd: Path, epoch: str, what: str) -> bytes:
    """Write `doc` with pandoc's `to` writer into `out` (or return the text when `out` is None)."""
    args = ["--from", "json", "--to", to, *extra]
    if out is not None:
        args += ["--output", str(out)]
    stdout, _ = run(args, dumps(doc), cwd=cwd, epoch=epoch, what=what)
    return stdout
