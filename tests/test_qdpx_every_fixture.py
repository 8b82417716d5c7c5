"""Every exchange file in tests/fixtures/qdpx/ that imports goes on to `paper build --data`, and either
builds or is refused at the build's first step in one line that names the file and what is missing,
before any notebook runs: never a traceback, never a notebook stopping on a missing theme.

The paper is written for the study's nine themes; most tool fixtures carry a few of them (they reproduce
each tool's conventions, not the study), so their builds are refusals, each a few seconds. The one that
holds the whole codebook is built end to end, once, by tests/test_qdpx_build.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import copy_project, run_paper
from peerpaper import paper_fit
from peerpaper.qdpx import ImportProblems, import_qdpx
from peerpaper.validate import check_data

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).parent / "fixtures" / "qdpx"
ROOT = Path(__file__).resolve().parents[1]
# how each fixture is imported: as it is, with the fill-in file the first import writes (its defaults
# answer everything), with the committed answers, or not at all (an empty project is refused by the import)
AS_IT_IS, FILL_IN, ANSWERS, NOT_IMPORTED = "as it is", "fill-in", "answers", "not imported"
EXPECTED = {  # fixture -> (import, what the build does)
    "atlasti23.qdpx": (AS_IT_IS, "refused"),
    "atlasti26_trial.qdpx": (AS_IT_IS, "refused"),
    "empty.qdpx": (NOT_IMPORTED, None),
    "f4analyse.qdpx": (AS_IT_IS, "refused"),
    "maxqda24.qdpx": (AS_IT_IS, "refused"),
    "missing_source.qdpx": (FILL_IN, "refused"),  # with --allow-missing-sources
    "nvivo.qdpx": (AS_IT_IS, "refused"),
    "nvivo12_mac.qdpx": (AS_IT_IS, "refused"),
    "nvivo14_windows.qdpx": (ANSWERS, "builds"),  # built by test_qdpx_build.py
    "pdf_sources.qdpx": (FILL_IN, "refused"),
    "quirkos.qdpx": (AS_IT_IS, "refused"),
    "standard.qdpx": (AS_IT_IS, "refused"),
    "transana.qdpx": (AS_IT_IS, "refused"),
    "utf16_unlabelled.qdpx": (AS_IT_IS, "refused"),
    "qualcoder/qualcoder.qdpx": (AS_IT_IS, "refused"),
    "qualcoder/qualcoder_crlf.qdpx": (AS_IT_IS, "refused"),
}


def test_every_fixture_has_an_expected_outcome():
    found = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.qdpx"))
    assert found == sorted(EXPECTED)


def import_fixture(name: str, how: str, out: Path):
    file = FIXTURES / name
    if how == ANSWERS:
        report = import_qdpx(file, out, mapping_file=file.with_name(file.stem + ".mapping.yaml"))
    elif how == FILL_IN:
        with pytest.raises(ImportProblems):
            import_qdpx(file, out)
        report = import_qdpx(file, out, mapping_file=out.with_name(out.name + ".mapping.yaml"), allow_missing_sources=True)
    else:
        report = import_qdpx(file, out)
    assert check_data(out) == []
    return out, str(report)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """One project copy for every refusal: a refused build leaves nothing behind that another could use."""
    return copy_project(tmp_path_factory.mktemp("fixtures") / "project")


@pytest.mark.parametrize("name", [n for n, (how, _) in EXPECTED.items() if how != NOT_IMPORTED])
def test_an_imported_fixture_builds_or_is_refused_in_one_line_before_any_notebook(name, tmp_path, project):
    how, outcome = EXPECTED[name]
    data, report = import_fixture(name, how, tmp_path / "secure" / Path(name).stem)
    misfit = paper_fit.problems(data, ROOT / "data" / "policy")
    # the import says it first, while the mapping is being filled in
    assert ("note: this folder cannot give the paper yet: this paper is written for" in report) == (outcome != "builds")
    if outcome == "builds":
        assert misfit == []  # the whole study codebook: the build itself is tests/test_qdpx_build.py
        return
    done = run_paper(project, "build", "--data", str(data), check=False)
    said = done.stdout + done.stderr
    assert done.returncode == 1 and "Traceback" not in said
    failed = [line for line in said.splitlines() if "FAILED" in line]
    assert failed == [f"  FAILED check data: 1 data problem(s): {misfit[0]}"]
    missing = str(misfit[0])
    assert str(data / "codebook.csv") in missing and "codebook: ids:" in missing
    # what the message names is what the codebook lacks, and nothing it has
    themes = {line.split(",")[0] for line in (data / "codebook.csv").read_text(encoding="utf-8").splitlines()[1:]
              if line.split(",")[1:2] == [""]}
    named = missing.split("lacks the theme(s) ")[1].split(" and the code(s)")[0].split(":")[0].split(", ")
    assert set(named) == set(paper_fit.paper_themes()) - themes
    assert not (project / "_build" / "executed").exists() and not (project / "_output").exists()
