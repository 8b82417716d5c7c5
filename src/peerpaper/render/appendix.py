"""Quarto's `.appendix`: a section whose heading has the class goes, in HTML, to the appendix at the end of
the page (`<div id="quarto-appendix" class="default">`, after the reference list), its heading unnumbered;
other formats keep it where it is, as Quarto does."""

from __future__ import annotations

from .ast import div


def lower(blocks: list, fmt: str) -> list:
    if fmt != "html":  # elsewhere in place, unnumbered (as cross-references call it by its title)
        return [_unnumbered(b) if b["t"] == "Header" and "appendix" in b["c"][1][1] else b for b in blocks]
    kept, moved = [], []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if block["t"] == "Header" and "appendix" in block["c"][1][1]:
            level = block["c"][0]
            end = index + 1
            while end < len(blocks) and not (blocks[end]["t"] == "Header" and blocks[end]["c"][0] <= level):
                end += 1
            ident, classes, pairs = block["c"][1]
            header = {"t": "Header", "c": [block["c"][0], [ident, [c for c in classes if c != "appendix"] + ["unnumbered"],
                                                          pairs], block["c"][2]]}
            moved.append(div("", ["appendix"], [header, *blocks[index + 1:end]]))
            index = end
            continue
        kept.append(block)
        index += 1
    if not moved:
        return blocks
    return kept + [div("quarto-appendix", ["default"], moved)]


def _unnumbered(header: dict) -> dict:
    ident, classes, pairs = header["c"][1]
    return {"t": "Header", "c": [header["c"][0], [ident, [*classes, "unnumbered"], pairs], header["c"][2]]}
