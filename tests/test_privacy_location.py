"""Where data may live, the synthetic flag and notice, and that reading a data folder never writes to it."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from peerpaper.privacy import SYNTHETIC_NOTICE, PrivacyError, check_data_location, data_is_synthetic, open_readonly

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC = ROOT / "data" / "synthetic"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path) -> Path:
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("/data/private/\n", encoding="utf-8")
    for name in ("synthetic", "private", "loose", "tracked"):
        (tmp_path / "data" / name).mkdir(parents=True)
        (tmp_path / "data" / name / "segments.csv").write_text("segment_id\n", encoding="utf-8")
    git(tmp_path, "add", "data/synthetic", "data/tracked", ".gitignore")
    return tmp_path


def test_synthetic_and_ignored_and_outside_folders_are_accepted(repo, tmp_path_factory):
    check_data_location(repo / "data" / "synthetic", repo)
    check_data_location(repo / "data" / "private", repo)
    check_data_location(tmp_path_factory.mktemp("elsewhere"), repo)


def test_a_tracked_data_folder_is_refused(repo):
    with pytest.raises(PrivacyError, match=r"data/tracked: data folder has 1 file\(s\) tracked by git"):
        check_data_location(repo / "data" / "tracked", repo)


def test_an_ignored_folder_with_a_force_added_file_is_refused(repo):
    git(repo, "add", "-f", "data/private/segments.csv")
    with pytest.raises(PrivacyError, match="tracked by git"):
        check_data_location(repo / "data" / "private", repo)


def test_an_unignored_folder_inside_the_repository_is_refused(repo):
    with pytest.raises(PrivacyError, match=r"data/loose: data folder is inside the repository and not git-ignored"):
        check_data_location(repo / "data" / "loose", repo)


def test_the_synthetic_flag_is_read_and_anything_else_is_real(tmp_path):
    assert data_is_synthetic(SYNTHETIC) is True
    (tmp_path / "datapackage.json").write_text(json.dumps({"synthetic": "yes"}), encoding="utf-8")
    assert data_is_synthetic(tmp_path) is False
    assert data_is_synthetic(tmp_path / "missing") is False
    assert SYNTHETIC_NOTICE.startswith("Synthetic data:") and "none describes real people" in SYNTHETIC_NOTICE


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))}


def test_loading_and_analysing_a_read_only_data_folder_never_writes_to_it(tmp_path):
    from peerpaper.analysis import sample, themes
    from peerpaper.study import load_study

    data = tmp_path / "study"
    shutil.copytree(SYNTHETIC, data)
    before = fingerprint(data)
    for path in [*data.iterdir(), data]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        study = load_study(data)
        sample.groups_table(study)
        sample.values(study, k=3)
        themes.values(study, themes.prevalence(study), k=3)
        with open_readonly(data / "segments.csv") as handle:
            assert handle.readline().startswith("segment_id")
            with pytest.raises(OSError):
                handle.write("x")
    finally:
        for path in [data, *data.iterdir()]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    assert fingerprint(data) == before


def test_an_import_or_synth_out_folder_that_git_would_pick_up_is_refused(repo, tmp_path_factory):
    from peerpaper.privacy import check_output_location

    with pytest.raises(PrivacyError, match=r"--out is inside the git repository .* and not git-ignored"):
        check_output_location(repo / "data" / "imported")  # does not exist yet: judged by where it would go
    with pytest.raises(PrivacyError, match=r"--out is the committed synthetic study"):
        check_output_location(repo / "data" / "synthetic")
    check_output_location(repo / "data" / "private" / "study")  # ignored
    check_output_location(repo / "data" / "synthetic", synthetic=True)  # regenerating the synthetic study
    check_output_location(tmp_path_factory.mktemp("outside") / "study")  # not in a work tree


def test_the_cli_refuses_before_writing_anything(repo):
    from peerpaper import cli

    assert cli.main(["synth", "--out", str(repo / "data" / "mine")]) != 0
    assert not (repo / "data" / "mine").exists()
    assert cli.main(["import", "qdpx", str(repo / "missing.qdpx"), "--out", str(repo / "data" / "mine")]) != 0
    assert not (repo / "data" / "mine").exists()
