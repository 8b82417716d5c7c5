"""`paper check`: one line per finding, a summary line, and the exit code a script or CI can trust."""

from __future__ import annotations

import shutil
import sys
import types
from pathlib import Path

import pytest

from peerpaper import checks, cli
from peerpaper.errors import Problem

FIXTURES = Path(__file__).parent / "fixtures" / "bib"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the clean citation fixture, made the project root."""
    shutil.copytree(FIXTURES / "clean", tmp_path, dirs_exist_ok=True)
    monkeypatch.setenv("PAPER_ROOT", str(tmp_path))
    return tmp_path


@pytest.fixture
def fake_validate(monkeypatch):
    """Stand in for peerpaper.validate: check_data returns what the test puts in `found`."""
    found: list[Problem] = []
    module = types.ModuleType("peerpaper.validate")
    module.check_data = lambda folder: list(found) if Path(folder).name == "bad" else []
    monkeypatch.setitem(sys.modules, "peerpaper.validate", module)
    return found


def test_refs_on_a_clean_project_passes(project, capsys):
    assert checks.run("refs") == 0
    assert capsys.readouterr().out == "paper check refs: passed: 0 errors, 0 warnings\n"


def test_refs_errors_fail_and_are_printed_one_per_line(monkeypatch, capsys):
    monkeypatch.setenv("PAPER_ROOT", str(FIXTURES / "broken"))
    assert checks.run("refs") == 1
    lines = capsys.readouterr().out.splitlines()
    assert "paper/paper.qmd:18: error: no entry Sandars2007" in lines[6]
    assert lines[-1] == "paper check refs: failed: 9 errors, 11 warnings"
    assert len(lines) == 21


def test_warnings_fail_only_with_strict(project, capsys):
    with (project / "references.bib").open("a") as bib:
        bib.write("\n@misc{Uncited2020, title = {Nobody cites this}, year = {2020}}\n")
    assert checks.run("refs") == 0
    assert capsys.readouterr().out.splitlines() == [
        "references.bib:67: warning: Uncited2020 is never cited: cite it, list it under nocite, or delete it",
        "paper check refs: passed: 0 errors, 1 warning",
    ]
    assert checks.run("refs", strict=True) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "paper check refs: failed: 0 errors, 1 warning (--strict: warnings count)"
    )


def test_data_problems_are_errors_in_the_same_form(project, fake_validate, capsys):
    fake_validate.append(Problem("data/bad/groups.csv", 3, "setting", "'boat' is not online or in_person"))
    assert checks.run("data", project / "data" / "bad") == 1
    assert capsys.readouterr().out.splitlines() == [
        "data/bad/groups.csv:3:setting: error: 'boat' is not online or in_person",
        "paper check data: failed: 1 error, 0 warnings",
    ]


def test_all_runs_both_and_defaults_to_the_synthetic_data(project, fake_validate, capsys):
    fake_validate.append(Problem("x.csv", 2, None, "never reached: the default folder is not 'bad'"))
    assert checks.run("all") == 0
    assert capsys.readouterr().out == "paper check all: passed: 0 errors, 0 warnings\n"


def test_the_cli_returns_the_exit_code(monkeypatch, capsys):
    monkeypatch.setenv("PAPER_ROOT", str(FIXTURES / "broken"))
    assert cli.main(["check", "refs"]) == 1
    assert "paper check refs: failed" in capsys.readouterr().out
