"""paper.qmd as the DOCX shows it, paragraph by paragraph, with every character's origin known.

The document is rendered again the way the build renders the DOCX (the renderer's own prepare: shortcodes,
includes, cross-references, citeproc), from a copy of its text with markers: an empty span `[]{#ppL<n>}` at
the start of each paragraph of paper.qmd (its line), a span `.ppvalue` around each `{{< var >}}` and
`{{< meta >}}`, and a div `#ppI<n>` around each include. Each paragraph of the result is a `Unit`: the text
a reader sees, the source text it came from (for prose), and the protected stretches inside it: values,
citations and cross-references, which the analysis or the bibliography make, not the author.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..render.prepare import prepare
from ..render.project import documents, load_project, split_front_matter

_VALUE = re.compile(r"\{\{<\s*(var|meta)\s+([^>]*?)\s*>\}\}")
_INCLUDE = re.compile(r"^\s*\{\{<\s*include\s+(\S+?)\s*>\}\}\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DIV = re.compile(r"^ {0,3}:{3,}")
_BLOCK_START = re.compile(r"^( {0,3}(?:#{1,6} +|>\s?|[-*+] +|\d+[.)] +|))(?=\S)")


@dataclass
class Segment:
    start: int
    end: int
    kind: str  # "value", "citation", "cross-reference"
    source: str  # what paper.qmd has there: `{{< var n >}}`, `[@Key]`, `@fig-x`


@dataclass
class Unit:
    """One paragraph as rendered: `text`, and where it came from."""

    text: str
    line: int | None = None  # first line in paper.qmd (None: not from paper.qmd's own prose)
    protected: str = ""  # why the whole paragraph is not the author's: "table ...", "the bibliography", ...
    segments: list[Segment] = field(default_factory=list)
    source: str = ""  # the paragraph's text in paper.qmd
    source_start: int = 0  # offset of `source` in paper.qmd


@dataclass
class Source:
    path: Path
    text: str  # paper.qmd as it is now
    units: list[Unit]


def mark(body: str, first_line: int) -> str:
    """The body with paragraph, value and include markers (see the module's docstring)."""
    out: list[str] = []
    fence = None
    previous_blank = True
    for offset, line in enumerate(body.split("\n")):
        number = first_line + offset
        opened = _FENCE.match(line)
        if fence is not None:
            out.append(line)
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            out.append(line)
            previous_blank = False
            continue
        if (include := _INCLUDE.match(line)):
            out += [f"::: {{#ppI{number} .ppinclude data-file=\"{include.group(1)}\"}}", line, ":::"]
            previous_blank = False
            continue
        starts = (previous_blank or _DIV.match(out[-1] if out else "")) and line.strip() and not _DIV.match(line) \
            and not line.lstrip().startswith(("|", "<!--", ":", "+-"))
        if starts or re.match(r"^ {0,3}([-*+]|\d+[.)]) +\S", line):
            head = _BLOCK_START.match(line)
            if head is not None:
                line = line[: head.end()] + f"[]{{#ppL{number}}}" + line[head.end():]
        line = _VALUE.sub(lambda m: f"[{m.group(0)}]{{.ppvalue data-source=\"{m.group(1)} {m.group(2)}\"}}", line)
        out.append(line)
        previous_blank = not line.strip()
    return "\n".join(out)


def load(root: Path, document_path: Path, epoch: str, metadata: dict) -> Source:
    project = load_project(root, metadata)
    document = next((d for d in documents(project) if d.path == document_path.resolve()), None)
    if document is None:
        from .tracked import DocxError

        raise DocxError(f"{document_path}: not in the render list of {project.quarto_yml}")
    text = document.path.read_text(encoding="utf-8")
    marked = replace(document, body=mark(document.body, document.body_line))
    ast = prepare(project, marked, epoch, ["docx"])["docx"].ast
    lines = _line_offsets(text)
    units = _front(ast, document, text) + _blocks(ast["blocks"], text, lines, "")
    return Source(document.path, text, units)


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for line in text.split("\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    return offsets


def _front(ast: dict, document, text: str) -> list[Unit]:
    """Title and abstract come from the front matter; the notice, authors, date and keywords are the
    build's or _metadata.yml's (protected)."""
    meta = ast["meta"]
    units = []
    if "synthetic-notice" in meta:
        units.append(Unit(_plain(meta["synthetic-notice"]), protected="the synthetic-data notice (the build adds it)"))
    if "title" in meta:
        units.append(_front_unit(_plain(meta["title"]), text, "title"))
    for author in meta.get("author", {}).get("c", []):
        units.append(Unit(_plain(author), protected="an author (edit paper/_metadata.yml)"))
    if "date" in meta:
        units.append(Unit(_plain(meta["date"]), protected="the date (front matter)"))
    if "abstract" in meta:
        units.append(Unit("Abstract", protected="a heading the template writes"))
        blocks = meta["abstract"]["c"] if meta["abstract"]["t"] == "MetaBlocks" else []
        for block in blocks:
            units.append(_front_unit(_inline_text(block.get("c", []))[0], text, "abstract"))
    if "keywords" in meta:
        words = "; ".join(_plain(k) for k in meta["keywords"]["c"])
        units.append(Unit(f"Keywords: {words}", protected="the keywords (front matter)"))
    return units


def _front_unit(rendered: str, text: str, key: str) -> Unit:
    """A title or abstract paragraph, found in the front matter by its words."""
    _, _, body_line = split_front_matter(Path("paper.qmd"), text)
    front_end = _line_offsets(text)[body_line - 1]
    words = rendered.split()
    if not words:
        return Unit(rendered, protected=f"the {key}")
    pattern = r"\s+".join(re.escape(w) for w in words[:4])
    found = re.search(pattern, text[:front_end])
    if not found:
        return Unit(rendered, protected=f"the {key} (not found as written in the front matter)")
    start = found.start()
    tail = r"\s+".join(re.escape(w) for w in words[-3:])
    end_match = None
    for end_match in re.finditer(tail, text[start:front_end]):
        break
    end = start + end_match.end() if end_match else start + len(rendered)
    return Unit(rendered, line=text.count("\n", 0, start) + 1, source=text[start:end], source_start=start)


def _blocks(blocks: list, text: str, lines: list[int], protected: str) -> list[Unit]:
    units: list[Unit] = []
    for block in blocks:
        kind, content = block["t"], block.get("c")
        if kind in ("Para", "Plain"):
            units.append(_unit(content, text, lines, protected))
        elif kind == "Header":
            units.append(_unit(content[2], text, lines, protected))
        elif kind == "Div":
            (ident, classes, attrs), inner = content
            if "ppinclude" in classes:
                what = dict(attrs).get("data-file", "")
                units += _at(_blocks(inner, text, lines, f"{_include_kind(what)} ({what}, made by a notebook)"),
                             int(ident[3:]))
            elif ident == "refs":
                at = text.find("{#refs}")
                units += _at(_blocks(inner, text, lines, "the bibliography (references.bib and the CSL)"),
                             text.count("\n", 0, at) + 1 if at >= 0 else None)
            else:
                units += _blocks(inner, text, lines, protected)
        elif kind == "BlockQuote":
            units += _blocks(content, text, lines, protected)
        elif kind in ("BulletList", "OrderedList"):
            for item in content if kind == "BulletList" else content[1]:
                units += _blocks(item, text, lines, protected)
        elif kind == "Figure":
            units += _blocks(content[1][1], text, lines, protected or "a figure caption")
        elif kind == "Table":  # the caption is a paragraph of its own in the DOCX; the cells are read there
            units += _blocks(content[1][1], text, lines, protected or "a table caption")
        elif kind == "DefinitionList":
            for term, definitions in content:
                units.append(_unit(term, text, lines, protected))
                for definition in definitions:
                    units += _blocks(definition, text, lines, protected)
    return units


def _at(units: list[Unit], line: int | None) -> list[Unit]:
    """Protected paragraphs answer to the line that placed them (the include, the `{#refs}` div)."""
    for unit in units:
        unit.line = line
    return units


def _include_kind(path: str) -> str:
    name = Path(path).name
    return ("the figure " if name.startswith("fig-") else "the table " if name.startswith("tbl-")
            else "the quotation " if name.startswith("q-") else "the included file ") + Path(name).stem


def _unit(inlines: list, text: str, lines: list[int], protected: str) -> Unit:
    rendered, segments, line = _inline_text(inlines)
    unit = Unit(rendered, protected=protected, segments=segments)
    if line is not None and not protected:
        unit.line = line
        unit.source_start = lines[line - 1]
        end = text.find("\n\n", unit.source_start)
        nxt = re.search(r"\n(?: {0,3}(?:[-*+]|\d+[.)]) |:::|\s*\{\{< include)", text[unit.source_start:])
        stops = [e for e in (end, unit.source_start + nxt.start() if nxt else -1) if e >= 0]
        unit.source = text[unit.source_start:min(stops) if stops else len(text)]
    elif not protected:
        unit.protected = "text that is not in paper.qmd's own prose"
    return unit


def _plain(meta_value) -> str:
    if isinstance(meta_value, dict) and meta_value.get("t") in ("MetaInlines", "MetaString"):
        c = meta_value["c"]
        return c if isinstance(c, str) else _inline_text(c)[0]
    if isinstance(meta_value, dict) and meta_value.get("t") == "MetaBlocks":
        return " ".join(_inline_text(b.get("c", []))[0] for b in meta_value["c"])
    return ""


def _inline_text(inlines: list) -> tuple[str, list[Segment], int | None]:
    """The text pandoc's DOCX writer puts in the paragraph, its protected segments and its paragraph marker."""
    parts: list[str] = []
    segments: list[Segment] = []
    found: list[int] = []

    def at() -> int:
        return sum(len(p) for p in parts)

    def walk(items):
        for node in items:
            kind, c = node["t"], node.get("c")
            if kind == "Str":
                parts.append(c)
            elif kind in ("Space", "SoftBreak"):
                parts.append(" ")
            elif kind == "LineBreak":
                parts.append("\n")
            elif kind in ("Code", "Math"):
                parts.append(c[1])
            elif kind == "Quoted":
                quote = ("\u201c", "\u201d") if c[0]["t"] == "DoubleQuote" else ("\u2018", "\u2019")
                parts.append(quote[0])
                walk(c[1])
                parts.append(quote[1])
            elif kind == "Span":
                (ident, classes, attrs), inner = c
                if ident.startswith("ppL") and ident[3:].isdigit():
                    found.append(int(ident[3:]))
                start = at()
                walk(inner)
                if "ppvalue" in classes:
                    segments.append(Segment(start, at(), "value", "{{< " + dict(attrs).get("data-source", "") + " >}}"))
            elif kind == "Cite":
                start = at()
                walk(c[1])
                keys = "; ".join(("-@" if x["citationMode"]["t"] == "SuppressAuthor" else "@") + x["citationId"]
                                 for x in c[0])
                narrative = c[0][0]["citationMode"]["t"] == "AuthorInText"
                crossref = all(x["citationId"].split("-")[0] in ("fig", "tbl", "sec") for x in c[0])
                segments.append(Segment(start, at(), "cross-reference" if crossref else "citation",
                                        keys if narrative or crossref else f"[{keys}]"))
            elif kind == "Link":
                start = at()
                walk(c[1])
                target = c[2][0]
                if target.startswith(("#fig-", "#tbl-", "#sec-")):
                    segments.append(Segment(start, at(), "cross-reference", "@" + target[1:]))
                elif target.startswith("#ref-"):
                    segments.append(Segment(start, at(), "citation", "@" + target[5:]))
            elif kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
                walk(c)
            elif kind == "Note":
                continue
            elif kind == "Image":
                walk(c[1])

    walk(inlines)
    return "".join(parts), _merge(segments), found[0] if found else None


def _merge(segments: list[Segment]) -> list[Segment]:
    """Nested segments (a link inside a citation) collapse into the outer one."""
    segments = sorted(segments, key=lambda s: (s.start, -(s.end - s.start)))
    out: list[Segment] = []
    for seg in segments:
        if out and seg.start < out[-1].end:
            continue
        out.append(seg)
    return out
