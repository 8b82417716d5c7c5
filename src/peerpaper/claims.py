"""`paper check claims`: every comparison, strength or size that the Findings, Discussion and Conclusion
assert is governed by a value computed from the data.

Why: "pressure on organisers was the most pressing concern" is true of one data set and false of the next,
and the paper promises prose that stays true for any data it is built from. So a sentence in those
sections that uses a word of comparison, strength or size (`CLAIM_WORDS`) must carry, in the same
sentence, a value whose name marks it as a computed qualifier (`GOVERNING`: a theme's standing, a reading
of an alpha, of a count or of a co-occurrence against chance), so that the sentence changes when the data
do. Two kinds of sentence are not claims about the data and pass: those that cite the literature, and
those that say whose claim they report (`ATTRIBUTED`: "the abstract", "the study's argument", ...).
Headings, tables, includes and text in quotation marks (theme labels) are not sentences of the prose.
The rule and its vocabulary are explained to authors in docs/WRITING.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CHECKED_SECTIONS = ("sec-findings", "sec-discussion", "sec-conclusion")

# Values that read a number (docs/VALUES.md): a sentence carrying one says what the data say about it.
GOVERNING = re.compile(
    r"(_standing|_rank|_rank_ordinal|_reading|_chance|_count_reading)$"
    r"|^(top_theme|least_theme|themes_most_raised|themes_least_raised|sat_reached|sat_point)$"
    r"|^n_codes_alpha_|^cooc_n_pairs_above_chance$|^cooc_n_pairs_expected_by_chance$|^alpha_min_|^alpha_max_"
    r"|^policy_top_|^alignment_top_|_links$|_quote_lead$"
)

_WORDS = [
    # comparison
    "more", "most", "less", r"(?<!at )least", "fewer", "fewest", "greater", "greatest", "larger", "largest",
    "smaller", "smallest", "higher", "highest", "lower", "lowest", "stronger", "strongest", "weaker",
    "weakest", "clearer", "clearest", "better", "best", "worse", "worst", "majority", "minority", "top",
    "above", "below", r"outnumber\w*", r"exceed\w*", r"dominan\w*", r"dominat\w*", r"predominan\w*",
    r"prevail\w*", r"(?<!rather )(?<!other )than",
    # strength
    "strong", "strongly", "weak", "weakly", "closely", "tightly", "firmly", r"robust\w*", "clearly",
    r"reliabl\w*", r"significant\w*", "bound up", "deeply", "heavily", "greatly", "highly", r"powerful\w*",
    "markedly",
    # size
    "many", "few", "much", "little", "large", "largely", "small", "widespread", "common", "commonly", "rare",
    "rarely", "often", "frequent", "frequently", r"recurr\w*", "repeatedly", r"substantial\w*",
    r"considerabl\w*", "numerous", "mainly", "mostly", r"increasing\w*", "growing", "diverse", "minimal",
]
CLAIM_WORDS = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.I)
ATTRIBUTED = re.compile(
    r"\b(the (authors' )?abstract|the authors report|we argue|the study's argument|on the study's argument"
    r"|claims? (is|are) that|argument the study|\w+ and colleagues|argument in one line)\b", re.I)
CITATION = re.compile(r"\[[^\]]*-?@[A-Za-z]|(?<![\w.])-?@[A-Z][A-Za-z]+\d{4}")

_VAR = re.compile(r"\{\{<\s*var\s+([\w.-]+)\s*>\}\}")
_QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”')
_SPAN = re.compile(r"\[([^\]]*)\]\{[^}]*\}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[⟨@])")
_HEADING = re.compile(r"^(#+)\s+(.*?)\s*(\{#([\w-]+)[^}]*\})?\s*$")


@dataclass(frozen=True)
class Claim:
    """A sentence that asserts a comparison, strength or size no computed value governs."""

    path: Path
    line: int
    words: tuple[str, ...]
    sentence: str

    def __str__(self) -> str:
        shown = self.sentence if len(self.sentence) <= 160 else self.sentence[:157] + "..."
        return (f"{self.path}:{self.line}: error: ungoverned claim ({', '.join(self.words)}): no computed value "
                f"in the sentence governs it (docs/WRITING.md): {shown!r}")


def sentences(text: str, notes: bool = False) -> list[tuple[int, str]]:
    """(line, sentence) for the prose of the checked sections (or, with `notes`, of a deck's speaker
    notes), each value shown as ⟨name⟩."""
    out: list[tuple[int, str]] = []
    paragraph: list[tuple[int, str]] = []  # (line number, text with values as ⟨name⟩)

    def flush():
        joined, starts = "", []
        for number, line in paragraph:
            starts.append((len(joined), number))
            joined += line.strip() + " "
        position = 0
        for sentence in _SENTENCE_END.split(joined):
            at = joined.index(sentence, position)
            position = at + len(sentence)
            if sentence.strip():
                out.append((max(n for offset, n in starts if offset <= at), sentence.strip()))
        paragraph.clear()

    inside, depth = False, 0  # depth: open divs inside a notes block
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING.match(line)
        stripped = line.strip()
        if notes and stripped.startswith(":::"):
            flush()
            opens = stripped.strip(":").strip()
            if not inside and opens.replace(" ", "") == "{.notes}":
                inside, depth = True, 1
            elif inside:
                depth += 1 if opens else -1
                inside = depth > 0
            continue
        if heading or not stripped or stripped.startswith((":::", "{{< include", "|", ": ", "<!--")):
            flush()
            if heading and len(heading.group(1)) == 1 and not notes:
                inside = heading.group(4) in CHECKED_SECTIONS
            continue
        if inside:
            paragraph.append((number, _VAR.sub(lambda m: f"⟨{m.group(1)}⟩", line)))
    flush()
    return out


def check_text(text: str, path: Path, notes: bool = False) -> list[Claim]:
    """The ungoverned claims of a paper's checked sections, or of a deck's speaker notes (`notes`)."""
    claims = []
    for line, sentence in sentences(text, notes):
        plain = _SPAN.sub(r"\1", _QUOTED.sub("“…”", sentence))
        words = tuple(dict.fromkeys(m.group(0).lower() for m in CLAIM_WORDS.finditer(re.sub(r"⟨[\w.-]+⟩", " ", plain))))
        if not words or CITATION.search(sentence) or ATTRIBUTED.search(plain):
            continue
        if any(GOVERNING.search(name) for name in re.findall(r"⟨([\w.-]+)⟩", sentence)):
            continue
        claims.append(Claim(path, line, words, sentence))
    return claims


def check_project(root: Path) -> list[Claim]:
    """The paper's Findings, Discussion and Conclusion, and the deck's speaker notes (what the speaker
    says is held to the same rule; the slides themselves are shorthand for the paper's sentences)."""
    found = []
    for path, notes in ((Path(root) / "paper" / "paper.qmd", False), (Path(root) / "paper" / "slides.qmd", True)):
        if path.exists():  # a project may have no deck
            found += check_text(path.read_text(encoding="utf-8"), path, notes=notes)
    return found
