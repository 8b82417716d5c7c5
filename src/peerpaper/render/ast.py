"""Small helpers over pandoc's JSON AST (plain dicts and lists), so the passes stay readable.

We work on the JSON AST in Python rather than in a Lua filter because the passes need the project's Python
state (the line map for error messages, the variables, the format being written) and tests can call them
directly; pandoc's JSON format is stable and documented (pandoc-types).
"""

from __future__ import annotations

from typing import Callable, Iterator


_ATOMS = (str, int, float, bool, type(None))


_LEAVES = {"Str", "Space", "SoftBreak", "LineBreak"}


def walk(node, visit: Callable[[dict], object | None]):
    """Depth-first, children first; `visit(element)` may return a replacement element or list of elements.

    Returns a new tree (the input is never changed). Atoms are not descended into and leaves are copied
    whole: the preview re-walks the whole paper after every edit, and most of a pandoc AST is `Str` leaves."""
    if node.__class__ is list:
        out = []
        for item in node:
            if item.__class__ is dict:
                new = walk(item, visit)
                if new.__class__ is list and "t" in item:
                    out.extend(new)
                else:
                    out.append(new)
            else:
                out.append(walk(item, visit) if item.__class__ is list else item)
        return out
    if node.__class__ is dict:
        kind = node.get("t")
        if kind in _LEAVES:
            node = dict(node)
        else:
            node = {k: v if v.__class__ in _ATOMS else walk(v, visit) for k, v in node.items()}
        if kind is not None:
            replaced = visit(node)
            if replaced is not None:
                return replaced
        return node
    return node


def elements(node, kind: str | None = None) -> Iterator[dict]:
    """Every element (optionally of one type) in document order, parents before children."""
    if isinstance(node, list):
        for item in node:
            if item.__class__ is dict or item.__class__ is list:
                yield from elements(item, kind)
    elif isinstance(node, dict):
        if "t" in node and (kind is None or node["t"] == kind):
            yield node
        for value in node.values():
            if value.__class__ is dict or value.__class__ is list:
                yield from elements(value, kind)


def text(words: str) -> list[dict]:
    """Inlines for plain text."""
    out: list[dict] = []
    for i, word in enumerate(words.split(" ")):
        if i:
            out.append({"t": "Space"})
        if word:
            out.append({"t": "Str", "c": word})
    return out


def stringify(node) -> str:
    """The plain text of inlines or blocks."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind = node.get("t")
    if kind == "Str":
        return node["c"]
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "Math"):
        return node["c"][1]
    if kind in ("Image", "Link", "Span", "Quoted", "Cite"):
        return stringify(node["c"][-2] if kind in ("Image", "Link") else node["c"][-1])
    return stringify(node.get("c", []))


def div(identifier: str, classes: list[str], blocks: list[dict], attributes=()) -> dict:
    return {"t": "Div", "c": [[identifier, classes, [list(kv) for kv in attributes]], blocks]}
