"""The deck as PPTX: pandoc's pptx writer (speaker notes from `::: notes`), then python-pptx for what pandoc
does not do: the synthetic-data notice and speaker notes on the title slide, and the figures' alt text
(pandoc writes the file name). Zip entries get fixed timestamps afterwards, so the bytes are reproducible.
"""

from __future__ import annotations

from pathlib import Path

from . import pandoc
from .output import adapt_images, guard, normalise_zip, temp_path, zip_text
from .prepare import Prepared
from .project import format_options


def write(prepared: Prepared, final: Path, root: Path) -> Path:
    options = format_options(prepared.document.metadata, "pptx")
    blocks, alts = adapt_images(prepared, prepared.ast["blocks"], "pptx", root)
    args = ["--slide-level", str(options.get("slide-level", 2))]
    if options.get("reference-doc"):
        args += ["--reference-doc", str((prepared.document.path.parent / options["reference-doc"]).resolve())]
    temp = temp_path(final)
    pandoc.write(dict(prepared.ast, blocks=blocks), "pptx", temp, args, cwd=prepared.document.path.parent,
                 epoch=prepared.epoch, what=str(prepared.document.path))
    title_notes = (prepared.document.metadata.get("title-slide-attributes") or {}).get("data-notes", "")
    _finish(temp, prepared.notice, alts, str(title_notes))
    normalise_zip(temp, prepared.epoch)
    guard(zip_text(temp, r"^ppt/(slides|notesSlides)/.*\.xml$"), prepared, final.name)
    return temp


def _finish(path: Path, notice: str, alts: list[str], title_notes: str) -> None:
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Pt

    deck = Presentation(str(path))
    pictures = [shape for slide in deck.slides for shape in slide.shapes if shape.shape_type == 13]
    for picture, alt in zip(pictures, alts):
        if alt:
            picture._element.nvPicPr.cNvPr.set("descr", alt)
    if notice and len(deck.slides):
        width, height = deck.slide_width, deck.slide_height
        box = deck.slides[0].shapes.add_textbox(Emu(width // 10), Emu(height * 80 // 100), Emu(width * 8 // 10),
                                                Emu(height // 10))
        box.name = "Synthetic data notice"
        frame = box.text_frame
        frame.word_wrap = True
        run = frame.paragraphs[0].add_run()
        run.text = notice
        run.font.bold = True
        run.font.size = Pt(16)
        run.font.color.rgb = RGBColor(0x7A, 0x4F, 0x00)
    if title_notes and len(deck.slides):  # Quarto's `title-slide-attributes: data-notes:`
        deck.slides[0].notes_slide.notes_text_frame.text = title_notes
    for slide in deck.slides:
        _text_below_picture(slide, deck.slide_height)
    deck.save(str(path))


def _text_below_picture(slide, slide_height: int) -> None:
    """Pandoc lays a figure and the text after it over the same area: shrink the picture (keeping its
    shape) so that its caption and then the text sit below it, inside the slide."""
    from pptx.enum.text import MSO_AUTO_SIZE

    pictures = [s for s in slide.shapes if s.shape_type == 13]
    if len(pictures) != 1:
        return
    picture = pictures[0]
    bottom = picture.top + picture.height
    boxes = [s for s in slide.shapes if s.is_placeholder and s.placeholder_format.idx != 0 and s.has_text_frame
             and s.text_frame.text.strip()]
    captions = [s for s in boxes if s.top >= bottom]  # pandoc puts the caption right under the picture
    texts = [s for s in boxes if s.top < bottom]  # ...and the slide's text over it
    if not texts:
        return
    margin, line = slide_height // 50, slide_height // 9  # room for one short line of text
    available = slide_height - picture.top - sum(c.height for c in captions) - line - 2 * margin
    if picture.height > available:
        centre = picture.left + picture.width // 2
        picture.width = int(picture.width * available / picture.height)
        picture.height = int(available)
        picture.left = centre - picture.width // 2
    top = picture.top + picture.height
    for caption in captions:
        caption.top, top = top, top + caption.height
    for text in texts:  # a placeholder inherits its box from the layout: give it all four sides
        left, width = text.left, text.width
        text.left, text.top, text.width, text.height = left, top + margin, width, line
        text.text_frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # PowerPoint shrinks a longer line
