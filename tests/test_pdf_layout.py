"""The PDF as a reader turns its pages: a quotation is never parted from its attribution, and a table's
caption never stands alone at the foot of a page, away from the table it names.

Pages are read with poppler's pdftotext, one page at a time; the quotations and table headers to look for
come from the HTML paper (the reference for what every format contains). The last test makes a PDF with
both faults (the paper's own template with its two rules taken out) and shows the checks report them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typst
from lxml import html

import readers
from peerpaper.render.floats import KEEP_WHOLE_ROWS

pytestmark = pytest.mark.slow
TEMPLATE = Path(__file__).resolve().parents[1] / "src" / "peerpaper" / "resources" / "paper.typ"


def page_texts(pdf: Path) -> list[str]:
    """Each page's text as pdftotext lays it out, line by line."""
    tool = readers.require_tool("pdftotext", "poppler-utils")
    return [page for page in readers._run(tool, "-layout", str(pdf), "-").stdout.split("\f") if page.strip()]


def flat(text: str) -> str:
    """Whitespace collapsed and words hyphenated across lines joined."""
    return " ".join(re.sub(r"-\n\s*", "", text).split())


def quotations(html_path: Path) -> list[tuple[str, str]]:
    """(first words, attribution) of every block quotation in the HTML paper."""
    out = []
    for quote in html.parse(str(html_path)).getroot().iter("blockquote"):
        paragraphs = [" ".join(p.text_content().split()) for p in quote.iter("p")]
        if len(paragraphs) >= 2 and re.fullmatch(r"\(.+\)", paragraphs[-1]):
            out.append((" ".join(paragraphs[0].split()[:4]), paragraphs[-1]))
    return out


def split_quote_problems(pages: list[str], quotes: list[tuple[str, str]]) -> list[str]:
    problems = []
    for opening, attribution in quotes:
        at = [i for i, text in enumerate(pages) if opening in flat(text) and attribution in flat(text)]
        if not at:
            where = [i + 1 for i, text in enumerate(pages) if attribution in flat(text)]
            problems.append(f"the quotation {opening!r}... and its attribution {attribution} are not on one page "
                            f"(attribution on page {where})")
    return problems


def stranded_caption_problems(pages: list[str], headers: list[list[str]]) -> list[str]:
    """Table N's caption (a line that starts "Table N:") and the first cell of its header row are on the
    same page."""
    problems = []
    for number, header in enumerate(headers, start=1):
        first = header[0] if header else ""
        for page_no, text in enumerate(pages, start=1):
            caption = re.search(rf"^\s*Table {number}: ", text, re.M)
            if caption and first and first not in flat(text[caption.end():]):
                problems.append(f"page {page_no}: the caption of Table {number} is at the foot of the page, its "
                                f"table ({first!r}...) on the next")
    return problems


def split_table_problems(pages: list[str], headers: list[list[str]], short: list[bool]) -> list[str]:
    """A short table (`short`) is not continued on the next page: a continued table repeats its header row
    at the head of that page (Typst's table.header), so that page must not open with it."""
    problems = []
    for number, (header, keep) in enumerate(zip(headers, short), start=1):
        if not keep or len(header) < 2:
            continue
        for page_no, text in enumerate(pages[:-1], start=1):
            if re.search(rf"^\s*Table {number}: ", text, re.M):
                opening = next((line for line in pages[page_no].splitlines() if line.strip()), "")
                if opening.split()[:1] == header[0].split()[:1] and header[1].split()[0] in opening:
                    problems.append(f"page {page_no}: Table {number} ({header[0]!r}...) goes on to the next page, "
                                    f"though it is short enough ({KEEP_WHOLE_ROWS} rows or fewer) to keep whole")
    return problems


@pytest.fixture(scope="module")
def site(request):
    return readers.output_folder(request)


def test_no_quotation_is_parted_from_its_attribution(site):
    quotes = quotations(site / "paper.html")
    assert len(quotes) > 10
    problems = split_quote_problems(page_texts(site / "paper.pdf"), quotes)
    assert not problems, readers.listed(problems)


def test_no_table_caption_is_left_at_the_foot_of_a_page(site):
    headers = readers.paper_contents(site / "paper.html")["table_headers"]
    problems = stranded_caption_problems(page_texts(site / "paper.pdf"), headers)
    assert not problems, readers.listed(problems)


def test_a_short_table_is_never_split_across_pages(site):
    contents = readers.paper_contents(site / "paper.html")
    short = [0 < len(rows) <= KEEP_WHOLE_ROWS for rows in contents["table_rows"]]
    assert sum(short) >= 5
    problems = split_table_problems(page_texts(site / "paper.pdf"), contents["table_headers"], short)
    assert not problems, readers.listed(problems)


def test_the_split_table_check_sees_a_split():
    pages = ["text\nTable 1: Codes.\nCode   Turns\nSafety 12", "\n  Code    Turns\nPractical help 9\nmore"]
    assert split_table_problems(pages, [["Code", "Turns"]], [True])
    assert not split_table_problems([pages[0], "Practical help 9"], [["Code", "Turns"]], [True])


QUOTE = "#quote(block: true)[\nHonestly, it is the small practical things, a lift, a number to call.\n\n\\(Zephrine, G03)\n]"
QUOTED = [("Honestly, it is the", "(Zephrine, G03)")]
TABLE = ("#figure(table(columns: 2, table.header([Code], [Turns]), ..range(30).map(i => [row #i])),\n"
         "  caption: [Table 1: A long table.], kind: table)")
HEADERS = [["Code", "Turns"]]


def laid_out(tmp_path: Path, body: str, protected: bool) -> list[str]:
    """The pages of `body` on A6, under the paper template's rules for quotes, figures and tables, with or
    without its two keep-together rules."""
    rules = [line for line in TEMPLATE.read_text(encoding="utf-8").splitlines()
             if line.startswith(("#set quote", "#show quote", "#show figure", "#set figure"))]
    if not protected:
        rules = [r for r in rules if "breakable: false" not in r and "sticky" not in r]
    pdf = tmp_path / "layout.pdf"
    pdf.write_bytes(typst.compile("\n".join(['#set page(paper: "a6")', *rules, body]).encode("utf-8")))
    return page_texts(pdf)


def first_faulty(tmp_path: Path, block: str, problems) -> int | None:
    """A filler length that puts `block` where the unprotected layout breaks it, if there is one."""
    for words in range(90, 200, 2):
        if problems(laid_out(tmp_path, f"#lorem({words})\n\n{block}", protected=False)):
            return words
    return None


def test_a_quotation_the_plain_layout_parts_from_its_attribution_stays_whole_in_the_paper_template(tmp_path):
    words = first_faulty(tmp_path, QUOTE, lambda pages: split_quote_problems(pages, QUOTED))
    assert words is not None, "no filler length parted the quotation: the check cannot be shown to work"
    assert not split_quote_problems(laid_out(tmp_path, f"#lorem({words})\n\n{QUOTE}", protected=True), QUOTED)


def test_a_caption_the_plain_layout_strands_stays_with_its_table_in_the_paper_template(tmp_path):
    words = first_faulty(tmp_path, TABLE, lambda pages: stranded_caption_problems(pages, HEADERS))
    assert words is not None, "no filler length stranded the caption: the check cannot be shown to work"
    assert not stranded_caption_problems(laid_out(tmp_path, f"#lorem({words})\n\n{TABLE}", protected=True), HEADERS)
