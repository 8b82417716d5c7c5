"""Read a .qdpx archive into plain Python objects, refusing anything we could not convert faithfully.

A .qdpx is a zip holding `project.qde` (QDA-XML) and the sources' texts, under `sources/` (some tools
write `Sources/`; we match names without regard to case). lxml parses and validates against the
REFI-QDA XSD (bundled in peerpaper/resources, so a fresh clone validates offline); zipfile reads the
archive. This module knows the format and nothing of the study: `importer` turns the objects into tables.

Every error is one line naming the archive, the member and, where there is one, the XML line.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .common import NS, QdpxError, norm_guid, q, schema

PROJECT = "project.qde"
_VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")


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
    text: str
    where: str  # the archive member the text came from, or "project.qde" for inline text
    selections: list[Selection]
    variables: dict[str, str]
    line: int


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
    name: str
    variables: dict[str, str]
    sources: list[str]
    line: int


@dataclass
class Project:
    file: Path
    name: str
    origin: str
    users: dict[str, str]  # GUID -> name
    codes: list[Code]  # in document order, parents before children
    cases: list[Case]
    sources: list[Source]
    warnings: list[str] = field(default_factory=list)

    def where(self, line: int | None = None, member: str = PROJECT) -> str:
        """`archive:member:line`, the prefix of every message about this project."""
        return f"{self.file.name}:{member}" + (f":{line}" if line else "")


def read_project(file: Path) -> Project:
    """Open, parse, validate and cross-check a .qdpx archive."""
    try:
        archive = zipfile.ZipFile(file)
    except FileNotFoundError:
        raise QdpxError(f"{file}: no such file") from None
    except (zipfile.BadZipFile, OSError) as err:
        raise QdpxError(f"{file.name}: not a .qdpx archive (not a zip file: {err})") from None
    with archive:
        members = {name.replace("\\", "/").lower(): name for name in archive.namelist()}
        if PROJECT not in members:
            raise QdpxError(f"{file.name}: not a .qdpx archive: no {PROJECT} at its top level")
        root = _parse(file, archive.read(members[PROJECT]))
        return _Reader(file, archive, members).project(root)


def _parse(file: Path, data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise QdpxError(f"{file.name}:{PROJECT}:{err.lineno}: malformed XML: {err.msg}") from None
    validator = schema()
    if not validator.validate(root):
        first = validator.error_log[0]
        message = first.message.replace(f"{{{NS}}}", "")
        raise QdpxError(f"{file.name}:{PROJECT}:{first.line}: not valid REFI-QDA (XSD): {message}")
    return root


def _value(element: etree._Element) -> str:
    for tag in _VALUE_TAGS:
        found = element.find(q(tag))
        if found is not None:
            return (found.text or "").strip()
    return ""


def _decode(data: bytes) -> str:
    """Sources are UTF-8 by the standard; a BOM is not part of the text (and not counted)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


class _Reader:
    def __init__(self, file: Path, archive: zipfile.ZipFile, members: dict[str, str]):
        self.file, self.archive, self.members = file, archive, members
        self.warnings: list[str] = []

    def fail(self, element: etree._Element | None, message: str) -> QdpxError:
        line = element.sourceline if element is not None else None
        return QdpxError(f"{self.file.name}:{PROJECT}" + (f":{line}" if line else "") + f": {message}")

    def project(self, root: etree._Element) -> Project:
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
        sources = [self._source(s) for s in root.iterfind(f"{q('Sources')}/{q('TextSource')}")]
        skipped = [s for s in root.iterfind(f"{q('Sources')}/*") if s.tag != q("TextSource")]
        if skipped:
            self.warnings.append(f"{len(skipped)} non-text sources (PDF, picture, audio, video) left out")
        cases = [self._case(c) for c in root.iterfind(f"{q('Cases')}/{q('Case')}")]
        all_sources = {norm_guid(s.get("guid")) for s in root.iterfind(f"{q('Sources')}/*")}
        self._check_references(users, codes, sources, all_sources, cases)
        return Project(
            self.file, root.get("name", ""), root.get("origin", ""), users, codes, cases, sources, self.warnings
        )

    def _codes(self, element, parent: str | None, out: list[Code]) -> None:
        description = element.find(q("Description"))
        code = Code(
            norm_guid(element.get("guid")),
            element.get("name"),
            element.get("isCodable") in ("true", "1"),
            (description.text or "") if description is not None else "",
            parent,
            element.sourceline,
        )
        out.append(code)
        for child in element.iterfind(q("Code")):
            self._codes(child, code.guid, out)

    def _variable_values(self, element) -> dict[str, str]:
        values = {}
        for vv in element.iterfind(q("VariableValue")):
            ref = norm_guid(vv.find(q("VariableRef")).get("targetGUID"))
            if ref not in self.variables:
                raise self.fail(vv, f"VariableValue refers to unknown Variable {ref}")
            values[self.variables[ref]] = _value(vv)
        return values

    def _case(self, element) -> Case:
        return Case(
            norm_guid(element.get("guid")),
            element.get("name") or "",
            self._variable_values(element),
            [norm_guid(r.get("targetGUID")) for r in element.iterfind(q("SourceRef"))],
            element.sourceline,
        )

    def _source(self, element) -> Source:
        name = element.get("name") or norm_guid(element.get("guid"))
        inline = element.find(q("PlainTextContent"))
        path = element.get("plainTextPath")
        if inline is not None:
            text, where = inline.text or "", PROJECT
        elif path:
            where = self._member(element, path)
            try:
                text = _decode(self.archive.read(where))
            except UnicodeDecodeError as err:
                raise QdpxError(f"{self.file.name}:{where}: not UTF-8 text (byte {err.start})") from None
        else:
            raise self.fail(element, f"TextSource {name!r} has neither PlainTextContent nor plainTextPath")
        if element.find(q("Coding")) is not None:
            self.warnings.append(f"codings of the whole source {name!r} left out (only selections become codings)")
        selections = []
        for sel in element.iterfind(q("PlainTextSelection")):
            sel_user = norm_guid(sel.get("creatingUser"))
            codings = [
                Coding(
                    norm_guid(c.find(q("CodeRef")).get("targetGUID")),
                    norm_guid(c.get("creatingUser")) or sel_user,
                    c.sourceline,
                )
                for c in sel.iterfind(q("Coding"))
            ]
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            if start > end or start < 0:
                raise self.fail(sel, f"selection {sel.get('guid')} in {name!r} starts at {start} after its end {end}")
            selections.append(Selection(norm_guid(sel.get("guid")), start, end, codings, sel.sourceline))
        return Source(
            norm_guid(element.get("guid")), name, text, where, selections, self._variable_values(element),
            element.sourceline,
        )

    def _member(self, element, path: str) -> str:
        """The archive member a plainTextPath names: internal://x is sources/x; relative is from the root."""
        if path.startswith("internal://"):
            tail = path[len("internal://"):]
            tries = [f"sources/{tail}", tail]
        elif "://" in path or path.startswith("/"):
            raise self.fail(element, f"source file {path!r} is outside the archive; export it embedded")
        else:
            tail = path.replace("\\", "/").removeprefix("./")
            tries = [tail, f"sources/{tail}"]
        for candidate in tries:
            if candidate.lower() in self.members:
                return self.members[candidate.lower()]
        raise self.fail(element, f"source file {path!r} is missing from the archive (looked for {tries[0]})")

    def _check_references(self, users, codes, sources, source_guids, cases) -> None:
        code_guids = {c.guid for c in codes}
        for source in sources:
            for sel in source.selections:
                for coding in sel.codings:
                    if coding.code not in code_guids:
                        raise QdpxError(
                            f"{self.file.name}:{PROJECT}:{coding.line}: Coding refers to unknown Code {coding.code}"
                        )
                    if coding.user is not None and coding.user not in users:
                        raise QdpxError(
                            f"{self.file.name}:{PROJECT}:{coding.line}: Coding refers to unknown User {coding.user}"
                        )
        for case in cases:
            for ref in case.sources:
                if ref not in source_guids:
                    raise QdpxError(
                        f"{self.file.name}:{PROJECT}:{case.line}: Case {case.name!r} refers to unknown source {ref}"
                    )
