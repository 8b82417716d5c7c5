"""Find what could identify a participant in any text: roster names, emails, phones, postcodes, URLs, handles, DOBs.

Why these tools: UK phone numbers have too many legitimate shapes for one regex, so `phonenumbers`
(Google's libphonenumber, kept current with Ofcom's numbering plan) finds them; we keep its lenient
"possible" matches (a participant's number may be unallocated or mistyped) but require a real UK length.
The other kinds have stable, documented shapes, so precise regexes do: the postcode pattern is the
standard one (outward code letters/digits, inward code digit + two letters, optional space).

A Hit never carries the identifier in its text: `excerpt` is masked ("J*** (5 chars)"). The raw value is
kept in `secret` (excluded from repr) only so that the build can map a hit back to a segment.

Citations are not handles: in Markdown/Quarto sources (`markdown=True`) an @key inside [...], a
cross-reference (@fig-x, @tbl-x, @sec-x, @eq-x) and any key of the bibliography are skipped. Rendered
outputs carry no citation syntax, so there every @word counts.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers

from ..errors import PaperError

KINDS = ("name", "email", "phone", "postcode", "url", "handle", "dob")


class PrivacyError(PaperError):
    """An output or a data folder would expose participants; the message names where, never what."""


@dataclass(frozen=True)
class Hit:
    kind: str
    where: str
    excerpt: str
    segment: str | None = None
    secret: str = field(default="", repr=False, compare=False)

    def __str__(self) -> str:
        segment = f" (segment {self.segment})" if self.segment else ""
        return f"{self.where}{segment}: {self.kind} {self.excerpt}"


@dataclass(frozen=True)
class Allowed:
    """A reviewed false positive: `text` (an identifier, or for url/email a domain) of `kind`, and why."""

    text: str
    kind: str
    reason: str

    def covers(self, kind: str, value: str) -> bool:
        if self.kind not in (kind, "any"):
            return False
        wanted, value = self.text.casefold(), value.casefold()
        if value == wanted:
            return True
        if kind in ("url", "email"):
            host = _host(value)
            return host == wanted or host.endswith("." + wanted)
        return False


def mask(value: str) -> str:
    """What a message may show of an identifier: its first character and its length."""
    return f"{value[:1]}*** ({len(value)} chars)"


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_TLDS = r"(?:com|org|net|info|biz|io|me|ly|co|tv|fm|app|xyz|uk|eu|de|fr|ie|us|fans|onion)"
_URL = re.compile(
    r"\bhttps?://[^\s<>\"')\]]+"
    r"|\bwww\.[^\s<>\"')\]]+"
    r"|(?<![\w@.-])(?:[A-Za-z0-9-]+\.)+" + _TLDS + r"(?:\.uk)?\b(?:/[^\s<>\"')\]]*)?",
    re.IGNORECASE,
)
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y]) ?[0-9][ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
_CROSSREF = re.compile(r"@(?:fig|tbl|sec|eq|lst|thm|lem|cor|prp|cnj|def|exm|exr)-", re.IGNORECASE)
_CITATION_GROUP = re.compile(r"\[[^\[\]\n]*@[^\[\]\n]*\]")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
    r"|\d{4}-\d{2}-\d{2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b",
    re.IGNORECASE,
)
_BIRTH = re.compile(r"\b(?:d\.?o\.?b\b\.?|date of birth|birth ?date|born|birthday)", re.IGNORECASE)
_BIRTH_WINDOW = 40


def scan_text(
    text: str,
    roster: Iterable[str] = (),
    allowlist: Iterable[Allowed] = (),
    *,
    where: str = "",
    first_line: int | None = 1,
    markdown: bool = False,
    citation_keys: Iterable[str] = (),
) -> list[Hit]:
    """Every identifier in `text`, in reading order, as masked hits; allowlisted ones left out.

    A hit's `where` is `where:line` counting from `first_line`, or just `where` when first_line is None
    (a CSV cell, a JSON value: the place is already exact).
    """
    allowlist = list(allowlist)
    found = [*_names(text, roster), *_emails(text), *_phones(text), *_postcodes(text), *_urls(text)]
    found += [*_handles(text, markdown, set(citation_keys)), *_births(text)]
    found = _without_overlaps(found)
    hits = []
    for start, kind, value in found:
        if any(entry.covers(kind, value) for entry in allowlist):
            continue
        if first_line is None:
            place = where
        else:
            line = first_line + text.count("\n", 0, start)
            place = f"{where}:{line}" if where else f"line {line}"
        hits.append(Hit(kind, place, mask(value), secret=value))
    return hits


def _names(text: str, roster: Iterable[str]):
    names = sorted({n.strip() for n in roster if n and n.strip()}, key=len, reverse=True)
    if not names:
        return []
    alternatives = "|".join(r"\s+".join(map(re.escape, name.split())) for name in names)
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return [(m.start(), "name", m.group()) for m in pattern.finditer(text)]


def _emails(text: str):
    return [(m.start(), "email", m.group()) for m in _EMAIL.finditer(text)]


def _phones(text: str):
    """UK numbers as people write them: starting 0, (0 or +, standing alone (not digits inside a hash or id)."""
    hits = []
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        national = phonenumbers.national_significant_number(match.number)
        alone = not _alnum_at(text, match.start - 1) and not _alnum_at(text, match.end)
        uk = match.number.country_code == 44 and len(national) in (9, 10)
        if alone and match.raw_string[:2].lstrip("(")[:1] in ("0", "+") and (uk or match.raw_string.startswith("+")):
            hits.append((match.start, "phone", match.raw_string))
    return hits


def _alnum_at(text: str, at: int) -> bool:
    return 0 <= at < len(text) and (text[at].isalnum() or text[at] in "_-")


def _postcodes(text: str):
    return [(m.start(), "postcode", m.group()) for m in _POSTCODE.finditer(text)]


def _urls(text: str):
    return [(m.start(), "url", m.group().rstrip(".,;:")) for m in _URL.finditer(text)]


def _handles(text: str, markdown: bool, citation_keys: set[str]):
    groups = [m.span() for m in _CITATION_GROUP.finditer(text)] if markdown else []
    hits = []
    for m in _HANDLE.finditer(text):
        cited = any(a < m.start() < b for a, b in groups) or m.group()[1:] in citation_keys
        if markdown and (cited or _CROSSREF.match(text, m.start())):
            continue
        hits.append((m.start(), "handle", m.group()))
    return hits


def _births(text: str):
    hits = []
    for m in _DATE.finditer(text):
        before = text[max(0, m.start() - _BIRTH_WINDOW):m.start()]
        after = text[m.end():m.end() + _BIRTH_WINDOW]
        if _BIRTH.search(before) or re.search(r"\bbirthday\b", after, re.IGNORECASE):
            hits.append((m.start(), "dob", m.group()))
    return hits


def _without_overlaps(found):
    """One hit per stretch of text: the earliest, then the longest (an email is not also a URL)."""
    kept, end = [], -1
    for start, kind, value in sorted(found, key=lambda f: (f[0], -len(f[2]))):
        if start >= end:
            kept.append((start, kind, value))
            end = start + len(value)
    return kept


def _host(value: str) -> str:
    value = value.split("@", 1)[1] if "@" in value and "://" not in value else value
    value = re.sub(r"^[a-z]+://", "", value)
    return value.split("/", 1)[0].split(":", 1)[0]


def load_roster(path: Path) -> list[str]:
    """Names from a private roster.csv (columns name[, kind]); a missing file means no roster."""
    path = Path(path)
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if "name" not in (reader.fieldnames or []):
            raise PrivacyError(f"{path}:1: roster needs a 'name' column")
        return [row["name"].strip() for row in reader if (row["name"] or "").strip()]


def load_allowlist(path: Path) -> list[Allowed]:
    """Reviewed false positives from a CSV (text, kind, reason); every row must say why, or it is refused."""
    path = Path(path)
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"text", "kind", "reason"} - set(reader.fieldnames or [])
        if missing:
            raise PrivacyError(f"{path}:1: allowlist needs columns text, kind, reason (missing {', '.join(sorted(missing))})")
        entries = []
        for row_number, row in enumerate(reader, start=2):
            text, kind, reason = ((row.get(c) or "").strip() for c in ("text", "kind", "reason"))
            if not reason:
                raise PrivacyError(f"{path}:{row_number}:reason: an allowlist entry needs a reason")
            if kind not in (*KINDS, "any"):
                raise PrivacyError(f"{path}:{row_number}:kind: {kind!r} is not one of {', '.join(KINDS)}, any")
            if not text:
                raise PrivacyError(f"{path}:{row_number}:text: empty")
            entries.append(Allowed(text, kind, reason))
        return entries
