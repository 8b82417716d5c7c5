"""`paper import docx FILE`: a co-author's tracked changes and comments in `_output/paper.docx`, back in
paper/paper.qmd as a unified diff to review (`--apply` writes it).

How a change finds its place: each DOCX paragraph's text before the changes (`tracked`) is matched to a
paragraph of paper.qmd rendered again as the DOCX is rendered (`source`), then to that paragraph's markdown,
character by character (difflib's longest matching blocks, twice: DOCX -> rendered -> markdown). What
the change touches decides what happens to it:

- prose: applied to paper.qmd (insertions, deletions, and both halves of a move);
- a value from the analysis, a citation or a cross-reference inside a sentence, or a whole table, figure,
  quotation, bibliography entry, the notice, authors, date or keywords: reported with what the co-author
  wrote, never applied (they come from the data, the notebooks, references.bib or the metadata);
- a citation the co-author typed by hand ("(Smith, 2020)"): reported, with the bibliography keys that
  match, and not applied;
- a formatting-only change, or one that cannot be placed: reported.

Comments are listed with the paper.qmd line their anchor falls on.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import source as source_mod
from . import tracked
from .tracked import Change, DocxError, Paragraph

__all__ = ["import_docx", "Result", "DocxError"]

_HAND_CITATION = re.compile(
    r"\((?:see )?[A-Z][\w'\u2019-]+(?: et al\.?)?(?:,? (?:and|&) [A-Z][\w'\u2019-]+)?,? (?:19|20)\d\d[a-z]?"
    r"(?:[,:] ?(?:pp?\. ?)?\d+(?:[-\u2013]\d+)?)?(?:; [^)]+)?\)"
    r"|[A-Z][\w'\u2019-]+(?: et al\.?)?(?: (?:and|&) [A-Z][\w'\u2019-]+)? \((?:19|20)\d\d[a-z]?\)"
    r"|\[-?@[\w:.#$%&+?<>~/-]+|(?<![\w.])@[A-Za-z][\w:.#$%&+?<>~/-]*\d")
_HEADING_NUMBER = re.compile(r"^\d+(?:\.\d+)*\t?")


@dataclass
class Finding:
    line: int | None
    message: str
    applied: bool = False
    placed: bool = True

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" + (" [in the diff]" if self.applied else "")

    where: str = ""


@dataclass
class Result:
    path: Path
    before: str
    after: str
    findings: list[Finding] = field(default_factory=list)
    comments: list[Finding] = field(default_factory=list)

    @property
    def diff(self) -> str:
        rel = os.path.relpath(self.path)
        return "".join(difflib.unified_diff(self.before.splitlines(True), self.after.splitlines(True),
                                            f"a/{rel}", f"b/{rel}"))

    @property
    def unplaced(self) -> list[Finding]:
        return [f for f in self.findings if not f.placed]


@dataclass
class _Edit:
    start: int
    end: int
    text: str
    finding: Finding


class _Map:
    """Positions in `a` -> positions in `b`, through difflib's matching blocks (None between them)."""

    def __init__(self, a: str, b: str) -> None:
        self.blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()

    def __call__(self, i: int, side: str = "left") -> int | None:
        """Where two matching blocks meet (markup between them, say) "left" ends the first, "right" starts
        the second: a deletion starts right and ends left, so the markup around it stays."""
        if side == "right":
            for a, b, n in self.blocks:
                if a <= i < a + n:
                    return b + (i - a)
        for a, b, n in self.blocks:
            if a <= i <= a + n and n:
                return b + (i - a)
        return None

    def equal_outside(self, a_len: int, b_len: int, protected: list) -> bool:
        """True when the two texts differ only inside `protected` (segments of `b`) stretches."""
        a_at = b_at = 0
        for a, b, n in self.blocks:
            if (a - a_at or b - b_at) and not any(s.start <= b_at and b <= s.end for s in protected):
                return False
            a_at, b_at = a + n, b + n
        return True


def import_docx(docx: Path, root: Path, epoch: str, metadata: dict, document: Path | None = None) -> Result:
    review = tracked.read(docx)
    qmd = (document or root / "paper" / "paper.qmd").resolve()
    src = source_mod.load(root, qmd, epoch, metadata)
    result = Result(qmd, src.text, src.text)
    pairs = _pair(review.paragraphs, src.units)
    edits: list[_Edit] = []
    last_unit = None
    for para in review.paragraphs:
        unit = pairs.get(para.index)
        edits += _paragraph_edits(para, unit, last_unit, src, result)
        last_unit = unit if unit is not None else last_unit
    for anchor in review.comments:
        result.comments.append(_comment(anchor, review, pairs, src))
    result.after = _apply(src.text, edits, result)
    for finding in result.findings + result.comments:
        finding.where = f"{os.path.relpath(qmd)}:{finding.line}" if finding.line else os.path.relpath(docx)
    return result


# ---- pairing DOCX paragraphs with rendered paragraphs ----------------------------------------------------

def _norm(text: str, style: str = "") -> str:
    if style.startswith("Heading"):
        text = _HEADING_NUMBER.sub("", text)
    return " ".join(text.split())


def _pair(paragraphs: list[Paragraph], units: list) -> dict[int, object]:
    """{DOCX paragraph index: Unit}; paragraphs the build wrote are matched by their text before the changes."""
    docx = [p for p in paragraphs if not p.in_table and _norm(p.base) and p.mark != "insert"]
    wanted = [u for u in units if _norm(u.text)]
    a, b = [_norm(p.base, p.style) for p in docx], [_norm(u.text) for u in wanted]
    pairs: dict[int, object] = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            pairs.update({docx[i].index: wanted[j1 + i - i1] for i in range(i1, i2)})
        elif tag == "replace":  # changed since the build, or rendered a little differently: the likeliest
            j = j1
            for i in range(i1, i2):
                scores = [(difflib.SequenceMatcher(None, a[i], b[k], autojunk=False).ratio(), k) for k in range(j, j2)]
                score, best = max(scores, default=(0.0, None))
                if best is not None and score > 0.6:
                    pairs[docx[i].index] = wanted[best]
                    j = best + 1
    caption = None
    for p in paragraphs:  # a table's cells answer to its caption (pandoc writes it just before the table)
        if p.in_table:
            named = caption is not None and caption.protected
            pairs[p.index] = source_mod.Unit(p.base, line=caption.line if named else None,
                                             protected=caption.protected if named else "a table")
        elif p.index in pairs:
            caption = pairs[p.index]
    return pairs


# ---- one paragraph's changes -------------------------------------------------------------------------------

def _paragraph_edits(para: Paragraph, unit, previous, src, result: Result) -> list[_Edit]:
    edits: list[_Edit] = []
    for what in para.other:
        result.findings.append(Finding(unit.line if unit else None, f"a {what} change in paragraph "
                                       f"{_quote(para.accepted)}: not applied (the build sets formatting)"))
    if para.mark == "insert" and not para.base:
        return _new_paragraph(para, previous, src, result)
    if not para.changes:
        if unit is not None and unit.line and not unit.protected and para.mark is None:
            _check_untracked(para, unit, result)
        return edits
    if unit is None:
        for change in para.changes:
            result.findings.append(Finding(None, f"{_describe(change)} in paragraph {_quote(para.base)}: "
                                           "could not place it in paper.qmd (is the DOCX from another version?)",
                                           placed=False))
        return edits
    if unit.protected:
        result.findings.append(Finding(unit.line, f"protected: {unit.protected}: the co-author changed "
                                       f"{_quote(para.base)} to {_quote(para.accepted)}; not applied"))
        return edits
    if para.mark == "delete":
        result.findings.append(Finding(unit.line, "the paragraph mark after this paragraph was deleted (two "
                                       "paragraphs joined): not applied; join them in paper.qmd if meant"))
    to_rendered = _Map(para.base, unit.text)
    to_source = _Map(unit.text, unit.source)
    for group in _replacements(para.changes):
        start, end = group[0].start, group[0].end  # a replacement is judged as one: its deletion's range
        side = "right" if start < end else "left"  # an insertion continues the text before it
        r_start, r_end = to_rendered(start, side), to_rendered(end)
        finding = Finding(unit.line, " and ".join(_describe(c) for c in group))
        if r_start is None or r_end is None:
            finding.message += ": could not place it in paper.qmd's text"
            finding.placed = False
            result.findings.append(finding)
            continue
        kind = "delete" if group[0].kind == "delete" else "insert"
        hit = next((s for s in unit.segments if _touches(s, r_start, r_end, kind)), None)
        if hit is not None:
            finding.message = (f"protected: {finding.message} inside {hit.kind} {hit.source} (rendered "
                               f"{_quote(unit.text[hit.start:hit.end])}); the co-author wrote "
                               f"{_quote(_context(para, group))}; not applied" + _remedy(hit.kind))
            result.findings.append(finding)
            continue
        inserted = "".join(c.text for c in group if c.kind == "insert")
        if (typed := _HAND_CITATION.search(inserted)):
            finding.message = (f"a citation typed by hand, {_quote(typed.group(0))}, in {finding.message}; not "
                               f"applied: cite with a key from references.bib{_suggest(typed.group(0), src)}")
            result.findings.append(finding)
            continue
        s_start, s_end = to_source(r_start, side), to_source(r_end)
        if s_start is None or s_end is None:
            finding.message += ": could not place it in paper.qmd's markdown"
            finding.placed = False
            result.findings.append(finding)
            continue
        at, until = unit.source_start + s_start, unit.source_start + s_end
        finding.line = src.text.count("\n", 0, at) + 1
        edits.append(_Edit(at, until, inserted, finding))
    return edits


def _replacements(changes: list[Change]) -> list[list[Change]]:
    """Changes in order, a deletion and the insertion Word writes right after it taken together."""
    groups: list[list[Change]] = []
    for change in changes:
        previous = groups[-1] if groups else None
        if (previous and len(previous) == 1 and previous[0].kind == "delete" and change.kind == "insert"
                and change.start == previous[0].end and change.moved == previous[0].moved):
            previous.append(change)
        else:
            groups.append([change])
    return groups


def _context(para: Paragraph, group: list[Change], width: int = 40) -> str:
    """The co-author's text around a change: a little before, what they wrote, a little after."""
    start, end = group[0].start, group[0].end
    inserted = "".join(c.text for c in group if c.kind == "insert")
    before, after = para.base[:start][-width:], para.base[end:][:width]
    return ("…" if start > width else "") + before + inserted + after + ("…" if len(para.base) - end > width else "")


def _touches(segment, start: int, end: int, kind: str) -> bool:
    """A deletion overlapping a protected stretch, or an insertion strictly inside one."""
    if kind == "delete":
        return segment.start < end and start < segment.end
    return segment.start < start < segment.end


def _new_paragraph(para: Paragraph, previous, src, result: Result) -> list[_Edit]:
    text = para.accepted.strip()
    if previous is None or previous.protected or not previous.line:
        result.findings.append(Finding(previous.line if previous else None,
                                       f"a new paragraph {_quote(text)} after "
                                       f"{'protected content' if previous else 'the start'}: could not place it "
                                       "in paper.qmd's prose", placed=False))
        return []
    if (typed := _HAND_CITATION.search(text)):
        result.findings.append(Finding(previous.line, f"a citation typed by hand, {_quote(typed.group(0))}, in "
                                       f"a new paragraph {_quote(text)}; not applied: cite with a key from "
                                       f"references.bib{_suggest(typed.group(0), src)}"))
        return []
    at = previous.source_start + len(previous.source)
    finding = Finding(src.text.count("\n", 0, at) + 2, f"a new paragraph {_quote(text)}"
                      + (f" by {para.changes[0].author}" if para.changes and para.changes[0].author else ""))
    return [_Edit(at, at, "\n\n" + text, finding)]


def _check_untracked(para: Paragraph, unit, result: Result) -> None:
    mapping = _Map(_norm(para.base, para.style), _norm(unit.text))
    if not mapping.equal_outside(len(para.base), len(unit.text), unit.segments):
        result.findings.append(Finding(unit.line, f"the DOCX paragraph {_quote(para.base)} differs from "
                                       "what paper.qmd renders outside tracked changes (an edit made with "
                                       "tracking off, or paper.qmd changed since the DOCX was built): not "
                                       "imported"))


def _comment(anchor, review, pairs, src) -> Finding:
    para = review.paragraphs[anchor.paragraph]
    unit = pairs.get(anchor.paragraph)
    end = anchor.end if anchor.end is not None and anchor.end_paragraph == anchor.paragraph else len(para.base)
    anchored = para.base[anchor.start:end]
    line = None
    if unit is not None and unit.protected:
        line = unit.line
        anchored += f" ({unit.protected})"
    elif unit is not None and unit.line:
        r = _Map(para.base, unit.text)(anchor.start)
        s = _Map(unit.text, unit.source)(r) if r is not None else None
        line = src.text.count("\n", 0, unit.source_start + (s or 0)) + 1
    who = f"{anchor.author}" + (f", {anchor.date[:10]}" if anchor.date else "")
    return Finding(line, f"comment by {who} on {_quote(anchored)}: {anchor.text}", placed=line is not None)


# ---- applying ------------------------------------------------------------------------------------------

def _apply(text: str, edits: list[_Edit], result: Result) -> str:
    out = text
    taken: list[tuple[int, int]] = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        if any(edit.start < e and s < edit.end for s, e in taken):
            edit.finding.message += ": overlaps another change; not applied"
            edit.finding.placed = False
        else:
            out = out[:edit.start] + edit.text + out[edit.end:]
            out = _tidy_markup(out, edit.start)
            taken.append((edit.start, max(edit.end, edit.start + 1)))
            edit.finding.applied = True
        result.findings.append(edit.finding)
    result.findings.sort(key=lambda f: (f.line or 0))
    return out


def _tidy_markup(text: str, at: int) -> str:
    """A deletion of a whole emphasised word leaves `**` or `__` behind: remove the empty pair."""
    for pair in ("***", "**", "*", "__", "_"):
        if text[at - len(pair):at] == pair and text[at:at + len(pair)] == pair:
            return text[:at - len(pair)] + text[at + len(pair):]
    return text


def _describe(change: Change) -> str:
    what = ("moved text in" if change.moved else "insertion") if change.kind == "insert" else \
        ("text moved away" if change.moved else "deletion")
    who = f" by {change.author}" if change.author else ""
    return f"{what}{who} {_quote(change.text)}"


def _remedy(kind: str) -> str:
    return {"value": " (a value comes from the analysis: change the data or the notebook, not the text)",
            "citation": " (a citation is rendered from references.bib: edit the key in paper.qmd or the entry)",
            "cross-reference": " (a cross-reference is numbered by the build)"}.get(kind, "")


def _suggest(typed: str, src) -> str:
    from ..privacy import citation_keys

    bib = src.path.parent.parent / "references.bib"
    name = re.search(r"[A-Z][\w'\u2019-]+", typed)
    year = re.search(r"(?:19|20)\d\d", typed)
    keys = [k for k in citation_keys(bib) if name and year and name.group(0).lower() in k.lower()
            and year.group(0) in k] if bib.exists() else []
    return f" (perhaps [@{keys[0]}])" if len(keys) == 1 else f" (one of {', '.join('@' + k for k in keys)})" if keys else ""


def _quote(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return '"' + (text if len(text) <= limit else text[:limit - 1] + "\u2026") + '"'
