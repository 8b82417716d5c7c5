"""Read a .qdpx archive into plain Python objects, noting every problem instead of stopping at the first.

A .qdpx is a zip holding the project XML and the sources' texts, under `sources/` (NVivo writes
`Sources/`; names are matched without regard to case). `archive` opens the zip within bounds; lxml parses
without a DTD, entities or network, and validates against the REFI-QDA XSD (bundled, so a fresh clone
validates offline). This module knows the format and nothing of the study: `importer` makes the tables.

What it reads, by tool convention:
- text: a TextSource's `plainTextPath` (`internal://x` is `sources/x`; a relative path is from the root)
  or inline PlainTextContent; a PDFSource's Representation (its text, with the selections inside it), or,
  without one, the PDF's own text (pypdfium2); an audio or video source's Transcript, whose
  TranscriptSelections are placed through their SyncPoints' positions.
- attributes: VariableValues on sources and Cases; Cases' SourceRefs and SelectionRefs; Sets with their
  MemberSources (ATLAS.ti writes document attributes as Sets named "attribute: value").

Only an archive that cannot be read at all (not a zip, no project XML, malformed or XSD-invalid XML, a
bomb) stops here, with every XSD error listed; everything else becomes a problem on `Project.problems`
(naming the archive member and XML line, never quoting a participant) or a warning.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .archive import Archive, open_archive
from .common import NS, QdpxError, norm_guid, q, schema

_VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")
_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
MAX_XSD_ERRORS = 20


@dataclass
class Coding:
    code: str  # GUID of the code
    user: str | None  # GUID of the coder (the Coding's creatingUser, else its selection's)
    line: int


@dataclass
class Selection:
    guid: str
    start: int
    end: int
    codings: list[Coding]
    line: int


@dataclass
class Source:
    guid: str
    name: str
    text: str | None  # None: missing from the archive (see `missing`)
    where: str  # the archive member the text came from, or the project XML for inline text
    selections: list[Selection]
    variables: dict[str, str]
    line: int
    kind: str = "text"  # text | pdf | transcript
    missing: str = ""  # why the text is not there
    unplaceable: int = 0  # coded areas (PDF coordinates) that have no place in the text

    @property
    def codings(self) -> int:
        return sum(len(s.codings) for s in self.selections)


@dataclass
class Code:
    guid: str
    name: str
    codable: bool
    description: str
    parent: str | None
    line: int


@dataclass
class Case:
    guid: str
    name: str  # "" for the nameless Cases MAXQDA and Quirkos use to carry a source's variables
    variables: dict[str, str]
    sources: list[str]
    selections: list[str]
    line: int


@dataclass
class Set:
    name: str
    sources: list[str]
    line: int


@dataclass
class Project:
    file: Path
    member: str  # the project XML's name in the archive
    name: str
    origin: str
    users: dict[str, str]  # GUID -> name
    codes: list[Code]  # in document order, parents before children
    cases: list[Case]
    sources: list[Source]
    sets: list[Set] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def where(self, line: int | None = None, member: str | None = None) -> str:
        """`archive:member:line`, the prefix of every message about this project."""
        return f"{self.file.name}:{member or self.member}" + (f":{line}" if line else "")


def read_project(file: Path) -> Project:
    """Open, parse, validate and read a .qdpx archive."""
    file = Path(file)
    archive = open_archive(file)
    try:
        root = _parse(file, archive.project, archive.read(archive.project))
        return _Reader(archive).project(root)
    finally:
        archive.close()


def _parse(file: Path, member: str, data: bytes) -> etree._Element:
    prolog = data[: data.find(b"<", data.find(b"?>") + 1) + 200] if b"?>" in data[:200] else data[:400]
    if _DOCTYPE.search(prolog) or _DOCTYPE.search(prolog.replace(b"\x00", b"")):
        raise QdpxError(f"{file.name}:{member}: declares a DOCTYPE or entities, which REFI-QDA never does: refused")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise QdpxError(f"{file.name}:{member}:{err.lineno}: malformed XML: {err.msg}") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise QdpxError(f"{file.name}:{member}: declares a DOCTYPE, which REFI-QDA never does: refused")
    validator = schema()
    if not validator.validate(root):
        errors = list(validator.error_log)
        lines = [f"{file.name}:{member}:{e.line}: {e.message.replace(f'{{{NS}}}', '')}" for e in errors[:MAX_XSD_ERRORS]]
        more = f"\n  ... and {len(errors) - MAX_XSD_ERRORS} more" if len(errors) > MAX_XSD_ERRORS else ""
        head = f"{file.name}:{member}:{errors[0].line}: not valid REFI-QDA (XSD): {errors[0].message.replace(f'{{{NS}}}', '')}"
        if len(errors) == 1:
            raise QdpxError(head)
        raise QdpxError(f"{head}\n  every XSD error ({len(errors)}):\n  " + "\n  ".join(lines) + more)
    return root


def _value(element: etree._Element) -> str:
    for tag in _VALUE_TAGS:
        found = element.find(q(tag))
        if found is not None:
            return (found.text or "").strip()
    return ""


def decode(data: bytes) -> str:
    """Sources are UTF-8 by the standard; a BOM is not part of the text (and not counted)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def pdf_text(data: bytes) -> str:
    """The text of a PDF, page after page, for a PDFSource exported without a Representation (through
    `pdftext`, which keeps PDFium to one thread at a time)."""
    from .. import pdftext

    return "\n".join(page.text for page in pdftext.read(data, links=False, bounded=True).pages)


class _Reader:
    def __init__(self, archive: Archive):
        self.archive, self.file, self.member = archive, archive.file, archive.project
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def at(self, element: etree._Element | None) -> str:
        line = element.sourceline if element is not None else None
        return f"{self.file.name}:{self.member}" + (f":{line}" if line else "")

    def project(self, root) -> Project:
        users = {
            norm_guid(u.get("guid")): u.get("name") or u.get("id") or norm_guid(u.get("guid"))
            for u in root.iterfind(f"{q('Users')}/{q('User')}")
        }
        self.variables = {
            norm_guid(v.get("guid")): v.get("name") for v in root.iterfind(f"{q('Variables')}/{q('Variable')}")
        }
        codes: list[Code] = []
        for top in root.iterfind(f"{q('CodeBook')}/{q('Codes')}/{q('Code')}"):
            self._codes(top, None, codes)
        sources, other = [], 0
        for element in root.iterfind(f"{q('Sources')}/*"):
            tag = etree.QName(element).localname
            if tag == "TextSource":
                sources.append(self._text_source(element))
            elif tag == "PDFSource":
                sources.append(self._pdf_source(element))
            elif tag in ("AudioSource", "VideoSource") and element.find(q("Transcript")) is not None:
                sources += [self._transcript(element, t) for t in element.iterfind(q("Transcript"))]
            else:
                other += 1
        if other:
            self.warnings.append(f"{other} sources without text (pictures, audio or video without a transcript) left out")
        cases = [self._case(c) for c in root.iterfind(f"{q('Cases')}/{q('Case')}")]
        sets = [Set(s.get("name") or "", [norm_guid(m.get("targetGUID")) for m in s.iterfind(q("MemberSource"))],
                    s.sourceline) for s in root.iterfind(f"{q('Sets')}/{q('Set')}")]
        self._check_references(users, codes, sources, cases)
        return Project(self.file, self.member, root.get("name", ""), root.get("origin", ""), users, codes, cases,
                       sources, sets, self.problems, self.warnings)

    def _codes(self, element, parent: str | None, out: list[Code]) -> None:
        stack = [(element, parent)]  # iterative: a hostile file may nest codes thousands deep
        while stack:
            element, parent = stack.pop()
            description = element.find(q("Description"))
            code = Code(
                norm_guid(element.get("guid")),
                element.get("name") or "",
                element.get("isCodable", "true") in ("true", "1"),
                (description.text or "") if description is not None else "",
                parent,
                element.sourceline,
            )
            out.append(code)
            stack += [(child, code.guid) for child in reversed(element.findall(q("Code")))]

    def _variable_values(self, element) -> dict[str, str]:
        values, unknown = {}, 0
        for vv in element.iterfind(q("VariableValue")):
            ref = norm_guid(vv.find(q("VariableRef")).get("targetGUID"))
            if ref not in self.variables:
                unknown += 1
                continue
            values[self.variables[ref]] = _value(vv)
        if unknown:
            self.warnings.append(f"{self.at(element)}: {unknown} values refer to no Variable: left out")
        return values

    def _case(self, element) -> Case:
        return Case(
            norm_guid(element.get("guid")),
            element.get("name") or "",
            self._variable_values(element),
            [norm_guid(r.get("targetGUID")) for r in element.iterfind(q("SourceRef"))],
            [norm_guid(r.get("targetGUID")) for r in element.iterfind(q("SelectionRef"))],
            element.sourceline,
        )

    def _selections(self, element, name: str) -> list[Selection]:
        selections = []
        for sel in element.iterfind(q("PlainTextSelection")):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            if start > end or start < 0:
                self.problems.append(f"{self.at(sel)}: a selection in source {name!r} starts ({start}) after it ends ({end})")
                continue
            selections.append(Selection(norm_guid(sel.get("guid")), start, end, self._codings(sel), sel.sourceline))
        return selections

    def _codings(self, sel) -> list[Coding]:
        sel_user = norm_guid(sel.get("creatingUser")) or norm_guid(sel.get("modifyingUser"))
        return [Coding(norm_guid(c.find(q("CodeRef")).get("targetGUID")), norm_guid(c.get("creatingUser")) or sel_user,
                       c.sourceline) for c in sel.iterfind(q("Coding"))]

    def _text(self, element, name: str, path: str | None) -> tuple[str | None, str, str]:
        """(text or None, where it came from, why it is missing)."""
        inline = element.find(q("PlainTextContent"))
        if inline is not None:
            return inline.text or "", self.member, ""
        if not path:
            return None, self.member, "has neither PlainTextContent nor plainTextPath"
        member, why = self._member(path)
        if member is None:
            return None, self.member, why
        try:
            return decode(self.archive.read(member)), member, ""
        except UnicodeDecodeError as err:
            return None, member, f"its text file {member} is not UTF-8 (byte {err.start})"

    def _text_source(self, element) -> Source:
        name = element.get("name") or norm_guid(element.get("guid"))
        text, where, missing = self._text(element, name, element.get("plainTextPath"))
        if element.find(q("Coding")) is not None:
            self.warnings.append(f"{self.at(element)}: codings of the whole source {name!r} left out "
                                 "(only selections become codings)")
        return Source(norm_guid(element.get("guid")), name, text, where, self._selections(element, name),
                      self._variable_values(element), element.sourceline, "text", missing)

    def _pdf_source(self, element) -> Source:
        name = element.get("name") or norm_guid(element.get("guid"))
        areas = len(element.findall(q("PDFSelection")))
        rep = element.find(q("Representation"))
        if rep is not None:
            text, where, missing = self._text(rep, name, rep.get("plainTextPath"))
            selections = self._selections(rep, name)
        else:
            selections = []
            member, missing = self._member(element.get("path") or "")
            text, where = None, member or self.member
            if member:
                try:
                    text = pdf_text(self.archive.read(member))
                except Exception as err:  # pypdfium2 raises its own PdfiumError on a broken file
                    missing = f"its PDF {member} cannot be read ({type(err).__name__})"
        return Source(norm_guid(element.get("guid")), name, text, where, selections, self._variable_values(element),
                      element.sourceline, "pdf", missing, areas)

    def _transcript(self, media, element) -> Source:
        name = element.get("name") or media.get("name") or norm_guid(element.get("guid"))
        text, where, missing = self._text(element, name, element.get("plainTextPath"))
        points = {norm_guid(p.get("guid")): p.get("position") for p in element.iterfind(q("SyncPoint"))}
        selections = []
        for sel in element.iterfind(q("TranscriptSelection")):
            start, end = points.get(norm_guid(sel.get("fromSyncPoint"))), points.get(norm_guid(sel.get("toSyncPoint")))
            if start is None or end is None or int(start) > int(end):
                self.problems.append(f"{self.at(sel)}: a transcript selection in {name!r} has no valid SyncPoint positions")
                continue
            selections.append(Selection(norm_guid(sel.get("guid")), int(start), int(end), self._codings(sel), sel.sourceline))
        variables = {**self._variable_values(media), **self._variable_values(element)}
        return Source(norm_guid(element.get("guid")), name, text, where, selections, variables, element.sourceline,
                      "transcript", missing)

    def _member(self, path: str) -> tuple[str | None, str]:
        """The archive member a path names (internal://x is sources/x; relative is from the root), or why not."""
        if path.startswith("internal://"):
            tail = path[len("internal://"):].lstrip("/")
            tries = [f"sources/{tail}", tail]
        elif "://" in path or path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path):
            return None, "its file is outside the archive (export the project with its sources embedded)"
        else:
            tail = path.replace("\\", "/").removeprefix("./")
            tries = [tail, f"sources/{tail}"]
        for candidate in tries:
            if found := self.archive.find(candidate):
                return found, ""
        return None, f"its text file is missing from the archive (looked for {tries[0]})"

    def _check_references(self, users, codes, sources, cases) -> None:
        code_guids = {c.guid for c in codes}
        unknown_users = 0
        for source in sources:
            for sel in source.selections:
                for coding in sel.codings:
                    if coding.code not in code_guids:
                        self.problems.append(f"{self.file.name}:{self.member}:{coding.line}: Coding refers to unknown "
                                             f"Code {coding.code}")
                    if coding.user is not None and coding.user not in users:
                        unknown_users += 1
                        coding.user = None
        if unknown_users:
            self.warnings.append(f"{unknown_users} codings name a coder who is not among the Users: coder 'unknown'")
        known = {s.guid for s in sources}
        for case in cases:
            if stray := [ref for ref in case.sources if ref not in known]:
                case.sources = [ref for ref in case.sources if ref in known]
                self.warnings.append(f"{self.file.name}:{self.member}:{case.line}: a Case refers to {len(stray)} "
                                     "sources that are not text: those references left out")
