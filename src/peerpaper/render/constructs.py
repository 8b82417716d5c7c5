"""Quarto constructs in the document body that the built-in engine does not implement: refused by name.

A div or span class Quarto gives a meaning to (margin columns, tabsets, proofs, landscape pages, ...), an
executable code cell or inline expression (`{python}`, `{r}`, ...), a diagram cell (`{mermaid}`, `{dot}`):
each is an error naming the file, the line and the construct, never a plain div or a line of code in the
output. Classes Quarto does not know are the author's own (CSS in HTML) and pass, as in Quarto.
"""

from __future__ import annotations

import re

from .ast import elements
from .project import RenderError

ENGINE = "render with --engine quarto"
ALL = ("html", "pdf", "docx", "revealjs", "pptx")
# class -> (what it is in Quarto, the outputs where Quarto gives it a meaning the engine lacks)
_COLUMNS = [f"column-{w}" for w in (
    "body", "body-outset", "body-outset-left", "body-outset-right", "page", "page-left", "page-right",
    "page-inset", "page-inset-left", "page-inset-right", "screen", "screen-left", "screen-right", "screen-inset",
    "screen-inset-left", "screen-inset-right", "screen-inset-shaded", "margin")]
CLASSES: dict[str, tuple[str, tuple[str, ...]]] = {
    **{c: ("article layout (page columns and the margin)", ("html", "pdf", "revealjs")) for c in _COLUMNS},
    "aside": ("margin content", ("html", "pdf", "revealjs")),
    "page-columns": ("article layout", ("html",)), "page-full": ("article layout", ("html",)),
    "panel-tabset": ("tabsets", ALL), "panel-sidebar": ("panel layouts", ALL), "panel-fill": ("panel layouts", ALL),
    "panel-center": ("panel layouts", ALL), "panel-input": ("panel layouts", ALL),
    "proof": ("proof environments", ALL), "remark": ("remark environments", ALL),
    "solution": ("solution environments", ALL), "landscape": ("landscape pages", ("pdf", "docx")),
    "lightbox": ("lightbox images", ("html",)), "preview-link": ("link previews", ("revealjs",)),
    "no-preview": ("link previews", ("revealjs",)), "nostretch": ("image stretching", ("revealjs",)),
    "cell": ("computational cells", ALL), "cell-output": ("computational cells", ALL),
    "cell-output-display": ("computational cells", ALL), "code-annotation": ("code annotations", ALL),
    "embed": ("embedded notebook cells", ALL), "hidden": ("hidden content", ALL),
}
CELL = re.compile(r"^\{([A-Za-z][\w.-]*)[\s,}]")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*\{([A-Za-z][\w.-]*)[\s,}]", re.M)
INLINE_ENGINES = ("python", "r", "julia", "ojs")  # `{python} expr` is Quarto's inline expression
DIAGRAMS = {"mermaid": "a Mermaid diagram", "dot": "a Graphviz diagram"}


def _attr(node: dict):
    kind = node["t"]
    if kind in ("Div", "Span", "CodeBlock", "Code", "Image", "Link", "Figure", "Table"):
        return node["c"][0]
    if kind == "Header":
        return node["c"][1]
    return None


def fenced_languages(source: str) -> set[str]:
    """The `lang` of every ```{lang} fence of the expanded markdown: a cell (pandoc reads it as inline code)."""
    return {m.group(2) for m in FENCE.finditer(source)}


def check(blocks: list, fmt: str, where, fenced: set[str]) -> None:
    """Raise for the first construct of `blocks` the engine cannot render in `fmt` as Quarto would.

    `fenced`: `fenced_languages` of the document."""
    for node in elements(blocks):
        if node["t"] == "Code":
            match = CELL.match(node["c"][1])
            lang = match.group(1) if match else None
            if lang and (lang in fenced or lang in INLINE_ENGINES):
                what = DIAGRAMS.get(lang, "an executable code cell" if lang in fenced else "an inline expression")
                raise RenderError(f"{where('{' + lang)}: `{{{lang}}}` is {what}: the built-in engine runs no code "
                                  f"(this paper is prose only; put computations in the notebooks, or {ENGINE})")
        attr = _attr(node)
        if not attr:
            continue
        for name in attr[1]:
            meaning = CLASSES.get(name)
            if meaning and fmt in meaning[1]:
                raise RenderError(f"{where('.' + name)}: `.{name}` ({meaning[0]}) is not implemented by the built-in "
                                  f"engine for {fmt} ({ENGINE})")
