"""The deck as PPTX: pandoc's pptx writer (speaker notes from `::: notes`), then python-pptx for what pandoc
does not do: the synthetic-data notice and speaker notes on the title slide, and the figures' alt text
(pandoc writes the file name). Zip entries get fixed timestamps afterwards, so the bytes are reproducible.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import pandoc
from .output import adapt_images, guard, normalise_zip, temp_path, toc_args, zip_text
from .prepare import Prepared
from .project import RenderError, format_options


def write(prepared: Prepared, final: Path, root: Path) -> Path:
    options = format_options(prepared.document.metadata, "pptx")
    blocks, alts = adapt_images(prepared, prepared.ast["blocks"], "pptx", root)
    meta = prepared.document.metadata
    args = ["--slide-level", str(meta.get("slide-level", 2)), *toc_args(prepared, "pptx")]
    if meta.get("incremental"):
        args.append("--incremental")
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
    if len(deck.slides):
        _lay_out_title_slide(deck.slides[0], deck.slide_width, deck.slide_height)
    if notice and len(deck.slides):
        width, height = deck.slide_width, deck.slide_height
        box = deck.slides[0].shapes.add_textbox(Emu(width // 10), Emu(height * 79 // 100), Emu(width * 8 // 10),
                                                Emu(height // 9))
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
    _panel_captions(deck)
    _pauses(deck)
    for slide in deck.slides:
        _text_below_picture(slide, deck.slide_height)
        for shape in slide.shapes:
            _fit(shape)
    deck.save(str(path))


def _pauses(deck) -> None:
    """Quarto's pauses (`. . .`): what follows one appears on the next click, as PowerPoint animates it.

    pandoc leaves a pause as a paragraph of its own (marked by slides.mark_pauses): it is removed, and the
    paragraphs after it in that text box (or, when it ends the box, the shapes after the box) become a
    click step in the slide's timing."""
    from lxml import etree

    from .slides import PAUSE_MARK, pause_timing

    for slide in deck.slides:
        shapes = list(slide.shapes)
        steps: list[list[tuple[int, int | None]]] = []
        for index, shape in enumerate(shapes):
            if not shape.has_text_frame or PAUSE_MARK not in shape.text_frame.text:
                continue
            groups: list[list] = [[]]
            for paragraph in list(shape.text_frame.paragraphs):
                if paragraph.text.strip() == PAUSE_MARK:
                    paragraph._p.getparent().remove(paragraph._p)
                    groups.append([])
                else:
                    groups[-1].append(paragraph)
            position = len(groups[0])
            for group in groups[1:]:
                if group:
                    steps.append([(shape.shape_id, position + i) for i in range(len(group))])
                    position += len(group)
                else:  # the pause ends the box: what comes after it on the slide follows the click
                    later = [(s.shape_id, None) for s in shapes[index + 1:]]
                    if later:
                        steps.append(later)
        if steps:
            if slide._element.find("{http://schemas.openxmlformats.org/presentationml/2006/main}timing") is not None:
                title = slide.shapes.title.text_frame.text if slide.shapes.title is not None else f"slide {slide.slide_id}"
                raise RenderError(f"slides: the slide \"{title}\" has both pauses and an incremental list, which the "
                                  "built-in engine cannot animate together in PowerPoint (render with --engine quarto)")
            timing = etree.fromstring(pause_timing(steps).replace(
                "<p:timing>", '<p:timing xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">', 1))
            slide._element.append(timing)


def _panel_captions(deck) -> None:
    """A figure panel's caption, which pandoc moved to a slide of its own, goes back under the panel."""
    from pptx.util import Emu

    from .floats import PANEL_CAPTION

    ids = deck.slides._sldIdLst
    for index, slide in reversed(list(enumerate(deck.slides))):
        boxes = [s for s in slide.shapes if s.has_text_frame and s.text_frame.text.startswith(PANEL_CAPTION)]
        if not boxes or index == 0:
            continue
        panel = deck.slides[index - 1]
        text = boxes[0].text_frame.text[len(PANEL_CAPTION):]
        width, height = deck.slide_width, deck.slide_height
        box = panel.shapes.add_textbox(Emu(width // 20), Emu(height * 85 // 100), Emu(width * 9 // 10), Emu(height // 10))
        box.name = "Panel caption"
        box.text_frame.word_wrap = True
        box.text_frame.text = text
        entry = list(ids)[index]
        deck.part.drop_rel(entry.rId)
        ids.remove(entry)


# Pandoc's title slide stacks a long title, the subtitle and authors, and puts the date (here the session)
# in a small footer box: give each a band of its own, top to bottom, the notice (if any) last.
TITLE_BANDS = {"Title": (0.04, 0.28), "Subtitle": (0.33, 0.30), "Date": (0.65, 0.12)}
FIT_POINTS = {"Title": 32, "Subtitle": 18, "Date": 14}  # the largest size text may keep; it shrinks to fit
BODY_POINTS, CAPTION_POINTS, SMALLEST_POINTS = 24, 14, 10
CAPTION = re.compile(r"^\w+\u00a0\w+\S*\s|^\(\w+\)\s")  # "Figure 1: ...", "(a) ..." (Quarto's no-break space)


def _lay_out_title_slide(slide, width: int, height: int) -> None:
    for shape in slide.placeholders:
        band = next((b for name, b in TITLE_BANDS.items() if shape.name.startswith(name)), None)
        if band:
            shape.left, shape.width = width // 20, width * 9 // 10
            shape.top, shape.height = int(height * band[0]), int(height * band[1])


def _fit(shape) -> None:
    """Shrink a text box's type until its text fits the box (python-pptx measures it with DejaVu Sans,
    which matplotlib ships), so nothing runs off a slide in PowerPoint or LibreOffice alike."""
    if not shape.has_text_frame or not shape.text_frame.text.strip() or shape.width is None:
        return
    if shape.is_placeholder and shape.placeholder_format.idx == 0 and not shape.name.startswith("Title 1"):
        return
    name = shape.name.split()[0]
    if shape.is_placeholder and shape.placeholder_format.idx == 0:
        limit = FIT_POINTS["Title"] if _on_title_slide(shape) else None
    elif name in FIT_POINTS and _on_title_slide(shape):
        limit = FIT_POINTS[name]
    elif CAPTION.match(shape.text_frame.text):
        limit = CAPTION_POINTS
    else:
        limit = BODY_POINTS
    if limit is None:
        return
    from pptx.text.layout import TextFitter
    from pptx.util import Pt

    frame = shape.text_frame
    # measured in 80% of the box: bullets, indents and the reader's own font take the rest
    room = (shape.width * 8 // 10, shape.height * 8 // 10)
    try:
        size = TextFitter.best_fit_font_size(frame.text, room, limit, _MEASURING_FONT)
    except (TypeError, ValueError):  # a word wider than the box (a long URL): no size fits it whole
        size = SMALLEST_POINTS
    frame.word_wrap = True
    for paragraph in frame.paragraphs:  # only the size: bold, italics and links stay as pandoc wrote them
        for run in paragraph.runs:
            run.font.size = Pt(size)


def _on_title_slide(shape) -> bool:
    return shape.part.slide_layout.name == "Title Slide"


_MEASURING_FONT = str(Path(__import__("matplotlib").get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")


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
