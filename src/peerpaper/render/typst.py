"""The paper as PDF: pandoc writes Typst source with our template, the `typst` wheel compiles it.

No LaTeX. Fonts are the ones embedded in the typst wheel (system fonts are ignored) and the PDF's
timestamp is SOURCE_DATE_EPOCH, so the same sources give the same bytes everywhere.

Accessible: with Quarto's `pdf-standard: ua-1` (this project sets it) the PDF is tagged and declared PDF/UA-1
(Typst checks the rules it can: title, language, alt text, tags), headings and table header rows become
structure elements, and every image carries its alt text (`_alt_text`: pandoc's Typst writer drops it);
then a figure without `fig-alt` fails the render, naming it.
"""

from __future__ import annotations

import re
from pathlib import Path

import typst as typst_compiler

from . import language, pandoc
from .ast import stringify, walk
from .output import adapt_images, guard, temp_path, toc_args
from .prepare import Prepared, drop_notes, resource
from .project import RenderError

TEMPLATE = resource("paper.typ")


def source(prepared: Prepared, root: Path) -> str:
    """The Typst source pandoc writes for this document (citations already rendered by citeproc)."""
    meta = prepared.document.metadata
    blocks, alts = adapt_images(prepared, drop_notes(prepared.ast["blocks"]), "pdf", root)
    blocks = walk(_alt_text(prepared, blocks, alts), literal_shorthands)
    lang, _, region = str(meta.get("lang", "en")).partition("-")
    args = ["--standalone", "--template", str(TEMPLATE), "-V", f"lang-typst={lang}",
            *(["-V", f"region-typst={region}"] if region else []), *page_options(prepared), *toc_args(prepared, "pdf")]
    blocks = caption_rules(meta, prepared.document.where) + blocks
    # `-citations`: citeproc has already run; typst must not render the Cite elements a second time.
    out = pandoc.write(dict(prepared.ast, blocks=blocks), "typst-citations", None, args,
                       cwd=prepared.document.path.parent, epoch=prepared.epoch, what=str(prepared.document.path))
    return out.decode("utf-8")


_LABEL = re.compile(r"\n<([\w:.-]+)>\s*$")


def _closing_label(blocks: list, start: int) -> str | None:
    for item in blocks[start:]:
        if isinstance(item, dict) and item.get("t") == "RawBlock" and (label := _LABEL.search(item["c"][1])):
            return label.group(1)
    return None


_LENGTH = re.compile(r"^\d+(\.\d+)?(cm|mm|in|pt|em)$")
_MARGIN_SIDES = ("x", "y", "top", "bottom", "left", "right", "inside", "outside", "rest")


def page_options(prepared: Prepared) -> list[str]:
    """Quarto's Typst options as template variables, with Quarto's defaults (US letter, 1.25in margins)."""
    meta, where = prepared.document.metadata, prepared.document.where

    def length(key: str, value, at) -> str:
        if not _LENGTH.match(str(value)):
            raise RenderError(f"{where(*at)}: `{key}: {value}` is not a Typst length (e.g. 2.5cm, 1in, 11pt)")
        return str(value)

    def at(key: str) -> tuple:
        return (("format", "typst", key), (key,))

    margin = meta.get("margin", {"x": "1.25in", "y": "1.25in"})
    if not isinstance(margin, dict) or not margin or set(margin) - set(_MARGIN_SIDES):
        raise RenderError(f"{where(*at('margin'))}: a Typst `margin` is a map of {', '.join(_MARGIN_SIDES)}")
    margins = ", ".join(f"{side}: {length('margin', v, at('margin'))}" for side, v in margin.items())
    columns = meta.get("columns", 1)
    if not isinstance(columns, int) or isinstance(columns, bool) or columns < 1:
        raise RenderError(f"{where(*at('columns'))}: `columns` for Typst is a number of columns (1, 2, ...)")
    numbering = meta.get("page-numbering", "1")
    sections = meta.get("section-numbering") or ("1.1.a" if meta.get("number-sections") else None)
    papersize = str(meta.get("papersize", "us-letter"))
    if not re.fullmatch(r"[a-z0-9-]+", papersize):
        raise RenderError(f"{where(*at('papersize'))}: `papersize: {papersize}` is not a Typst paper name")
    words = language.words(meta, prepared.document.path, where(("lang",)))
    out = {"papersize": papersize, "margin": f"({margins},)", "columns": str(columns),
           "fontsize": length("fontsize", meta.get("fontsize", "11pt"), at("fontsize")),
           "page-numbering": "none" if numbering is False else '"' + str(numbering).replace('"', "") + '"',
           "abstract-title": str(meta.get("abstract-title") or words["section-title-abstract"]),
           "keywords-title": words["title-block-keywords"]}
    if sections:
        out["section-numbering"] = str(sections).replace('"', "")
    if columns > 1:
        out["columns-many"] = "true"
    return [arg for key, value in out.items() for arg in ("-V", f"{key}={value}")]


def caption_rules(meta: dict, where) -> list[dict]:
    """Quarto's fig-cap-location / tbl-cap-location as show rules at the top of the body (the template puts
    figure captions below and table captions above, Quarto's defaults)."""
    rules = []
    for kind, typst_kind, default in (("fig", "image", "bottom"), ("tbl", "table", "top")):
        position = _cap(meta, kind, where)
        if position != default:
            rules.append(f"#show figure.where(kind: {typst_kind}): set figure.caption(position: {position})")
    return [{"t": "RawBlock", "c": ["typst", "\n".join(rules)]}] if rules else []


def _cap(meta: dict, kind: str, where) -> str:
    value = meta.get(f"{kind}-cap-location", meta.get("cap-location", "bottom" if kind == "fig" else "top"))
    if value not in ("top", "bottom"):
        raise RenderError(f"{where(('format', 'typst', kind + '-cap-location'), (kind + '-cap-location',))}: "
                          f"`{kind}-cap-location: {value}` is not implemented by the built-in engine for Typst "
                          "(top or bottom; render with --engine quarto)")
    return value


# Typst markup turns "..." into an ellipsis, "-" before a digit into a minus sign and "-?" into a soft
# hyphen, and pandoc's writer does not escape them: text would change on the PDF page (a quote, a table cell).
_SHORTHAND = re.compile(r"\.\.\.|-(?=[\d?])")


def literal_shorthands(node):
    """Str text written so that Typst prints its characters as they are (an escaped raw Typst span each)."""
    if node["t"] != "Str" or not _SHORTHAND.search(node["c"]):
        return None
    out, at = [], 0
    for match in _SHORTHAND.finditer(node["c"]):
        if match.start() > at:
            out.append({"t": "Str", "c": node["c"][at:match.start()]})
        out.append({"t": "RawInline", "c": ["typst", "".join("\\" + c for c in match.group())]})
        at = match.end()
    if at < len(node["c"]):
        out.append({"t": "Str", "c": node["c"][at:]})
    return out



# ---- accessibility (PDF/UA-1) -------------------------------------------------------------------------

# Quarto's `pdf-standard` for Typst (quarto.org, typst options): what the built-in engine asks Typst for.
PDF_STANDARDS = ("1.4", "1.5", "1.6", "1.7", "2.0", "a-1b", "a-1a", "a-2b", "a-2u", "a-2a", "a-3b", "a-3u",
                 "a-3a", "a-4", "a-4f", "a-4e", "ua-1")


def pdf_standards(prepared: Prepared) -> list[str]:
    """The standards the document asks for with `pdf-standard` (none by default, as in Quarto)."""
    value = prepared.document.metadata.get("pdf-standard") or []
    wanted = [str(v) for v in (value if isinstance(value, list) else [value])]
    unknown = [v for v in wanted if v not in PDF_STANDARDS]
    if unknown:
        raise RenderError(f"{prepared.document.where(('format', 'typst', 'pdf-standard'), ('pdf-standard',))}: "
                          f"pdf-standard `{unknown[0]}` is not one Typst makes ({', '.join(PDF_STANDARDS)}; "
                          "render with --engine quarto)")
    return wanted


def _typst_string(value: str) -> str:
    return '"' + " ".join(value.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _alt_text(prepared: Prepared, blocks: list, alts: list[str]) -> list:
    """Each image as Typst's `image(path, alt: ...)`, in the order adapt_images found them (and their alts).

    A figure's image needs its own `fig-alt` (a caption says why a figure matters, not what it shows; using
    one as the other only silences validators); an image in running text has its description as alt."""
    found = iter(alts)

    strict = "ua-1" in pdf_standards(prepared)  # PDF/UA-1: a figure must say what it shows

    def image(node: dict, figure: str | None) -> dict:
        (_, _, attrs), description, (url, _) = node["c"]
        alt = next(found, "") or ("" if figure and strict else stringify(description))
        if strict and not alt.strip():
            name = figure or url
            raise RenderError(f"{prepared.where('#' + name if figure else url)}: figure {name} has no alt text: add "
                              f'fig-alt="what the image shows" (the PDF is PDF/UA-1: a screen reader reads it)')
        size = "".join(f", {k}: {v}" for k, v in attrs if k in ("width", "height") and _LENGTH.fullmatch(v))
        return {"t": "RawInline", "c": ["typst", f"#image({_typst_string(url)}{size}, alt: {_typst_string(alt)})"]}

    def visit(node, figure: str | None = None):
        if isinstance(node, list):  # floats.lower writes a figure as raw `#figure([` ... `]) <label>` blocks
            out, inside = [], figure
            for k, item in enumerate(node):
                raw = item.get("c")[1] if isinstance(item, dict) and item.get("t") == "RawBlock" else ""
                if raw.startswith("#figure(["):
                    inside = _closing_label(node, k) or "(unlabelled figure)"
                out.append(visit(item, inside))
                if _LABEL.search(raw):
                    inside = figure
            return out
        if not isinstance(node, dict) or "t" not in node:
            return node
        if node["t"] == "Image":
            return image(node, figure)
        if node["t"] == "Figure":
            figure = node["c"][0][0] or "(unlabelled figure)"
        return {**node, "c": visit(node["c"], figure)} if "c" in node else node

    return visit(blocks)


_LENGTH = re.compile(r"\d+(?:\.\d+)?(%|cm|mm|in|pt|em)")  # Typst lengths as pandoc would pass them


def write(prepared: Prepared, final: Path, root: Path) -> Path:
    text = source(prepared, root)
    guard(text, prepared, final.name)
    try:
        pdf = typst_compiler.compile(text.encode("utf-8"), root=str(root), ignore_system_fonts=True,
                                     timestamp=int(prepared.epoch), pdf_standards=pdf_standards(prepared))
    except Exception as err:  # typst raises its own TypstError with the source position
        hints = "; ".join(getattr(err, "hints", None) or [])
        raise RenderError(f"{prepared.document.path}:1: typst could not compile the PDF: {err}"
                          + (f" ({hints})" if hints else "")) from None
    temp = temp_path(final)
    temp.write_bytes(pdf)
    return temp
