"""A valid data folder whose codebook lacks the paper's themes, or the codes the law is mapped to, is
refused in one line that names what is missing and where to map it; the study's own codebook passes."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from peerpaper import checks, paper_fit
from peerpaper.validate import check_data

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "data" / "policy"


def with_codebook(tmp_path: Path, keep) -> Path:
    """The synthetic study with only the codebook rows (and their codings) that `keep(row)` accepts."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "synthetic", data)
    with open(data / "codebook.csv", encoding="utf-8", newline="") as handle:
        book = {row["code_id"]: row for row in csv.DictReader(handle)}
    for name, column in (("codebook", "code_id"), ("codings", "code_id")):
        with open(data / f"{name}.csv", encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames, list(reader)
        rows = [r for r in rows if keep(book[r[column]])]
        with open(data / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return data


def test_the_study_fits_and_the_paper_needs_nine_themes_and_the_laws_codes():
    assert paper_fit.problems(ROOT / "data" / "synthetic", POLICY) == []
    assert paper_fit.paper_themes() == ["value", "community", "barriers", "funding", "law", "delegitimisation",
                                        "capacity", "needs", "rights"]
    assert paper_fit.policy_codes(POLICY) == ["funding_exit", "law_brothel", "law_orders", "law_soliciting", "needs_migrant"]


def test_a_codebook_without_some_themes_and_mapped_codes_is_one_line_naming_them(tmp_path):
    data = with_codebook(tmp_path, lambda row: "law" not in (row["code_id"], row["parent_id"])
                         and row["code_id"] not in ("needs", "needs_migrant", "needs_cost_of_living", "needs_mental_health"))
    assert check_data(data) == []  # valid by the data contract: only the paper cannot be made from it
    (problem,) = paper_fit.problems(data, POLICY)
    message = str(problem)
    assert message.startswith(f"{data / 'codebook.csv'}: this paper is written for the study's 9 themes")
    assert "the theme(s) law, needs" in message and "law_brothel, law_orders, law_soliciting, needs_migrant" in message
    assert "codebook: ids:" in message and "\n" not in message


def test_a_theme_id_under_another_code_is_named_as_such(tmp_path):
    data = with_codebook(tmp_path, lambda row: True)
    text = (data / "codebook.csv").read_text(encoding="utf-8").replace("\nrights,,", "\nrights,capacity,")
    (data / "codebook.csv").write_text(text, encoding="utf-8")
    assert check_data(data) == []
    (problem,) = paper_fit.problems(data, POLICY)
    assert "the theme(s) rights (rights under another code, not at the top)" in str(problem)


def test_paper_check_data_reports_it_as_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PAPER_ROOT", str(ROOT))
    data = with_codebook(tmp_path, lambda row: row["code_id"] != "capacity" and row["parent_id"] != "capacity")
    assert checks.run("data", data) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{data / 'codebook.csv'}: error: this paper is written for") and "capacity" in lines[0]
    assert lines[1] == "paper check data: failed: 1 error, 0 warnings"
