"""Cross-references on the pandoc AST: numbering as the reader sees it, and what stays unresolved."""

import json

from peerpaper.render import pandoc
from peerpaper.render.ast import elements, stringify
from peerpaper.render.crossref import resolve

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


def test_numbers_and_references():
    doc, labels, unresolved = resolve(ast(MARKDOWN), number_sections=True)
    assert labels.names == {"sec-one": "Section 1", "sec-sub": "Section 1.1", "sec-two": "Section 2",
                            "fig-a": "Figure 1", "fig-b": "Figure 2", "tbl-x": "Table 1"}
    para = stringify(doc["blocks"][-1])
    assert para.startswith("See Figure 2, 1, Table 1, Section 1.1 and Section 2;")
    assert "Figure 1, Figure 2" in para
    assert unresolved == ["fig-gone"]
    captions = [stringify(f["c"][1][1]) for f in elements(doc["blocks"], "Figure")]
    assert captions == ["Figure 1: First.", "Figure 2: Second."]
    links = [l["c"][2][0] for l in elements(doc["blocks"], "Link")]
    assert links[:5] == ["#fig-b", "#fig-a", "#tbl-x", "#sec-sub", "#sec-two"]


def test_sections_without_numbers_are_named_by_their_title():
    _, labels, _ = resolve(ast(MARKDOWN), number_sections=False)
    assert labels.names["sec-sub"] == "One point one"


def test_citations_are_left_for_citeproc_and_duplicates_are_reported():
    doc, labels, unresolved = resolve(ast("# A {#sec-a}\n\n# B {#sec-a}\n\n@Smith2020 says."), True)
    assert labels.duplicates == ["sec-a"] and unresolved == []
    assert [c["c"][0][0]["citationId"] for c in elements(doc["blocks"], "Cite")] == ["Smith2020"]
    json.dumps(doc)  # still a valid AST
