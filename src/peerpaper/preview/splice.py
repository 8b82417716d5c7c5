"""An edit inside one section of the paper: the new HTML page from the last page and the changed blocks alone.

Most of a fast render of the paper was pandoc writing the whole page (`--embed-resources` re-parses every
tag and inlines every figure). After an edit inside a paragraph, a list, a quote or a table, every other
top-level block pandoc gets is unchanged, and so is its HTML: the new page is the last page with the old
blocks' HTML replaced by the new blocks'. One short pandoc run writes both (`render.html.fragments`, with the
page's own options), and the old blocks' HTML must occur in the last page exactly once. Whatever makes a
block's HTML depend on the rest of the page sends the edit to a whole write, as before: a heading
(sections, their numbers and the table of contents), a footnote (numbered through the page), a code block
(its id too), an image (embedded), raw HTML that could reach past its block (a comment, a script, a tag left
open) or that names a file, and any change to the metadata or to pandoc's options. A callout's own raw tags
are none of these.

The innermost `<section>` holding the change is what an open tab replaces instead of reloading the page.
The preview writes the whole page as well once it is idle, and shows that one if it differs (it never has
in the tests, which compare the two byte for byte).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..render import html
from ..render.ast import elements

MAX_BLOCKS = 24  # a bigger change is written whole: the page is about as quick, and simpler to trust
_CONTEXTUAL = {"Header", "Note", "Image", "CodeBlock"}  # sections, numbered notes, embedded files, numbered ids
# Raw HTML whose parse can reach past its own block, or that names a file --embed-resources inlines.
_RAW_RISK = re.compile(r"<!--|<!\[|<(?:script|style|link|img|picture|iframe|frame|video|audio|source|track|embed|object"
                       r"|svg|math|textarea|title|template|noscript|xmp|plaintext|base|meta)\b|\b(?:src|srcset|poster|"
                       r"style|data-[\w-]*)\s*=|url\(|<[^>]*$", re.I)
_SECTION_TAG = re.compile(r"<script\b.*?</script>|<section\b[^>]*>|</section>", re.S | re.I)


@dataclass(frozen=True)
class Spliced:
    page: str
    section: tuple[str, str] | None  # (id, HTML) of the innermost section holding the change, if a tab may patch


@dataclass(frozen=True)
class _Page:
    context: tuple  # the document's metadata and pandoc's options
    blocks: list
    page: str


class Splice:
    """The last HTML page of one document, and the blocks it was written from."""

    def __init__(self) -> None:
        self.last: _Page | None = None

    def remember(self, doc: dict, args: list[str], page: str) -> None:
        self.last = _Page((doc["meta"], args), doc["blocks"], page)

    def page(self, prepared, doc: dict, args: list[str]) -> Spliced | None:
        """The page pandoc would write for `doc`, made from the last one; None when it must be written whole."""
        last = self.last
        if last is None or last.context != (doc["meta"], args):
            return None
        if last.blocks == doc["blocks"]:
            return Spliced(last.page, None)
        span = changed(last.blocks, doc["blocks"])
        if span is None:
            return None
        start, old_end, new_end = span
        old, new = last.blocks[start:old_end], doc["blocks"][start:new_end]
        if len(old) + len(new) > MAX_BLOCKS or not all(stands_alone(b) for b in old + new):
            return None
        before, after = html.fragments(prepared, doc, args, [old, new])
        if not before or last.page.count(before) != 1:
            return None
        at = last.page.index(before)
        page = last.page[:at] + after + last.page[at + len(before):]
        typeset = any(a.startswith(("--mathjax", "--katex")) for a in args)  # a patched section is not typeset
        patch = None if typeset and next(elements(new, "Math"), None) else section(page, at, len(after))
        return Spliced(page, patch)


def changed(old: list, new: list) -> tuple[int, int, int] | None:
    """(start, old end, new end): the blocks between differ, those before and after are equal; both sides
    hold at least one block (an insertion or a deletion takes in an unchanged neighbour that stands alone:
    the HTML then has something to find in the last page). None when there is no such neighbour."""
    size = min(len(old), len(new))
    start = 0
    while start < size and old[start] == new[start]:
        start += 1
    tail = 0
    while tail < size - start and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_end, new_end = len(old) - tail, len(new) - tail
    if old_end == start or new_end == start:
        if start > 0 and stands_alone(old[start - 1]):
            start -= 1
        elif tail > 0 and stands_alone(old[old_end]):
            old_end, new_end = old_end + 1, new_end + 1
        else:
            return None
    return start, old_end, new_end


def stands_alone(block: dict) -> bool:
    """True when the block's HTML does not depend on the blocks around it."""
    return not any(e["t"] in _CONTEXTUAL or (e["t"] in ("RawBlock", "RawInline") and _RAW_RISK.search(e["c"][1]))
                   for e in elements(block))


def section(page: str, at: int, length: int) -> tuple[str, str] | None:
    """(id, HTML) of the innermost `<section>` of `page` around page[at:at + length], or None (outside any
    section, or a section whose id is not unique)."""
    opened = []
    for tag in _SECTION_TAG.finditer(page, 0, at):
        if tag.group().startswith("</"):
            opened = opened[:-1]
        elif not tag.group().startswith("<script"):
            opened.append(tag)
    if not opened:
        return None
    start, depth = opened[-1], 0
    for tag in _SECTION_TAG.finditer(page, start.start()):
        if not tag.group().startswith("<script"):
            depth += -1 if tag.group().startswith("</") else 1
        if depth == 0:
            break
    else:
        return None
    identifier = re.search(r'\bid="([^"]+)"', start.group())
    if tag.end() < at + length or not identifier or page.count(f'id="{identifier.group(1)}"') != 1:
        return None
    return identifier.group(1), page[start.start():tag.end()]
