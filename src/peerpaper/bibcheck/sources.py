"""Find and read what the project renders: the render list in _quarto.yml, each .qmd's front matter
merged over _metadata.yml, the files it `{{< include >}}`s, and the bibliography files they name.

Kept apart from the checks because which files count is Quarto's rule, not theirs; a file that cannot be
read stops the check with one line naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import PaperError
from .citations import _ITEM_KEY, Citation, scan_citations

_INCLUDE = re.compile(r"\{\{<\s*include\s+(?P<path>[^\s>]+)\s*>\}\}")
_NOT_PROSE = re.compile(
    r"(?ms)^(?P<fence>`{3,}|~{3,}).*?^(?P=fence)[`~]*[ \t]*$"  # fenced code blocks
    r"|<!--.*?-->"  # HTML comments
    r"|(?P<tick>`+)[^`](?:(?!\n[ \t]*\n).)*?(?P=tick)"  # inline code, within a paragraph
    r"|<[a-z]+:[^<>\s]*>"  # autolinks
)
_SHORTCODE = re.compile(r"(?s)\{\{<.*?>\}\}")


@dataclass
class Document:
    """A .qmd file's citations and its front-matter settings that matter here."""

    path: Path
    citations: list[Citation]
    nocite: set[str]
    bibliography: list[Path]
    includes: list[Path]


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
        if path.is_relative_to(root.resolve() / "_build"):
            continue  # generated from data, which never cites: an "@name" there is a handle, and a
            # message about it would print it
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
