"""The `paper` command as a user meets it: one clear line for bad input, a non-zero exit, no traceback."""

from __future__ import annotations

import shutil

from conftest import REPO, run_paper


def test_check_data_names_file_row_and_column(tmp_path):
    data = tmp_path / "study"
    shutil.copytree(REPO / "data" / "synthetic", data)
    rows = (data / "groups.csv").read_text().splitlines()
    rows[2] = rows[2].replace("online", "by post").replace("in_person", "by post")
    (data / "groups.csv").write_text("\n".join(rows) + "\n")
    done = run_paper(REPO, "check", "data", str(data), check=False)
    assert done.returncode == 1
    assert "groups.csv:3:setting:" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_build_from_a_missing_folder_is_one_line(tmp_path):
    done = run_paper(REPO, "build", "--data", str(tmp_path / "nowhere"), check=False)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "no such data folder" in done.stderr


def test_import_of_a_file_that_is_not_an_archive(tmp_path):
    bogus = tmp_path / "study.qdpx"
    bogus.write_text("not a zip")
    done = run_paper(REPO, "import", "qdpx", str(bogus), "--out", str(tmp_path / "out"), check=False)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "study.qdpx" in done.stderr
    assert not (tmp_path / "out").exists()


def test_synth_then_check_round_trip(tmp_path):
    run_paper(REPO, "synth", "--seed", "3", "--groups", "4", "--out", str(tmp_path / "s"))
    done = run_paper(REPO, "check", "data", str(tmp_path / "s"))
    assert done.returncode == 0
