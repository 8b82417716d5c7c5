"""One document, read once for every format: shortcodes, Quarto metadata, cross-references, citeproc.

The result is a pandoc JSON AST with citations already rendered (citeproc runs here, once, after the
cross-references are resolved, as Quarto orders them); each format's writer only adapts it and writes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..paths import RESOURCES
from . import crossref, pandoc
from .ast import elements, walk
from .project import Document, Project, RenderError
from .shortcodes import Source, expand, expand_metadata

DEFAULT_CSL = RESOURCES / "harvard-cite-them-right.csl"
_NOT_FOUND = re.compile(r"citation (\S+) not found")


@dataclass
class Author:
    name: str
    affiliations: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return ", ".join([self.name, *self.affiliations])


@dataclass
class Prepared:
    document: Document
    source: Source
    ast: dict
    authors: list[Author]
    notice: str
    epoch: str
    bibliography: list[Path]
    csl: Path | None

    def where(self, needle: str, last: bool = False) -> str:
        return str(self.source.origin_of(needle, last))


def authors(meta: dict, path: Path) -> list[Author]:
    """Quarto's author schema (strings, or maps with name and affiliations, by value or by `ref`)."""
    raw = meta.get("author") or meta.get("authors") or []
    if isinstance(raw, (str, dict)):
        raw = [raw]
    by_id = {a.get("id"): a for a in meta.get("affiliations") or [] if isinstance(a, dict)}
    out = []
    for entry in raw:
        if isinstance(entry, str):
            out.append(Author(entry))
            continue
        if not isinstance(entry, dict) or "name" not in entry:
            raise RenderError(f"{path}:1: each author needs a `name`")
        name = entry["name"]
        if isinstance(name, dict):
            name = name.get("literal") or " ".join(filter(None, [name.get("given"), name.get("family")]))
        affs = entry.get("affiliations", entry.get("affiliation", []))
        affs = affs if isinstance(affs, list) else [affs]
        names = []
        for aff in affs:
            if isinstance(aff, dict) and "ref" in aff:
                aff = by_id.get(aff["ref"], {})
            names.append(aff.get("name", "") if isinstance(aff, dict) else str(aff))
        out.append(Author(str(name), [a for a in names if a]))
    return out


def display_date(value, epoch: str) -> str | None:
    """Quarto's `today`/`now`/`last-modified` mean the build's date (SOURCE_DATE_EPOCH), never the clock."""
    if value is None or value == "":
        return None
    if value in ("today", "now", "last-modified"):
        value = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def _paths(value, base: Path) -> list[Path]:
    items = value if isinstance(value, list) else [value]
    return [(base / str(v)).resolve() for v in items if v]


def resource(name: str) -> Path:
    return RESOURCES / name


def bibliography_and_csl(project: Project, document: Document) -> tuple[list[Path], Path | None]:
    """Files named in metadata; relative to the document, or to the project root (where _quarto.yml sits)."""
    meta = document.metadata

    def find(value) -> list[Path]:
        found = []
        for candidate in _paths(value, document.path.parent):
            alternatives = [candidate, (project.root / Path(str(candidate)).name),
                            *(_paths(value, project.root)), resource(Path(str(candidate)).name)]
            hit = next((p for p in alternatives if p.exists()), None)
            if hit is None:
                raise RenderError(f"{document.path}:1: file not found: {candidate.name} "
                                  f"(looked beside the document and in {project.root})")
            found.append(hit)
        return found

    bibs = find(meta.get("bibliography")) if meta.get("bibliography") else []
    csl = find(meta["csl"])[0] if meta.get("csl") else DEFAULT_CSL
    return bibs, csl


def pandoc_metadata(meta: dict, people: list[Author], date: str | None, bibs: list[Path], csl: Path,
                    notice: str, base: Path) -> dict:
    """The metadata pandoc's readers, citeproc and our templates need, in pandoc's own names."""
    out = {k: meta[k] for k in ("title", "subtitle", "abstract", "keywords", "lang", "nocite", "abstract-title",
                                "title-slide-attributes") if meta.get(k)}
    out.setdefault("lang", "en-GB")
    if people:
        out["author"] = [str(a) for a in people]
        out["authors"] = [{"name": a.name, "affiliation": "; ".join(a.affiliations)} for a in people]
    if date:
        out["date"] = date
    if bibs:  # relative to the document (pandoc's working folder): DOCX keeps them as custom properties
        out["bibliography"] = [os.path.relpath(b, base) for b in bibs]
        out["csl"] = os.path.relpath(csl, base)
        out["link-citations"] = True
    if notice:
        out["synthetic-notice"] = notice
    return out


def prepare(project: Project, document: Document, epoch: str) -> Prepared:
    variables_file = project.variables_yml
    raw = document.path.read_text(encoding="utf-8")
    meta = expand_metadata(document.metadata, document.path, raw, project.variables, document.metadata,
                           variables_file)
    source = expand(document.path, document.body, document.body_line, project.variables, meta,
                    variables_file)
    notice = str(meta.get("synthetic_notice") or project.variables.get("synthetic_notice") or "").strip()
    people = authors(meta, document.path)
    bibs, csl = bibliography_and_csl(project, document)
    header = pandoc_metadata(meta, people, display_date(meta.get("date"), epoch), bibs, csl, notice,
                             document.path.parent)
    markdown = "---\n" + yaml.safe_dump(header, allow_unicode=True, sort_keys=True) + "---\n\n" + source.text
    where = str(document.path)
    doc = pandoc.read_markdown(markdown, cwd=document.path.parent, epoch=epoch, what=where)
    prepared = Prepared(document, source, doc, people, notice, epoch, bibs, csl)

    number_sections = bool(meta.get("number-sections", False))
    doc, labels, unresolved = crossref.resolve(doc, number_sections)
    if labels.duplicates:
        label = labels.duplicates[0]
        raise RenderError(f"{prepared.where('#' + label, last=True)}: label `{label}` is defined twice")
    if unresolved:
        key = unresolved[0]
        what = ("no figure, table or section has this label" if crossref.is_crossref(key)
                else "a citation cannot share brackets with cross-references")
        raise RenderError(f"{prepared.where('@' + key)}: unresolved cross-reference @{key}: {what}")
    doc = _citeproc(prepared, doc) if bibs else _no_citations(prepared, doc)
    prepared.ast = doc
    return prepared


def _citeproc(prepared: Prepared, doc: dict) -> dict:
    out, stderr = pandoc.run(["--from", "json", "--to", "json", "--citeproc"], pandoc.dumps(doc),
                             cwd=prepared.document.path.parent, epoch=prepared.epoch,
                             what=str(prepared.document.path))
    missing = _NOT_FOUND.findall(stderr)
    if missing:
        key = missing[0]
        raise RenderError(f"{prepared.where('@' + key)}: citation @{key} is not in "
                          f"{', '.join(p.name for p in prepared.bibliography)}")
    return json.loads(out)


def _no_citations(prepared: Prepared, doc: dict) -> dict:
    """Without a bibliography every citation is unresolved."""
    for cite in elements(doc["blocks"], "Cite"):
        key = cite["c"][0][0]["citationId"]
        raise RenderError(f"{prepared.where('@' + key)}: citation @{key} but the document has no bibliography")
    return doc


def drop_notes(blocks: list) -> list:
    """Speaker notes belong to presentations only (Quarto drops them elsewhere)."""

    def visit(node):
        if node["t"] == "Div" and "notes" in node["c"][0][1]:
            return []
        return None

    return walk(blocks, visit)
