"""Scan every file that reaches a reader before it is published, and fail the build on any identifier.

Text is taken the way a reader meets it: HTML and SVG as visible text plus alt/title/aria-label attributes
(scripts, styles and embedded base64 images skipped: lxml parses the page, so reveal.js's own code is
never mistaken for prose); JSON string values; CSV cells; notebook outputs (source cells are code, not
output); Markdown/Quarto line by line with citation syntax understood; DOCX (python-docx), PPTX
(python-pptx) and PDF (pypdfium2) through their libraries. A hit found in a segment's text is named by that
segment's id (substring match), so the author knows which turn to fix in the data, not just where it
surfaced.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd
from lxml import etree, html

from .identifiers import Allowed, Hit, PrivacyError, scan_text

MARKDOWN = {".md", ".qmd", ".markdown"}
PLAIN = {".txt", ".yml", ".yaml", ".bib", ".tex", ".typ"}
_SKIP = {"script", "style", "noscript", "template", "metadata"}
_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")


def scan_outputs(
    files: Iterable[Path],
    roster: Iterable[str] = (),
    allowlist: Iterable[Allowed] = (),
    segments: pd.DataFrame | None = None,
    *,
    citation_keys: Iterable[str] = (),
) -> list[Hit]:
    """Every identifier in `files` (folders are walked), each mapped to its segment when it came from one."""
    roster, allowlist, keys = list(roster), list(allowlist), set(citation_keys)
    hits = []
    for path in _files(files):
        markdown = path.suffix.lower() in MARKDOWN
        for where, line, text in _texts(path):
            hits += scan_text(text, roster, allowlist, where=where, first_line=line, markdown=markdown, citation_keys=keys)
    return [_with_segment(hit, segments) for hit in hits] if segments is not None else hits


def check_outputs(files: Iterable[Path], roster=(), allowlist=(), segments=None, **options) -> None:
    """Raise PrivacyError naming file, segment and kind of every hit (never the identifier itself)."""
    hits = scan_outputs(files, roster, allowlist, segments, **options)
    if hits:
        lines = [f"{len(hits)} possible identifier(s) in outputs; fix the source or allowlist with a reason:"]
        raise PrivacyError("\n".join(lines + [str(hit) for hit in hits]))


def _files(files: Iterable[Path]) -> Iterator[Path]:
    for path in map(Path, files):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        else:
            yield path


def _texts(path: Path) -> Iterator[tuple[str, int | None, str]]:
    """(where, first line or None, text) for one file, by its format; unknown binary formats yield nothing."""
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".svg", ".xml"):
        yield from _markup(path, path.read_bytes(), str(path), numbered=True)
    elif suffix == ".json":
        yield from ((w, None, t) for w, t in _json(json.loads(path.read_text(encoding="utf-8")), f"{path}:$"))
    elif suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            for row_number, row in enumerate(csv.reader(handle), start=1):
                for column, cell in enumerate(row, start=1):
                    yield f"{path}:{row_number}:{column}", None, cell
    elif suffix == ".ipynb":
        yield from _notebook(path)
    elif suffix == ".docx":
        yield from _docx(path)
    elif suffix == ".pptx":
        yield from _pptx(path)
    elif suffix == ".pdf":
        yield from _pdf(path)
    elif suffix in MARKDOWN | PLAIN:
        yield str(path), 1, path.read_text(encoding="utf-8")


def _markup(path: Path, data: bytes, where: str, numbered: bool = False) -> Iterator[tuple[str, int | None, str]]:
    if not data.strip():
        return
    is_svg = path.suffix.lower() in (".svg", ".xml")
    root = etree.fromstring(data, etree.XMLParser(recover=True, huge_tree=True)) if is_svg else html.fromstring(data)
    for element in root.iter():
        inside_skipped = any(_tag(a) in _SKIP for a in element.iterancestors())
        line = (element.sourceline or 1) if numbered else None
        if _tag(element) and _tag(element) not in _SKIP and not inside_skipped:
            if element.text and element.text.strip():
                yield where, line, element.text
            for attribute in _ATTRIBUTES:
                if value := element.get(attribute):
                    yield where, line, value
        if element.tail and element.tail.strip() and not inside_skipped:
            yield where, line, element.tail


def _tag(element) -> str:
    return element.tag.rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""


def _json(value, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _json(item, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _json(item, f"{where}[{n}]")
    elif isinstance(value, str):
        yield where, value


def _notebook(path: Path) -> Iterator[tuple[str, int | None, str]]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        for output in cell.get("outputs", []):
            where = f"{path}:cell {number}"
            if "text" in output:
                yield where, None, _joined(output["text"])
            for mime, content in output.get("data", {}).items():
                if mime == "text/html" or mime == "image/svg+xml":
                    yield from _markup(Path("x.html" if mime == "text/html" else "x.svg"), _joined(content).encode(), where)
                elif mime.startswith("text/") or mime == "application/json":
                    yield where, None, _joined(content) if not isinstance(content, dict) else json.dumps(content)


def _joined(content) -> str:
    return "".join(content) if isinstance(content, list) else str(content)


def _docx(path: Path) -> Iterator[tuple[str, int | None, str]]:
    import docx

    document = docx.Document(str(path))
    for number, paragraph in enumerate(document.paragraphs, start=1):
        yield f"{path}:paragraph {number}", None, paragraph.text
    for t, table in enumerate(document.tables, start=1):
        for r, row in enumerate(table.rows, start=1):
            for cell in row.cells:
                yield f"{path}:table {t} row {r}", None, cell.text


def _pptx(path: Path) -> Iterator[tuple[str, int | None, str]]:
    from pptx import Presentation

    for number, slide in enumerate(Presentation(str(path)).slides, start=1):
        shapes = list(slide.shapes)
        if slide.has_notes_slide:
            shapes += list(slide.notes_slide.shapes)
        for shape in shapes:
            if shape.has_text_frame:
                yield f"{path}:slide {number}", None, shape.text_frame.text
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    for cell in row.cells:
                        yield f"{path}:slide {number}", None, cell.text


def _pdf(path: Path) -> Iterator[tuple[str, int | None, str]]:
    """Page text, with a URL that the layout broke over two lines joined again.

    pypdfium2 (PDFium, the engine of Chrome's viewer) reads the text about 30 times faster than pypdf."""
    import pypdfium2

    document = pypdfium2.PdfDocument(path.read_bytes())
    try:
        for number, page in enumerate(document, start=1):
            text = page.get_textpage().get_text_range().replace("\r\n", "\n")
            text = re.sub(r"(https?://\S*)\n(?=[./\w])", r"\1", text)
            yield f"{path}:page {number}", 1, text
    finally:
        document.close()


def _with_segment(hit: Hit, segments: pd.DataFrame) -> Hit:
    """Name the first segment whose text holds the identifier (case-insensitive), if any."""
    needle = hit.secret.casefold()
    for segment_id, text in zip(segments["segment_id"], segments["text"]):
        if needle in str(text).casefold():
            return Hit(hit.kind, hit.where, hit.excerpt, str(segment_id), secret=hit.secret)
    return hit
