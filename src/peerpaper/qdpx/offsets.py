"""Selection offsets: which convention an exchange file counts in, and how to turn its numbers into
indices into a Python string.

REFI-QDA counts Unicode code points, end exclusive, no BOM. Real exporters differ: NVivo counts UTF-16
code units, so every character outside the Basic Multilingual Plane (an emoji) shifts later offsets by
one; some tools count a CRLF line ending as one character; and an inline PlainTextContent written with
CRLF reaches us with LF (XML parsers normalise line ends) while the tool counted two. Rather than trust
the exporter's name, `detect` tries every convention that would make a difference for these texts and
keeps the one under which the selections fit inside the text and begin and end between words (not in
the middle of a word, not on whitespace). The project's `origin` attribute (e.g. "NVivo") only breaks
ties, and the standard wins the rest.

Each convention is a piecewise shift: after certain characters the exporter's count runs one ahead
(an astral character in UTF-16) or one behind (the CR of a CRLF counted as one). `OffsetMap` keeps those
break points sorted and converts with `bisect`, so a 1.5 MB transcript costs one pass to build and
O(log n) per selection.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import product

CODE_POINTS = "code points"
UTF16 = "UTF-16 code units"
AS_STORED = "line breaks as stored"
CRLF_AS_ONE = "CRLF counted as one"
LF_AS_TWO = "each LF counted as CRLF"

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_CRLF_CR = re.compile("\r(?=\n)")
_LONE_LF = re.compile("(?<!\r)\n")


@dataclass(frozen=True)
class Convention:
    """How an exporter counted: its unit and how it counted line breaks."""

    units: str = CODE_POINTS
    newlines: str = AS_STORED

    def __str__(self) -> str:
        text = self.units
        if self.newlines != AS_STORED:
            text += f", {self.newlines}"
        return text + (" (the REFI-QDA standard)" if self == Convention() else "")


STANDARD = Convention()


class OffsetMap:
    """Converts one text's offsets in one convention to string indices, refusing impossible ones."""

    def __init__(self, text: str, convention: Convention):
        self.text = text
        shifts: list[tuple[int, int]] = []  # (string index after which the count changes, change)
        if convention.units == UTF16:
            shifts += [(m.start(), +1) for m in _ASTRAL.finditer(text)]
        if convention.newlines == CRLF_AS_ONE:
            shifts += [(m.start(), -1) for m in _CRLF_CR.finditer(text)]
        elif convention.newlines == LF_AS_TWO:
            shifts += [(m.start(), +1) for m in _LONE_LF.finditer(text)]
        shifts.sort()
        self._index_breaks: list[int] = []  # first string index at which cumulative shift applies
        self._offset_breaks: list[int] = []  # the same break, in the exporter's count
        self._cumulative: list[int] = []
        total = 0
        for index, change in shifts:
            total += change
            self._index_breaks.append(index + 1)
            self._offset_breaks.append(index + 1 + total)
            self._cumulative.append(total)
        self.length = self.offset_of(len(text))

    def _shift_at_index(self, index: int) -> int:
        k = bisect_right(self._index_breaks, index) - 1
        return self._cumulative[k] if k >= 0 else 0

    def offset_of(self, index: int) -> int:
        """The exporter's offset for a string index."""
        return index + self._shift_at_index(index)

    def index_of(self, offset: int) -> int | None:
        """The string index for an exporter's offset, or None if no character boundary has it
        (beyond the text, or between the two halves of a UTF-16 surrogate pair)."""
        if offset < 0 or offset > self.length:
            return None
        k = bisect_right(self._offset_breaks, offset) - 1
        index = offset - (self._cumulative[k] if k >= 0 else 0)
        if not 0 <= index <= len(self.text) or self.offset_of(index) != offset:
            return None
        return index


def candidates(texts: list[str]) -> list[Convention]:
    """The conventions that would read these texts differently from each other (standard first)."""
    joined_has = lambda pattern: any(pattern.search(t) for t in texts)  # noqa: E731
    units = [CODE_POINTS] + ([UTF16] if joined_has(_ASTRAL) else [])
    newlines = [AS_STORED]
    newlines += [CRLF_AS_ONE] if joined_has(_CRLF_CR) else []
    newlines += [LF_AS_TWO] if joined_has(_LONE_LF) else []
    return [Convention(u, n) for u, n in product(units, newlines)]


def _mid_word(text: str, i: int) -> bool:
    return 0 < i < len(text) and text[i - 1].isalnum() and text[i].isalnum()


def misplaced(text: str, start: int | None, end: int | None) -> bool:
    """A selection that does not fit its text, or starts or ends inside a word or on a space.

    Line breaks at either end are where whole-line and whole-paragraph coding starts and ends (NVivo
    selects a paragraph with its CRLF, other tools a line with its LF, or up to the CR of a CRLF), so a
    selection is judged by what lies between them."""
    if start is None or end is None or start > end:
        return True
    if start == end:
        return _mid_word(text, start)
    while start < end and text[start] in "\r\n":
        start += 1
    while end > start and text[end - 1] in "\r\n":
        end -= 1
    if start == end:
        return False
    return (
        _mid_word(text, start)
        or _mid_word(text, end)
        or text[start].isspace()
        or text[end - 1].isspace()
    )


@dataclass(frozen=True)
class Detection:
    convention: Convention
    misplaced: int  # selections misplaced under the chosen convention
    selections: int
    alternatives: dict[Convention, int]  # misplaced under each other candidate

    def __str__(self) -> str:
        if not self.alternatives:
            return f"{self.convention} (no emoji or line breaks in the texts to tell conventions apart)"
        runner_up, n = min(self.alternatives.items(), key=lambda item: item[1])
        return (
            f"{self.convention}, detected: {self.misplaced} of {self.selections} selections misplaced, "
            f"against {n} under the next best ({runner_up.units}, {runner_up.newlines})"
        )


def detect(
    selections_by_text: list[tuple[str, list[tuple[int, int]]]], origin: str = ""
) -> Detection:
    """Pick the convention under which the fewest selections are misplaced.

    `selections_by_text` pairs each text with its selections' (start, end) as written in the file.
    """
    texts = [text for text, _ in selections_by_text]
    options = candidates(texts)
    preferred = Convention(UTF16) if "nvivo" in origin.lower() and Convention(UTF16) in options else STANDARD
    scores: dict[Convention, int] = {}
    for convention in options:
        bad = 0
        for text, spans in selections_by_text:
            if not spans:
                continue
            offsets = OffsetMap(text, convention)
            bad += sum(misplaced(text, offsets.index_of(s), offsets.index_of(e)) for s, e in spans)
        scores[convention] = bad
    best = min(options, key=lambda c: (scores[c], c != preferred, c != STANDARD))
    total = sum(len(spans) for _, spans in selections_by_text)
    return Detection(best, scores[best], total, {c: n for c, n in scores.items() if c != best})
