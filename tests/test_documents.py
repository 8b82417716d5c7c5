"""The PDF, DOCX and PPTX as their readers open them: a PDF viewer (poppler), Word and PowerPoint (the
python-docx / python-pptx object models, which read the same XML those programs do).

The HTML paper is the reference for what the other formats must contain: its section headings, figures and
table header rows. Checks live in tests/readers.py and return lists of problems; the last tests break a copy
(or hand-make a bad PDF) and show the same checks report it. Set PAPER_OUTPUTS=<folder> to run against an
`_output/` you already have.
"""

from __future__ import annotations

import docx
import pptx
import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

import readers

pytestmark = pytest.mark.slow
DECK_SLIDES = range(16, 19)  # a 15-minute talk: 16-18 slides (tests/test_deck.py)


@pytest.fixture(scope="module")
def outputs(request):
    return readers.output_folder(request)


@pytest.fixture(scope="module")
def paper(outputs):
    """What the HTML paper contains: headings, figure count, table header rows."""
    contents = readers.paper_contents(outputs / "paper.html")
    assert contents["figures"] and contents["table_headers"], "the HTML paper has no figures or tables"
    return contents


# --- PDF --------------------------------------------------------------------------------------------------

def test_pdf_every_page_renders(outputs, tmp_path):
    problems = readers.pdf_render_problems(outputs / "paper.pdf", tmp_path, dpi=40)
    assert not problems, readers.listed(problems)


def test_pdf_text_stays_on_the_page(outputs, tmp_path):
    problems = readers.pdf_text_outside_problems(outputs / "paper.pdf", tmp_path)
    assert not problems, readers.listed(problems)


def test_pdf_fonts_are_embedded(outputs):
    problems = readers.pdf_font_problems(outputs / "paper.pdf")
    assert not problems, readers.listed(problems)


def test_pdf_figures_are_drawn_where_captioned(outputs, paper):
    problems = readers.pdf_figure_problems(outputs / "paper.pdf", paper["figures"])
    assert not problems, readers.listed(problems)


# --- DOCX -------------------------------------------------------------------------------------------------

def test_docx_headings_use_word_heading_styles(outputs, paper):
    problems = readers.docx_heading_problems(outputs / "paper.docx", paper["headings"])
    assert not problems, readers.listed(problems)


def test_docx_figures_are_embedded_pictures_with_alt_text(outputs, paper):
    problems = readers.docx_figure_problems(outputs / "paper.docx", paper["figures"])
    assert not problems, readers.listed(problems)


def test_docx_tables_are_word_tables_with_their_headers(outputs, paper):
    problems = readers.docx_table_problems(outputs / "paper.docx", paper["table_headers"])
    assert not problems, readers.listed(problems)


# --- PPTX -------------------------------------------------------------------------------------------------

def test_pptx_slides_have_notes_and_described_pictures(outputs):
    problems = readers.pptx_problems(outputs / "slides.pptx")
    assert not problems, readers.listed(problems)


def test_pptx_text_stays_on_the_slide_and_off_the_pictures(outputs):
    assert readers.pptx_layout_problems(outputs / "slides.pptx") == []


def test_pptx_layout_check_reports_text_over_a_picture(outputs, tmp_path):
    deck = pptx.Presentation(outputs / "slides.pptx")
    slide = next(s for s in deck.slides if any(shape.shape_type == 13 for shape in s.shapes))
    picture = next(shape for shape in slide.shapes if shape.shape_type == 13)
    box = slide.shapes.add_textbox(picture.left, picture.top, picture.width, picture.height // 2)
    box.text_frame.text = "A sentence laid over the figure"
    deck.save(tmp_path / "slides.pptx")
    assert any("drawn over a picture" in p for p in readers.pptx_layout_problems(tmp_path / "slides.pptx"))


def test_pptx_has_a_conference_talks_number_of_slides(outputs):
    assert readers.pptx_slide_count(outputs / "slides.pptx") in DECK_SLIDES


# --- the checks can fail ----------------------------------------------------------------------------------

def _bad_pdf(path):
    """One 200x100pt page: a "Figure 1:" caption with no figure, a word beyond the right edge, and a
    Helvetica that is not embedded."""
    writer = PdfWriter()
    page = writer.add_blank_page(200, 100)
    helvetica = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                                  NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): helvetica})})
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 10 Tf 10 50 Td (Figure 1: A chart) Tj ET BT /F1 10 Tf 230 50 Td (Offpage) Tj ET")
    page.replace_contents(content)
    writer.write(path)
    return path


def test_pdf_checks_report_a_bad_pdf(tmp_path):
    pdf = _bad_pdf(tmp_path / "bad.pdf")
    assert readers.pdf_font_problems(pdf) == ["bad.pdf: font Helvetica is not embedded"]
    outside = readers.pdf_text_outside_problems(pdf, tmp_path)
    assert len(outside) == 1 and "'Offpage' runs outside the page" in outside[0]
    assert any("caption of Figure 1 but draws no figure" in p for p in readers.pdf_figure_problems(pdf, 1))


def test_docx_checks_report_a_broken_copy(outputs, paper, tmp_path):
    original = outputs / "paper.docx"
    document = docx.Document(original)
    document.inline_shapes[0]._inline.docPr.set("descr", "")
    heading = next(p for p in document.paragraphs if p.style.name.startswith("Heading"))
    heading.style = document.styles["Normal"]
    table = document.tables[0]._tbl
    table.getparent().remove(table)
    document.save(tmp_path / "paper.docx")

    def new_problems(check, *expected):
        return set(check(tmp_path / "paper.docx", *expected)) - set(check(original, *expected))

    assert any("has no alt text" in p for p in new_problems(readers.docx_figure_problems, paper["figures"]))
    assert any(f"{readers._heading_key(heading.text)!r} is not a Heading-styled paragraph" in p
               for p in new_problems(readers.docx_heading_problems, paper["headings"]))
    assert any("tables, the paper has" in p for p in new_problems(readers.docx_table_problems, paper["table_headers"]))


def test_pptx_check_reports_a_slide_without_notes(outputs, tmp_path):
    original = outputs / "slides.pptx"
    deck = pptx.Presentation(original)
    noted = next(i for i, slide in enumerate(deck.slides, start=1)
                 if slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip())
    deck.slides[noted - 1].notes_slide.notes_text_frame.text = ""
    deck.save(tmp_path / "slides.pptx")
    new = set(readers.pptx_problems(tmp_path / "slides.pptx")) - set(readers.pptx_problems(original))
    assert len(new) == 1 and f"slide {noted} " in new.pop()
