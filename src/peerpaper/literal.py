"""Data text as Markdown that reads back as exactly its own characters, and as spreadsheet-safe CSV cells.

Why escaping rather than building pandoc AST nodes: the generated includes are Markdown files that Quarto
renders too, so the text itself must be inert. Pandoc's markdown (Quarto's reader) takes a backslash before
any ASCII punctuation character as that character (`all_symbols_escapable`), and a backslash breaks every
construct that could act: shortcodes (`{{<`), raw spans (`` `x`{=typst} ``), HTML and entities, maths,
citations and cross-references, emphasis, strikeout, sub- and superscripts, list markers, headings, table
pipes and smart dashes and ellipses. Straight quotes are the exception: smart punctuation pairs escaped
quotes all the same, so they are written as numeric entities, which pandoc reads as the plain character.
Whitespace runs (line breaks included) become one space: a turn is quoted on one line, as one paragraph.
The same text is safe inside a quoted attribute value (`fig-alt="..."`), where pandoc decodes both forms.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")  # every ASCII punctuation character
_ENTITIES = {'"': "&#34;", "'": "&#39;"}
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])|&#(34|39);")

#: What a spreadsheet runs when a cell starts with it (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d[\d,]*(\.\d+)?|\.\d+)%?")


def markdown_text(text) -> str:
    """`text` as Markdown that pandoc and Quarto read as exactly these characters, on one line."""
    flat = " ".join(str(text).split())
    return _PUNCTUATION.sub(lambda m: _ENTITIES.get(m.group(), "\\" + m.group()), flat)


def plain_text(markdown: str) -> str:
    """The characters `markdown_text` escaped (its inverse), for places that show a value as plain text."""
    return _ESCAPED.sub(lambda m: m.group(1) or chr(int(m.group(2))), markdown)


def csv_cell(value):
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading apostrophe.

    Numbers are left alone, negative ones included ("-0.01" is a value, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
