"""Catch citation and bibliography errors before a reviewer does.

`check_project(root)` reads the bibliography and every .qmd the project renders (with the files they
`{{< include >}}`) and returns `file:line: level: message` lines that say what to fix.

Why these tools: references.bib is parsed with bibtexparser v2, which keeps the line of every entry and
field, reports syntax errors and duplicate keys as failed blocks instead of stopping, and splits
author lists and names the way BibTeX does (`split_multiple_persons_names`,
`parse_single_name_into_parts`). The .qmd side is a small scanner for pandoc's citation syntax: pandoc
can parse it (`pandoc -t json`) but its Markdown reader gives no source lines, and the checks here need
both the line and the prose just before each citation.
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
import yaml
from bibtexparser.exceptions import ParsingException
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ParsingFailedBlock

from .errors import PaperError

ERROR, WARNING = "error", "warning"

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

# Quarto's cross-reference prefixes: `@fig-x` is a figure, not a citation.
CROSSREF_PREFIXES = ("fig", "tbl", "sec", "eq", "lst", "thm", "lem", "cor", "prp", "cnj", "def", "exm",
                     "exr", "sol", "rem", "tip", "nte", "wrn", "imp", "cau")

_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_AS_URL = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:\s*)(10\.\d{4,9}/\S+)", re.I)
_YEAR = re.compile(r"\d{4}")
_DATE = re.compile(r"\d{4}(-\d{2}){0,2}(/(\d{4}(-\d{2}){0,2})?)?")
_RUNAWAY_FIELD = re.compile(r"\n\s*[A-Za-z]+\s*=\s*[{\"\d]")

# pandoc: a key starts with a letter, digit or _, and may hold single internal punctuation.
_KEY = r"(?:\{(?P<bkey>[^{}]+)\}|(?P<key>\w(?:\w|[:.#$%&\-+?<>~/](?=\w))*))"
_BRACKETED = re.compile(r"\[(?P<body>[^\[\]]*@[^\[\]]*)\](?![(\[{])")
_ITEM_KEY = re.compile(r"(?<![\w@])(?P<minus>-?)@" + _KEY)
_NARRATIVE = re.compile(r"(?<![\w@\\])@" + _KEY + r"(?:[ \t]?\[(?P<locator>[^\[\]@]*)\])?")
_INCLUDE = re.compile(r"\{\{<\s*include\s+(?P<path>[^\s>]+)\s*>\}\}")
_NOT_PROSE = re.compile(
    r"(?ms)^(?P<fence>`{3,}|~{3,}).*?^(?P=fence)[`~]*[ \t]*$"  # fenced code blocks
    r"|<!--.*?-->"  # HTML comments
    r"|(?P<tick>`+)[^`](?:(?!\n[ \t]*\n).)*?(?P=tick)"  # inline code, within a paragraph
    r"|<[a-z]+:[^<>\s]*>"  # autolinks
)
_SHORTCODE = re.compile(r"(?s)\{\{<.*?>\}\}")

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


@dataclass(frozen=True, order=True)
class Message:
    """One finding: where it is, how bad, and what to do."""

    file: str
    line: int
    level: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.level}: {self.message}"


@dataclass(frozen=True)
class Citation:
    """One cited key in a .qmd file, with the prose just before it (for the name and year checks)."""

    key: str
    file: str
    line: int
    suppress_author: bool = False
    locator: str = ""
    before: str = ""


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


@dataclass
class Document:
    """A .qmd file's citations and its front-matter settings that matter here."""

    path: Path
    citations: list[Citation]
    nocite: set[str]
    bibliography: list[Path]
    includes: list[Path]


# ------------------------------------------------------------------------------------------ project


def check_project(root: Path) -> list[Message]:
    """Every citation and bibliography problem in the project at `root`, sorted by file and line."""
    root = Path(root)
    config = _read_yaml(root / "_quarto.yml")
    documents = _documents(root, _render_list(root, config))
    bibs = _bibliographies(root, config, documents)
    return check(bibs, documents, root)


def check(bib_files: list[Path], documents: list[Document], root: Path) -> list[Message]:
    """Check `documents` (already scanned) against the entries in `bib_files`."""
    messages: list[Message] = []
    references: dict[str, Reference] = {}
    for bib in bib_files:
        messages += _read_bibliography(bib, root, references)
    messages += _check_references(list(references.values()))
    citations = [c for doc in documents for c in doc.citations]
    nocite = set().union(*(doc.nocite for doc in documents)) if documents else set()
    messages += _check_citations(citations, references)
    if "*" not in nocite:
        cited = {c.key for c in citations} | nocite
        messages += [
            Message(r.file, r.line, WARNING, f"{r.key} is never cited: cite it, list it under nocite, or delete it")
            for r in references.values()
            if r.key not in cited
        ]
    return sorted(set(messages))


def _render_list(root: Path, config: dict) -> list[Path]:
    """The documents Quarto renders: `project.render` in _quarto.yml, else the paper and the deck."""
    patterns = (config.get("project") or {}).get("render") or ["paper/paper.qmd", "paper/slides.qmd"]
    chosen: list[Path] = []
    for pattern in patterns:
        exclude = pattern.startswith("!")
        matches = sorted(root.glob(pattern.lstrip("!")))
        if exclude:
            chosen = [p for p in chosen if p not in matches]
        else:
            chosen += [p for p in matches if p.suffix in (".qmd", ".md") and p not in chosen]
    return chosen


def _documents(root: Path, paths: list[Path]) -> list[Document]:
    """Scan each document and, once each, every file it includes (recursively)."""
    seen: set[Path] = set()
    documents: list[Document] = []
    queue = [p.resolve() for p in paths]
    while queue:
        path = queue.pop(0)
        if path in seen or not path.is_file():
            continue  # a missing include (e.g. a table not built yet) is the renderer's to report
        seen.add(path)
        doc = scan_document(path, root)
        documents.append(doc)
        queue += doc.includes
    return documents


def _bibliographies(root: Path, config: dict, documents: list[Document]) -> list[Path]:
    """Bibliography files named in _quarto.yml or the documents' front matter; references.bib by default."""
    bibs = [(root / p).resolve() for p in _as_list(config.get("bibliography"))]
    for doc in documents:
        bibs += [b for b in doc.bibliography if b not in bibs]
    return bibs or [root / "references.bib"]


# ------------------------------------------------------------------------------------- bibliography


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


# ---------------------------------------------------------------------------------------- citations


def _check_citations(citations: list[Citation], references: dict[str, Reference]) -> list[Message]:
    messages = []
    for cite in citations:
        ref = references.get(cite.key)
        if ref is None:
            close = difflib.get_close_matches(cite.key, references, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            messages.append(Message(cite.file, cite.line, ERROR, f"no entry {cite.key} in the bibliography"
                                    f"{hint}: add one or fix the key"))
            continue
        messages += _check_prose(cite, ref) + _check_locator(cite, ref)
    return messages


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


# ----------------------------------------------------------------------------------------- scanning


def scan_document(path: Path, root: Path) -> Document:
    """Citations, nocite keys, bibliography paths and includes of one .qmd/.md file.

    Front matter is merged over the `_metadata.yml` of its folder and the folders above it (Quarto's
    rule), so a `bibliography` or `nocite` shared by the paper and the deck counts for both."""
    name = _display(path, root)
    text = _read_text(path, name)
    front, body_start = _front_matter(text)
    prose = re.sub(r"[^\n]", " ", text[:body_start]) + _blank(text[body_start:], _NOT_PROSE)
    nocite: set[str] = set()
    bibliography: list[Path] = []
    for folder, metadata in [*_folder_metadata(path, root), (path.parent, front)]:
        listed = str(metadata.get("nocite") or "")
        nocite |= {m["bkey"] or m["key"] for m in _ITEM_KEY.finditer(listed)} | ({"*"} if "@*" in listed else set())
        if metadata.get("bibliography"):
            bibliography = [(folder / b).resolve() for b in _as_list(metadata["bibliography"])]
    return Document(
        path=path,
        citations=scan_citations(_blank(prose, _SHORTCODE), name),
        nocite=nocite,
        bibliography=bibliography,
        includes=[(path.parent / m["path"]).resolve() for m in _INCLUDE.finditer(prose)],
    )


def _folder_metadata(path: Path, root: Path) -> list[tuple[Path, dict]]:
    """The `_metadata.yml` files from the project root down to the document's folder, outermost first."""
    root, folder = Path(root).resolve(), path.resolve().parent
    folders = [folder, *folder.parents]
    within = folders[: folders.index(root) + 1] if root in folders else [folder]
    return [(f, _read_yaml(f / "_metadata.yml")) for f in reversed(within) if (f / "_metadata.yml").is_file()]


def scan_citations(text: str, file: str) -> list[Citation]:
    """Pandoc citations in Markdown `text` (code, front matter and comments already blanked out)."""
    citations: list[Citation] = []
    taken: list[tuple[int, int]] = []
    for group in _BRACKETED.finditer(text):
        taken.append(group.span())  # a bracket with an @ is a citation (or a cross-reference) either way
        before = _prose_before(text, group.start())
        offset = group.start("body")
        for item in group["body"].split(";"):
            match = _ITEM_KEY.search(item)
            if match and not _is_crossref(match["bkey"] or match["key"]):
                citations.append(Citation(
                    key=match["bkey"] or match["key"],
                    file=file,
                    line=_line_of(text, offset + match.start()),
                    suppress_author=bool(match["minus"]),
                    locator=item[match.end():],
                    before=before,
                ))
                before = ""  # the prose before a group names the first item's authors only
            offset += len(item) + 1
    for match in _NARRATIVE.finditer(text):
        key = match["bkey"] or match["key"]
        if _is_crossref(key) or any(a <= match.start() < b for a, b in taken):
            continue
        citations.append(Citation(key=key, file=file, line=_line_of(text, match.start()),
                                  locator=match["locator"] or ""))
    return sorted(citations, key=lambda c: c.line)


def _front_matter(text: str) -> tuple[dict, int]:
    """The YAML front matter as a dict, and the offset where the body starts."""
    match = re.match(r"---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|$)", text, re.S)
    if not match:
        return {}, 0
    try:
        data = yaml.safe_load(match[1]) or {}
    except yaml.YAMLError:
        data = {}
    return (data if isinstance(data, dict) else {}), match.end()


def _blank(text: str, pattern: re.Pattern) -> str:
    """Replace each match with spaces, keeping its newlines (and so every line number)."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _prose_before(text: str, end: int) -> str:
    """The paragraph text before offset `end`, on one line."""
    start = text.rfind("\n\n", 0, end)
    return re.sub(r"\s+", " ", text[start + 1 if start >= 0 else 0:end])


# ------------------------------------------------------------------------------------------ helpers


def _is_crossref(key: str) -> bool:
    return key.split("-", 1)[0].lower() in CROSSREF_PREFIXES and "-" in key


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _display(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


def _read_text(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise PaperError(f"{name}: not UTF-8 text (byte {err.start}): save it as UTF-8") from err


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(_read_text(path, path.name)) or {}
    except yaml.YAMLError as err:
        where = getattr(err, "problem_mark", None)
        line = f":{where.line + 1}" if where else ""
        raise PaperError(f"{path.name}{line}: not valid YAML: {getattr(err, 'problem', err)}") from err
    return data if isinstance(data, dict) else {}


def _as_list(value) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


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
