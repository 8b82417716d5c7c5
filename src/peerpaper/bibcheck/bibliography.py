"""Read references.bib and check each entry on its own: syntax, duplicate keys, required fields, years,
dates, DOIs, and the same work under two keys.

Parsed with bibtexparser v2, which keeps the line of every entry and field, reports syntax errors and
duplicate keys as failed blocks instead of stopping, and splits author lists and names the way BibTeX
does (`split_multiple_persons_names`, `parse_single_name_into_parts`).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser.exceptions import ParsingException
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ParsingFailedBlock

from .messages import ERROR, WARNING, Message
from .sources import _display, _read_text

# Fields each entry type must have (BibTeX's and BibLaTeX's required fields; "a|b" = either will do;
# BibLaTeX's `date` stands in for `year`). Types not listed need what @misc needs.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "article": ("author", "title", "journal|journaltitle", "year|date"),
    "book": ("author|editor", "title", "publisher", "year|date"),
    "incollection": ("author", "title", "booktitle", "publisher", "year|date"),
    "inproceedings": ("author", "title", "booktitle", "year|date"),
    "techreport": ("author", "title", "institution", "year|date"),
    "phdthesis": ("author", "title", "school|institution", "year|date"),
    "mastersthesis": ("author", "title", "school|institution", "year|date"),
    "thesis": ("author", "title", "school|institution", "year|date"),
    "report": ("title", "year|date"),
    "legislation": ("title", "year|date"),
    "online": ("title", "year|date"),
    "misc": ("title", "year|date"),
}

_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_AS_URL = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:\s*)(10\.\d{4,9}/\S+)", re.I)
_YEAR = re.compile(r"\d{4}")
_DATE = re.compile(r"\d{4}(-\d{2}){0,2}(/(\d{4}(-\d{2}){0,2})?)?")
_RUNAWAY_FIELD = re.compile(r"\n\s*[A-Za-z]+\s*=\s*[{\"\d]")


@dataclass
class Reference:
    """The parts of a bibliography entry the checks compare against."""

    key: str
    file: str
    line: int
    kind: str
    fields: dict[str, str]
    field_lines: dict[str, int]
    families: list[str] = field(default_factory=list)

    @property
    def year(self) -> str | None:
        value = self.fields.get("year") or self.fields.get("date") or ""
        return value[:4] if _YEAR.match(value) else None


def _read_bibliography(path: Path, root: Path, references: dict[str, Reference]) -> list[Message]:
    """Parse one .bib file into `references`; return its syntax errors and duplicate keys."""
    name = _display(path, root)
    if not path.is_file():
        return [Message(name, 1, ERROR, "bibliography file not found: create it or fix the path in _quarto.yml")]
    try:
        library = _parse_quietly(_read_text(path, name))
    except ParsingException as err:  # bibtexparser gives up on a few broken files altogether
        return [Message(name, 1, ERROR, f"BibTeX syntax error: {err}: fix the file's syntax")]
    messages = []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            first = block.previous_block.start_line + 1
            messages.append(Message(name, line, ERROR, f"duplicate key {block.key} (first at line {first}): "
                                                       "rename or delete one"))
        elif isinstance(block, DuplicateFieldKeyBlock):
            twice = ", ".join(sorted(block.duplicate_keys))
            messages.append(Message(name, line, ERROR, f"field {twice} given twice in one entry: keep one"))
        elif isinstance(block, ParsingFailedBlock):
            detail = getattr(block.error, "abort_reason", "") or str(block.error) or type(block.error).__name__
            messages.append(Message(name, line, ERROR, f"BibTeX syntax error in the entry starting here: "
                                    f"{detail.strip().rstrip('.')}: check its braces, quotes and commas"))
    for entry in library.entries:
        if entry.key in references:  # the same key in a second .bib file
            first = references[entry.key]
            messages.append(Message(name, entry.start_line + 1, ERROR,
                                    f"duplicate key {entry.key} (first at {first.file}:{first.line}): "
                                    "rename or delete one"))
            continue
        reference = _reference(entry, name)
        references[entry.key] = reference
        messages += _runaway_fields(entry, name)
    return messages


def _parse_quietly(text: str):
    """Parse without bibtexparser logging each failed block: the checker reports them itself."""
    logger = logging.getLogger("bibtexparser.splitter")
    was = logger.disabled
    logger.disabled = True
    try:
        return bibtexparser.parse_string(text)
    finally:
        logger.disabled = was


def _reference(entry: Entry, file: str) -> Reference:
    fields = {f.key.lower(): str(f.value).strip() for f in entry.fields}
    lines = {f.key.lower(): f.start_line + 1 for f in entry.fields}
    people = fields.get("author") or fields.get("editor") or ""
    families = []
    for person in split_multiple_persons_names(people) if people else []:
        parts = parse_single_name_into_parts(person, strict=False)
        families.append(_strip_tex(" ".join(parts.von + parts.last)))
    return Reference(entry.key, file, entry.start_line + 1, entry.entry_type.lower(), fields, lines, families)


def _runaway_fields(entry: Entry, file: str) -> list[Message]:
    """A missing comma makes bibtexparser read the next field into this one's value: name that."""
    return [
        Message(file, f.start_line + 1, ERROR, f"BibTeX syntax error: field {f.key} runs into the next line: "
                                               "add the missing comma after its value")
        for f in entry.fields
        if isinstance(f.value, str) and _RUNAWAY_FIELD.search(f.value)
    ]


def _check_references(references: list[Reference]) -> list[Message]:
    messages = []
    by_doi: dict[str, Reference] = {}
    by_title: dict[tuple[str, str | None], Reference] = {}
    for ref in references:
        messages += _check_fields(ref)
        doi = _bare_doi(ref.fields.get("doi", ""))
        if doi and doi.lower() in by_doi:
            other = by_doi[doi.lower()]
            messages.append(Message(ref.file, ref.line, WARNING, f"{ref.key} has the same DOI as {other.key} "
                                    f"(line {other.line}): one work under two keys? Merge them"))
        elif doi:
            by_doi[doi.lower()] = ref
        title = (_normal_text(ref.fields.get("title", "")), ref.year)
        if title[0] and title in by_title:
            other = by_title[title]
            messages.append(Message(ref.file, ref.line, WARNING, f"{ref.key} has the same title and year as "
                                    f"{other.key} (line {other.line}): one work under two keys? Merge them"))
        elif title[0]:
            by_title[title] = ref
    return messages


def _check_fields(ref: Reference) -> list[Message]:
    """Required fields, year, date, DOI and URL of one entry."""
    messages = []
    for need in REQUIRED_FIELDS.get(ref.kind, REQUIRED_FIELDS["misc"]):
        if not any(ref.fields.get(name) for name in need.split("|")):
            wanted = " or ".join(need.split("|"))
            messages.append(Message(ref.file, ref.line, ERROR,
                                    f"{ref.key}: @{ref.kind} needs {wanted}: add it"))
    where = ref.field_lines
    if (year := ref.fields.get("year")) and not _YEAR.fullmatch(year):
        messages.append(Message(ref.file, where["year"], ERROR, f"{ref.key}: year {year!r} is not a year: "
                                "write four digits (use pubstate = {forthcoming} for work not yet out)"))
    if (date := ref.fields.get("date")) and not _DATE.fullmatch(date):
        messages.append(Message(ref.file, where["date"], ERROR,
                                f"{ref.key}: date {date!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"))
    doi = ref.fields.get("doi", "")
    if doi and not _DOI.fullmatch(doi):
        if match := _DOI_AS_URL.fullmatch(doi):
            messages.append(Message(ref.file, where["doi"], WARNING,
                                    f"{ref.key}: write the DOI bare, as {match.group(1)} (the style adds the link)"))
        else:
            messages.append(Message(ref.file, where["doi"], ERROR, f"{ref.key}: doi {doi!r} is malformed: "
                                    "a DOI looks like 10.NNNN/suffix"))
    url = ref.fields.get("url", "")
    if (bare := _bare_doi(doi)) and (in_url := _DOI.search(url)):
        url_doi = in_url.group(0).rstrip(".,;")
        if url_doi.lower() != bare.lower():
            messages.append(Message(ref.file, where["url"], WARNING, f"{ref.key}: url points to DOI {url_doi} "
                                    f"but doi is {bare}: correct one, or drop the url"))
    return messages


def _bare_doi(value: str) -> str:
    value = value.strip()
    if _DOI.fullmatch(value):
        return value
    match = _DOI_AS_URL.fullmatch(value)
    return match.group(1) if match else ""


def _strip_tex(value: str) -> str:
    value = re.sub(r"\\[a-zA-Z]+\s*", "", value)
    return re.sub(r"[{}\\]", "", value).strip()


def _words(text: str) -> list[str]:
    """Lower-case ASCII words: accents, apostrophes and hyphens dropped (O'Neill = ONeill = o’neill)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return [w for w in (re.sub(r"[^a-z0-9]", "", w) for w in ascii_text.lower().split()) if w]


def _normal_text(text: str) -> str:
    return " ".join(_words(_strip_tex(text)))
