"""The PDF is accessible: tagged and declared PDF/UA-1, with title and language, headings as heading
elements, every figure with its alt text, tables with header cells; a figure without alt text fails.

Read with pypdf (the PDF's objects: catalog, XMP metadata, structure tree). Typst itself refuses to write a
PDF/UA-1 file that breaks the rules it checks; these tests check what a screen reader will find.
"""

from __future__ import annotations

import collections
import html
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

import readers
from peerpaper.render import RenderError, render

FIXTURE = Path(__file__).parent / "fixtures" / "render-project"
pytestmark = pytest.mark.slow


def structure(pdf: Path) -> dict:
    """The catalog's accessibility entries and the structure tree as {type: [elements]}."""
    catalog = PdfReader(pdf).trailer["/Root"]
    by_type: dict[str, list] = collections.defaultdict(list)
    stack = [catalog["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "/S" in node:
                by_type[str(node["/S"])].append(node)
            kids = node.get("/K")
            kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
            stack.extend(k.get_object() for k in kids)
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    return {"catalog": catalog, "xmp": xmp, "tree": by_type}


def children(node, kind: str) -> list:
    kids = node.get("/K")
    kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
    found = []
    for kid in (k.get_object() for k in kids):
        if isinstance(kid, dict) and kid.get("/S") == kind:
            found.append(kid)
        elif isinstance(kid, dict):
            found += children(kid, kind)
    return found


@pytest.fixture(scope="module")
def paper_pdf(request):
    return structure(readers.output_folder(request) / "paper.pdf")


def test_pdf_declares_pdf_ua_1_with_title_and_language(paper_pdf, built_project):
    catalog, xmp = paper_pdf["catalog"], paper_pdf["xmp"]
    assert re.search(r"<pdfuaid:part>1</pdfuaid:part>|pdfuaid:part=\"1\"", xmp), "no PDF/UA-1 identifier in XMP"
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject
    assert catalog["/Lang"] == "en-GB"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    title = re.search(r"^title:\s*\"(.+)\"", (built_project / "paper" / "paper.qmd").read_text(), re.M).group(1)
    assert title in xmp


def test_pdf_headings_follow_the_source(paper_pdf, built_project):
    source = (built_project / "paper" / "paper.qmd").read_text(encoding="utf-8")
    body = source.split("\n---\n", 1)[1]
    tree = paper_pdf["tree"]
    assert len(tree["/H1"]) == len(re.findall(r"^# ", body, re.M))
    assert len(tree["/H2"]) == len(re.findall(r"^## ", body, re.M))


def test_every_figure_carries_its_alt_text(paper_pdf, built_project):
    expected = []
    for name in readers.placed_figures(built_project / "_output"):
        include = (built_project / "_build" / "figures" / f"{name}.md").read_text(encoding="utf-8")
        written = re.search(r'fig-alt="((?:\\.|[^"\\])+)"', include).group(1)
        # the include writes data text escaped (markdown backslashes, HTML character references)
        expected.append(html.unescape(re.sub(r"\\(.)", r"\1", written)))
    alts = [str(f.get("/Alt", "")) for f in paper_pdf["tree"]["/Figure"]]
    assert len(alts) == len(expected) and all(alts)
    assert sorted(" ".join(a.split()) for a in alts) == sorted(" ".join(e.split()) for e in expected)


def test_tables_have_header_cells(paper_pdf, built_project):
    tables = paper_pdf["tree"]["/Table"]
    placed = re.findall(r"include \S*/tbl-[\w-]+\.md", (built_project / "paper" / "paper.qmd").read_text())
    with_headers = [t for t in tables if (heads := children(t, "/THead")) and children(heads[0], "/TH")]
    # every table the paper places has header cells (the title page's layout grid may be tagged as a table too)
    assert placed and len(with_headers) >= len(placed), f"{len(with_headers)} of {len(placed)} tables have header cells"


def test_a_figure_without_alt_text_fails_naming_it(tmp_path):
    project = Path(shutil.copytree(FIXTURE, tmp_path / "project"))
    include = project / "_build" / "figures" / "fig-demo.md"
    include.write_text(re.sub(r' fig-alt="[^"]*"', "", include.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(RenderError, match=r"fig-demo\.md:1: figure fig-demo has no alt text"):
        render(project, tmp_path / "out", formats=("pdf",))
    assert not (tmp_path / "out" / "paper.pdf").exists()


def test_alt_text_reaches_typst_as_literal_text(tmp_path):
    project = Path(shutil.copytree(FIXTURE, tmp_path / "project"))
    include = project / "_build" / "figures" / "fig-demo.md"
    attribute = 'fig-alt="Bars ) #panic(\\"x\\") and a \\\\ backslash"'  # as written in the .md
    include.write_text(re.sub(r'fig-alt="[^"]*"', lambda _: attribute, include.read_text(encoding="utf-8")),
                       encoding="utf-8")
    render(project, tmp_path / "out", formats=("pdf",))
    alts = [str(f.get("/Alt")) for f in structure(tmp_path / "out" / "paper.pdf")["tree"]["/Figure"]]
    assert alts == ['Bars ) #panic("x") and a \\ backslash']
