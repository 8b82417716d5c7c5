"""Scan every file that reaches a reader before it is published, and fail the build on any identifier.

Every byte a reader could meet counts, not only what a browser paints: HTML and SVG as visible text
(inline elements joined, as a reader reads "<b>Ker</b>ry"), every attribute value, comments, script and
style text (a vendored library whose bytes are known, reveal.js, is skipped; CSS at-rules are not
handles), text-like data: URIs; JSON keys and string values; CSV cells; notebook outputs; Markdown/Quarto
with citation syntax understood, read with its backslash escapes undone (a generated include writes
"jo\\.b\\@example\\.org"); DOCX and PPTX as every XML part of the package (body, notes, comments,
footnotes, alt text `descr`, core and custom properties, link targets); PDF page text, metadata and link
targets (pypdfium2, see pdftext.py); PNG text chunks. A file of any other kind is refused: nothing is
published unread. A hit found in a segment's text is named by that segment's id (matched on the folded
text), so the author knows which turn to fix in the data, not just where it surfaced.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pandas as pd
from lxml import etree, html

from ..literal import plain_text
from .identifiers import BIDI, Allowed, Hit, PrivacyError, Rules, scan_text
from .reading import fold_text

MARKDOWN = {".md", ".qmd", ".markdown"}
PLAIN = {".txt", ".yml", ".yaml", ".bib", ".tex", ".typ", ".js", ".css"}
MARKUP = {".html", ".htm", ".svg", ".xml"}
IMAGES = {".png"}
OFFICE = {".docx", ".pptx", ".xlsx"}
SCANNED = MARKDOWN | PLAIN | MARKUP | IMAGES | OFFICE | {".json", ".csv", ".ipynb", ".pdf"}
_CODE = {"script", "style"}
_INLINE = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins", "kbd",
           "label", "mark", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "time",
           "tt", "u", "var", "wbr", "img", "tspan", "textpath"}
# SVG attributes that hold coordinates and measures (a path's digits are not a phone number)
_GEOMETRY = {"d", "points", "transform", "viewbox", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry",
             "dx", "dy", "width", "height", "offset", "stroke-dasharray", "stroke-width", "stroke-miterlimit",
             "font-size", "gradienttransform", "patterntransform", "preserveaspectratio", "rotate", "textlength"}
# A base64 payload may be wrapped over lines (matplotlib writes an SVG's embedded PNG so, and browsers skip
# the whitespace): it runs on over whitespace while the base64 alphabet continues, so that the image's
# bytes are never read as text; any other character ends it, and what follows is read as text again.
_DATA_URI = re.compile(r"data:([a-z]+/[a-z0-9.+-]+)?((?:;[a-z0-9-]+=[^;,]*)*)(;base64)?,"
                       r"((?(3)[A-Za-z0-9+/=\s]*|[^\"')\s]*))", re.I)
_TEXT_MIME = re.compile(r"^(?:text/|image/svg|application/(?:json|xml|xhtml|javascript|ld\+json))", re.I)
_CSS_AT_RULE = re.compile(r"@(?:media|font-face|import|keyframes|-webkit-keyframes|supports|page|charset|namespace|"
                          r"layer|container|property|counter-style|font-feature-values|document)\b", re.I)


def scan_outputs(
    files: Iterable[Path],
    roster: Iterable[str] = (),
    allowlist: Iterable[Allowed] = (),
    segments: pd.DataFrame | None = None,
    *,
    citation_keys: Iterable[str] = (),
    known_code: Iterable[str] = (),
) -> list[Hit]:
    """Every identifier in `files` (folders are walked), each mapped to its segment when it came from one.

    `known_code`: SHA-256 digests of vendored scripts (reveal.js) whose bytes are skipped."""
    rules, known = Rules(roster, allowlist, citation_keys), frozenset(known_code)
    hits = []
    for path in _files(files):
        markdown = path.suffix.lower() in MARKDOWN
        for where, line, text in texts(path, known):
            hits += scan_text(text, where=where, first_line=line, markdown=markdown, rules=rules)
    return _with_segments(hits, segments) if segments is not None else hits


def check_outputs(files: Iterable[Path], roster=(), allowlist=(), segments=None, **options) -> None:
    """Raise PrivacyError naming file, segment and kind of every hit (never the identifier itself)."""
    hits = scan_outputs(files, roster, allowlist, segments, **options)
    if hits:
        raise PrivacyError(report(hits))


def report(hits: list[Hit]) -> str:
    """All hits, one a line, under a line that says how many and what to do."""
    lines = [f"{len(hits)} possible identifier(s); fix the source or allowlist with a reason (bidi controls cannot be allowlisted):"]
    return "\n".join(lines + [f"  {hit}" for hit in hits])


def code_digests(folder: Path) -> set[str]:
    """SHA-256 of every script under `folder`, as a page embeds it (so the scan can skip vendored code)."""
    folder = Path(folder)
    if not folder.is_dir():
        return set()
    return {_digest(p.read_text(encoding="utf-8", errors="replace").replace("</script", "<\\/script"))
            for p in folder.rglob("*.js") if p.is_file()}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _files(files: Iterable[Path]) -> Iterator[Path]:
    for path in map(Path, files):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        else:
            yield path


def texts(path: Path, known_code: frozenset[str] = frozenset()) -> Iterator[tuple[str, int | None, str]]:
    """(where, first line or None, text) for one file, by its format; a format it cannot read is refused."""
    suffix = path.suffix.lower()
    if suffix in MARKUP:
        yield from _markup(path.read_bytes(), str(path), svg=suffix != ".html" and suffix != ".htm", known=known_code)
    elif suffix == ".json":
        yield from ((w, None, t) for w, t in _json(json.loads(path.read_text(encoding="utf-8")), f"{path}:$"))
    elif suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            for row_number, row in enumerate(csv.reader(handle), start=1):
                for column, cell in enumerate(row, start=1):
                    yield f"{path}:{row_number}:{column}", None, cell
    elif suffix == ".ipynb":
        yield from _notebook(path)
    elif suffix in OFFICE:
        yield from _office(path)
    elif suffix == ".pdf":
        yield from _pdf(path)
    elif suffix in IMAGES:
        yield from _png(path)
    elif suffix in MARKDOWN:  # generated includes escape every punctuation mark of data text: read it unescaped
        yield str(path), 1, plain_text(path.read_text(encoding="utf-8"))
    elif suffix in PLAIN:
        yield str(path), 1, path.read_text(encoding="utf-8")
    else:
        raise PrivacyError(f"{path}: the identifier scan cannot read {suffix or 'extension-less'} files, so it is not published")


# ---- markup -----------------------------------------------------------------------------------------

def _markup(data: bytes, where: str, svg: bool = False, known: frozenset[str] = frozenset(),
            numbered: bool = True) -> Iterator[tuple[str, int | None, str]]:
    if not data.strip():
        return
    parser = etree.XMLParser(recover=True, huge_tree=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser) if svg else html.fromstring(data)
    if root is None:
        return
    tree = root.getroottree()
    for node in tree.iter(etree.Comment, etree.ProcessingInstruction):
        if node.text and node.text.strip():
            yield where, _line(node, numbered), node.text
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name.rsplit("}", 1)[-1].lower() not in _GEOMETRY:
                yield from _attribute(value, where, _line(element, numbered), known)
        if _tag(element) in _CODE and element.text:
            yield from _code(element, where, _line(element, numbered), known)
    for line, text in _blocks(root, numbered):
        if text.strip():
            yield where, line, text


def _line(node, numbered: bool) -> int | None:
    return (node.sourceline or 1) if numbered else None


def _blocks(root, numbered: bool) -> list[tuple[int | None, str]]:
    """Visible text, one piece per block element, inline elements joined as a reader joins them."""
    blocks: list[tuple[int | None, list[str]]] = []

    def walk(element, into: list[str]) -> None:
        tag = _tag(element)
        if tag in _CODE or not isinstance(element.tag, str):
            if element.tail:
                into.append(element.tail)
            return
        if tag in _INLINE:
            target = into
        else:
            into.append("\n")
            target = []
            blocks.append((_line(element, numbered), target))
        if tag == "br":
            into.append("\n")
        if element.text:
            target.append(element.text)
        for child in element:
            walk(child, target)
        if element.tail:
            into.append(element.tail)

    top: list[str] = []  # the root's own text, when the root is inline (a fragment such as "<b>…</b>")
    blocks.append((_line(root, numbered), top))
    walk(root, top)
    return [(line, "".join(parts)) for line, parts in blocks]


def _attribute(value: str, where: str, line: int | None, known) -> Iterator[tuple[str, int | None, str]]:
    """An attribute as text, with any data: URI it holds decoded when it is text, skipped when binary."""
    rest = _DATA_URI.sub(" ", value)
    if rest.strip():
        yield where, line, rest
    for uri in _DATA_URI.finditer(value):
        yield from _data_uri(uri, where, line, known)


def _data_uri(uri: re.Match, where: str, line: int | None, known) -> Iterator[tuple[str, int | None, str]]:
    mime, _, is_base64, payload = uri.groups()
    if not _TEXT_MIME.match(mime or "text/plain"):
        return  # an image or a font: pixels and glyphs, no text to read (figures are scanned as artifacts)
    try:
        compact = re.sub(r"\s+", "", payload)
        raw = base64.b64decode(compact + "=" * (-len(compact) % 4)) if is_base64 else unquote_to_bytes(payload)
    except ValueError:
        yield where, line, payload  # not decodable: read as it stands
        return
    if re.search(r"svg|html|xml", mime or "", re.I):
        yield from _markup(raw, f"{where} (embedded {mime})", svg="svg" in mime.lower() or "xml" in mime.lower(),
                           known=known, numbered=False)
    else:
        yield where, line, raw.decode("utf-8", "replace")


def _code(element, where: str, line: int | None, known) -> Iterator[tuple[str, int | None, str]]:
    """A script's or a stylesheet's text, all of it (strings, comments and code alike): data that reached a
    script would be a leak however it got there. Vendored scripts known by their bytes are skipped."""
    text = element.text
    if _tag(element) == "script":
        if _digest(text) in known:
            return
        kind = (element.get("type") or "").lower()
        if "json" in kind:
            try:
                yield from ((f"{where}:{line}", None, t) for _, t in _json(json.loads(text), ""))
                return
            except ValueError:
                pass
        yield where, line, _DATA_URI.sub(" ", text)
    else:
        yield where, line, _CSS_AT_RULE.sub(" ", _DATA_URI.sub(" ", text))
    for uri in _DATA_URI.finditer(text):
        yield from _data_uri(uri, where, line, known)


def _tag(element) -> str:
    return element.tag.rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""


def _json(value, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{where} (key)", str(key)
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
                if mime in ("text/html", "image/svg+xml"):
                    yield from _markup(_joined(content).encode(), where, svg=mime != "text/html", numbered=False)
                elif mime.startswith("text/") or mime == "application/json":
                    yield where, None, _joined(content) if not isinstance(content, dict) else json.dumps(content)


def _joined(content) -> str:
    return "".join(content) if isinstance(content, list) else str(content)


# ---- packaged documents -------------------------------------------------------------------------------

def _office(path: Path) -> Iterator[tuple[str, int | None, str]]:
    """Every XML part of an Office package: runs joined per paragraph (w:p, a:p), other text per element,
    every attribute (alt text `descr`, titles, link targets in the .rels parts); nested packages too."""
    with zipfile.ZipFile(path) as package:
        for info in package.infolist():
            name = info.filename
            where = f"{path}:{name}"
            if name.lower().endswith((".xml", ".rels", ".vml")):
                yield from _office_xml(package.read(info), where)
            elif name.lower().endswith((".docx", ".pptx", ".xlsx")):
                yield from _nested_office(package.read(info), where)


def _nested_office(data: bytes, where: str) -> Iterator[tuple[str, int | None, str]]:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for info in package.infolist():
            if info.filename.lower().endswith((".xml", ".rels")):
                yield from _office_xml(package.read(info), f"{where}!{info.filename}")


_RUN_TEXT = {"t", "instrtext", "deltext", "delinstrtext"}


def _office_xml(data: bytes, where: str) -> Iterator[tuple[str, int | None, str]]:
    parser = etree.XMLParser(recover=True, huge_tree=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser)
    if root is None:
        return
    paragraph: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            if element.text and element.text.strip():  # a comment in the XML
                yield where, None, element.text
            continue
        tag = _tag(element)
        for value in element.attrib.values():
            if not _MACHINE_VALUE.match(value):
                yield where, None, value
        if tag in _RUN_TEXT:
            paragraph.append(element.text or "")
        elif tag == "p":
            if paragraph:
                yield where, None, "".join(paragraph)
            paragraph = []
        elif tag in ("tab", "br", "cr"):
            paragraph.append(" ")
        elif element.text and element.text.strip() and len(element) == 0:
            yield where, None, element.text
    if paragraph:
        yield where, None, "".join(paragraph)


# Attribute values that are machine tokens, not text: numbers, measures, booleans, revision ids, colours, ids.
_MACHINE_VALUE = re.compile(r"^(?:-?[0-9.]+(?:pt|%|in|cm|mm|emu)?|[0-9A-F]{8}|[0-9A-F]{6}|rId\d+|true|false|on|off|none)$", re.I)


def _pdf(path: Path) -> Iterator[tuple[str, int | None, str]]:
    """Page text (a URL that the layout broke over two lines joined again), metadata, link targets
    (read through `pdftext`, which keeps PDFium to one thread at a time)."""
    from .. import pdftext

    pdf = pdftext.read(path.read_bytes())
    for key, value in pdf.metadata.items():
        yield f"{path}:metadata {key}", None, value
    for number, page in enumerate(pdf.pages, start=1):
        text = re.sub(r"((?:https?://|www\.)\S*)\n(?=[./\w])", r"\1", page.text)
        yield f"{path}:page {number}", 1, text
        for uri in page.links:
            yield f"{path}:page {number} link", None, uri


def _png(path: Path) -> Iterator[tuple[str, int | None, str]]:
    """The text chunks of a PNG (tEXt, zTXt, iTXt): metadata a viewer shows and anyone can read."""
    from PIL import Image

    with Image.open(path) as image:
        for key, value in (getattr(image, "text", None) or {}).items():
            yield f"{path}:text {key}", None, f"{key} {value}"


def _with_segments(hits: list[Hit], segments: pd.DataFrame) -> list[Hit]:
    """Name the first segment whose text holds the identifier (compared as a reader reads both; for a
    bidi control, the segment that holds that character)."""
    if not hits:
        return hits
    rows = [(str(sid), str(text)) for sid, text in zip(segments["segment_id"], segments["text"])]
    folded = [(sid, fold_text(text)) for sid, text in rows]
    named = []
    for hit in hits:
        if hit.kind == BIDI:
            char = chr(int(hit.excerpt[2:], 16))
            segment = next((sid for sid, text in rows if char in text), None)
        else:
            needle = fold_text(hit.secret)
            segment = next((sid for sid, text in folded if needle and needle in text), None)
        named.append(Hit(hit.kind, hit.where, hit.excerpt, segment, secret=hit.secret, offset=hit.offset) if segment else hit)
    return named
