"""Cross-references on the pandoc AST, with Quarto's rules: numbering, prefixes, capitals, sub-figures,
equations, `crossref:` options and what stays unresolved."""

import json

import pytest

from peerpaper.render import RenderError, pandoc
from peerpaper.render.ast import elements, stringify
from peerpaper.render.crossref import Options, format_number, resolve
from peerpaper.render.floats import normalise
from peerpaper.render.language import words

NB = "\u00a0"
MARKDOWN = """
# One {#sec-one}

## One point one {#sec-sub}

# Unnumbered {.unnumbered}

# Two {#sec-two}

![First.](a.png){#fig-a}

![Second.](b.png){#fig-b}

| x |
|---|
| 1 |

: Only table. {#tbl-x}

See @fig-b, [-@fig-a], @tbl-x, @sec-sub and @sec-two; also @fig-gone and [@fig-a; @fig-b].
"""


def ast(markdown: str) -> dict:
    return pandoc.read_markdown(markdown, cwd=".", epoch="0", what="test")


def options(crossref=None, lang="en") -> Options:
    return Options(crossref or {}, words({"lang": lang}, None, "doc.qmd:1"))


def run(markdown: str, **kw):
    doc = ast(markdown)
    doc["blocks"] = normalise(doc["blocks"], lambda needle: "doc.qmd:1")
    return resolve(doc, options(**kw))


def test_numbers_and_references_with_no_break_spaces():
    doc, labels, unresolved = run(MARKDOWN)
    assert {k: e.number for k, e in labels.entries.items()} == {
        "sec-one": "1", "sec-sub": "1.1", "sec-two": "2", "fig-a": "1", "fig-b": "2", "tbl-x": "1"}
    para = stringify(doc["blocks"][-1])
    assert para.startswith(f"See Figure{NB}2, 1, Table{NB}1, Section{NB}1.1 and Section{NB}2;")
    assert f"Figure{NB}1, Figure{NB}2" in para
    assert unresolved == ["fig-gone"]
    captions = [stringify(f["c"][1][1]) for f in elements(doc["blocks"], "Figure")]
    assert captions == [f"Figure{NB}1: First.", f"Figure{NB}2: Second."]
    links = [l["c"][2][0] for l in elements(doc["blocks"], "Link")]
    assert links[:5] == ["#fig-b", "#fig-a", "#tbl-x", "#sec-sub", "#sec-two"]


def test_capitals_own_prefixes_and_options():
    md = "![A.](a.png){#fig-a}\n\n@Fig-a; [Fig. @fig-a]; [-@fig-a]."
    doc, _, _ = run(md)
    assert stringify(doc["blocks"][-1]) == f"Figure{NB}1; Fig.{NB}1; 1."
    doc, _, _ = run(md, crossref={"fig-prefix": "fig.", "fig-title": "Fig.", "title-delim": " —",
                                  "fig-labels": "roman i", "ref-hyperlink": False})
    assert stringify(doc["blocks"][-1]) == f"Fig.{NB}i; Fig.{NB}i; i."
    assert stringify(doc["blocks"][0]["c"][1][1]) == f"Fig.{NB}i — A."
    assert not list(elements(doc["blocks"], "Link"))


def test_translations_follow_lang():
    doc, _, _ = run("![A.](a.png){#fig-a}\n\n| x |\n|---|\n| 1 |\n\n: T. {#tbl-t}\n\n@fig-a, @tbl-t", lang="de-AT")
    assert stringify(doc["blocks"][-1]) == f"Abbildung{NB}1, Tabelle{NB}1"


def test_subfigures_get_letters_and_parent_numbers():
    md = ("::: {#fig-p layout-ncol=2}\n![Surus](a.png){#fig-surus}\n\n![Abbas](b.png)\n\nElephants\n:::\n\n"
          "@fig-p, @fig-surus, @fig-p-2.")
    doc, labels, _ = run(md)
    assert stringify(doc["blocks"][-1]) == f"Figure{NB}1, Figure{NB}1 (a), Figure{NB}1 (b)."
    figure = doc["blocks"][0]
    assert stringify(figure["c"][1][1]) == f"Figure{NB}1: Elephants"
    assert [stringify(f["c"][1][1]) for f in elements(figure["c"][2], "Figure")] == ["(a) Surus", "(b) Abbas"]


def test_div_floats_take_their_last_paragraph_as_caption():
    md = "::: {#fig-d}\nSome content.\n\nThe caption.\n:::\n\n::: {#tbl-d}\n| x |\n|---|\n| 1 |\n\nTable caption.\n:::\n"
    doc, labels, _ = run(md)
    assert stringify(doc["blocks"][0]["c"][1][1]) == f"Figure{NB}1: The caption."
    assert doc["blocks"][1]["t"] == "Table" and stringify(doc["blocks"][1]["c"][1][1]) == f"Table{NB}1: Table caption."


def test_equations_are_numbered_and_referenced():
    doc, labels, _ = run("$$ E = mc^2 $$ {#eq-e}\n\nSee @eq-e.")
    span = next(elements(doc["blocks"], "Span"))
    assert span["c"][0][0] == "eq-e" and dict(span["c"][0][2])["quarto-number"] == "1"
    assert "{#eq-e}" not in stringify(doc["blocks"][0])
    assert stringify(doc["blocks"][-1]) == f"See Equation{NB}1."


def test_citations_are_left_for_citeproc_and_duplicates_are_reported():
    doc, labels, unresolved = run("# A {#sec-a}\n\n# B {#sec-a}\n\n@Smith2020 says.")
    assert labels.duplicates == ["sec-a"] and unresolved == []
    assert [c["c"][0][0]["citationId"] for c in elements(doc["blocks"], "Cite")] == ["Smith2020"]
    json.dumps(doc)  # still a valid AST


def test_reference_types_not_implemented_are_unresolved_not_citations():
    _, _, unresolved = run("See @thm-big and @lst-code.")
    assert unresolved == ["thm-big", "lst-code"]


@pytest.mark.parametrize("style, n, expected", [("arabic", 3, "3"), ("alpha a", 2, "b"), ("alpha A", 1, "A"),
                                                ("roman", 4, "IV"), ("roman i", 9, "ix"), (["*", "†"], 3, "*")])
def test_numbering_styles(style, n, expected):
    assert format_number(style, n) == expected


def test_an_unknown_language_is_refused():
    with pytest.raises(RenderError, match="lang `tlh`"):
        words({"lang": "tlh"}, None, "doc.qmd:1")
