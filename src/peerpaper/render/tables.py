"""Quarto's `tbl-colwidths`: which column widths a markdown table keeps, per format.

`true` keeps the widths pandoc derives from a pipe table's dashes (Quarto's default outside HTML), `false`
drops them (the format sizes columns to their content), `auto` (the HTML default) keeps them unless the
table holds a link, and a list such as `[40, 60]` sets percentages. A table's own `tbl-colwidths`
attribute (`: Caption {#tbl-x tbl-colwidths="[75,25]"}`) wins over the document's option.
"""

from __future__ import annotations

import json

from .ast import elements, walk
from .project import RenderError


def colwidths(blocks: list, fmt: str, meta: dict, where) -> list:
    default = meta.get("tbl-colwidths", "auto" if fmt in ("html", "revealjs") else True)

    def visit(node):
        if node["t"] != "Table":
            return None
        attr = node["c"][0]
        own = dict(attr[2]).get("tbl-colwidths")
        setting = _parse(own, where) if own is not None else default
        specs = node["c"][2]
        if isinstance(setting, list):
            if len(setting) != len(specs) or not all(isinstance(w, (int, float)) for w in setting):
                raise RenderError(f"{where('tbl-colwidths')}: tbl-colwidths gives {len(setting)} widths for a "
                                  f"table of {len(specs)} columns")
            total = sum(setting) if sum(setting) > 100 else 100
            widths = [{"t": "ColWidth", "c": w / total} for w in setting]
        elif setting is False or (setting == "auto" and any(elements(node, "Link"))):
            widths = [{"t": "ColWidthDefault"}] * len(specs)
        elif setting in (True, "auto"):
            return _without_attribute(node)
        else:
            raise RenderError(f"{where('tbl-colwidths')}: tbl-colwidths is true, false, auto or a list of "
                              f"percentages, not {setting!r}")
        node["c"][2] = [[align, width] for (align, _), width in zip(specs, widths)]
        return _without_attribute(node)

    return walk(blocks, visit)


def _parse(value: str, where):
    if value in ("true", "false"):
        return value == "true"
    if value == "auto":
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise RenderError(f"{where('tbl-colwidths')}: tbl-colwidths=\"{value}\" is not a list such as "
                          "[40,60]") from None


def _without_attribute(node: dict) -> dict:
    attr = node["c"][0]
    node["c"][0] = [attr[0], attr[1], [kv for kv in attr[2] if kv[0] != "tbl-colwidths"]]
    return node
