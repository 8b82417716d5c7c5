"""Data text escaped for Markdown reads back, through pandoc, as exactly its own characters and nothing else.

A property test (hypothesis) over a hostile alphabet: every ASCII punctuation character, the words and
shapes of every construct that could act (shortcodes, raw spans, HTML, maths, citations, smart
punctuation, list markers, table pipes, entities), typographic and invisible Unicode. Pandoc parses the
escaped text as the paragraph, as a table cell and as an attribute value, and must give back one
paragraph of Str and Space nodes (one cell, one attribute) whose characters are the original ones.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from peerpaper.literal import csv_cell, markdown_text, plain_text
from peerpaper.render.pandoc import executable

# Quarto's reader is pandoc's markdown; the second reader adds the inline extensions an author could
# switch on with `from:` (emoji codes, ==highlight==, wiki links, bare URLs, ...) and must change nothing.
READERS = ["markdown", "markdown+emoji+mark+wikilinks_title_after_pipe+autolink_bare_uris+gfm_auto_identifiers"]

CONSTRUCTS = [
    "{{< include /etc/passwd >}}", "{{< var n >}}", "{{{< meta title >}}}", "`#read(\"/etc/passwd\")`{=typst}",
    "`<w:p/>`{=openxml}", "```{=html}", "<img src=x onerror=alert(1)>", "<script>", "<!--", "-->", "&amp;",
    "&#64;", "&lt;", "@Armstrong2019", "[@key, p. 3]", "@fig-x", "$x^2$", "$$", "\\(", "~~x~~", "H~2~O",
    "x^2^", "==m==", ":smile:", "\"--\"", "'s", "'q'", "...", "---", "<3", "1. ", "- ", "* ", "+ ", "# ",
    "> ", "| a |", "|---|", "[x](y)", "![a](b)", "[s]{.c}", "{#id}", "^[note]", "\\", "Mr. ", "e.g. ",
    "(1) ", "i. ", "A) ", "::: ", "=", "<https://x.org>", "*", "_", "**", "__", "\u00a0",
]
ALPHABET = st.sampled_from([chr(c) for c in range(0x21, 0x7F)] + list(" éüß\u0301–—…“”‘’€£\u200b\u202e\u2066\U0001F600中"))
hostile = st.lists(st.one_of(st.sampled_from(CONSTRUCTS), st.text(ALPHABET, min_size=1, max_size=4)),
                   min_size=1, max_size=12).map("".join)


def flat(text: str) -> str:
    return " ".join(text.split())


def parse(markdown: str, reader: str) -> list:
    done = subprocess.run([executable(), "--from", reader, "--to", "json"], input=markdown.encode(),
                          capture_output=True, check=True)
    return json.loads(done.stdout)["blocks"]


def inline_text(inlines: list) -> str:
    """The characters of a run of inlines that may hold only Str and Space; anything else fails."""
    out = []
    for node in inlines:
        assert node["t"] in ("Str", "Space"), f"pandoc made a {node['t']}: {node}"
        out.append(node["c"] if node["t"] == "Str" else " ")
    return "".join(out)


def paragraph_text(blocks: list) -> str:
    assert len(blocks) == 1 and blocks[0]["t"] == "Para", f"not one paragraph: {[b['t'] for b in blocks]}"
    return inline_text(blocks[0]["c"])


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("reader", READERS)
@SETTINGS
@given(text=hostile)
@example(text='He said "--" and ... <3 then 1. item @Armstrong2019 $x^2$ ~~x~~ H~2~O')
@example(text="1. a list? # heading? > quote? | pipe |")
@example(text="ends with a backslash \\")
def test_escaped_text_reads_back_as_its_own_characters(reader, text):
    if not flat(text):
        return
    escaped = markdown_text(text)
    assert "\n" not in escaped
    assert paragraph_text(parse(escaped, reader)) == flat(text)
    # as the block quote a quote file holds, after a "> " prefix
    quoted = parse(f"> {escaped}\n>\n> {markdown_text('(' + text + ', G01)')}\n", reader)
    assert [b["t"] for b in quoted] == ["BlockQuote"]
    assert [paragraph_text([b]) for b in quoted[0]["c"]] == [flat(text), flat(f"({text}, G01)")]


@SETTINGS
@given(text=hostile)
def test_escaped_text_is_one_table_cell_and_one_attribute_value(text):
    if not flat(text):
        return
    escaped = markdown_text(text)
    table = parse(f"| a | b |\n|---|---|\n| {escaped} | x |\n\n: {escaped} {{#tbl-x}}\n", READERS[0])
    assert [b["t"] for b in table] == ["Table"]
    caption, body = table[0]["c"][1], table[0]["c"][4][0]
    assert table[0]["c"][0][0] == "tbl-x"
    assert inline_text(caption[1][0]["c"]) == flat(text)
    cells = body[3][0][1]
    assert [inline_text(cell[4][0]["c"]) if cell[4] else "" for cell in cells] == [flat(text), "x"]
    figure = parse(f'![{escaped}](f.svg){{#fig-x fig-alt="{escaped}"}}\n', READERS[0])
    assert [b["t"] for b in figure] == ["Figure"]
    image = figure[0]["c"][2][0]["c"][0]
    assert image["t"] == "Image" and dict(image["c"][0][2]) == {"fig-alt": flat(text)}
    assert inline_text(image["c"][1]) == flat(text)


@given(text=hostile)
def test_plain_text_undoes_the_escaping(text):
    assert plain_text(markdown_text(text)) == flat(text)


def test_formula_cells_are_neutralised_and_numbers_kept():
    assert [csv_cell(v) for v in ["=1+2", "+SUM(A1)", "-2+3", "@SUM(1)", "\t=1", "\r=1", "=HYPERLINK(\"x\")"]] == [
        "'=1+2", "'+SUM(A1)", "'-2+3", "'@SUM(1)", "'\t=1", "'\r=1", "'=HYPERLINK(\"x\")"]
    assert [csv_cell(v) for v in ["-0.01", "-12", "+3", "-1,234.5", "-5%", "plain", "<3", "–", 7, -1.5]] == [
        "-0.01", "-12", "+3", "-1,234.5", "-5%", "plain", "<3", "–", 7, -1.5]


def test_typst_prints_data_text_as_typed():
    """Typst's own shorthands ("..." ellipsis, "-1" minus, "-?" soft hyphen) leave data text alone on the page."""
    import typst

    from peerpaper import pdftext

    from peerpaper.render.ast import walk
    from peerpaper.render.typst import literal_shorthands

    said = "wait... -1 and -0.01 a -? b -- c --- d \"q\" 'a' ~ // e /* f */ $x$ #g @h <i> = j"
    doc = json.loads(subprocess.run([executable(), "--from", "markdown", "--to", "json"],
                                    input=markdown_text(said).encode(), capture_output=True, check=True).stdout)
    doc["blocks"] = walk(doc["blocks"], literal_shorthands)
    source = subprocess.run([executable(), "--from", "json", "--to", "typst", "--standalone"],
                            input=json.dumps(doc).encode(), capture_output=True, check=True).stdout
    page = pdftext.read(typst.compile(source), links=False, bounded=True).pages[0]
    assert " ".join(page.text.split()).startswith(said)
