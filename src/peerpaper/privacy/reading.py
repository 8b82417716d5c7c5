"""Text as a reader reads it: the one form every identifier search runs on.

A reader does not see the code points, they see letters. "Zoë" typed on a Mac (e + U+0308), "０７７００"
in fullwidth digits, a name with a zero-width space or a soft hyphen inside, "Kеrry" with a Cyrillic е,
an email the PDF layout hyphenated over two lines: each reads as the plain identifier. `read` folds a
text to that plain form (compatibility decomposition, case folding, combining marks and invisible
format characters dropped, Unicode's confusable look-alikes mapped to the Latin letter they imitate,
dashes and apostrophes unified, words the layout broke with a hyphen at a line end joined) and keeps,
for every folded character, where it came from, so a hit can still name its line.

Why these sources: Unicode's own data. `unicodedata` (NFKD, categories), the Default_Ignorable_Code_Point
ranges of the Unicode Character Database, and the confusables table of Unicode TR39 as shipped by
`confusable_homoglyphs` (read once; only look-alikes of ASCII letters and digits are used).
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

# Default_Ignorable_Code_Point (DerivedCoreProperties.txt): drawn as nothing, so dropped before matching.
IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
# Characters that reorder what a reader sees ("… rang me on 07700 900123" shown from a reversed string):
# refused outright in anything published (Unicode bidi controls: embeddings, overrides, isolates, marks).
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Unicode tag characters spell ASCII invisibly (U+E0041 is a hidden "A"): their text is read on its own.
TAG_RUN = re.compile("[\U000e0020-\U000e007e]+")
_LAYOUT_BREAK = re.compile(r"(?<=\w)[-\u00ad\u2010\u2011][ \t]*\r?\n[ \t]*(?=\w)")  # "exam-\nple.org"
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'", "\uff07": "'"}
_MARKS = {"Mn", "Me"}


@dataclass(frozen=True)
class Reading:
    """`text` folded; `source` as written; `origin(i)` is where folded character i came from."""

    source: str
    text: str
    _starts: tuple[int, ...] = ()  # folded position where each piece starts...
    _sources: tuple[int, ...] = ()  # ...the source position it came from...
    _linear: tuple[bool, ...] = ()  # ...and whether the piece maps one to one (an ASCII run)

    def origin(self, i: int) -> int:
        if not self._starts:
            return i
        k = max(0, bisect.bisect_right(self._starts, i) - 1)
        return self._sources[k] + (i - self._starts[k] if self._linear[k] else 0)

    def original(self, start: int, end: int) -> str:
        """The source text behind folded text[start:end]."""
        return self.source[self.origin(start):self.origin(max(start, end - 1)) + 1]


def read(source: str) -> Reading:
    if source.isascii() and not _LAYOUT_BREAK.search(source):
        return Reading(source, source.lower())
    out: list[str] = []
    starts: list[int] = []
    sources: list[int] = []
    linear: list[bool] = []
    length = 0

    def piece(text: str, at: int, one_to_one: bool) -> None:
        nonlocal length
        starts.append(length), sources.append(at), linear.append(one_to_one)
        out.append(text)
        length += len(text)

    position = 0
    for gap in [*_LAYOUT_BREAK.finditer(source), None]:
        end = gap.start() if gap else len(source)
        for run in re.finditer(r"[\x00-\x7f]+|[^\x00-\x7f]", source[position:end]):
            at = position + run.start()
            if run.group().isascii():
                piece(run.group().lower(), at, True)
            elif folded := fold(run.group()):
                piece(folded, at, False)
        position = gap.end() if gap else end
    return Reading(source, "".join(out), tuple(starts), tuple(sources), tuple(linear))


@lru_cache(maxsize=65536)
def fold(char: str) -> str:
    """One character as a reader takes it, in lower case ASCII where a look-alike exists."""
    if IGNORABLE.match(char):
        return ""
    category = unicodedata.category(char)
    if category in _MARKS:
        return ""
    if category in ("Zl", "Zp"):
        return "\n"
    if category == "Zs" or char.isspace():
        return " "
    if category == "Pd":
        return "-"
    if char in _QUOTES:
        return _QUOTES[char]
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    latin = confusables()
    return "".join(latin.get(c, c) for c in decomposed if unicodedata.category(c) not in _MARKS and not IGNORABLE.match(c))


def fold_text(text: str) -> str:
    return read(text).text


@cache
def confusables() -> dict[str, str]:
    """Non-ASCII characters that Unicode TR39 lists as look-alikes of an ASCII letter or digit."""
    table = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    latin = {}
    for char, lookalikes in table.items():
        if len(char) == 1 and not char.isascii():
            ascii_ = [e["c"] for e in lookalikes if len(e["c"]) == 1 and e["c"].isascii() and e["c"].isalnum()]
            if ascii_:  # a letter before a digit: Cyrillic О reads as o more often than as 0
                latin[char] = sorted(ascii_, key=str.isdigit)[0].lower()
    return latin
