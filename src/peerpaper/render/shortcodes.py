"""Quarto's `include`, `var` and `meta` shortcodes, expanded in the markdown text before pandoc reads it.

Quarto expands them textually too (includes first, then the others), so doing it on text keeps the meaning
and, unlike a filter on the AST, lets us keep a map from every expanded line back to the file and line it
came from: every later error (an undefined value, an unresolved reference or citation) can name its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .generated import is_generated, refuse_shortcodes
from .project import RenderError, split_front_matter

SHORTCODE = re.compile(r"\{\{<\s*([\w-]+)\s*(.*?)\s*>\}\}")
# Quarto's escape: `{{{< var x >}}}` is the text `{{< var x >}}`. It is held as a private-use character
# through pandoc's read and given back in the AST (`restore_escaped`).
ESCAPED = re.compile(r"\{\{\{<(.*?)>\}\}\}")
_HELD = "\ue000"
PAGEBREAK = "[]{.quarto-pagebreak}"  # lowered per format (a page break in PDF and Word, nothing on slides)
BUILTIN = ("var", "meta", "include", "pagebreak")


@dataclass(frozen=True)
class Origin:
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Source:
    """Expanded markdown and, for each of its lines, where that line came from."""

    text: str
    origins: list[Origin]
    includes: list[Path]

    def origin_of(self, needle: str, last: bool = False) -> Origin:
        """Where `needle` first (or last) occurs; the document's first line when it cannot be found."""
        lines = list(enumerate(self.text.split("\n")))
        for number, line in reversed(lines) if last else lines:
            if needle in line:
                return self.origins[number]
        return self.origins[0] if self.origins else Origin(Path("?"), 1)


def expand_includes(path: Path, body: str, first_line: int, _stack: tuple[Path, ...] = (),
                    root: Path | None = None) -> Source:
    """Replace each `{{< include file >}}` line by that file's text (relative to the including file).

    Under `root`'s `_build/` (what the notebooks wrote) an include may not hold a shortcode at all."""
    lines: list[str] = []
    origins: list[Origin] = []
    includes: list[Path] = []
    for offset, line in enumerate(body.split("\n")):
        here = Origin(path, first_line + offset)
        match = SHORTCODE.search(line)
        if not match or match.group(1) != "include":
            lines.append(line)
            origins.append(here)
            continue
        if line.strip() != match.group(0):
            raise RenderError(f"{here}: an include shortcode must stand alone on its line")
        target = (path.parent / match.group(2).strip("\"'")).resolve()
        if target in _stack or target == path:
            raise RenderError(f"{here}: {target.name} includes itself")
        try:
            text = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise RenderError(f"{here}: included file not found: {match.group(2)} ({target})") from None
        except (OSError, UnicodeDecodeError) as err:
            raise RenderError(f"{here}: cannot read included file {target}: {err}") from None
        if root is not None and is_generated(target, root):
            refuse_shortcodes(target, text)
        _, inner_body, inner_first = split_front_matter(target, text)
        inner = expand_includes(target, inner_body.rstrip("\n"), inner_first, (*_stack, path), root)
        lines += inner.text.split("\n")
        origins += inner.origins
        includes += [target, *inner.includes]
    return Source("\n".join(lines), origins, includes)


def lookup(mapping: dict, dotted: str):
    """`a.b` in nested mappings, or KeyError."""
    value = mapping
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(dotted)
        value = value[part]
    return value


def _as_text(value, where: str, name: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise RenderError(f"{where}: `{name}` is a {type(value).__name__}, not a value that can stand in text")


def replace_shortcodes(text: str, where, variables: dict, metadata: dict, variables_file: Path) -> str:
    """Expand `var` and `meta` in `text`; `where(offset)` names the source of a character offset."""

    def substitute(match: re.Match) -> str:
        kind, name = match.group(1), match.group(2).strip("\"'")
        if kind == "var":
            try:
                return _as_text(lookup(variables, name), where(match.start()), name)
            except KeyError:
                raise RenderError(f"{where(match.start())}: undefined variable `{name}` "
                                  f"(not in {variables_file})") from None
        if kind == "meta":
            try:
                return _as_text(lookup(metadata, name), where(match.start()), name)
            except KeyError:
                raise RenderError(f"{where(match.start())}: undefined metadata key `{name}`") from None
        if kind == "include":
            raise RenderError(f"{where(match.start())}: an include shortcode must stand alone on its line")
        if kind == "pagebreak" and not name:
            return PAGEBREAK
        raise RenderError(f"{where(match.start())}: unsupported shortcode `{kind}` (the built-in engine knows "
                          f"{', '.join(BUILTIN)}; render with --engine quarto)")

    held: list[str] = []

    def hold(match: re.Match) -> str:
        held.append("{{<" + match.group(1) + ">}}")
        return f"{_HELD}{len(held) - 1}{_HELD}"

    text = SHORTCODE.sub(substitute, ESCAPED.sub(hold, text))
    for i, literal in enumerate(held):  # nothing else may hold the marker: give back in the text
        word = literal.replace("{{<", "\ue001").replace(" ", "\ue002")  # one word to pandoc
        text = text.replace(f"{_HELD}{i}{_HELD}", _HELD + word + _HELD)
    return text


def restore_escaped(doc, source: str | None = None):
    """The escaped shortcodes' text, back in every string of pandoc's AST (`{{<` is held as U+E001).

    `source`: the markdown pandoc read; without a held marker in it there is nothing to restore."""
    if source is not None and _HELD not in source:
        return doc
    pattern = re.compile(f"{_HELD}(.*?){_HELD}", re.S)

    def fix(value):
        if isinstance(value, str):
            if _HELD not in value:
                return value
            return pattern.sub(lambda m: m.group(1).replace("\ue001", "{{<").replace("\ue002", " "), value)
        if isinstance(value, list):
            return [fix(v) for v in value]
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        return value

    return fix(doc)


def expand(path: Path, body: str, first_line: int, variables: dict, metadata: dict,
           variables_file: Path, root: Path | None = None) -> Source:
    """The document body with every include, var and meta shortcode expanded."""
    source = expand_includes(path, body, first_line, root=root)
    starts = [0]
    for line in source.text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)

    def where(offset: int) -> Origin:
        number = next(i for i, start in enumerate(starts) if start > offset) - 1
        return source.origins[number]

    source.text = replace_shortcodes(source.text, where, variables, metadata, variables_file)
    return source


def expand_metadata(value, path: Path, raw: str, variables: dict, metadata: dict, variables_file: Path):
    """Shortcodes inside front-matter strings (an abstract quoting a value), located by searching `raw`."""
    if isinstance(value, dict):  # `_quarto` is Quarto's own (its tests' settings), not document text
        return {k: v if k == "_quarto" else expand_metadata(v, path, raw, variables, metadata, variables_file)
                for k, v in value.items()}
    if isinstance(value, list):
        return [expand_metadata(v, path, raw, variables, metadata, variables_file) for v in value]
    if isinstance(value, str) and "{{<" in value:

        def where(offset: int) -> Origin:
            found = SHORTCODE.search(value, offset)
            at = raw.find(found.group(0)) if found else -1
            return Origin(path, raw.count("\n", 0, at) + 1 if at >= 0 else 1)

        return replace_shortcodes(value, where, variables, metadata, variables_file)
    return value
