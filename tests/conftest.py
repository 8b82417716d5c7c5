"""Shared fixtures: a fresh copy of the project, and one complete build of it for the output tests.

Tests never build in the working tree: a copy keeps the developer's `_output/` and `_build/` untouched and
proves the build works from what git would ship.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from peerpaper import verify

REPO = Path(__file__).resolve().parents[1]


def copy_project(dest: Path) -> Path:
    """A copy of the repository as git would ship it, with a git history of its own."""
    verify.copy_project(REPO, dest)
    # a git history of its own, so SOURCE_DATE_EPOCH and the manifest's commit are defined
    env = {**os.environ, "GIT_AUTHOR_DATE": "2025-09-04T14:30:00Z", "GIT_COMMITTER_DATE": "2025-09-04T14:30:00Z"}
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "snapshot"]):
        subprocess.run(["git", *args], cwd=dest, check=True, env=env, capture_output=True)
    return dest


def run_paper(project: Path, *args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
    """The `paper` command as a user runs it, in `project`."""
    env = {**os.environ, "PAPER_ROOT": str(project)}
    done = subprocess.run(
        [sys.executable, "-m", "peerpaper.cli", *args], cwd=project, env=env,
        capture_output=True, text=True, timeout=timeout,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"paper {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> Path:
    """One complete `paper build` of a copy of the repository; tests read its `_output/`."""
    project = copy_project(tmp_path_factory.mktemp("built") / "project")
    run_paper(project, "build")
    return project


@pytest.fixture(scope="session")
def site(built_project) -> Path:
    return built_project / "_output"


def conformance_documents(tmp_path: Path):
    """(project root, its .qmd, the document's formats) for each of the conformance suite's cases (Quarto's
    own test documents, tests/conformance/quarto_suite.py) whose formats the engine accepts."""
    from peerpaper.render.project import documents, load_project

    sys.path.insert(0, str(Path(__file__).parent / "conformance"))
    import quarto_suite

    for case in quarto_suite.cases():
        root = quarto_suite._project(case, tmp_path)
        try:
            formats = documents(load_project(root))[0].formats
        except Exception:
            continue  # the formats themselves are refused: nothing is prepared
        yield root, root / case.name, formats
