import json

import pandas as pd
import pytest

from peerpaper import artifacts
from peerpaper.errors import PaperError
from peerpaper.figures import new_figure


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
    assert snippet == "![A caption.](../_build/figures/fig-demo){#fig-demo fig-alt=\"Alt 'text' with 3 points.\"}\n"
    from PIL import Image

    with Image.open(tmp_path / "a/figures/fig-demo.png") as png:
        assert png.size == (1400, 500)  # 7 x 2.5 inches at 200 dpi


def test_table_pipe_and_caption(tmp_path):
    df = pd.DataFrame({"role": ["organiser", "activist", "total"], "participants": [7, 2, 9]})
    shown = artifacts.write_table(df, "sample-role", "Participants by role.", tmp_path, participant_counts=["participants"], total_row="total")
    assert "<3" in shown["participants"].tolist()
    md = (tmp_path / "tables/tbl-sample-role.md").read_text()
    assert md.startswith("| role ") and "{#tbl-sample-role}" in md
    assert ": Participants by role. <3: fewer than 3" in md
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


def test_quotes_escape_markdown_and_shortcodes(tmp_path):
    path = artifacts.write_quote_file("law", [("They said {{< var x >}} *never*\nagain", "Amberlin", "G01")], tmp_path)
    text = path.read_text()
    assert text == "> They said \\{\\{\\< var x \\>\\}\\} \\*never\\* again\n>\n> (Amberlin, G01)\n"


def test_failed_write_leaves_the_earlier_file(tmp_path, monkeypatch):
    artifacts.write_values("01-sample", {"n_groups": "6"}, tmp_path)

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(artifacts.os, "replace", boom)
    with pytest.raises(OSError):
        artifacts.write_values("01-sample", {"n_groups": "7"}, tmp_path)
    assert json.loads((tmp_path / "values/01-sample.json").read_text()) == {"n_groups": "6"}
    assert [p.name for p in (tmp_path / "values").iterdir()] == ["01-sample.json"]  # no temp litter
