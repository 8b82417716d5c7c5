"""`paper verify`: a fresh re-run of the analysis agrees with what `_output/` shows, or says where not."""

from __future__ import annotations

import json

import pytest

from conftest import run_paper
from peerpaper.verify import compare_analysis


def write_analysis(folder, values, tables):
    (folder / "tables").mkdir(parents=True)
    (folder / "values.json").write_text(json.dumps(values))
    for name, text in tables.items():
        (folder / "tables" / name).write_text(text)
    return folder


def test_compare_names_each_changed_value_and_table_row(tmp_path):
    published = write_analysis(tmp_path / "a", {"n_groups": "6", "alpha": "0.84"},
                               {"tbl-x.csv": "a,b\n1,2\n3,4\n", "tbl-gone.csv": "a\n"})
    fresh = write_analysis(tmp_path / "b", {"n_groups": "6", "alpha": "0.85"}, {"tbl-x.csv": "a,b\n1,2\n3,5\n"})
    assert compare_analysis(published, fresh) == [
        "value alpha: published '0.84', re-run gives '0.85'",
        "table tbl-gone.csv: only in the published build",
        "table tbl-x.csv row 3: published '3,4', re-run gives '3,5'",
    ]
    assert compare_analysis(fresh, fresh) == []


@pytest.mark.slow
def test_verify_passes_then_catches_a_changed_value(built_project, tmp_path):
    done = run_paper(built_project, "verify")
    assert "Verified" in done.stdout
    values_file = built_project / "_output" / "analysis" / "values.json"
    original = values_file.read_text()
    values = json.loads(original)
    values["n_groups"] = "999"
    values_file.write_text(json.dumps(values))
    try:
        done = run_paper(built_project, "verify", check=False)
        assert done.returncode == 1
        assert "value n_groups: published '999'" in done.stdout
    finally:
        values_file.write_text(original)


