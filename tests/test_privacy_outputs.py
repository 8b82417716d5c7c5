"""Reading each published format the whole way: every place a file can carry text is scanned."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import pytest

from peerpaper import privacy
from peerpaper.privacy import PrivacyError, scan_outputs
from peerpaper.privacy.outputs import code_digests

ROSTER = ["Kerry Blake", "Jolene"]
SECRET = "07700 900123"


def kinds(path: Path, **options) -> list[tuple[str, str]]:
    return [(h.kind, h.secret) for h in scan_outputs([path], ROSTER, **options)]


HTML_HIDING_PLACES = {
    "comment": f"<!-- call {SECRET} -->",
    "script string": f"<script>var contact = 'ring {SECRET}';</script>",
    "script comment": f"<script>/* ring {SECRET} */ var x = 1;</script>",
    "JSON script": f'<script type="application/json">{{"who": "ring {SECRET}"}}</script>',
    "style": f"<style>.a::after {{ content: 'ring {SECRET}'; }}</style>",
    "data attribute": f'<div data-contact="ring {SECRET}">x</div>',
    "href": '<a href="tel:07700900123">call us</a>',
    "meta content": f'<meta name="author" content="ring {SECRET}">',
    "title attribute": f'<span title="ring {SECRET}">x</span>',
    "iframe srcdoc": f'<iframe srcdoc="&lt;p&gt;ring {SECRET}&lt;/p&gt;"></iframe>',
    "noscript": f"<noscript>ring {SECRET}</noscript>",
    "template": f"<template><p>ring {SECRET}</p></template>",
    "text data URI": '<a href="data:text/plain;base64,' + base64.b64encode(f"ring {SECRET}".encode()).decode() + '">x</a>',
    "SVG data URI": '<img src="data:image/svg+xml;base64,' + base64.b64encode(
        f'<svg xmlns="http://www.w3.org/2000/svg"><text>ring {SECRET}</text></svg>'.encode()).decode() + '">',
    "split by inline markup": "<p>ring <b>07700</b> <i>900</i>123</p>",
}


@pytest.mark.parametrize("place", HTML_HIDING_PLACES)
def test_html_hides_nothing(tmp_path, place):
    page = tmp_path / "paper.html"
    page.write_text(f"<html><head></head><body><p>Nothing here.</p>{HTML_HIDING_PLACES[place]}</body></html>")
    assert [k for k, _ in kinds(page)] == ["phone"], place


def test_a_name_split_by_inline_markup_is_read_whole_but_blocks_stay_apart(tmp_path):
    page = tmp_path / "paper.html"
    page.write_text("<p>It was <b>Ker</b>ry Blake.</p><p>Jo</p><p>lene is a word only across two paragraphs.</p>")
    assert kinds(page) == [("name", "kerry blake")]


def test_vendored_scripts_known_by_their_bytes_are_skipped_and_nothing_else(tmp_path):
    library = tmp_path / "vendor" / "lib.js"
    library.parent.mkdir()
    library.write_text("/* by @someone, https://example.com */ var x = '07700 900999';")
    page = tmp_path / "slides.html"
    page.write_text(f"<html><body><script>{library.read_text()}</script>"
                    f"<script>var config = 'ring {SECRET}';</script></body></html>")
    known = code_digests(library.parent)
    assert kinds(page, known_code=known) == [("phone", SECRET)]
    assert len(kinds(page)) == 4  # the library's handle, URL and number count when it is not known


def test_svg_text_comments_and_links_are_read_but_not_path_geometry(tmp_path):
    figure = tmp_path / "fig.svg"
    figure.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<path d="M 07700 900123 L 0 0"/><!-- Jolene --><a xlink:href="https://t.me/kerrysw"><text>x</text></a></svg>')
    assert sorted(kinds(figure)) == [("name", "jolene"), ("url", "https://t.me/kerrysw")]


def test_an_svgs_embedded_image_wrapped_over_lines_is_not_read_as_text_but_what_follows_is(tmp_path):
    """matplotlib writes a raster inside an SVG as base64 wrapped over lines; its letters and digits are
    pixels, and a run such as "N1 4AF" in them is no postcode. Text after the payload is still read."""
    payload = "iVBORw0KGgoAAAANSUhEUgAA\nAAEAAAAB/N14AF/AYAAAAfFcSJ\nAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    figure = tmp_path / "fig.svg"
    figure.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        f'<image xlink:href="data:image/png;base64,\n{payload}"/>'
        f'<image xlink:href="data:image/png;base64,\n{payload} kerry.blake@example.org"/></svg>')
    assert [kind for kind, _ in kinds(figure)] == ["email"]  # the first image: nothing; the second: the address


def docx_with_hidden_text(path: Path) -> None:
    import docx
    from docx.shared import Inches

    document = docx.Document()
    document.core_properties.author = "Kerry Blake"
    paragraph = document.add_paragraph("Nothing to see.")
    document.add_comment(paragraph.runs, text=f"ring {SECRET}", author="reviewer")
    png = io.BytesIO(base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="))
    shape = document.add_picture(png, width=Inches(1))
    shape._inline.docPr.set("descr", "photo of t.me/kerrysw")
    document.save(path)


def test_docx_core_properties_comments_and_alt_text_are_read(tmp_path):
    path = tmp_path / "paper.docx"
    docx_with_hidden_text(path)
    found = kinds(path, allowlist=privacy.load_allowlist(privacy.SHIPPED_ALLOWLIST))
    assert sorted(found) == [("name", "kerry blake"), ("phone", SECRET), ("url", "t.me/kerrysw")]


def test_pptx_notes_alt_text_and_link_targets_are_read(tmp_path):
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Findings"
    run = slide.shapes.title.text_frame.paragraphs[0].runs[0]
    run.hyperlink.address = "https://linktr.ee/kerrysw"  # a link target behind harmless text
    slide.notes_slide.notes_text_frame.text = "Jolene said so"
    box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(2), Inches(1))
    box._element.nvSpPr.cNvPr.set("descr", f"ring {SECRET}")
    deck.core_properties.last_modified_by = "Kerry Blake"
    path = tmp_path / "slides.pptx"
    deck.save(path)
    found = kinds(path, allowlist=privacy.load_allowlist(privacy.SHIPPED_ALLOWLIST))
    assert sorted(found) == [("name", "jolene"), ("name", "kerry blake"), ("phone", SECRET),
                             ("url", "https://linktr.ee/kerrysw")]


def test_pdf_text_metadata_links_and_layout_breaks_are_read(tmp_path):
    import typst

    source = tmp_path / "paper.typ"
    source.write_text(
        '#set document(author: "Kerry Blake")\n#set page(width: 4cm, height: auto, margin: 2mm)\n'
        '#set text(size: 9pt, hyphenate: true)\n'
        '#link("https://t.me/kerrysw")[our channel] and a long sentence that ends by asking you to ring '
        '07700 900123 tonight.\n')
    path = tmp_path / "paper.pdf"
    typst.compile(str(source), output=str(path))
    found = kinds(path)
    assert ("name", "kerry blake") in found  # metadata
    assert ("url", "https://t.me/kerrysw") in found  # a link annotation's target
    assert [k for k, _ in found].count("phone") == 1  # whether or not the layout broke it over two lines


def test_png_text_chunks_are_read(tmp_path):
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Kerry Blake")
    path = tmp_path / "fig.png"
    Image.new("RGB", (2, 2)).save(path, pnginfo=info)
    assert kinds(path) == [("name", "kerry blake")]


def test_json_keys_are_read_as_well_as_values(tmp_path):
    path = tmp_path / "values.json"
    path.write_text('{"Kerry Blake": 3, "n": "ok"}')
    assert kinds(path) == [("name", "kerry blake")]


def test_a_file_the_scan_cannot_read_is_refused_not_passed(tmp_path):
    path = tmp_path / "notes.rtf"
    path.write_text("{\\rtf1 Kerry Blake}")
    with pytest.raises(PrivacyError, match=r"notes.rtf: the identifier scan cannot read .rtf files"):
        scan_outputs([path], ROSTER)


def test_a_nested_office_package_is_read(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("xl/sharedStrings.xml", f'<sst><si><t>ring {SECRET}</t></si></sst>')
    path = tmp_path / "slides.pptx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("ppt/slides/slide1.xml", "<p:sld xmlns:p='x'/>")
        z.writestr("ppt/embeddings/Microsoft_Excel_Worksheet.xlsx", inner.getvalue())
    assert kinds(path) == [("phone", SECRET)]


def test_a_generated_include_is_read_with_its_escapes_undone(tmp_path):
    """Quotes, tables and captions escape every punctuation mark of data text; a reader of the rendered
    page sees the plain identifier, so the scan before rendering must too, and name the line."""
    from peerpaper.literal import markdown_text

    quote = tmp_path / "q-value.md"
    said = ["all my links are on linktr.ee/zoeh now", "mail jo.bloggs@example.org", "follow @kerry_sw", "ring 07700 900123"]
    quote.write_text("".join(f"> {markdown_text(t)}\n>\n> (P1, G1)\n\n" for t in said), encoding="utf-8")
    found = [(h.kind, h.secret, h.where.rsplit(":", 1)[1]) for h in scan_outputs([quote])]
    assert found == [("url", "linktr.ee/zoeh", "1"), ("email", "jo.bloggs@example.org", "5"),
                     ("handle", "@kerry_sw", "9"), ("phone", SECRET, "13")]
