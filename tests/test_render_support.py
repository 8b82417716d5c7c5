"""Nothing silent: every Quarto option and construct is implemented, inert, or refused naming file and line."""

from pathlib import Path

import pytest

from peerpaper.render import RenderError, pandoc
from peerpaper.render.constructs import check, fenced_languages
from peerpaper.render.project import Document, key_lines
from peerpaper.render.support import check_metadata, status


def document(yaml_text: str) -> Document:
    import yaml

    meta = yaml.safe_load(yaml_text)
    path = Path("/doc.qmd")
    return Document(path, meta, ["html"], "", 1, key_lines(path, yaml_text, 2))


@pytest.mark.parametrize("front, fmt, message", [
    ("format:\n  html:\n    tco: true\n", "html", "doc.qmd:4: `tco` is not a Quarto option for html"),
    ("code-fold: true\nanchor-sections: true\n", "html", "doc.qmd:3: `anchor-sections: true` for html"),
    ("theme: cosmo\n", "html", "the html option `theme` is not implemented"),
    ("citation-location: margin\n", "html", "`citation-location: margin` for html is not implemented"),
    ("filters: [x.lua]\n", "html", "`filters` is not implemented by the built-in engine"),
    ("mainfont: Helvetica\n", "typst", "the typst option `mainfont` is not implemented"),
])
def test_options_quarto_has_but_the_engine_lacks_are_refused_by_line(front, fmt, message):
    with pytest.raises(RenderError, match="render with --engine quarto|not a Quarto option") as caught:
        check_metadata(document(front), fmt, fmt)
    assert message in str(caught.value)


def test_implemented_inert_and_own_metadata_pass():
    check_metadata(document("toc: true\ncode-fold: true\nsynthetic: true\ndisclosure:\n  k: 5\n"
                            "format:\n  html:\n    toc-location: left\n"), "html", "html")
    assert status("papersize", "html", "a4") is None  # not an html option: Quarto ignores it there too
    assert status("number-sections", "pptx", False) is None  # a no-op value


def blocks(markdown: str) -> list:
    return pandoc.read_markdown(markdown, cwd=".", epoch="0", what="t")["blocks"]


@pytest.mark.parametrize("markdown, fmt, message", [
    ("```{python}\nx = 1\n```\n", "html", "`{python}` is an executable code cell"),
    ("```{mermaid}\ngraph LR\n```\n", "docx", "`{mermaid}` is a Mermaid diagram"),
    ("We held `{r} n` groups.\n", "html", "`{r}` is an inline expression"),
    ("::: {.column-margin}\nx\n:::\n", "html", "`.column-margin` (article layout"),
    ("::: {.panel-tabset}\n## A\nx\n:::\n", "docx", "`.panel-tabset` (tabsets)"),
])
def test_constructs_the_engine_lacks_are_refused(markdown, fmt, message):
    with pytest.raises(RenderError, match="render with --engine quarto") as caught:
        check(blocks(markdown), fmt, lambda needle: "doc.qmd:7", fenced_languages(markdown))
    assert str(caught.value).startswith("doc.qmd:7: ") and message in str(caught.value)


def test_what_quarto_would_leave_alone_passes():
    md = "::: {.column-margin}\nx\n:::\n\n::: {.my-own-class}\ny\n:::\n\n`{x} is code` and ```{.python}``` blocks.\n"
    check(blocks(md), "docx", lambda needle: "doc.qmd:1", fenced_languages(md))  # Word has no margin: Quarto writes it inline
