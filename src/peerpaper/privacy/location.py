"""Where the data may live, whether they are synthetic, and reading them without ever writing.

Real data never enter the repository: a data folder inside it must be git-ignored (`git check-ignore`)
or be the committed synthetic study; a folder with any git-tracked file is refused. We ask git itself
(subprocess) rather than parse .gitignore, because only git knows every ignore rule that applies.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .identifiers import PrivacyError

SYNTHETIC_NOTICE = (
    "Synthetic data: every finding, figure, table and quote in this document comes from a synthetic study "
    "generated for demonstration; none describes real people."
)


def check_data_location(data_dir: Path, repo_root: Path) -> None:
    """Refuse a data folder that is, or could become, part of the repository (data/synthetic excepted)."""
    data_dir, repo_root = Path(data_dir).resolve(), Path(repo_root).resolve()
    if not data_dir.is_relative_to(repo_root):
        return
    relative = data_dir.relative_to(repo_root)
    if relative == Path("data/synthetic"):
        return
    tracked = _git(repo_root, "ls-files", "--", str(relative)).splitlines()
    if tracked:
        raise PrivacyError(
            f"{data_dir}: data folder has {len(tracked)} file(s) tracked by git (first: {tracked[0]}); "
            "real data must never be committed: move the folder outside the repository and remove it from git"
        )
    if not _ignored(repo_root, relative):
        raise PrivacyError(
            f"{data_dir}: data folder is inside the repository and not git-ignored; "
            "move it outside the repository or add it to .gitignore (e.g. /data/private/)"
        )


def check_output_location(out: Path, synthetic: bool = False) -> None:
    """Refuse to write a data folder where git would pick it up: inside any git work tree, unless the
    folder is git-ignored (or, for generated synthetic data, is the committed data/synthetic)."""
    out = Path(out).resolve()
    existing = next((p for p in (out, *out.parents) if p.is_dir()), None)
    if existing is None:
        return
    done = subprocess.run(["git", "-C", str(existing), "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    if done.returncode != 0:
        return  # not inside a git work tree
    top = Path(done.stdout.strip()).resolve()
    relative = out.relative_to(top)
    if synthetic and relative == Path("data/synthetic"):
        return
    if relative == Path("data/synthetic"):
        raise PrivacyError(f"{out}: --out is the committed synthetic study; write real data outside the repository")
    if not _ignored(top, relative):
        raise PrivacyError(
            f"{out}: --out is inside the git repository {top} and not git-ignored, so the data could be "
            "committed; write it outside the repository or add the folder to .gitignore (e.g. /data/private/)"
        )


def data_is_synthetic(data_dir: Path) -> bool:
    """The datapackage.json "synthetic" flag; anything but an explicit true counts as real data."""
    descriptor = Path(data_dir) / "datapackage.json"
    try:
        return json.loads(descriptor.read_text(encoding="utf-8")).get("synthetic") is True
    except (OSError, ValueError, AttributeError):
        return False


def open_readonly(path: Path, encoding: str = "utf-8"):
    """Open a data file for reading only: the one way analyses touch raw data."""
    return open(path, "r", encoding=encoding, newline="")


def _ignored(repo_root: Path, relative: Path) -> bool:
    result = subprocess.run(
        ["git", "-C", str(repo_root), "check-ignore", "-q", "--no-index", str(relative) + "/"],
        capture_output=True,
    )
    if result.returncode == 128:
        raise PrivacyError(f"{repo_root}: git check-ignore failed: {result.stderr.decode().strip()}")
    return result.returncode == 0


def _git(repo_root: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo_root), *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise PrivacyError(f"{repo_root}: git {args[0]} failed: {result.stderr.strip()}")
    return result.stdout
