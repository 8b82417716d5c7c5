"""Find the citations in a .qmd file's prose: pandoc's citation syntax, minus Quarto cross-references.

A small scanner rather than pandoc: pandoc can parse the syntax (`pandoc -t json`) but its Markdown reader
gives no source lines, and the checks need both the line and the prose just before each citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Quarto's cross-reference prefixes: `@fig-x` is a figure, not a citation.
CROSSREF_PREFIXES = ("fig", "tbl", "sec", "eq", "lst", "thm", "lem", "cor", "prp", "cnj", "def", "exm",
                     "exr", "sol", "rem", "tip", "nte", "wrn", "imp", "cau")

# pandoc: a key starts with a letter, digit or _, and may hold single internal punctuation.
_KEY = r"(?:\{(?P<bkey>[^{}]+)\}|(?P<key>\w(?:\w|[:.#$%&\-+?<>~/](?=\w))*))"
_BRACKETED = re.compile(r"\[(?P<body>[^\[\]]*@[^\[\]]*)\](?![(\[{])")
_ITEM_KEY = re.compile(r"(?<![\w@])(?P<minus>-?)@" + _KEY)
_NARRATIVE = re.compile(r"(?<![\w@\\])@" + _KEY + r"(?:[ \t]?\[(?P<locator>[^\[\]@]*)\])?")


@dataclass(frozen=True)
class Citation:
    """One cited key in a .qmd file, with the prose just before it (for the name and year checks)."""

    key: str
    file: str
    line: int
    suppress_author: bool = False
    locator: str = ""
    before: str = ""


def scan_citations(text: str, file: str) -> list[Citation]:
    """Pandoc citations in Markdown `text` (code, front matter and comments already blanked out)."""
    citations: list[Citation] = []
    taken: list[tuple[int, int]] = []
    for group in _BRACKETED.finditer(text):
        taken.append(group.span())  # a bracket with an @ is a citation (or a cross-reference) either way
        before = _prose_before(text, group.start())
        offset = group.start("body")
        for item in group["body"].split(";"):
            match = _ITEM_KEY.search(item)
            if match and not _is_crossref(match["bkey"] or match["key"]):
                citations.append(Citation(
                    key=match["bkey"] or match["key"],
                    file=file,
                    line=_line_of(text, offset + match.start()),
                    suppress_author=bool(match["minus"]),
                    locator=item[match.end():],
                    before=before,
                ))
                before = ""  # the prose before a group names the first item's authors only
            offset += len(item) + 1
    for match in _NARRATIVE.finditer(text):
        key = match["bkey"] or match["key"]
        if _is_crossref(key) or any(a <= match.start() < b for a, b in taken):
            continue
        citations.append(Citation(key=key, file=file, line=_line_of(text, match.start()),
                                  locator=match["locator"] or ""))
    return sorted(citations, key=lambda c: c.line)


def _prose_before(text: str, end: int) -> str:
    """The paragraph text before offset `end`, on one line."""
    start = text.rfind("\n\n", 0, end)
    return re.sub(r"\s+", " ", text[start + 1 if start >= 0 else 0:end])


def _is_crossref(key: str) -> bool:
    return key.split("-", 1)[0].lower() in CROSSREF_PREFIXES and "-" in key


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
