"""One document, read once for every format: shortcodes, Quarto metadata, cross-references, citeproc.

The result is a pandoc JSON AST with citations already rendered (citeproc runs here, once, after the
cross-references are resolved, as Quarto orders them); each format's writer only adapts it and writes.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import yaml

from ..literal import plain_text
from ..paths import RESOURCES
from . import appendix, callouts, conditional, dates, constructs, crossref, floats, generated, language, pandoc, slides, support, tables
from .ast import elements, walk
from .project import QUARTO_FORMAT, Document, Project, RenderError
from .shortcodes import ESCAPED as ESCAPED_TEXT, Source, expand, expand_metadata, restore_escaped

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
    data_text: set[str] = field(default_factory=set)  # the Str texts generated includes and values put in
    literal_text: set[str] = field(default_factory=set)  # escaped shortcodes: `{{{< x >}}}` shows `{{< x >}}`

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
    out.setdefault("lang", "en")  # Quarto's default
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


def read(project: Project, document: Document, epoch: str, reuse=None) -> Prepared:
    """Shortcodes expanded and the markdown read by pandoc, once for every format of the document.

    `reuse` (optional, `paper preview`): an object whose `read_markdown` and `citeproc` stand in for pandoc's
    read and for `_citeproc`, answering from what an earlier render of the document made."""
    variables_file = project.variables_yml
    raw = document.path.read_text(encoding="utf-8")
    meta = expand_metadata(document.metadata, document.path, raw, project.variables, document.metadata,
                           variables_file)
    source = expand(document.path, document.body, document.body_line, project.variables, meta,
                    variables_file, root=project.root)
    data_text = generated.check(source.includes, project.root, project.variables, variables_file,
                                cwd=document.path.parent)
    notice = plain_text(str(meta.get("synthetic_notice") or project.variables.get("synthetic_notice") or "")).strip()
    people = authors(meta, document.path)
    bibs, csl = bibliography_and_csl(project, document)
    date = dates.display_date(meta.get("date"), epoch, meta, document.where(("date",)))
    header = pandoc_metadata(meta, people, date, bibs, csl, notice,
                             document.path.parent)
    markdown = "---\n" + yaml.safe_dump(header, allow_unicode=True, sort_keys=True) + "---\n\n" + source.text
    where = str(document.path)
    doc = restore_escaped((reuse.read_markdown if reuse else pandoc.read_markdown)(
        markdown, cwd=document.path.parent, epoch=epoch, what=where), markdown)
    literal = {m.group(0) for m in ESCAPED_TEXT.finditer(document.body)}
    return Prepared(document, source, doc, people, notice, epoch, bibs, csl, data_text, literal)


def prepare(project: Project, document: Document, epoch: str, formats=None, reuse=None) -> dict[str, Prepared]:
    """{format: the document ready for that format's writer}: conditional content, cross-references and
    citations resolved per format, as Quarto does (a citation only in HTML content is cited only there).
    Formats that end up with the same document share one citeproc run."""
    base = read(project, document, epoch, reuse)
    citeproc = reuse.citeproc if reuse else _citeproc
    done: dict[bytes, dict] = {}
    out: dict[str, Prepared] = {}
    for fmt in formats or document.formats:
        prepared = replace(base, document=document.for_format(fmt))
        support.check_metadata(prepared.document, fmt, QUARTO_FORMAT[fmt])
        doc = _resolve(prepared, fmt, base.ast, reuse)
        key = pandoc.dumps(doc)
        if key not in done:
            done[key] = citeproc(prepared, doc) if base.bibliography else _no_citations(prepared, doc)
        out[fmt] = replace(prepared, ast=lower(prepared, fmt, done[key], reuse))
    return out


def blockwise(reuse, name: str, context, blocks: list, passes) -> list:
    """`passes(blocks)`, where each top-level block is treated on its own: with `reuse` (the preview), a
    block seen before with the same context is not passed again."""
    return reuse.per_block(name, context, blocks, passes) if reuse else passes(blocks)


def lower(prepared: Prepared, fmt: str, doc: dict, reuse=None) -> dict:
    """Quarto's constructs written out the way Quarto writes them in `fmt` (after citeproc, per format)."""
    meta = prepared.document.metadata

    def each_block(blocks: list) -> list:
        blocks = tables.colwidths(blocks, fmt, meta, prepared.where)
        blocks = floats.lower(blocks, fmt, meta, prepared.where)
        blocks = callouts.lower(blocks, fmt)
        blocks = crossref.lower_equations(blocks, fmt)
        return slides.pagebreaks(blocks, fmt)

    blocks = blockwise(reuse, "lower", [fmt, meta], doc["blocks"], each_block)
    blocks = appendix.lower(blocks, fmt)
    if fmt == "revealjs":
        blocks = slides.lower_revealjs(blocks, meta)
    if fmt == "pptx":
        blocks = slides.mark_pauses(blocks)
    return dict(doc, blocks=blocks)


def _resolve(prepared: Prepared, fmt: str, doc: dict, reuse=None) -> dict:
    """Conditional content, floats, then cross-references, for one format (the order Quarto's filters run)."""
    meta = prepared.document.metadata
    where = prepared.where
    conditions = conditional.uses_conditions(prepared.source.text)
    cells = constructs.fenced_languages(prepared.source.text)
    words = language.words(meta, prepared.document.path, prepared.document.where(("lang",)))

    def each_block(blocks: list) -> list:
        if conditions:
            blocks = conditional.apply(blocks, QUARTO_FORMAT[fmt], meta, [], where)
        constructs.check(blocks, fmt, where, cells)
        blocks = callouts.normalise(blocks, meta, words, where)
        blocks = floats.normalise(blocks, where)
        refused = crossref.refused_label(blocks)
        if refused:
            kind = refused.split("-", 1)[0]
            raise RenderError(f"{where('#' + refused)}: `#{refused}`: cross-referenced {crossref.REFUSED[kind]} are "
                              f"not implemented by the built-in engine ({support.ENGINE})")
        return blocks

    blocks = blockwise(reuse, "resolve", [fmt, meta, conditions, sorted(cells), words], doc["blocks"], each_block)
    options = crossref_options(prepared)
    labels = crossref.collect(blocks, options)  # numbers depend on everything before: the whole document
    if labels.duplicates:
        label = labels.duplicates[0]
        raise RenderError(f"{prepared.where('#' + label, last=True)}: label `{label}` is defined twice")

    def references(blocks: list) -> list:
        blocks, unresolved = crossref.resolve_with(blocks, labels, options)
        if unresolved:
            _unresolved(prepared, unresolved[0])
        return blocks

    numbering = {label: asdict(entry) for label, entry in labels.entries.items()}
    return dict(doc, blocks=blockwise(reuse, "crossref", [fmt, meta, words, numbering], blocks, references))


def _unresolved(prepared: Prepared, key: str) -> None:
    kind = crossref.ref_type(key)
    if kind in crossref.REFUSED:
        what = (f"a cross-reference to {crossref.REFUSED[kind]}, which the built-in engine does not implement "
                f"({support.ENGINE})")
    elif kind:
        what = "no figure, table, equation or section has this label"
    else:
        what = "a citation cannot share brackets with cross-references"
    raise RenderError(f"{prepared.where('@' + key)}: unresolved cross-reference @{key}: {what}")


def crossref_options(prepared: Prepared) -> crossref.Options:
    """The document's `crossref:` options (only Quarto's own keys) over Quarto's words for its `lang`."""
    meta = prepared.document.metadata
    document = prepared.document
    options = meta.get("crossref") or {}
    if meta.get("crossref") is False or not isinstance(options, dict):
        raise RenderError(f"{document.where(('crossref',))}: `crossref: {meta.get('crossref')}` is not implemented "
                          f"by the built-in engine ({support.ENGINE})")
    for key, value in options.items():
        at = document.where(*(("format", q, "crossref", key) for q in QUARTO_FORMAT.values()), ("crossref", key))
        if key in ("chapters", "custom") and value:
            raise RenderError(f"{at}: crossref option `{key}` is not implemented by the built-in engine "
                              f"({support.ENGINE})")
        if key not in crossref.CROSSREF_OPTIONS | {"chapters", "custom"}:
            raise RenderError(f"{at}: `{key}` is not a Quarto crossref option")
    words = language.words(meta, document.path, document.where(("lang",)))
    return crossref.Options(options, words)


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
