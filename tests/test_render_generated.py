"""The guard on generated text: a generated include or a value that is not literal text stops the render.

The escaping in `peerpaper.literal` makes this impossible for what `artifacts` writes; these tests write the
files by hand, as a bypass would, and check that the error names the file, the line and the construct and
never the text itself.
"""

from pathlib import Path

import pytest

from peerpaper.render.generated import check
from peerpaper.render.project import RenderError
from peerpaper.render.shortcodes import expand

SECRET = "Jane Roe"


def include(root: Path, name: str, text: str) -> Path:
    path = root / "_build" / "quotes" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, construct", [
    (f"> {SECRET} `#read(\"/etc/passwd\")`{{=typst}}\n", "a raw typst span"),
    (f"> {SECRET} `<w:p/>`{{=openxml}}\n", "a raw openxml span"),
    (f"> {SECRET} <img src=x onerror=alert(1)>\n", "a raw HTML span"),
    (f"> said @Armstrong2019 to {SECRET}\n", "a citation"),
    (f"> {SECRET} $x^2$\n", "maths"),
    (f"> {SECRET} ~~gone~~\n", "formatting (Strikeout)"),
    (f"> {SECRET} H~2~O\n", "formatting (Subscript)"),
    (f'> {SECRET} "quoted"\n', "smart quotes"),
    (f"> 1. {SECRET}\n", "a list"),
    (f"| a |\n|---|\n| *{SECRET}* |\n\n: Caption. {{#tbl-a}}\n", "formatting (Emph)"),  # line 7, the row
])
def test_markup_in_a_generated_include_is_refused_naming_file_line_and_construct(tmp_path, text, construct):
    path = include(tmp_path, "q-x.md", "> A plain quote.\n>\n> \\(P1\\, G1\\)\n\n" + text)
    with pytest.raises(RenderError) as caught:
        check([path], tmp_path, {}, tmp_path / "_variables.yml", cwd=tmp_path)
    message = str(caught.value)
    line = 7 if text.startswith("|") else 5
    assert message.startswith(f"{path}:{line}: generated include would make {construct}")
    assert SECRET not in message and "Armstrong" not in message and "passwd" not in message


def test_escaped_text_passes_and_its_words_are_returned(tmp_path):
    from peerpaper.literal import markdown_text

    path = include(tmp_path, "q-x.md", f"> {markdown_text('Said {{< include x >}} @a $b$')}\n")
    figure = tmp_path / "_build" / "figures" / "fig-a.md"
    figure.parent.mkdir(parents=True)
    figure.write_text(f'![{markdown_text("Cap.")}](../_build/figures/fig-a){{#fig-a fig-alt="{markdown_text("<x>")}"}}\n')
    words = check([path, figure], tmp_path, {"top": markdown_text("*x* @y")}, tmp_path / "_variables.yml", cwd=tmp_path)
    assert {"{{<", "@a", "$b$", "*x*", "@y"} <= words


def test_a_value_that_is_not_literal_is_refused_naming_its_line(tmp_path):
    variables = tmp_path / "_variables.yml"
    variables.write_text("a: '1'\ntop_theme: '@Armstrong2019'\n")
    with pytest.raises(RenderError, match=r"_variables.yml:2: value `top_theme` would make a citation") as caught:
        check([], tmp_path, {"a": "1", "top_theme": "@Armstrong2019"}, variables, cwd=tmp_path)
    assert "Armstrong" not in str(caught.value)
    with pytest.raises(RenderError, match="value `a` would make more than one paragraph"):
        check([], tmp_path, {"a": "one\n\ntwo"}, variables, cwd=tmp_path)


def test_a_shortcode_in_a_generated_include_is_refused_before_it_runs(tmp_path):
    path = include(tmp_path, "q-x.md", "> fine\n\n{{< include /etc/passwd >}}\n")
    doc = tmp_path / "paper" / "paper.qmd"
    doc.parent.mkdir()
    doc.write_text("{{< include ../_build/quotes/q-x.md >}}\n")
    with pytest.raises(RenderError, match=rf"{path}:3: a generated include holds a shortcode"):
        expand(doc, doc.read_text(), 1, {}, {}, tmp_path / "_variables.yml", root=tmp_path)
