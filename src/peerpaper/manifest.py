"""Provenance: what each published file is (its hash) and what made it, so a reviewer can check both.

Deliberately without timestamps: two builds of the same commit write the same manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

TRACKED_PACKAGES = (
    "pandas", "numpy", "scipy", "matplotlib", "papermill", "nbconvert", "krippendorff", "frictionless",
    "bibtexparser", "pypandoc-binary", "typst", "python-docx", "python-pptx", "doit", "lxml",
)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def digest_of(paths, label: str = "") -> str:
    """One SHA-256 over several files' names and bytes (and a label): a fingerprint of them together."""
    digest = hashlib.sha256(label.encode("utf-8", "surrogatepass") + b"\0")
    for path in paths:
        path = Path(path)
        digest.update(path.name.encode("utf-8", "surrogatepass") + b"\0")
        digest.update((sha256(path) if path.is_file() else "missing").encode() + b"\n")
    return digest.hexdigest()


def git(root: Path, *args: str) -> str:
    """A git answer, or "" where the folder is not a checkout (a tarball of the repository)."""
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return ""
    return done.stdout.strip()


def source_date_epoch(root: Path) -> str:
    """$SOURCE_DATE_EPOCH, else the last commit's time: dates inside outputs follow the sources, not the
    clock. Outside a git checkout, 1980-01-01 (the earliest date a zip entry, so a DOCX, can hold)."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return os.environ["SOURCE_DATE_EPOCH"]
    return git(root, "log", "-1", "--format=%ct") or "315532800"


def tool_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    try:
        import pypandoc

        versions["pandoc"] = pypandoc.get_pandoc_version()
    except (ImportError, OSError):
        pass
    return versions


def write(path: Path, root: Path, outputs: dict[str, dict], parameters: dict, data: dict) -> None:
    """`outputs` maps each published file (relative to the site) to {"inputs": [paths under root]}."""
    def rel(p: Path) -> str:
        return p.relative_to(root).as_posix() if p.is_relative_to(root) else p.name

    entries = {}
    for name, info in sorted(outputs.items()):
        entries[name] = {
            "sha256": sha256(info["file"]),
            "inputs": {rel(p): sha256(p) for p in sorted(set(info["inputs"])) if p.is_file()},
        }
    status = git(root, "status", "--porcelain", "--untracked-files=no")
    manifest = {
        "commit": git(root, "rev-parse", "HEAD") or None,
        "dirty": bool(status),
        "source_date_epoch": int(source_date_epoch(root)),
        "data": data,
        "parameters": parameters,
        "tools": tool_versions(),
        "outputs": entries,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
