"""Conditional content with Quarto's rules: format aliases, boolean metadata, and what is refused."""

from pathlib import Path

import pytest

from peerpaper.render import RenderError, pandoc, render
from peerpaper.render.ast import stringify
from peerpaper.render.conditional import apply, is_format


def blocks(markdown: str) -> list:
    return pandoc.read_markdown(markdown, cwd=".", epoch="0", what="test")["blocks"]


def shown(markdown: str, fmt: str, meta=None) -> str:
    return stringify(apply(blocks(markdown), fmt, meta or {}, [], lambda needle: "doc.qmd:1"))


@pytest.mark.parametrize("name, fmt, expected", [
    ("html", "html", True), ("html", "revealjs", True), ("html:js", "revealjs", True),
    ("revealjs", "html", False), ("pdf", "typst", False), ("latex", "typst", False), ("typst", "typst", True),
    ("docx", "pptx", False), ("html5", "html", False),
])
def test_format_matching_follows_quartos_aliases(name, fmt, expected):
    assert is_format(name, fmt) is expected


def test_conditions_combine_and_repeat_as_in_quarto():
    md = '::: {.content-visible when-format="html" unless-format="revealjs"}\nA\n:::\n\n' \
         '::: {.content-visible when-format="docx" when-format="html"}\nB\n:::\n'
    assert shown(md, "html") == "AB" and shown(md, "revealjs") == "B" and shown(md, "docx") == "B"


def test_when_meta_needs_a_boolean_true():
    md = '::: {.content-visible when-meta="flag"}\nA\n:::\n\n::: {.content-hidden when-meta="a.b"}\nB\n:::\n'
    assert shown(md, "html", {"flag": True, "a": {"b": True}}) == "A"
    assert shown(md, "html", {"flag": "true", "a": {"b": 1}}) == "B"


def test_a_span_keeps_its_other_classes():
    out = apply(blocks('x [y]{.content-visible .keep when-format="html"}'), "html", {}, [], str)
    span = out[0]["c"][-1]
    assert span["t"] == "Span" and span["c"][0][1] == ["keep"] and span["c"][0][2] == []


@pytest.mark.parametrize("markdown, message", [
    ('::: {.content-visible when-format="htlm"}\nA\n:::', 'names no format Quarto knows'),
    ('::: {.note when-format="html"}\nA\n:::', 'needs the class .content-visible'),
    ('## Title {.content-visible when-format="html"}\n', 'only to divs, spans and code blocks'),
])
def test_what_quarto_would_silently_ignore_is_refused(markdown, message):
    with pytest.raises(RenderError, match=message):
        apply(blocks(markdown), "html", {}, [], lambda needle: "doc.qmd:1")


def _project(tmp_path: Path, body: str) -> Path:
    (tmp_path / "_quarto.yml").write_text("project:\n  render: [doc.qmd]\n")
    (tmp_path / "doc.qmd").write_text("---\ntitle: T\nformat: [html, docx]\n---\n\n" + body)
    return tmp_path


def test_the_caller_sets_metadata_over_the_documents_own(tmp_path):
    root = _project(tmp_path, "::: {.content-visible when-meta=\"synthetic\"}\nSynthetic prose.\n:::\n")
    made = render(root, tmp_path / "on", formats=("html",), metadata={"synthetic": True})
    assert "Synthetic prose." in made["doc.html"].read_text()
    made = render(root, tmp_path / "off", formats=("html",), metadata={"synthetic": False})
    assert "Synthetic prose." not in made["doc.html"].read_text()


def test_hidden_citations_leave_the_reference_list(tmp_path):
    root = _project(tmp_path, "::: {.content-visible when-format=\"docx\"}\nSee @Key2020.\n:::\n\n::: {#refs}\n:::\n")
    (root / "refs.bib").write_text("@book{Key2020, author={Key, Ann}, title={A Book}, year={2020}, publisher={P}}\n")
    (root / "_quarto.yml").write_text("project:\n  render: [doc.qmd]\nbibliography: refs.bib\n")
    made = render(root, tmp_path / "out", formats=("html", "docx"))
    assert "Key, A. (2020)" not in made["doc.html"].read_text()
    from peerpaper.render.output import zip_text
    assert "Key, A. (2020)" in zip_text(made["doc.docx"], r"word/document\.xml")


def test_quartos_latex_pdf_format_is_refused(tmp_path):
    (tmp_path / "_quarto.yml").write_text("project:\n  render: [doc.qmd]\n")
    (tmp_path / "doc.qmd").write_text("---\nformat: pdf\n---\n\nText.\n")
    with pytest.raises(RenderError, match=r"doc\.qmd:1: format `pdf` is Quarto's LaTeX PDF.*--engine quarto"):
        render(tmp_path, tmp_path / "out")
