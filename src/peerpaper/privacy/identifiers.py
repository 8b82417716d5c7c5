"""Find what could identify a participant in any text: roster names, emails, phones, postcodes, URLs, handles, DOBs.

Every search runs on the text as a reader reads it (`reading.read`: Unicode folded, invisible characters
dropped, look-alike letters mapped, words the layout hyphenated joined), so a name in decomposed Unicode or
an email with a zero-width space inside is the name or the email. Bidi control characters, which make a
reversed string read as a phone number, are refused wherever they appear. Text spelled in invisible tag
characters is read on its own.

Why these tools: a phone number is found by its written shape (digit groups joined by one kind of
separator, see `_phone_at`), which tells "07700 900123" from table cells such as "0 0.00 2 0.50" that a
PDF's text runs together; `phonenumbers` (Google's libphonenumber, kept current with Ofcom's numbering
plan) then says whether the digits can be a number, at its lenient "possible" level (a participant's
number may be unallocated or mistyped), with a real UK length for numbers that start 0 or 44.
The other kinds have stable, documented shapes, so precise regexes do: the postcode pattern is the
standard one (outward code letters/digits, inward code digit + two letters, optional space). Links to
link-in-bio, social, messaging, dating and adult-work platforms are identifiers whatever their top-level
domain (resources/identifying_domains.txt).

An allowlist entry never hides what is inside the allowed text: a phone number in the path of an
allowlisted DOI link, a roster name in the local part of an allowlisted mail domain are still hits.

A Hit never carries the identifier in its text: `excerpt` is masked ("J*** (5 chars)"). The raw value is
kept in `secret` (excluded from repr) only so that the build can map a hit back to a segment.

Citations are not handles: in Markdown/Quarto sources (`markdown=True`) an @key inside [...], a
cross-reference (@fig-x, @tbl-x, @sec-x, @eq-x) and any key of the bibliography are skipped. Rendered
outputs carry no citation syntax, so there every @word counts.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers

from ..errors import PaperError
from ..paths import RESOURCES
from .reading import BIDI_CONTROLS, TAG_RUN, Reading, fold_text, read

KINDS = ("name", "email", "phone", "postcode", "url", "handle", "dob")
BIDI = "bidi control"  # a kind of its own: never allowlisted, refused in anything published


class PrivacyError(PaperError):
    """An output or a data folder would expose participants; the message names where, never what."""


@dataclass(frozen=True)
class Hit:
    kind: str
    where: str
    excerpt: str
    segment: str | None = None
    secret: str = field(default="", repr=False, compare=False)
    offset: int = field(default=0, repr=False, compare=False)  # in the text that was scanned

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
        if self.kind not in (kind, "any") or kind == BIDI:
            return False
        wanted, value = fold_text(self.text), fold_text(value)
        if value == wanted:
            return True
        if kind in ("url", "email"):
            host = _host(value)
            return host == wanted or host.endswith("." + wanted)
        return False


def mask(value: str) -> str:
    """What a message may show of an identifier: its first visible character and its length."""
    visible = [c for c in value if c.isprintable() and unicodedata.category(c) not in ("Cf", "Mn", "Me", "Zs")]
    return f"{visible[0] if visible else '?'}*** ({len(value)} chars)"


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
_TLDS = (r"(?:com|org|net|info|biz|io|me|ly|co|tv|fm|app|xyz|uk|eu|de|fr|ie|us|fans|onion|ai|ee|gg|cc|to|bio"
         r"|link|site|live|vip|xxx|sex|porn|adult|cam|chat|social|club|store|online|ru|au|ca|nz)")
_URL_TAIL = r"[^\s<>\"')\]]*"
_URL = re.compile(
    rf"\bhttps?://[^\s<>\"')\]]+"
    rf"|\bwww\.[^\s<>\"')\]]+"
    rf"|(?<![\w@.-])(?:[a-z0-9-]+\.)+{_TLDS}(?:\.uk)?\b(?:/{_URL_TAIL})?",
    re.IGNORECASE,
)
# "jo dot bloggs at gmail dot com", "jo[at]example[dot]org": an address spelled so that a regex misses it
_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)"
_PART = r"[\w+-]+(?:(?:\.|" + _DOT + r")[\w+-]+)*"
_SPELLED_EMAIL = re.compile(  # with a spelled "dot" before the top-level domain, or a bracketed "at"
    rf"(?<![\w.+-]){_PART}{_AT}{_PART}{_DOT}{_TLDS}\b"
    rf"|(?<![\w.+-]){_PART}\s*[\[({{<]\s*at\s*[\])}}>]\s*{_PART}(?:\.|{_DOT}){_TLDS}\b",
    re.IGNORECASE,
)
_POSTCODE = re.compile(
    r"(?<!#)\b(?:GIR\s?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y])\s?[0-9][ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w@.])@[a-z0-9_](?:[a-z0-9_.]*[a-z0-9_])?", re.IGNORECASE)
# "insta: kerry_b", "snap: kerry99": a handle named by its platform instead of an @
_PLATFORM_HANDLE = re.compile(
    r"\b(?:insta(?:gram)?|ig|snap(?:chat)?|twitter|tiktok|telegram|onlyfans|fansly|kik|whatsapp|linktree)"
    r"\s*:\s*@?[a-z0-9_][a-z0-9_.]{2,}",
    re.IGNORECASE,
)
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
    rules: Rules | None = None,
) -> list[Hit]:
    """Every identifier in `text`, in reading order, as masked hits; allowlisted ones left out.

    A hit's `where` is `where:line` counting from `first_line`, or just `where` when first_line is None
    (a CSV cell, a JSON value: the place is already exact). `offset` is where the hit starts in `text`.
    `rules` stands for roster, allowlist and citation keys when a caller scans many texts with the same.
    """
    spans = _spans(text, rules or Rules(roster, allowlist, citation_keys), markdown)
    hits = []
    for start, kind, original, folded in spans:
        if first_line is None:
            place = where
        else:
            line = first_line + text.count("\n", 0, start)
            place = f"{where}:{line}" if where else f"line {line}"
        excerpt = original if kind == BIDI else mask(original)
        hits.append(Hit(kind, place, excerpt, secret=folded or original, offset=start))
    return hits


class Rules:
    """What a scan looks for: roster, allowlist and citation keys. Built once per scan (`scan_outputs`) and
    compared by a digest of its content, so caching `_spans` by it costs a string's hash per text where
    hashing the allowlist's entries each time cost more than the cache saved."""

    __slots__ = ("roster", "allowlist", "keys", "_content")

    def __init__(self, roster: Iterable[str] = (), allowlist: Iterable[Allowed] = (),
                 citation_keys: Iterable[str] = ()) -> None:
        self.roster, self.allowlist, self.keys = tuple(roster), tuple(allowlist), frozenset(citation_keys)
        self._content = hashlib.sha256(repr((self.roster, self.allowlist, sorted(self.keys))).encode()).hexdigest()

    def __hash__(self) -> int:
        return hash(self._content)

    def __eq__(self, other) -> bool:
        return isinstance(other, Rules) and self._content == other._content


@lru_cache(maxsize=65536)
def _spans(text: str, rules: Rules, markdown: bool) -> tuple:
    """(offset, kind, original, folded) of every identifier, in order: a pure function of its arguments,
    so kept (the preview scans the whole page after every edit, and most of its text did not change)."""
    roster, allowlist, keys = rules.roster, rules.allowlist, rules.keys
    reading = read(text)
    names = _name_pattern(roster)
    found = _identifiers(reading.text, 0, len(reading.text), names, allowlist, markdown, keys)
    spans = [(reading.origin(start), kind, reading.original(start, end), reading.text[start:end])
             for start, end, kind in _without_overlaps(found)]
    spans += [(m.start(), BIDI, f"U+{ord(m.group()):04X}", "") for m in BIDI_CONTROLS.finditer(text)]
    for run in TAG_RUN.finditer(text):  # invisible tag characters that spell text
        hidden = "".join(chr(ord(c) - 0xE0000) for c in run.group())
        spans += [(run.start(), kind, folded or original, folded or original)
                  for _, kind, original, folded in _spans(hidden, rules, False)]
    return tuple(sorted(spans, key=lambda s: s[0]))


def _identifiers(text, start, end, names, allowlist, markdown, keys):
    """(start, end, kind) of every identifier in text[start:end]; inside an allowed one, what it hides."""
    part = text[start:end]
    found = [*_names(part, names), *_emails(part), *_phones(part), *_postcodes(part), *_urls(part)]
    found += [*_handles(part, markdown, keys), *_births(part)]
    kept = []
    for s, e, kind in found:
        value = part[s:e]
        if any(entry.covers(kind, value) for entry in allowlist):
            a, b = _unreviewed(value, kind)
            if b - a < e - s:  # strictly shorter, so this ends
                kept += _identifiers(text, start + s + a, start + s + b, names, allowlist, markdown, keys)
        else:
            kept.append((start + s, start + e, kind))
    return kept


def _unreviewed(value: str, kind: str) -> tuple[int, int]:
    """The part of an allowed identifier that the allowlist entry did not review: after a URL's host,
    before an email's @ (an allowed mail domain says nothing of the person)."""
    if kind == "email" and "@" in value:
        return 0, value.rindex("@")
    if kind == "url" and (host := _host(value)) and (at := value.find(host)) >= 0:
        return at + len(host), len(value)
    return len(value), len(value)


@lru_cache(maxsize=64)
def _name_pattern(roster: tuple[str, ...]):
    names = sorted({fold_text(n).strip() for n in roster if n and n.strip()}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(r"[\s_.\-]+".join(map(re.escape, name.split())) for name in names if name)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _names(text: str, pattern):
    return [(m.start(), m.end(), "name") for m in pattern.finditer(text)] if pattern else []


def _emails(text: str):
    found = [(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]
    return found + [(m.start(), m.end(), "email") for m in _spelled_emails(text)]


def _spelled_emails(text: str):
    if "dot" not in text and not re.search(r"at\s*[\])}>]", text):
        return []
    return list(_SPELLED_EMAIL.finditer(text))


def _phones(text: str):
    """Phone numbers as people write them, read as a sequence of digit groups (see `_phone_at`)."""
    shown = _TRUNK.sub(lambda m: " " * len(m.group()), text)  # "+44 (0)20 …": the (0) is not dialled
    shown = _AREA_CODE.sub(lambda m: f" {m.group(1)} ", shown)  # "(0161) 496 0000": brackets as blanks
    groups = list(_DIGITS.finditer(shown))
    hits, covered = [], -1
    for i, group in enumerate(groups):
        if group.start() < covered:
            continue
        if found := _phone_at(text, shown, groups, i):
            hits.append(found)
            covered = found[1]
    return hits


_DIGITS = re.compile(r"\d+")
_TRUNK = re.compile(r"(?<=\+44)[ \t]?\(0\)|(?<=\b0044)[ \t]?\(0\)")
_AREA_CODE = re.compile(r"\((0\d{2,5})\)")


def _link(separator: str) -> str | None:
    """How two digit groups of one number are joined: spaces (or a line the layout broke), one dot, one
    hyphen or slash; anything else ends the number."""
    if _SPACES.fullmatch(separator):
        return " "
    if separator == ".":
        return "."
    if _HYPHEN.fullmatch(separator):
        return "-"
    if _SLASH.fullmatch(separator):
        return "/"
    return None


_SPACES = re.compile(r"[ \t]{1,3}|[ \t]*\r?\n[ \t]*")
_HYPHEN = re.compile(r"[ \t]?-[ \t]?")
_SLASH = re.compile(r"[ \t]?/[ \t]?")


def _phone_at(text: str, shown: str, groups: list[re.Match], i: int) -> tuple[int, int, str] | None:
    """The phone number that starts with digit group i, or None.

    The shape decides, not the digits alone. A dot joins a number's groups only when it is the one
    separator ("07700.900.123"), since it is also the decimal point: "0 0.00 2 0.50", cells of a table that
    a PDF's text runs together, is no number; spaces, hyphens and slashes mix ("07700 900-123"). A national
    number (leading 0) is written in groups of two or more digits, the first of three or more ("020 7946
    0000", "(0161) 496 0000"), or a lone 0 before groups of three or more ("0 7700 900123"), or digit by
    digit with one separator when the run of single digits is exactly the number (a row of counts goes on,
    or starts before). With + or 00 any grouping counts: the sign says it is a phone number. phonenumbers
    (Ofcom's numbering plan) then says whether the digits can be a number: UK lengths for 0 and 44, any
    country's for + and 00 (a participant's number may be unallocated or mistyped: "possible" is enough).
    """
    first = groups[i]
    start = first.start()
    before = shown[start - 1] if start else ""
    plus = before == "+"
    start -= plus
    if _joined_before(shown, start) or not (plus or first.group().startswith(("0", "44"))):
        return None
    if text[start - 1:start] == "(" and not plus:
        start -= 1  # a bracketed area code: the bracket is part of what was written
    international = plus or first.group().startswith("00")
    sizes, kinds, best = [len(first.group())], set(), None
    for j in range(i, min(len(groups), i + 16)):
        if j > i:
            link = _link(shown[groups[j - 1].end():groups[j].start()])
            free = international and j == i + 1  # "+44 (0)20 …": the country code stands apart
            if link is None and not (free and _PREFIX_GAP.fullmatch(shown[groups[j - 1].end():groups[j].start()])):
                break
            if not free:
                if "." in kinds | {link} and len(kinds | {link}) > 1:
                    break
                kinds.add(link)
            sizes.append(len(groups[j].group()))
        if sum(sizes) > 15:
            break
        end = groups[j].end()
        if _joined_after(shown, end):
            continue
        digits = "".join(g.group() for g in groups[i:j + 1])
        if _phone_shape(digits, sizes, international, shown, groups, i, j, kinds) and _possible(digits, international):
            best = (start, end, "phone")  # the longest that fits wins
    return best


_PREFIX_GAP = re.compile(r"[ \t]{1,6}|[.\-]")


def _joined_before(shown: str, at: int) -> bool:
    """A letter, digit or _- right before, or a decimal point after a digit ("2.0770…"): part of something else."""
    prev = shown[at - 1] if at else ""
    return _alnum_at(shown, at - 1) or (prev in ".," and _alnum_at(shown, at - 2) and shown[at - 2].isdigit())


def _joined_after(shown: str, at: int) -> bool:
    nxt = shown[at] if at < len(shown) else ""
    return _alnum_at(shown, at) or (nxt in ".," and at + 1 < len(shown) and shown[at + 1].isdigit())


def _phone_shape(digits, sizes, international, shown, groups, i, j, kinds) -> bool:
    if international:
        return 8 <= len(digits.removeprefix("00")) <= 15
    if digits.startswith("44"):  # 44 without the +: unbroken, or in groups of three or more
        return len(digits) == 12 and all(size >= 3 for size in sizes[1:])
    if len(digits) not in (10, 11):
        return False
    if all(size == 1 for size in sizes):  # digit by digit: exactly the number, no more digits around
        kind = next(iter(kinds)) if len(kinds) == 1 else None
        alone = not _linked(shown, groups, i - 1, i, kind) and not _linked(shown, groups, j, j + 1, kind)
        return kind is not None and alone
    if sizes[0] == 1:
        return all(size >= 3 for size in sizes[1:])
    return sizes[0] >= 3 and all(size >= 2 for size in sizes)


def _linked(shown, groups, a, b, kind) -> bool:
    """Groups a and b exist and are joined as the number's own groups are."""
    return 0 <= a and b < len(groups) and _link(shown[groups[a].end():groups[b].start()]) == kind


def _possible(digits: str, international: bool) -> bool:
    number = "+" + digits.removeprefix("00") if international or digits.startswith("44") else digits
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_possible_number(parsed):
        return False
    return parsed.country_code != 44 or len(phonenumbers.national_significant_number(parsed)) in (9, 10)


def _alnum_at(text: str, at: int) -> bool:
    return 0 <= at < len(text) and (text[at].isalnum() or text[at] in "_-")


def _postcodes(text: str):
    return [(m.start(), m.end(), "postcode") for m in _POSTCODE.finditer(text)]


def _urls(text: str):
    found = []
    for m in _URL.finditer(text):
        value = m.group().rstrip(".,;:")
        found.append((m.start(), m.start() + len(value), "url"))
    if pattern := _identifying_domains():
        for m in pattern.finditer(text):
            value = m.group().rstrip(".,;:")
            found.append((m.start(), m.start() + len(value), "url"))
    return found


@cache
def _identifying_domains():
    lines = (RESOURCES / "identifying_domains.txt").read_text(encoding="utf-8").splitlines()
    domains = sorted({line.split("#")[0].strip().lower() for line in lines} - {""}, key=len, reverse=True)
    if not domains:
        return None
    alternatives = "|".join(re.escape(d) for d in domains)
    return re.compile(rf"(?<![\w@.-])(?:[a-z0-9-]+\.)*(?:{alternatives})(?![\w-])(?:/{_URL_TAIL})?")


def _handles(text: str, markdown: bool, citation_keys: frozenset[str]):
    groups = [m.span() for m in _CITATION_GROUP.finditer(text)] if markdown else []
    folded_keys = {key.lower() for key in citation_keys}
    hits = []
    for m in _HANDLE.finditer(text):
        cited = any(a < m.start() < b for a, b in groups) or m.group()[1:] in folded_keys
        if markdown and (cited or _CROSSREF.match(text, m.start())):
            continue
        hits.append((m.start(), m.end(), "handle"))
    return hits + [(m.start(), m.end(), "handle") for m in _PLATFORM_HANDLE.finditer(text)]


def _births(text: str):
    hits = []
    for m in _DATE.finditer(text):
        before = text[max(0, m.start() - _BIRTH_WINDOW):m.start()]
        after = text[m.end():m.end() + _BIRTH_WINDOW]
        if _BIRTH.search(before) or re.search(r"\bbirthday\b", after, re.IGNORECASE):
            hits.append((m.start(), m.end(), "dob"))
    return hits


def _without_overlaps(found):
    """One hit per stretch of text: the earliest, then the longest (an email is not also a URL)."""
    kept, end = [], -1
    for start, stop, kind in sorted(set(found), key=lambda f: (f[0], -f[1])):
        if start >= end:
            kept.append((start, stop, kind))
            end = stop
    return kept


def _host(value: str) -> str:
    """The host of a URL or an email address (lower case), or of a bare domain."""
    value = value.strip()
    if "://" not in value:
        if "@" in value:
            return value.rsplit("@", 1)[1].split("/", 1)[0].lower()
        value = "//" + value
    try:
        return (urlsplit(value).hostname or "").lower()
    except ValueError:
        return ""


def read_csv(path: Path, required: set[str], what: str) -> list[dict[str, str]]:
    """Rows of a private CSV written by hand or by Excel: UTF-8 with or without a BOM, UTF-16 with a BOM,
    any line endings, headers in any case. Anything else is refused with one line (the roster protects
    people: a name decoded wrongly would silently stop matching)."""
    raw = Path(path).read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError as err:
            from charset_normalizer import from_bytes

            guess = from_bytes(raw).best()
            looks = f" (it looks like {guess.encoding})" if guess else ""
            raise PrivacyError(f"{path}: not UTF-8 text{looks}, byte {err.start + 1}; save the {what} as UTF-8 "
                               "(in Excel: Save As, CSV UTF-8) and build again") from None
    reader = csv.DictReader(io.StringIO(text, newline=""), skipinitialspace=True)
    fields = {name.strip().lower(): name for name in reader.fieldnames or [] if name}
    missing = required - set(fields)
    if missing:
        raise PrivacyError(f"{path}:1: the {what} needs the column(s) {', '.join(sorted(required))} "
                           f"(missing {', '.join(sorted(missing))})")
    return [{key: (row.get(name) or "").strip() for key, name in fields.items()} for row in reader]


def load_roster(path: Path) -> list[str]:
    """Names from a private roster.csv (columns name[, kind]); a missing file means no roster."""
    path = Path(path)
    if not path.exists():
        return []
    return [row["name"] for row in read_csv(path, {"name"}, "roster") if row["name"]]


def load_allowlist(path: Path) -> list[Allowed]:
    """Reviewed false positives from a CSV (text, kind, reason); every row must say why, or it is refused."""
    path = Path(path)
    if not path.exists():
        return []
    entries = []
    for row_number, row in enumerate(read_csv(path, {"text", "kind", "reason"}, "allowlist"), start=2):
        text, kind, reason = row["text"], row["kind"], row["reason"]
        if not reason:
            raise PrivacyError(f"{path}:{row_number}:reason: an allowlist entry needs a reason")
        if kind not in (*KINDS, "any"):
            raise PrivacyError(f"{path}:{row_number}:kind: {kind!r} is not one of {', '.join(KINDS)}, any")
        if not text:
            raise PrivacyError(f"{path}:{row_number}:text: empty")
        entries.append(Allowed(text, kind, reason))
    return entries
