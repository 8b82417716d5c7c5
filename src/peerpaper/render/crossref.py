"""Quarto cross-references: number `#fig-`, `#tbl-` and `#sec-` labels and turn `@fig-x` into "Figure 1".

Runs on the JSON AST before citeproc (as Quarto does), so citeproc only ever sees bibliography keys. The
result is format-neutral: captions gain "Figure 1: " and references become internal links (`#fig-x`),
which pandoc writes as HTML anchors, DOCX bookmarks + hyperlinks, and Typst `<label>`s + `#link`s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ast import elements, stringify, text, walk

KINDS = {"fig": "Figure", "tbl": "Table", "sec": "Section"}


@dataclass
class Labels:
    """What each label is called in prose: `{"fig-x": "Figure 1"}` plus bare numbers for `-@fig-x`."""

    names: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)

    def add(self, label: str, name: str, number: str) -> None:
        if label in self.names:
            self.duplicates.append(label)
        self.names[label] = name
        self.numbers[label] = number


def is_crossref(key: str) -> bool:
    return key.split("-", 1)[0] in KINDS and "-" in key


def collect(blocks: list, number_sections: bool) -> Labels:
    """Number figures and tables in document order and sections as pandoc's --number-sections does."""
    labels = Labels()
    counts = {"fig": 0, "tbl": 0}
    levels: list[int] = []
    for node in elements(blocks):
        kind = node["t"]
        if kind == "Header":
            level, (ident, classes, _), inlines = node["c"]
            if "unnumbered" in classes:
                continue
            levels = (levels + [0] * level)[:level]
            levels[level - 1] += 1
            if ident.startswith("sec-"):
                number = ".".join(str(n) for n in levels)
                name = f"Section {number}" if number_sections else stringify(inlines)
                labels.add(ident, name, number if number_sections else name)
        elif kind in ("Figure", "Table"):
            ident = node["c"][0][0]
            prefix = ident.split("-", 1)[0]
            if prefix in counts and ident.startswith(prefix + "-"):
                counts[prefix] += 1
                labels.add(ident, f"{KINDS[prefix]} {counts[prefix]}", str(counts[prefix]))
    return labels


def _caption_prefix(node: dict, labels: Labels) -> None:
    ident = node["c"][0][0]
    if ident not in labels.names:
        return
    caption_blocks = node["c"][1][1]
    prefix = text(labels.names[ident] + ":")
    for image in elements(node["c"][2], "Image"):  # writers that caption from the image (pptx) agree
        image["c"][1] = prefix + [{"t": "Space"}] + image["c"][1]
    if caption_blocks and caption_blocks[0]["t"] in ("Plain", "Para"):
        caption_blocks[0]["c"] = prefix + [{"t": "Space"}] + caption_blocks[0]["c"]
    else:
        caption_blocks.insert(0, {"t": "Plain", "c": prefix})


def _reference(cite: dict, labels: Labels, unresolved: list[str]) -> list[dict] | None:
    citations = cite["c"][0]
    keys = [c["citationId"] for c in citations]
    if not any(is_crossref(k) for k in keys):
        return None
    parts: list[dict] = []
    for i, citation in enumerate(citations):
        key = citation["citationId"]
        if key not in labels.names:
            unresolved.append(key)
            continue
        bare = citation["citationMode"]["t"] == "SuppressAuthor"
        label = text(labels.numbers[key] if bare else labels.names[key])
        inlines = list(citation["citationPrefix"])
        if inlines:
            inlines.append({"t": "Space"})
        inlines.append({"t": "Link", "c": [["", ["quarto-xref"], []], label, ["#" + key, ""]]})
        inlines += citation["citationSuffix"]
        if i:
            parts += [{"t": "Str", "c": ","}, {"t": "Space"}]
        parts += inlines
    return parts


def resolve(doc: dict, number_sections: bool) -> tuple[dict, Labels, list[str]]:
    """(document with references resolved, the labels, the keys that name no label)."""
    labels = collect(doc["blocks"], number_sections)
    unresolved: list[str] = []

    def visit(node: dict):
        if node["t"] in ("Figure", "Table"):
            _caption_prefix(node, labels)
        elif node["t"] == "Cite":
            return _reference(node, labels, unresolved)
        return None

    doc = dict(doc, blocks=walk(doc["blocks"], visit))
    return doc, labels, unresolved
