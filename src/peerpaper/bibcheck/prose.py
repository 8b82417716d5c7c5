"""Compare what the prose says next to a citation with the entry it cites: the authors' names and the
year written just before it, and the page locator inside it.

Only warnings: prose is free text, so these checks guess, and err towards silence.
"""

from __future__ import annotations

import difflib
import re

from .bibliography import Reference, _normal_text, _words
from .citations import Citation
from .messages import WARNING, Message

# The prose just before a citation: surnames joined by , / and / &, maybe "et al.", maybe a year.
_NAME = r"(?:(?:van|von|de|der|den|du|da|di|la|le|del|dos)\s+)*[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*)*"
_SEP = r"(?:\s*,\s*(?:and\s+|&\s*)?|\s+and\s+|\s*&\s*)"
_PROSE_TAIL = re.compile(
    rf"(?<![\w'’\-])(?P<names>{_NAME}(?:{_SEP}{_NAME})*)?(?P<etal>\s+et\s+al\.?)?(?:['’]s?)?"
    rf"\s*(?:\(\s*(?P<pyear>\d{{4}})[a-z]?\s*\)|,?\s+(?P<year>\d{{4}})[a-z]?)?\s*$"
)
_NAME_SPLIT = re.compile(_SEP)
_PAGES = re.compile(r"^(?:(?P<label>p|pp|pg|page|pages)\b\.?\s*)?(?P<pages>\d+(?:\s*[-–—]+\s*\d+)?"
                    r"(?:\s*,\s*\d+(?:\s*[-–—]+\s*\d+)?)*)(?!\w)")
_PAGE_RANGE = re.compile(r"^\s*(\d+)\s*[-–—]+\s*(\d+)\s*$")
_SIMILAR = 0.75  # difflib ratio above which a different surname is taken for a misspelling


def _check_prose(cite: Citation, ref: Reference) -> list[Message]:
    """Compare the names and the year written just before a citation with the entry."""
    tail = _PROSE_TAIL.search(cite.before[-200:])
    if not tail:
        return []
    messages = []
    names = [re.sub(r"['’]s$", "", n) for n in _NAME_SPLIT.split(tail["names"] or "") if n]
    year = tail["pyear"] or (tail["year"] if names else None)
    if year and ref.year and year != ref.year:
        messages.append(Message(cite.file, cite.line, WARNING, f"the prose says {year} but {cite.key} is dated "
                                f"{ref.year}: correct the year or the key"))
    if names and ref.families:
        # The prose claims to name the authors when it stands in for the author part of the citation.
        # ("Sanders and Campbell (2007) [@key]" or "[-@key]"; a bare year, as in "July 2004", does not).
        claims = cite.suppress_author or tail["pyear"] is not None
        problem = _name_mismatch(names, bool(tail["etal"]), ref.families, claims)
        if problem:
            messages.append(Message(cite.file, cite.line, WARNING, f"the prose names {problem} but {cite.key} "
                                    f"is by {_authors(ref.families)}: correct the names or the key"))
    return messages


def _name_mismatch(written: list[str], et_al: bool, families: list[str], claims: bool) -> str | None:
    """What is wrong with the names written before a citation (None when they fit).

    When the prose does not stand in for the citation's author part, only near-misses (misspellings)
    are reported: a capitalised word before `[@key]` is often not a name at all."""
    if not claims:
        for name in written:
            if any(_same_name(name, f) for f in families):
                continue
            for family in families:
                guess = _best_suffix(name, family)
                if difflib.SequenceMatcher(None, _normal_text(guess), _normal_text(family)).ratio() >= _SIMILAR:
                    return f'"{guess}"'
        return None
    shown = f'"{" and ".join(_best_suffix(w, f) for w, f in zip(written, families))}"'
    if len(written) > len(families) or not all(_same_name(w, f) for w, f in zip(written, families)):
        return f'"{_written(written, et_al)}"'
    if et_al and len(families) <= 2:
        return f'{shown} et al.'
    if not et_al and len(written) < len(families):
        return f'only {shown}'
    return None


def _check_locator(cite: Citation, ref: Reference) -> list[Message]:
    """A page locator must lie inside the entry's page range (when the entry has one)."""
    match = _PAGES.match(cite.locator.strip().lstrip(",").strip().strip("{}").strip())
    span = _PAGE_RANGE.match(ref.fields.get("pages", ""))
    if not match or not span:
        return []
    first, last = int(span[1]), _expand_range(span[1], span[2])
    outside = [
        part.strip()
        for part in match["pages"].split(",")
        if any(not first <= p <= last for p in _page_numbers(part))
    ]
    if not outside:
        return []
    label = "p." if not match["label"] or match["label"] in ("p", "pg", "page") else "pp."
    return [Message(cite.file, cite.line, WARNING, f"{label} {', '.join(outside)} lies outside {cite.key}'s pages "
                                                   f"{first}-{last}: check the locator")]


def _same_name(written: str, family: str) -> bool:
    """True when the written name ends with the family name, or ends with part of a corporate author's
    name ("the Home Affairs Committee" for "House of Commons Home Affairs Committee")."""
    w, f = _words(written), _words(family)
    if not w or not f:
        return False
    for tail in (w[i:] for i in range(len(w))):
        if tail == f or (len(f) > 1 and any(f[j:j + len(tail)] == tail for j in range(len(f) - len(tail) + 1))):
            return True
    return False


def _best_suffix(written: str, family: str) -> str:
    """The last words of `written`, as many as the family name has (drops a sentence's 'In', 'As' ...)."""
    words = written.split()
    return " ".join(words[-len(family.split()):])


def _written(names: list[str], et_al: bool) -> str:
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return text + (" et al." if et_al else "")


def _authors(families: list[str]) -> str:
    if len(families) > 3:
        return f"{families[0]} et al."
    return families[0] if len(families) == 1 else ", ".join(families[:-1]) + " and " + families[-1]


def _expand_range(start: str, end: str) -> int:
    """`123-79` means 123-179: an end shorter than the start borrows the start's leading digits."""
    if len(end) < len(start) and int(end) < int(start):
        end = start[: len(start) - len(end)] + end
    return int(end)


def _page_numbers(part: str) -> list[int]:
    span = _PAGE_RANGE.match(part)
    if span:
        return [int(span[1]), _expand_range(span[1], span[2])]
    return [int(part)] if part.strip().isdigit() else []
