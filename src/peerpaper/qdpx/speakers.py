"""Speaker turns: where each turn starts in a transcript and who speaks it.

Transcripts mark speakers in a handful of ways, and each style is a preset: `Name:` ("Amber: ..."),
`NAME:` ("AMBER: ..."), `[id]` ("[id1] ...", as QualCoder's speaker marking writes), `Interviewer (AB):`
(a role, then the speaker's initials), and `none`, where nothing marks speakers and each paragraph (line)
is one turn of an unattributed speaker. `auto` tries the presets on all the sources together and keeps the
one that finds the most turns by labels that recur or name a Case (a heading such as "Abstract:" occurs once; a speaker
speaks again), as QualCoder's own speaker marking does; `regex: ...` takes a pattern with a named group
`speaker` (and optionally `role`).

A label listed as not a speaker is not a turn: its line stays in the turn before.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .common import QdpxError
from .mapping import norm

_UPPER = "A-Z\u00c0-\u00de"
_BOUNDARY = r"(?=[ \t\r\n]|$)"
PRESETS = {
    "Name:": rf"^[ \t]*(?P<speaker>[{_UPPER}][\w.'’-]*(?: [{_UPPER}0-9][\w.'’-]*){{0,3}})[ \t]*:{_BOUNDARY}",
    "NAME:": rf"^[ \t]*(?P<speaker>[{_UPPER}][{_UPPER}0-9.'’-]*(?: [{_UPPER}0-9][{_UPPER}0-9.'’-]*){{0,3}})[ \t]*:{_BOUNDARY}",
    "[id]": r"^[ \t]*\[(?P<speaker>[^\]\r\n]{1,40})\][ \t]*:?",
    "Interviewer (AB):": rf"^[ \t]*(?P<role>[{_UPPER}][\w'’-]*(?: [\w'’-]+){{0,2}}) \((?P<speaker>[^)\r\n]{{1,30}})\)[ \t]*:{_BOUNDARY}",
}
UNATTRIBUTED = "unattributed"


@dataclass
class Turn:
    start: int  # string index where the turn begins (its label): it runs to the next turn's start
    speaker: str  # the label as written ("" with style none)
    text: str
    line: int  # 1-based line of the label in the source
    role: str = ""  # the role word of an "Interviewer (AB):" label
    segment_id: str | None = None


def pattern(style: str) -> re.Pattern | None:
    """The regex of a preset or of 'regex: ...'; None for style none."""
    if style == "none":
        return None
    source = PRESETS.get(style) or (style[len("regex:"):].strip() if style.startswith("regex:") else None)
    if source is None:
        raise QdpxError(f"speaker style {style!r}: not one of {', '.join(PRESETS)}, none, auto or 'regex: ...'")
    try:
        regex = re.compile(source, re.MULTILINE)
    except re.error as err:
        raise QdpxError(f"speaker style {style!r}: not a regular expression: {err}") from None
    if "speaker" not in regex.groupindex:
        raise QdpxError(f"speaker style {style!r}: needs a named group (?P<speaker>...)")
    return regex


def _labels(regex: re.Pattern, text: str, ignore: set[str]):
    return [m for m in regex.finditer(text) if norm(m.group("speaker")) not in ignore and m.group("speaker").strip()]


def choose(texts: list[str], ignore: set[str], known: set[str] = frozenset()) -> str:
    """The preset that finds the most turns by labels that recur, or name a known speaker (a Case), in
    these texts; 'none' if none does."""
    best, best_score = "none", 0
    for style in PRESETS:
        regex, score = pattern(style), 0
        counts = Counter(norm(m.group("speaker")) for text in texts for m in _labels(regex, text, ignore))
        score = sum(n for label, n in counts.items() if n > 1 or label in known)
        if score > best_score:
            best, best_score = style, score
    return best


def turns(text: str, style: str, ignore: set[str]) -> tuple[list[Turn], bool]:
    """The turns of one text, and whether text before the first label was left out."""
    regex = pattern(style)
    if regex is None:
        out, line = [], 0
        for match in re.finditer(r"[^\r\n]+", text):
            line = text.count("\n", 0, match.start()) + 1
            if body := match.group().strip():
                out.append(Turn(match.start(), "", body, line))
        return out, False
    matches = _labels(regex, text, ignore)
    out, line, last = [], 1, 0
    for m, nxt in zip(matches, matches[1:] + [None]):
        line += text.count("\n", last, m.start())
        last = m.start()
        body = text[m.end(): nxt.start() if nxt else len(text)].strip().replace("\r\n", "\n").replace("\r", "\n")
        role = m.group("role").strip() if "role" in regex.groupindex and m.group("role") else ""
        out.append(Turn(m.start(), m.group("speaker").strip(), body, line, role))
    preamble = bool(text[: matches[0].start()].strip()) if matches else bool(text.strip())
    return out, preamble
