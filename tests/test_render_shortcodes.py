"""Shortcodes: includes keep their own line numbers; var and meta fail with the file and line."""

from pathlib import Path

import pytest

from peerpaper.render.project import RenderError
from peerpaper.render.shortcodes import expand, expand_metadata


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_includes_are_recursive_relative_and_keep_their_origin(tmp_path):
    doc = write(tmp_path / "paper" / "doc.qmd", "intro\n{{< include ../parts/a.md >}}\nend\n")
    write(tmp_path / "parts" / "a.md", "a1\n{{< include sub/b.md >}}\n")
    write(tmp_path / "parts" / "sub" / "b.md", "b1 {{< var n >}}\n")
    source = expand(doc, doc.read_text(), 1, {"n": 42}, {}, tmp_path / "_variables.yml")
    assert source.text.split("\n")[:4] == ["intro", "a1", "b1 42", "end"]
    assert str(source.origin_of("b1")) == f"{(tmp_path / 'parts' / 'sub' / 'b.md').resolve()}:1"
    assert str(source.origin_of("end")) == f"{doc}:3"


def test_var_meta_and_dotted_names(tmp_path):
    doc = write(tmp_path / "doc.qmd", "")
    text = "{{< var a.b >}} / {{< meta title >}} / {{< var flag >}} / {{< var pct >}}"
    source = expand(doc, text, 1, {"a": {"b": "x"}, "flag": True, "pct": "38%"}, {"title": "T"}, doc)
    assert source.text == "x / T / true / 38%"


@pytest.mark.parametrize("text, message", [
    ("ok\n\nsee {{< var missing >}}", ":3: undefined variable `missing`"),
    ("{{< meta nothing >}}", ":1: undefined metadata key `nothing`"),
    ("x\n{{< include nowhere.md >}}", ":2: included file not found"),
    ("a {{< include x.md >}} b", ":1: an include shortcode must stand alone"),
    ("{{< embed nb.ipynb#fig >}}", ":1: unsupported shortcode `embed`"),
    ("{{< var table >}}", ":1: `table` is a list"),
])
def test_problems_name_file_and_line(tmp_path, text, message):
    doc = write(tmp_path / "doc.qmd", text)
    with pytest.raises(RenderError) as caught:
        expand(doc, text, 1, {"table": [1, 2]}, {}, tmp_path / "_variables.yml")
    assert str(caught.value).startswith(str(doc)) and message in str(caught.value)


def test_an_include_that_includes_itself_is_an_error(tmp_path):
    doc = write(tmp_path / "doc.qmd", "{{< include a.md >}}")
    write(tmp_path / "a.md", "{{< include doc.qmd >}}")
    with pytest.raises(RenderError, match="includes itself"):
        expand(doc, doc.read_text(), 1, {}, {}, doc)


def test_front_matter_values_are_expanded_and_located(tmp_path):
    raw = "---\ntitle: T\nabstract: |\n  We met {{< var n >}} groups.\n  And {{< var gone >}}.\n---\n"
    doc = write(tmp_path / "doc.qmd", raw)
    meta = {"abstract": "We met {{< var n >}} groups.\n"}
    assert expand_metadata(meta, doc, raw, {"n": 6}, {}, doc)["abstract"] == "We met 6 groups.\n"
    with pytest.raises(RenderError, match=r"doc\.qmd:5: undefined variable `gone`"):
        expand_metadata({"abstract": "And {{< var gone >}}."}, doc, raw, {}, {}, doc)
