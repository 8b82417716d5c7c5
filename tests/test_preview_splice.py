"""An edit inside one section: the spliced page is the page a whole write gives, byte for byte, and the
section sent to an open tab turns the last page into the new one; what depends on the rest of the page is
written whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.html
import pytest

from conftest import conformance_documents
from peerpaper import build
from peerpaper.preview import splice as splicing
from peerpaper.preview.pages import Pages
from peerpaper.preview.reuse import Reuse
from peerpaper.render import html
from peerpaper.render.prepare import prepare
from peerpaper.render.project import documents, load_project

FIXTURE = Path(__file__).parent / "fixtures" / "render-project"
EPOCH = "1756994400"

DISCUSSION = """
# Discussion {#sec-discussion}

First paragraph of the discussion, citing @BraunClarke2006.

Second paragraph, with *emphasis*, `code` and a [link](https://example.org).

- a list item
- another item

> A quotation in the discussion.

::: {.callout-note}
A note in a callout.
:::

| Column | Other |
|--------|-------|
| cell   | 1     |

The area is $\\pi r^2$ here.

A repeated paragraph.

Between the two.

A repeated paragraph.

Last paragraph of the discussion.

# References {.unnumbered}
"""

# (old text, new text, whether the page may be spliced)
EDITS = {
    "a word in a paragraph": ("Second paragraph,", "Second, edited paragraph,", True),
    "a paragraph inserted": ("Second paragraph,", "An inserted paragraph.\n\nSecond paragraph,", True),
    "a paragraph appended": ("Last paragraph of the discussion.", "Last paragraph of the discussion.\n\nMore.", True),
    "a paragraph deleted": ("Second paragraph, with *emphasis*, `code` and a [link](https://example.org).\n\n", "",
                            True),
    "a list item": ("another item", "another, edited item", True),
    "a quotation": ("A quotation in", "An edited quotation in", True),
    "a callout": ("A note in a callout.", "An edited note in a callout.", True),
    "a table cell": ("| cell   |", "| edited |", True),
    "maths": ("$\\pi r^2$", "$2 \\pi r$", True),
    "a citation already cited elsewhere": ("citing @BraunClarke2006", "citing @Kitzinger1995", True),
    "two edits in two sections": ("Second paragraph,", "Second, edited paragraph,", True),  # + the intro, below
    "a paragraph the page holds twice": ("A repeated paragraph.", "A repeated paragraph, edited.", False),
    "a paragraph made the same as another": ("Between the two.", "A repeated paragraph.", True),
    "a heading": ("# Discussion {#sec-discussion}", "# Discussion, edited {#sec-discussion}", False),
    "a footnote": ("Last paragraph of the discussion.", "Last paragraph.^[A new note.]", False),
    "an image": ("Last paragraph of the discussion.", "![A figure](../_build/figures/fig-demo.svg)", False),
    "raw HTML": ("Last paragraph of the discussion.", "Last <b>bold</b> paragraph.", True),
    "raw HTML naming a file": ("Last paragraph of the discussion.", 'Last <img src="x.png"> paragraph.', False),
    "raw HTML with a script": ("Last paragraph of the discussion.", "Last <script>var x;</script> paragraph.", False),
    "the title": ('title: "A Fixture Paper for the Renderer"', 'title: "An Edited Fixture Paper"', False),
    "the last citation of a work": ("stigma shapes violence [-@Armstrong2019]", "stigma shapes violence", False),
}


@pytest.fixture
def project(tmp_path):
    root = Path(shutil.copytree(FIXTURE, tmp_path / "project"))
    qmd = root / "paper" / "paper.qmd"
    qmd.write_text(qmd.read_text(encoding="utf-8").replace("\n# References {.unnumbered}\n", DISCUSSION),
                   encoding="utf-8")
    return root


def _input(root: Path, reuse: Reuse, name: str = "paper.qmd"):
    project = load_project(root)
    document = next(d for d in documents(project) if d.path.name == name)
    prepared = prepare(project, document, EPOCH, ["html"], reuse=reuse)["html"]
    return (prepared, *html.pandoc_input(prepared, root))


def _whole(prepared, doc, args, folder: Path) -> str:
    return html.write_input(prepared, doc, args, folder / "paper.html").read_text(encoding="utf-8")


def _tree(page: str):
    return lxml.html.tostring(lxml.html.document_fromstring(page.encode("utf-8")), encoding="unicode")


def _patched(page: str, section: tuple[str, str]) -> str:
    """The last page with the section replaced, as the open tab does it (`outerHTML`), serialised."""
    tree = lxml.html.document_fromstring(page.encode("utf-8"))
    old = tree.get_element_by_id(section[0])
    new = lxml.html.fragment_fromstring(section[1])
    new.tail = old.tail  # the text after the element is a node of its own in a browser's DOM: outerHTML keeps it
    old.getparent().replace(old, new)
    return lxml.html.tostring(tree, encoding="unicode")


@pytest.mark.parametrize("name", EDITS)
def test_a_spliced_page_is_the_whole_page_byte_for_byte(project, tmp_path, name):
    old, new, splices = EDITS[name]
    qmd = project / "paper" / "paper.qmd"
    reuse, splice = Reuse(), splicing.Splice()
    before = _input(project, reuse)
    last = _whole(*before, tmp_path)
    splice.remember(before[1], before[2], last)
    text = qmd.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    if name == "two edits in two sections":
        text = text.replace("The most common theme was", "The theme most common was", 1)
    qmd.write_text(text, encoding="utf-8")
    after = _input(project, reuse)
    spliced = splice.page(*after)
    whole = _whole(*after, tmp_path)
    assert whole != last
    if name == "two edits in two sections":  # one span from the first change to the last holds headings
        assert spliced is None
        return
    assert (spliced is not None) == splices, f"{name}: spliced {spliced is not None}, expected {splices}"
    if spliced:
        assert spliced.page == whole
        if spliced.section and name != "maths":  # a changed formula is typeset on load: the tab reloads
            assert _patched(last, spliced.section) == _tree(whole)
        assert name == "maths" or spliced.section, "an edit inside a section is patched into the open tab"


def test_an_unchanged_document_gives_the_last_page(project, tmp_path):
    splice = splicing.Splice()
    first = _input(project, Reuse())
    splice.remember(first[1], first[2], "the last page")
    assert splice.page(*_input(project, Reuse())) == splicing.Spliced("the last page", None)


def test_blocks_that_depend_on_the_page_are_never_spliced():
    para = {"t": "Para", "c": [{"t": "Str", "c": "x"}]}
    note = {"t": "Para", "c": [{"t": "Note", "c": [para]}]}
    header = {"t": "Header", "c": [1, ["a", [], []], [{"t": "Str", "c": "A"}]]}
    assert splicing.stands_alone(para) and not splicing.stands_alone(note)
    assert not splicing.stands_alone({"t": "Div", "c": [["", [], []], [header]]})
    assert splicing.changed([para, header], [para, header, para]) is None  # only a heading to take in
    assert splicing.changed([header, para], [header, para, para]) == (1, 2, 3)  # an insertion takes in one


def test_the_section_holding_a_change(tmp_path):
    page = ('<body><section id="a"><h1>A</h1><p>one</p><section id="b"><h2>B</h2><p>two</p></section>'
            '<script>"</section>"</script><p>three</p></section></body>')
    at = page.index("<p>two")
    assert splicing.section(page, at, len("<p>two</p>"))[0] == "b"
    at = page.index("<p>three")
    ident, body = splicing.section(page, at, len("<p>three</p>"))
    assert ident == "a" and body.startswith('<section id="a">') and body.endswith("<p>three</p></section>")
    assert splicing.section("<body><p>x</p></body>", 6, 8) is None


def test_the_paper_is_spliced_and_a_quick_page_that_differed_is_replaced(built_project, tmp_path, monkeypatch):
    plan = build.make_plan(root=built_project)
    pages = Pages(plan)
    pages.folder = tmp_path  # not the project's _build/preview: other tests share the built project
    document = pages.documents()[0]
    qmd = document.path
    original = qmd.read_text(encoding="utf-8")
    try:
        pages.render(document)
        qmd.write_text(original.replace("The paper proceeds as follows.",
                                        "A spliced sentence. The paper proceeds as follows.", 1), encoding="utf-8")
        shown, errors = pages.render(document)
        assert not errors and pages.patch and pages.patch[0] == "paper.html"
        assert "A spliced sentence." in pages.patch[2]
        assert pages.verify() == ({}, []), "the spliced paper is the whole paper"

        real = html.fragments
        wrong = lambda *a: [*real(*a)[:-1], real(*a)[-1].replace("sentence", "sentense")]  # noqa: E731
        monkeypatch.setattr(html, "fragments", wrong)  # the new blocks' HTML is wrong, the old is found
        qmd.write_text(original.replace("The paper proceeds as follows.",
                                        "Another spliced sentence. The paper proceeds as follows.", 1),
                       encoding="utf-8")
        shown, errors = pages.render(document)
        assert b"Another spliced sentense." in shown["paper.html"]  # the (deliberately) wrong quick page
        fixed, errors = pages.verify()
        assert errors == []
        assert b"Another spliced sentence." in fixed["paper.html"] and b"sentense" not in fixed["paper.html"]
        assert (tmp_path / "paper.html").read_bytes() == fixed["paper.html"]
    finally:
        qmd.write_text(original, encoding="utf-8")


def test_a_spliced_page_is_scanned_whole_and_an_identifier_is_never_shown(built_project, tmp_path, monkeypatch):
    plan = build.make_plan(root=built_project)
    pages = Pages(plan)
    pages.folder = tmp_path
    document = pages.documents()[0]
    qmd = document.path
    original = qmd.read_text(encoding="utf-8")
    address = "jo.bloggs@example.org"
    try:
        pages.render(document)
        whole_writes = []
        real = html.write_input
        monkeypatch.setattr(html, "write_input", lambda *a: whole_writes.append(a) or real(*a))
        qmd.write_text(original.replace("The paper proceeds as follows.",
                                        f"Write to {address}. The paper proceeds as follows.", 1), encoding="utf-8")
        shown, errors = pages.render(document)
        assert whole_writes == [], "the page was spliced (and then refused)"
        assert shown == {} and len(errors) == 1 and errors[0].startswith("FAILED scan paper.html")
        assert "email" in errors[0] and address not in errors[0]
        assert not (tmp_path / "paper.html").exists(), "the page with the address is not kept either"
        assert pages.verify() == ({}, []) and whole_writes == [], "nothing to check: no page was shown"
        qmd.write_text(original, encoding="utf-8")
        shown, errors = pages.render(document)
        assert not errors and address.encode() not in shown["paper.html"]
        assert shown["paper.html"] == (built_project / "_output" / "paper.html").read_bytes()
    finally:
        qmd.write_text(original, encoding="utf-8")


@pytest.mark.slow
def test_spliced_pages_are_whole_pages_on_quartos_own_documents(tmp_path):
    """Every HTML document of the conformance suite, after an inserted sentence, an added paragraph and a
    word added to the first " the ": wherever the page is spliced, it is the whole page."""
    from peerpaper.errors import PaperError

    spliced_pages = 0
    for root, qmd, formats in conformance_documents(tmp_path):
        if "html" not in formats:
            continue
        original = qmd.read_text(encoding="utf-8")
        for edited in (original.replace("\n\n", "\n\nAn inserted sentence.\n\n", 1),
                       original + "\n\nA paragraph added at the end.\n",
                       original.replace(" the ", " the edited ", 1)):
            reuse, splice = Reuse(), splicing.Splice()
            qmd.write_text(original, encoding="utf-8")
            try:
                before = _input(root, reuse, qmd.name)
                splice.remember(before[1], before[2], _whole(*before, tmp_path))
                qmd.write_text(edited, encoding="utf-8")
                after = _input(root, reuse, qmd.name)
                whole = _whole(*after, tmp_path)
            except PaperError:
                continue  # a refused document: nothing is shown either way
            spliced = splice.page(*after)
            if spliced is not None:
                assert spliced.page == whole, qmd.name
                spliced_pages += 1
    assert spliced_pages >= 40, spliced_pages
