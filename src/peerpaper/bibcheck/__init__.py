"""Catch citation and bibliography errors before a reviewer does.

`check_project(root)` reads the bibliography and every .qmd the project renders (with the files they
`{{< include >}}`) and returns `file:line: level: message` lines that say what to fix.

Where things are: sources.py finds and reads the files; bibliography.py reads references.bib and checks
each entry; citations.py finds the citations in the prose; prose.py compares the names, years and pages
written beside a citation with its entry; messages.py holds the finding they all return. This module
joins citations to entries.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from .bibliography import REQUIRED_FIELDS, Reference, _check_references, _read_bibliography
from .citations import CROSSREF_PREFIXES, Citation, scan_citations
from .messages import ERROR, WARNING, Message
from .prose import _check_locator, _check_prose
from .sources import Document, _bibliographies, _documents, _read_yaml, _render_list, scan_document

__all__ = [
    "CROSSREF_PREFIXES", "ERROR", "REQUIRED_FIELDS", "WARNING", "Citation", "Document", "Message", "Reference",
    "check", "check_project", "scan_citations", "scan_document",
]


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
