"""The guard on generated text: what the notebooks wrote (includes under `_build/`, values) must be literal.

`peerpaper.literal` escapes every piece of data text, so nothing in it can act; this proves it at build
time, for both engines. Raw spans and blocks, shortcodes, HTML, citations, maths, formatting and lists are
for the authors' files under `paper/` only. A generated include may hold block quotes, paragraphs, pipe
tables and figures of plain text, and a value plain text only; anything else stops the render with
`file:line: message` naming the include (or value) and the construct, never the text itself: it may be
a participant's words or a name. One pandoc read covers every include of a document and every value.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from . import pandoc
from .ast import elements
from .project import RenderError

_PLAIN = {"Str", "Space", "SoftBreak"}
_STRUCTURE = {"Para", "Plain", "BlockQuote", "Table", "Figure", "AlignDefault", "AlignLeft", "AlignRight",
              "AlignCenter", "ColWidth", "ColWidthDefault"}
_WHAT = {
    "RawInline": "a raw {} span", "RawBlock": "a raw {} block", "Cite": "a citation or cross-reference",
    "Math": "maths", "Link": "a link", "Image": "an image", "Quoted": "smart quotes", "Code": "code",
    "CodeBlock": "a code block", "Header": "a heading", "BulletList": "a list", "OrderedList": "a list",
    "DefinitionList": "a list", "LineBlock": "a line block", "HorizontalRule": "a rule", "Span": "a span",
    "Div": "a div", "Note": "a footnote", "LineBreak": "a hard line break",
}


def is_generated(path: Path, root: Path) -> bool:
    return (Path(root) / "_build") in Path(path).resolve().parents


def refuse_shortcodes(path: Path, text: str) -> None:
    """A generated include is included as it is: a shortcode in it would run (an include of any file)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if "{{<" in line:
            raise RenderError(f"{path}:{number}: a generated include holds a shortcode; "
                              "only files under paper/ may use shortcodes")


def check(includes: list[Path], root: Path, variables: dict, variables_file: Path, *, cwd: Path) -> set[str]:
    """Raise RenderError unless every generated include and every value reads as plain text.

    Returns the texts (pandoc Str) the data put in, for the last guard on outputs (`output.guard`)."""
    chunks: list[tuple[Path, int, str]] = []  # (file, first line, text)
    for path in dict.fromkeys(p for p in includes if is_generated(p, root)):
        chunks += [(path, line, text) for line, text in _chunks(path.read_text(encoding="utf-8"))]
    values = [(name, value) for name, value in sorted(variables.items()) if isinstance(value, str)]
    return set(_check(tuple(chunks), tuple(values), Path(variables_file), Path(cwd)))


@lru_cache(maxsize=8)  # the preview checks the same includes after every prose edit: a third of its render
def _check(chunks: tuple, values: tuple, variables_file: Path, cwd: Path) -> frozenset[str]:
    divs = [f"::: {{#c{i}}}\n{text}\n:::\n" for i, (_, _, text) in enumerate(chunks)]
    divs += [f"::: {{#v{i}}}\n{value}\n:::\n" for i, (_, value) in enumerate(values)]
    if not divs:
        return frozenset()
    out, _ = pandoc.run(["--from", "markdown", "--to", "json"], "\n".join(divs).encode("utf-8"), cwd=cwd,
                        epoch=None, what=str(variables_file))
    blocks = json.loads(out)["blocks"]
    seen = {}
    for block in blocks:
        if block["t"] == "Div" and re.fullmatch(r"[cv]\d+", block["c"][0][0]):
            seen[block["c"][0][0]] = block["c"][1]
    for i, (path, line, text) in enumerate(chunks):
        if f"c{i}" not in seen:
            raise RenderError(f"{path}:{line}: a generated include breaks out of its block; it must be literal text")
        if bad := _first_not_allowed(seen[f"c{i}"], structure=True):
            raise RenderError(f"{path}:{_line_of_node(text, line, bad['t'], cwd)}: generated include would make "
                              f"{_describe(bad)}; data must be literal text (raw formats, shortcodes and markup "
                              "belong in files under paper/)")
    for i, (name, _) in enumerate(values):
        where = f"{variables_file}:{_line_of(variables_file, name)}"
        if f"v{i}" not in seen:
            raise RenderError(f"{where}: value `{name}` breaks out of its paragraph; it must be literal text")
        blocks_of_value = seen[f"v{i}"]
        if len(blocks_of_value) > 1:
            raise RenderError(f"{where}: value `{name}` would make more than one paragraph; values must be literal text")
        if bad := _first_not_allowed(blocks_of_value, structure=False):
            raise RenderError(f"{where}: value `{name}` would make {_describe(bad)}; values must be literal text")
    return frozenset(node["c"] for node in elements(blocks, "Str"))


def _first_not_allowed(blocks: list, structure: bool) -> dict | None:
    """The first element that is not plain text (in a generated include: nor quote, table or figure)."""
    for node in elements(blocks):
        kind = node["t"]
        if kind in _PLAIN or (structure and kind in _STRUCTURE) or (not structure and kind == "Para"):
            continue
        if kind == "Image" and structure and _figure_image(node):
            continue
        return node
    return None


def _line_of_node(chunk: str, first_line: int, kind: str, cwd: Path) -> int:
    """The line of a chunk that makes a `kind` when read alone (on the error path only); else its first line."""
    for offset, line in enumerate(chunk.split("\n")):
        body = re.sub(r"^(>\s?)+", "", line)
        if not body.strip():
            continue
        out, _ = pandoc.run(["--from", "markdown", "--to", "json"], body.encode("utf-8"), cwd=cwd, epoch=None,
                            what="generated include")
        if any(node["t"] == kind for node in elements(json.loads(out)["blocks"])):
            return first_line + offset
    return first_line


def _figure_image(node: dict) -> bool:
    """The one image a figure snippet places: a local file, no attribute but its alt text."""
    (_, classes, attributes), _, (url, _) = node["c"]
    return not classes and {k for k, _ in attributes} <= {"fig-alt"} and not re.match(r"^[a-z]+:", url)


def _describe(node: dict) -> str:
    template = _WHAT.get(node["t"], "formatting ({})")
    fmt = node["c"][0] if node["t"] in ("RawInline", "RawBlock") else node["t"]
    return template.format("HTML" if fmt == "html" else fmt) + f" ({node['t']})"


def _chunks(text: str):
    """(first line, text) of each run of non-blank lines; a table's caption stays with its table."""
    chunks: list[list] = []
    start = None
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if start is None:
                start = number
                caption = line.startswith(": ") and chunks
                if caption:
                    chunks[-1][1] += "\n\n" + line
                else:
                    chunks.append([number, line])
            else:
                chunks[-1][1] += "\n" + line
        else:
            start = None
    return [tuple(c) for c in chunks]


def _line_of(path: Path, name: str) -> int:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError:
        return 1
    return next((n for n, line in enumerate(lines, start=1) if line.startswith(f"{name}:")), 1)
