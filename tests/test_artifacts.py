import json
import subprocess

import pandas as pd
import pytest

from peerpaper import artifacts
from peerpaper.errors import PaperError
from peerpaper.figures import new_figure
from peerpaper.render.ast import elements, stringify
from peerpaper.render.pandoc import executable


@pytest.fixture(autouse=True)
def real_study(monkeypatch):
    """Each test starts as a notebook of a real study would (show_notice(False)), state restored after."""
    monkeypatch.setitem(artifacts._study, "synthetic", False)


def test_formatting_for_prose():
    assert artifacts.fmt_int(41250) == "41,250"
    assert artifacts.fmt_pct(0.384) == "38%"
    assert artifacts.fmt_dec(0.7134) == "0.71" and artifacts.fmt_dec(float("nan")) == "n/a"
    assert artifacts.fmt_count(2, 3) == "fewer than 3" and artifacts.fmt_count(0, 3) == "0"
    assert artifacts.month("2024-03-14") == "March 2024"


def test_figure_files_and_quarto_snippet_are_deterministic(tmp_path):
    def draw():
        fig, ax = new_figure(2.5)
        ax.plot([1, 2, 3], [2, 1, 3])
        ax.set_xlabel("x")
        return fig

    artifacts.write_figure(draw(), "demo", "A caption.", 'Alt "text" with 3 points.', tmp_path / "a")
    artifacts.write_figure(draw(), "demo", "A caption.", 'Alt "text" with 3 points.', tmp_path / "b")
    for ext in ("svg", "png", "md"):
        a = (tmp_path / "a" / "figures" / f"fig-demo.{ext}").read_bytes()
        assert a == (tmp_path / "b" / "figures" / f"fig-demo.{ext}").read_bytes(), ext
    svg = (tmp_path / "a/figures/fig-demo.svg").read_text()
    assert "<dc:date>" not in svg
    snippet = (tmp_path / "a/figures/fig-demo.md").read_text()
    assert snippet == '![A caption\\.](../_build/figures/fig-demo){#fig-demo fig-alt="Alt &#34;text&#34; with 3 points\\."}\n'
    from PIL import Image

    with Image.open(tmp_path / "a/figures/fig-demo.png") as png:
        assert png.size == (1400, 500)  # 7 x 2.5 inches at 200 dpi


def test_table_pipe_and_caption(tmp_path):
    df = pd.DataFrame({"role": ["organiser", "activist", "total"], "participants": [7, 2, 9]})
    shown = artifacts.write_table(df, "sample-role", "Participants by role.", tmp_path, participant_counts=["participants"], k=3, total_row="total")
    assert "<3" in shown["participants"].tolist()
    md = (tmp_path / "tables/tbl-sample-role.md").read_text()
    assert md.startswith("| role ") and "{#tbl-sample-role}" in md
    assert stringify(read(md)[0]["c"][1][1]).startswith("Participants by role. <3: fewer than 3")
    csv = pd.read_csv(tmp_path / "tables/tbl-sample-role.csv", dtype=str)
    assert "2" not in csv["participants"].tolist() and "7" not in csv["participants"].tolist()  # 7 = 9 - 2


def test_values_json_sorted_and_checked(tmp_path):
    artifacts.write_values("01-sample", {"n_groups": "6", "b_value": 3}, tmp_path)
    data = (tmp_path / "values/01-sample.json").read_text()
    assert list(json.loads(data)) == ["b_value", "n_groups"]
    with pytest.raises(PaperError, match="n_groups is also written by 02-themes"):
        artifacts.write_values("02-themes", {"n_groups": "7"}, tmp_path)
    with pytest.raises(PaperError, match="snake_case"):
        artifacts.write_values("02-themes", {"Bad-Name": "7"}, tmp_path)
    with pytest.raises(PaperError, match="string or an integer"):
        artifacts.write_values("02-themes", {"share": 0.5}, tmp_path)
    assert json.loads((tmp_path / "values/01-sample.json").read_text())["n_groups"] == "6"  # intact


def read(markdown: str) -> list:
    return json.loads(subprocess.run([executable(), "--from", "markdown", "--to", "json"], input=markdown.encode(),
                                     capture_output=True, check=True).stdout)["blocks"]


def test_quotes_and_attribution_are_literal(tmp_path):
    said = "They said {{< var x >}} *never*\nagain, @Armstrong2019 $x^2$ \"--\" 1. <img src=x onerror=f()>"
    path = artifacts.write_quote_file("law", [(said, "P1 `x`{=typst}", "G01 {{< include /etc/passwd >}}")], tmp_path)
    assert "{{<" not in path.read_text()
    [quote] = read(path.read_text())
    assert quote["t"] == "BlockQuote" and [b["t"] for b in quote["c"]] == ["Para", "Para"]
    assert {n["t"] for n in elements(quote["c"])} == {"Para", "Str", "Space"}
    assert [stringify(b) for b in quote["c"]] == [" ".join(said.split()), "(P1 `x`{=typst}, G01 {{< include /etc/passwd >}})"]


def test_table_cells_and_caption_are_literal_and_keep_their_columns(tmp_path):
    df = pd.DataFrame({"Code": ["Fear | of exposure", "Safety <through> peers", "$x$ @key"], "Turns": [3, 4, 5]})
    artifacts.write_table(df, "codes", "Codes | and *their* turns.", tmp_path)
    [table] = read((tmp_path / "tables/tbl-codes.md").read_text())
    assert table["t"] == "Table" and table["c"][0][0] == "tbl-codes"
    rows = table["c"][4][0][3]
    assert [[stringify(cell[4]) for cell in row[1]] for row in rows] == [
        ["Fear | of exposure", "3"], ["Safety <through> peers", "4"], ["$x$ @key", "5"]]
    assert stringify(table["c"][1][1]) == "Codes | and *their* turns."
    assert {n["t"] for n in elements(table)} <= {"Str", "Space", "Plain", "AlignDefault", "AlignLeft", "AlignRight",
                                                 "ColWidthDefault", "Table"}


def test_published_csv_neutralises_formulas_and_keeps_negative_numbers(tmp_path):
    df = pd.DataFrame({"Code": ["=1+2", "+SUM(A1:A2)", "@SUM(1)", "-2+3", "plain"], "alpha": ["-0.01", "0.5", "1", "-1", "n/a"]})
    artifacts.write_table(df, "rel", "Caption.", tmp_path)
    csv = pd.read_csv(tmp_path / "tables/tbl-rel.csv", dtype=str, keep_default_na=False)
    assert csv["Code"].tolist() == ["'=1+2", "'+SUM(A1:A2)", "'@SUM(1)", "'-2+3", "plain"]
    assert csv["alpha"].tolist() == ["-0.01", "0.5", "1", "-1", "n/a"]


def test_figure_labels_are_drawn_as_typed_not_as_maths(tmp_path):
    fig, ax = new_figure(2.5)
    ax.set_xlabel("$x^2$ and $y$")
    artifacts.write_figure(fig, "maths", "A caption.", "Alt.", tmp_path)
    assert ax.xaxis.label._preprocess_math(ax.xaxis.label.get_text()) == ("$x^2$ and $y$", False)


def test_failed_write_leaves_the_earlier_file(tmp_path, monkeypatch):
    artifacts.write_values("01-sample", {"n_groups": "6"}, tmp_path)

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(artifacts.os, "replace", boom)
    with pytest.raises(OSError):
        artifacts.write_values("01-sample", {"n_groups": "7"}, tmp_path)
    assert json.loads((tmp_path / "values/01-sample.json").read_text()) == {"n_groups": "6"}
    assert [p.name for p in (tmp_path / "values").iterdir()] == ["01-sample.json"]  # no temp litter


def test_synthetic_captions_and_alt_text_are_labelled_and_real_ones_are_not(tmp_path, monkeypatch):
    fig, ax = new_figure(2.5)
    ax.plot([1, 2], [1, 2])
    df = pd.DataFrame({"code": ["a"], "turns": [4]})
    for synthetic in (True, False):
        artifacts.show_notice(synthetic)
        out = tmp_path / str(synthetic)
        artifacts.write_figure(fig, "demo", "A caption.", "An alt text.", out)
        artifacts.write_table(df, "demo", "A table.", out)
        figure, table = (out / "figures/fig-demo.md").read_text(), (out / "tables/tbl-demo.md").read_text()
        label = artifacts.SYNTHETIC_LABEL
        if synthetic:
            [placed] = read(figure)
            assert stringify(placed["c"][1][1]) == f"{label} A caption."
            assert dict(placed["c"][2][0]["c"][0]["c"][0][2])["fig-alt"] == f"{label} An alt text."
            assert stringify(read(table)[0]["c"][1][1]) == f"{label} A table."
        else:
            assert label not in figure + table and "Synthetic" not in figure + table


def test_a_caption_before_the_study_is_declared_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setitem(artifacts._study, "synthetic", None)
    with pytest.raises(PaperError, match=r"table demo: call artifacts.show_notice\(study.synthetic\)"):
        artifacts.write_table(pd.DataFrame({"a": [1]}), "demo", "A table.", tmp_path)
    assert not (tmp_path / "tables").exists()


def test_a_quote_file_with_no_quote_says_so_only_when_asked(tmp_path):
    """The paper includes a quote file for each peer practice: without a quote it says there is none."""
    from peerpaper.errors import PaperError
    from peerpaper.literal import markdown_text

    with pytest.raises(PaperError, match="no quote to write"):
        artifacts.write_quote_file("practice-x", [], tmp_path)
    path = artifacts.write_quote_file("practice-x", [], tmp_path, missing="No turn *qualifies*.")
    assert path.read_text(encoding="utf-8") == markdown_text("No turn *qualifies*.") + "\n"


def test_a_table_of_long_cells_carries_its_column_widths(tmp_path):
    df = pd.DataFrame({"practice": ["Working together"], "statutes": ["Keeping a brothel (1956 s.33A)"]})
    artifacts.write_table(df, "law", "Provisions.", tmp_path, widths=[30, 70])
    assert (tmp_path / "tables" / "tbl-law.md").read_text().rstrip().endswith('{#tbl-law tbl-colwidths="[30,70]"}')
    with pytest.raises(ValueError, match="2 widths for 3 columns"):
        artifacts.write_table(df.assign(n=1), "law", "Provisions.", tmp_path, widths=[30, 70])
