"""The paper as DOCX for co-authors: pandoc's docx writer with a reference document of real heading styles.

python-docx moves the synthetic-data notice above the title (pandoc always writes the title block first)
and made the reference document (`make_reference`); zip entries get fixed timestamps afterwards.
"""

from __future__ import annotations

from pathlib import Path

from . import pandoc
from .ast import div, text
from .output import adapt_images, guard, normalise_zip, temp_path, toc_args, zip_text
from .prepare import Prepared, drop_notes, resource
from .project import format_options

REFERENCE = resource("reference.docx")
NOTICE_STYLE = "Synthetic Notice"


def write(prepared: Prepared, final: Path, root: Path) -> Path:
    meta = prepared.document.metadata
    options = format_options(meta, "docx")
    blocks, _ = adapt_images(prepared, drop_notes(prepared.ast["blocks"]), "docx", root)
    front = []
    if prepared.notice:
        front.append(div("", [], [{"t": "Para", "c": text(prepared.notice)}], [("custom-style", NOTICE_STYLE)]))
    if meta.get("keywords"):
        words = "; ".join(str(k) for k in meta["keywords"])
        front.append({"t": "Para", "c": [{"t": "Strong", "c": text("Keywords:")}, {"t": "Space"}, *text(words)]})
    args = ["--reference-doc", str(REFERENCE)]
    if options.get("number-sections", meta.get("number-sections", False)):
        args.append("--number-sections")
    args += toc_args(prepared, "docx")
    temp = temp_path(final)
    pandoc.write(dict(prepared.ast, blocks=front + blocks), "docx", temp, args,
                 cwd=prepared.document.path.parent, epoch=prepared.epoch, what=str(prepared.document.path))
    if prepared.notice:
        _notice_first(temp)
    normalise_zip(temp, prepared.epoch)
    guard(zip_text(temp, r"^word/(document|footnotes)\.xml$"), prepared, final.name)
    return temp


def _notice_first(path: Path) -> None:
    import docx

    document = docx.Document(str(path))
    notice = next(p for p in document.paragraphs if p.style is not None and p.style.name == NOTICE_STYLE)
    body = document.element.body
    body.remove(notice._p)
    body.insert(0, notice._p)
    document.save(str(path))


def make_reference(out: Path) -> None:
    """Build resources/reference.docx from pandoc's default: conference-paper fonts and a notice style."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    stdout, _ = pandoc.run(["--print-default-data-file", "reference.docx"], b"", cwd=out.parent, epoch="0",
                           what="reference.docx")
    out.write_bytes(stdout)
    document = docx.Document(str(out))
    styles = document.styles
    for name, size in [("Normal", 11), ("Body Text", 11), ("First Paragraph", 11), ("Title", 20),
                       ("Subtitle", 14), ("Heading 1", 14), ("Heading 2", 12), ("Heading 3", 11)]:
        style = styles[name]
        style.font.name = "Cambria" if not name.startswith(("Heading", "Title", "Subtitle")) else "Calibri"
        style.font.size = Pt(size)
        if name.startswith("Heading"):
            style.font.color.rgb = RGBColor(0x1F, 0x4E, 0x8C)
    _callout_styles(styles)
    notice = styles.add_style(NOTICE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    notice.base_style = styles["Normal"]
    notice.font.bold = True
    notice.font.color.rgb = RGBColor(0x7A, 0x4F, 0x00)
    notice.paragraph_format.space_after = Pt(12)
    document.save(str(out))
    normalise_zip(out, "0")


_AFTER_SHD = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
              "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
              "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
              "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
              "w:rPr", "w:sectPr", "w:pPrChange")


def _callout_styles(styles) -> None:
    """Word styles for Quarto's callouts (render/callouts.py): a coloured left rule and, for the title, a
    tinted band in bold (python-docx has no paragraph borders or shading: they are set in the style's XML)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Pt

    from .callouts import COLOURS

    for kind, (colour, background) in COLOURS.items():
        for title in (False, True):
            style = styles.add_style(f"Callout {kind.capitalize()}{' Title' if title else ''}", WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
            style.paragraph_format.space_after = Pt(0 if title else 6)
            style.paragraph_format.space_before = Pt(6 if title else 0)
            style.font.bold = title
            border = parse_xml(f'<w:pBdr {nsdecls("w")}><w:left w:val="single" w:sz="24" w:space="8" '
                               f'w:color="{colour[1:]}"/></w:pBdr>')
            pPr = style.element.get_or_add_pPr()
            pPr.insert_element_before(border, *_AFTER_SHD)  # the schema's order: pBdr, shd, ..., spacing
            if title:
                shading = parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{background[1:]}"/>')
                pPr.insert_element_before(shading, *_AFTER_SHD[1:])
