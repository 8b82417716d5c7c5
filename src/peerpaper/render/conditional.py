"""Quarto's conditional content: `.content-visible` / `.content-hidden` with `when-`/`unless-` conditions.

The rules are Quarto's own (its `content-hidden.lua` filter and `_format.lua` format matching): a div is
replaced by its content when visible and dropped otherwise; a span or code block keeps its other
attributes. Conditions combine with AND; a condition repeated on one element matches if any value does.
`when-meta` holds only for a metadata value that is boolean `true` (dotted names reach into maps). Format
names are matched with Quarto's aliases: `html` also matches reveal.js, `pdf`/`latex` mean LaTeX output
(so neither matches our Typst PDF: write `typst`). It runs before cross-references are numbered, per
output format, as in Quarto.
"""

from __future__ import annotations

from typing import Callable

from .ast import walk
from .project import RenderError

VISIBLE, HIDDEN = "content-visible", "content-hidden"
CONDITIONS = ("when-format", "unless-format", "when-meta", "unless-meta", "when-profile", "unless-profile")

# Quarto's aliases (quarto.org, "Conditional Content", Format Matching) for the formats we write.
_ALIASES = {
    "html": {"html", "revealjs"},  # html*, epub*, revealjs, dashboard, email
    "html:js": {"html", "revealjs"},
    "latex": set(), "pdf": set(),  # latex, pdf, beamer: LaTeX only
}
# Every other name Quarto or pandoc knows as a format: matches only itself, so none of ours.
KNOWN_FORMATS = {
    "html", "html4", "html5", "revealjs", "typst", "docx", "pptx", "pdf", "latex", "beamer", "epub", "epub2",
    "epub3", "odt", "opendocument", "rtf", "context", "markdown", "gfm", "commonmark", "commonmark_x",
    "markua", "hugo-md", "docusaurus-md", "ipynb", "jats", "asciidoc", "asciidoctor", "docbook", "man", "ms",
    "rst", "org", "texinfo", "textile", "mediawiki", "dokuwiki", "jira", "xwiki", "zimwiki", "tei", "icml",
    "fb2", "opml", "muse", "haddock", "plain", "native", "json", "s5", "slidy", "slideous", "dzslides",
    "dashboard", "email", "confluence", "html:js", "markdown_strict", "markdown_github", "markdown_mmd",
    "markdown_phpextra", "bibtex", "biblatex", "csljson", "chunkedhtml", "djot", "ansi", "typst-citations",
}


def is_format(name: str, quarto_format: str) -> bool:
    """Does a `when-format` value match the Quarto format being written (html, typst, docx, revealjs, pptx)?"""
    if name == quarto_format:
        return True
    return quarto_format in _ALIASES.get(name, set())


def _meta_true(meta: dict, dotted: str) -> bool:
    value = meta
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return False
        value = value.get(part)
    return value is True


def matches(conditions: list[tuple[str, str]], quarto_format: str, meta: dict, profiles: list[str]) -> bool:
    tests: dict[str, Callable[[str], bool]] = {
        "format": lambda v: is_format(v, quarto_format),
        "meta": lambda v: _meta_true(meta, v),
        "profile": lambda v: v in profiles,
    }
    grouped: dict[str, list[str]] = {}
    for key, value in conditions:
        grouped.setdefault(key, []).append(value)
    match = True
    for key, values in grouped.items():
        kind, _, what = key.partition("-")
        hit = any(tests[what](v) for v in values)
        match = match and (hit if kind == "when" else not hit)
    return match


def _conditions(attr, where) -> tuple[str | None, list[tuple[str, str]], list]:
    ident, classes, pairs = attr
    behaviour = VISIBLE if VISIBLE in classes else HIDDEN if HIDDEN in classes else None
    conditions = [(k, v) for k, v in pairs if k in CONDITIONS]
    if behaviour is None and conditions:
        raise RenderError(f"{where(conditions[0][0])}: `{conditions[0][0]}` needs the class .content-visible "
                          "or .content-hidden (Quarto ignores it otherwise)")
    for key, value in conditions:
        if key.endswith("-format") and value not in KNOWN_FORMATS:
            raise RenderError(f"{where(value)}: {key}=\"{value}\" names no format Quarto knows "
                              "(ours are html, typst, docx, revealjs, pptx)")
    rest = [[k, v] for k, v in pairs if k not in CONDITIONS]
    return behaviour, conditions, [ident, [c for c in classes if c not in (VISIBLE, HIDDEN)], rest]


def apply(blocks: list, quarto_format: str, meta: dict, profiles: list[str], where) -> list:
    """The blocks as Quarto shows them in `quarto_format`; `where(needle)` names a source position."""

    def visit(node):
        kind = node["t"]
        if kind not in ("Div", "Span", "CodeBlock"):
            attr = _attr(node)
            if attr and (VISIBLE in attr[1] or HIDDEN in attr[1]):
                raise RenderError(f"{where('.' + (VISIBLE if VISIBLE in attr[1] else HIDDEN))}: conditional "
                                  f"content on a {kind}: Quarto applies .content-visible and .content-hidden only "
                                  "to divs, spans and code blocks (wrap it in a div)")
            return None
        attr = node["c"][0]
        behaviour, conditions, rest = _conditions(attr, where)
        if behaviour is None:
            return None
        shown = matches(conditions, quarto_format, meta, profiles) == (behaviour == VISIBLE)
        if kind == "Div":
            return node["c"][1] if shown else []
        if not shown:
            return []
        return {"t": kind, "c": [rest, *node["c"][1:]]}

    return walk(blocks, visit)


def _attr(node):
    """The attributes of an element that has them in pandoc's AST (first field, or Link/Image/Code's)."""
    content = node.get("c")
    if node["t"] in ("Header",):
        return content[1]
    if node["t"] in ("Link", "Image", "Code", "Table", "Figure"):
        return content[0]
    return None


def uses_conditions(markdown: str) -> bool:
    """Cheap test before walking the AST: conditional content needs one of the two class names."""
    return VISIBLE in markdown or HIDDEN in markdown
