"""Quarto cross-references: number figures, tables, equations and sections, and resolve `@fig-x` and friends.

Runs on the JSON AST before citeproc (as Quarto does), so citeproc only ever sees bibliography keys. The
rules are Quarto's (its crossref `refs.lua` and `format.lua`): a caption reads "Figure 1: ..." (title,
non-breaking space, number, `title-delim`); `@fig-x` gives "Figure 1", `@Fig-x` capitalises the prefix,
`[-@fig-x]` gives the number alone, `[Fig. @fig-x]` puts the author's own prefix in place of Quarto's; a
sub-figure is "Figure 1 (a)"; equations `$$ ... $$ {#eq-x}` get "(1)" and are referred to as "Equation 1".
Titles, prefixes and numbering styles come from `crossref:` and from Quarto's translations for `lang`.
References become internal links (`#fig-x`), which pandoc writes as HTML anchors, DOCX bookmarks +
hyperlinks, and Typst labels + links.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ast import elements, walk
from .floats import kind_of
from .project import RenderError

NBSP = "\u00a0"
KINDS = ("fig", "tbl", "eq", "sec")
# Quarto's other reference types: each is an error here, named, rather than a citation that is not found.
REFUSED = {"lst": "code listings", "thm": "theorems", "lem": "lemmas", "cor": "corollaries",
           "prp": "propositions", "cnj": "conjectures", "def": "definitions", "exm": "examples",
           "exr": "exercises", "sol": "solutions", "rem": "remarks", "alg": "algorithms",
           "nte": "note callouts", "tip": "tip callouts", "wrn": "warning callouts",
           "imp": "important callouts", "cau": "caution callouts", "prf": "proofs"}
CROSSREF_OPTIONS = {
    "title-delim", "labels", "subref-labels", "ref-hyperlink", "ref-delim", "lof-title", "lot-title", "lol-title",
    *(f"{k}-{what}" for k in ("fig", "tbl", "eq", "sec") for what in ("title", "prefix", "labels")),
    *(f"{k}-{what}" for k in REFUSED for what in ("title", "prefix", "labels")),
}


def ref_type(key: str) -> str | None:
    """The cross-reference type of a citation key (`Fig-x` is `fig`), or None for a bibliography key."""
    head, dash, rest = key.partition("-")
    head = head[:1].lower() + head[1:]
    return head if dash and rest and (head in KINDS or head in REFUSED) else None


def is_crossref(key: str) -> bool:
    return ref_type(key) in KINDS


@dataclass
class Options:
    """`crossref:` options over Quarto's translations (`language`)."""

    crossref: dict
    words: dict  # Quarto's translation keys: crossref-fig-title, crossref-sec-prefix, ...

    def title(self, kind: str) -> str:
        return str(self.crossref.get(f"{kind}-title", self.words[f"crossref-{kind}-title"]))

    def prefix(self, kind: str, upper: bool) -> str:
        default = self.words.get(f"crossref-{kind}-prefix") or self.words.get(f"crossref-{kind}-title")
        prefix = str(self.crossref.get(f"{kind}-prefix", default))
        return prefix[:1].upper() + prefix[1:] if upper else prefix

    def delim(self) -> str:
        return str(self.crossref.get("title-delim", ":"))

    def number(self, kind: str, n: int, default="arabic") -> str:
        style = self.crossref.get(f"{kind}-labels", self.crossref.get("labels", default))
        return format_number(style, n)

    def subref(self, n: int) -> str:
        return format_number(self.crossref.get("subref-labels", "alpha a"), n)

    def hyperlink(self) -> bool:
        return self.crossref.get("ref-hyperlink", True) is not False


def format_number(style, n: int) -> str:
    """Quarto's numbering styles: `arabic`, `alpha a` / `alpha A`, `roman` / `roman i`, or a list of labels."""
    if isinstance(style, list):
        return str(style[(n - 1) % len(style)])
    style = str(style)
    if style == "arabic":
        return str(n)
    if style.startswith("alpha "):
        return chr(ord(style[-1] if style[-1] != " " else "a") + n - 1)
    if style.startswith("roman"):
        numeral = _roman(n)
        return numeral.lower() if style.endswith("i") else numeral
    raise RenderError(f"crossref labels `{style}`: Quarto's styles are arabic, alpha a, alpha A, roman, roman i, "
                      "or a list of labels")


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


@dataclass
class Entry:
    kind: str
    number: str  # "1", "2.1" for sections, "1 (a)"-style parent + sub for sub-floats
    title: list = field(default_factory=list)  # a section's heading inlines
    parent: str | None = None
    sub: str | None = None


@dataclass
class Labels:
    entries: dict[str, Entry] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)

    def add(self, label: str, entry: Entry) -> None:
        if label in self.entries:
            self.duplicates.append(label)
        self.entries[label] = entry


def _equation_label(inlines: list, i: int) -> str | None:
    """`$$ ... $$ {#eq-x}`: pandoc reads the label as the Str after the display maths."""
    j = i + 1
    while j < len(inlines) and inlines[j]["t"] in ("Space", "SoftBreak"):
        j += 1
    if j < len(inlines) and inlines[j]["t"] == "Str":
        word = inlines[j]["c"]
        if word.startswith("{#eq-") and word.endswith("}"):
            return word[2:-1]
    return None


def collect(blocks: list, options: Options) -> Labels:
    """Number floats, sub-floats, equations and sections in document order (sections as pandoc numbers them)."""
    labels = Labels()
    counts = {"fig": 0, "tbl": 0, "eq": 0}
    levels: list[int] = []
    top = min((h["c"][0] for h in elements(blocks, "Header")), default=1)
    subs: dict[str, int] = {}
    for node in elements(blocks):
        kind = node["t"]
        if kind == "Header":
            level, (ident, classes, _), inlines = node["c"]
            if "unnumbered" in classes or "appendix" in classes:
                if ident.startswith("sec-"):
                    labels.add(ident, Entry("sec", "", title=inlines))
                continue
            depth = max(1, level - top + 1)
            levels = (levels + [0] * depth)[:depth]
            levels[depth - 1] += 1
            if ident.startswith("sec-"):
                labels.add(ident, Entry("sec", ".".join(str(n) for n in levels), title=inlines))
        elif kind in ("Figure", "Table"):
            ident, _, pairs = node["c"][0]
            fkind = kind_of(ident)
            if not fkind:
                continue
            parent = dict(pairs).get("quarto-parent")
            if parent:
                subs[parent] = subs.get(parent, 0) + 1
                labels.add(ident, Entry(fkind, "", parent=parent, sub=options.subref(subs[parent])))
            else:
                counts[fkind] += 1
                labels.add(ident, Entry(fkind, options.number(fkind, counts[fkind])))
        elif kind in ("Para", "Plain"):
            for i, inline in enumerate(node["c"]):
                if inline["t"] == "Math" and inline["c"][0]["t"] == "DisplayMath":
                    label = _equation_label(node["c"], i)
                    if label:
                        counts["eq"] += 1
                        labels.add(label, Entry("eq", options.number("eq", counts["eq"])))
    return labels


def _caption_prefix(node: dict, labels: Labels, options: Options) -> None:
    ident = node["c"][0][0]
    entry = labels.entries.get(ident)
    if entry is None or entry.kind not in ("fig", "tbl"):
        return
    if entry.parent:
        prefix = [{"t": "Str", "c": f"({entry.sub})"}]
    else:
        prefix = [{"t": "Str", "c": f"{options.title(entry.kind)}{NBSP}{entry.number}{options.delim()}"}]
    caption_blocks = node["c"][1][1]
    if node["t"] == "Figure" and not any(elements(node["c"][2], "Figure")):
        for image in elements(node["c"][2], "Image"):  # writers that caption from the image (pptx) agree
            image["c"][1] = prefix + [{"t": "Space"}] + image["c"][1]
            break
    if caption_blocks and caption_blocks[0]["t"] in ("Plain", "Para"):
        caption_blocks[0]["c"] = prefix + [{"t": "Space"}] + caption_blocks[0]["c"]
    else:
        caption_blocks.insert(0, {"t": "Plain", "c": prefix})


def _reference_text(key: str, citation: dict, entry: Entry, labels: Labels, options: Options) -> list[dict]:
    kind = ref_type(key)
    upper = key[:1].isupper()
    number = entry.number
    if entry.parent:
        parent = labels.entries[entry.parent]
        number = f"{parent.number} ({entry.sub})"
    if kind == "sec" and not number:
        return list(entry.title)  # an unnumbered section is called by its title
    prefix = citation["citationPrefix"]
    if prefix:
        return list(prefix) + [{"t": "Str", "c": NBSP + number}]
    if citation["citationMode"]["t"] == "SuppressAuthor":
        return [{"t": "Str", "c": number}]
    word = options.prefix(kind, upper)
    return [{"t": "Str", "c": f"{word}{NBSP}{number}" if word else number}]


def _reference(cite: dict, labels: Labels, options: Options, unresolved: list[str]) -> list[dict] | None:
    citations = cite["c"][0]
    keys = [c["citationId"] for c in citations]
    types = [ref_type(k) for k in keys]
    for key, kind in zip(keys, types):
        if kind in REFUSED:
            unresolved.append(key)
            return None
    if not any(types):
        return None
    parts: list[dict] = []
    for i, citation in enumerate(citations):
        key = citation["citationId"]
        label = key[:1].lower() + key[1:]
        entry = labels.entries.get(label)
        if entry is None or not ref_type(key):
            unresolved.append(key)
            continue
        inlines = _reference_text(key, citation, entry, labels, options)
        if options.hyperlink():
            inlines = [{"t": "Link", "c": [["", ["quarto-xref"], []], inlines, ["#" + label, ""]]}]
        inlines += citation["citationSuffix"]
        if i:
            parts += [{"t": "Str", "c": str(options.crossref.get("ref-delim", ","))}, {"t": "Space"}]
        parts += inlines
    return parts


def _equation(node: dict, labels: Labels) -> dict | None:
    """Display maths with `{#eq-x}`: the label leaves the text, the maths is numbered "(1)" as Quarto does."""
    inlines = node["c"]
    out, skip = [], set()
    changed = False
    for i, inline in enumerate(inlines):
        if i in skip:
            continue
        if inline["t"] == "Math" and inline["c"][0]["t"] == "DisplayMath":
            label = _equation_label(inlines, i)
            if label:
                entry = labels.entries[label]
                math = {"t": "Math", "c": [inline["c"][0], inline["c"][1].strip()]}
                out.append({"t": "Span", "c": [[label, ["quarto-equation"], [["quarto-number", entry.number]]], [math]]})
                j = i + 1
                while inlines[j]["t"] != "Str":
                    skip.add(j)
                    j += 1
                skip.add(j)
                changed = True
                continue
        out.append(inline)
    return dict(node, c=out) if changed else None


def resolve(doc: dict, options: Options) -> tuple[dict, Labels, list[str]]:
    """(document with references resolved, the labels, the keys that name no label)."""
    labels = collect(doc["blocks"], options)
    blocks, unresolved = resolve_with(doc["blocks"], labels, options)
    return dict(doc, blocks=blocks), labels, unresolved


def resolve_with(blocks: list, labels: Labels, options: Options) -> tuple[list, list[str]]:
    """(blocks with references resolved against `labels`, the keys that name no label)."""
    unresolved: list[str] = []

    def visit(node: dict):
        if node["t"] in ("Figure", "Table"):
            _caption_prefix(node, labels, options)
        elif node["t"] == "Cite":
            return _reference(node, labels, options, unresolved)
        elif node["t"] in ("Para", "Plain"):
            return _equation(node, labels)
        return None

    return walk(blocks, visit), unresolved


def refused_label(blocks: list) -> str | None:
    """The first element labelled with a reference type the engine does not implement (`#thm-x`, `#lst-x`)."""
    for node in elements(blocks):
        attr = node["c"][0] if node["t"] in ("Div", "CodeBlock", "Figure", "Table") else \
            node["c"][1] if node["t"] == "Header" else None
        if attr and isinstance(attr, list) and attr and isinstance(attr[0], str):
            head = attr[0].split("-", 1)[0]
            if head in REFUSED and "-" in attr[0]:
                return attr[0]
    return None


def lower_equations(blocks: list, fmt: str) -> list:
    """A numbered equation as Quarto writes it: "(1)" after the maths (`\\qquad(1)`) in HTML, Word and
    PowerPoint; in Typst a numbered `math.equation`, its number at the right margin, labelled for links.
    In Typst every formula carries its TeX as alt text (a tagged PDF wants one for each)."""

    def typst_math(math: dict, number: str | None = None, ident: str = "") -> list:
        block = "true" if math["c"][0]["t"] == "DisplayMath" else "false"
        alt = '"' + " ".join(math["c"][1].split()).replace("\\", "\\\\").replace('"', '\\"') + '"'
        numbering = f', numbering: _ => "({number.replace(chr(34), "")})"' if number else ""
        opening = f"#math.equation(block: {block}, alt: {alt}{numbering}, ["
        return [{"t": "RawInline", "c": ["typst", opening]}, math,
                {"t": "RawInline", "c": ["typst", "])" + (f"<{ident}>" if ident else "")]}]

    def lowered(node) -> list | dict | None:
        if fmt == "pdf" and node["t"] == "Math":
            return typst_math(node)
        if node["t"] != "Span" or "quarto-equation" not in node["c"][0][1]:
            return None
        ident, classes, pairs = node["c"][0]
        number = dict(pairs)["quarto-number"]
        math = node["c"][1][0]
        if fmt == "pdf":
            return typst_math(math, number, ident)
        tex = {"t": "Math", "c": [math["c"][0], f"{math['c'][1]} \\qquad({number})"]}
        return {"t": "Span", "c": [[ident, classes, []], [tex]]}

    def convert(value):  # outermost first: an equation's maths is lowered with its span, once
        if isinstance(value, list):
            out = []
            for item in value:
                new = lowered(item) if isinstance(item, dict) and "t" in item else None
                if new is None:
                    out.append(convert(item))
                elif isinstance(new, list):
                    out.extend(new)
                else:
                    out.append(new)
            return out
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        return value

    return convert(blocks)
