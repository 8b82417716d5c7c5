"""End to end, as the README's "Real data" walks it: an NVivo export, the first import (a report and a
fill-in mapping), the answers, the second import, `paper check data`, and a real `paper build --data`."""

import json
from pathlib import Path

import pytest

from conftest import copy_project, run_paper

pytestmark = pytest.mark.slow
NVIVO = Path(__file__).parent / "fixtures" / "qdpx" / "nvivo14_windows.qdpx"
ANSWERS = Path(__file__).parent / "fixtures" / "qdpx" / "nvivo14_windows.mapping.yaml"


def test_an_nvivo_export_goes_all_the_way_to_the_paper(tmp_path):
    project = copy_project(tmp_path / "project")
    secure = tmp_path / "secure"
    secure.mkdir()
    data = secure / "study"
    first = run_paper(project, "import", "qdpx", str(NVIVO), "--out", str(data), check=False)
    assert first.returncode == 1 and "2 problems; nothing was written" in first.stderr
    assert "Traceback" not in first.stderr and not data.exists()
    assert "TODO" in (secure / "study.mapping.yaml").read_text()
    # the answers, except that the memos folder stays in: a theme of its own, not the study's, never coded
    answers = secure / "answers.yaml"
    answers.write_text(ANSWERS.read_text(encoding="utf-8").replace('"Speakers", "10. Memos and method"', '"Speakers"'),
                       encoding="utf-8")
    second = run_paper(project, "import", "qdpx", str(NVIVO), "--out", str(data), "--map", str(answers))
    assert "3 groups, 6 participants + 1 facilitators" in second.stdout
    assert "passed: 0 errors" in run_paper(project, "check", "data", str(data)).stdout
    # as the README says it: no parameter fitted to a study this small (three groups, one coder)
    done = run_paper(project, "build", "--data", str(data), check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    site = project / "_output"
    assert all((site / name).stat().st_size > 0 for name in ("paper.html", "paper.pdf", "slides.html"))
    import yaml

    values = yaml.safe_load((project / "_variables.yml").read_text(encoding="utf-8"))
    assert values["data_kind"] == "real" and values["n_groups"] == "3"
    assert values["sat_order"] == "in the order the groups met"  # every group's date came from its Case
    # three groups are fewer than the base and one run: a result the Methods can state, not a stopped build
    published = json.loads((site / "analysis" / "values.json").read_text(encoding="utf-8"))
    assert published["sat_assessed"] == "could not be" and published["sat_point"].startswith("not assessed: 3 groups")
    assert published["n_coders"] == "1" and published["alpha_overall"] == "n/a"  # one coder: agreement undefined
    memos = project / "_build" / "quotes" / "q-c-10-memos-and-method.md"
    assert "No participant turn coded to this theme" in memos.read_text(encoding="utf-8")
    assert "(Amber, Focus group 3)" in (site / "paper.html").read_text(encoding="utf-8")  # a quote from the import
