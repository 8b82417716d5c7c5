"""Quarto's floats: figures and tables that are numbered, captioned and may hold a panel of sub-figures.

`normalise` (before cross-references are numbered, the same for every format) turns Quarto's div form
`::: {#fig-x}` / `::: {#tbl-x}` into pandoc `Figure` (or captioned `Table`) nodes: the caption is the
`fig-cap`/`tbl-cap` attribute or the div's last paragraph, and inside a float every captioned image or
table is a sub-float; a sub-float without a label gets `<parent>-1`, `-2`, ... as Quarto does, so
`@fig-x-1` refers to it. `lower` (per format, just before pandoc writes) lays floats and `layout-ncol` /
`layout-nrow` / `layout` panels out as Quarto does in that format: HTML/reveal.js with Quarto's own classes
(`quarto-float`, `quarto-layout-panel`, `quarto-subfloat-fig`, ...), Typst with `#figure` and `#grid`,
DOCX with a table of cells, PPTX with pandoc's two-column layout.
"""

from __future__ import annotations

import json

from .ast import div, elements, walk
from .project import RenderError

KINDS = ("fig", "tbl")
PANEL_CAPTION = "\u2063"  # marks a PowerPoint panel's caption for pptx.py to put back under its figures
LAYOUT = ("layout-ncol", "layout-nrow", "layout")


def kind_of(ident: str) -> str | None:
    prefix = ident.split("-", 1)[0]
    return prefix if prefix in KINDS and ident.startswith(prefix + "-") and len(ident) > len(prefix) + 1 else None


def _plain(blocks: list) -> list:
    return [{"t": "Plain", "c": b["c"]} if b["t"] == "Para" else b for b in blocks]


def _float_from_div(node: dict, where) -> dict:
    (ident, classes, pairs), blocks = node["c"]
    attrs = dict(pairs)
    kind = kind_of(ident)
    caption_attr = attrs.pop(f"{kind}-cap", None)
    rest = [[k, v] for k, v in pairs if k != f"{kind}-cap"]
    blocks = list(blocks)
    caption: list = []
    if caption_attr is not None:
        from . import pandoc

        caption = _plain(pandoc.read_markdown(caption_attr, cwd=".", epoch=None, what=ident)["blocks"])
    elif len(blocks) > 1 and blocks[-1]["t"] == "Para":
        caption = [{"t": "Plain", "c": blocks.pop()["c"]}]
    tables = [b for b in blocks if b["t"] == "Table"]
    if kind == "tbl" and len(blocks) == 1 and tables and not any(k in attrs for k in LAYOUT):
        table = tables[0]  # one table: the float is that table, captioned by the div's caption or its own
        own = table["c"][1][1]
        if caption and own:
            raise RenderError(f"{where('#' + ident)}: table float `{ident}` has two captions (the table's and the "
                              "div's last paragraph): keep one")
        table["c"][0] = [ident, classes + table["c"][0][1], rest + table["c"][0][2]]
        table["c"][1] = [None, caption or own]
        return table
    if not caption:
        raise RenderError(f"{where('#' + ident)}: float `{ident}` has no caption (Quarto takes the div's last "
                          "paragraph, or a `" + f"{kind}-cap" + "` attribute)")
    return {"t": "Figure", "c": [[ident, classes, rest], [None, caption], blocks]}


def _label_subfloats(figure: dict) -> None:
    """Number-free ids for a float's sub-floats: their own label, else `<parent>-N` (Quarto's autoSubrefLabel)."""
    ident = figure["c"][0][0]
    index = 0
    for node in _subfloats(figure["c"][2]):
        index += 1
        attr = node["c"][0]
        if not attr[0]:
            attr[0] = f"{ident}-{index}"
        attr[2] = [kv for kv in attr[2] if kv[0] != "quarto-parent"] + [["quarto-parent", ident]]


def _subfloats(blocks: list):
    """Figures and captioned tables directly inside a float (layout cells included), in document order."""
    for block in blocks:
        if block["t"] == "Figure" or (block["t"] == "Table" and block["c"][1][1]):
            yield block
        elif block["t"] == "Div":
            yield from _subfloats(block["c"][1])


def normalise(blocks: list, where) -> list:
    """Div floats become Figure/Table nodes; sub-floats are labelled and point to their parent."""

    def visit(node):
        if node["t"] == "Div" and kind_of(node["c"][0][0]):
            node = _float_from_div(node, where)
        if node["t"] == "Figure" and kind_of(node["c"][0][0]):
            _label_subfloats(node)
        return node

    return walk(blocks, visit)


# --- layout ----------------------------------------------------------------------------------------------

def layout_rows(attrs: dict, count: int, where) -> list[list[float]]:
    """Quarto's layout: rows of cell widths in percent, from `layout-ncol`, `layout-nrow` or `layout`."""
    if "layout" in attrs:
        try:
            spec = json.loads(attrs["layout"])
        except ValueError:
            raise RenderError(f"{where('layout=')}: layout=\"{attrs['layout']}\" is not a list of rows "
                              "(e.g. [[1,1],[1]])") from None
        if not all(isinstance(r, list) and all(isinstance(c, (int, float)) for c in r) for r in spec):
            raise RenderError(f"{where('layout=')}: layout must be a list of rows of numbers")
        if any(c < 0 for r in spec for c in r):
            raise RenderError(f"{where('layout=')}: negative layout widths (spacers) are not implemented by the "
                              "built-in engine (render with --engine quarto)")
        return [[100 * c / sum(r) for c in r] for r in spec]
    if "layout-ncol" in attrs:
        ncol = int(attrs["layout-ncol"])
        nrow = -(-count // ncol)
    else:
        nrow = int(attrs["layout-nrow"])
        ncol = -(-count // nrow)
    return [[100 / ncol] * ncol for _ in range(nrow)]


def _cells(blocks: list) -> list[list]:
    """The cells of a panel: each sub-float or other block is one cell (Quarto lays out top-level blocks)."""
    return [[b] for b in blocks if b["t"] != "Null"]


def _panel_rows(node_blocks: list, attrs: dict, where) -> list[list[tuple[float, list]]]:
    cells = _cells(node_blocks)
    rows = layout_rows(attrs, len(cells), where)
    out, i = [], 0
    for widths in rows:
        row = []
        for width in widths:
            if i < len(cells):
                row.append((width, cells[i]))
                i += 1
        if row:
            out.append(row)
    if i < len(cells):
        raise RenderError(f"{where('layout')}: the layout has {i} cells but the panel holds {len(cells)} blocks")
    return out


def _layout_of(attr) -> dict:
    return {k: v for k, v in attr[2] if k in LAYOUT}


# --- lowering per format --------------------------------------------------------------------------------

def _raw(fmt: str, text: str) -> dict:
    return {"t": "RawBlock", "c": [fmt, text]}


def lower(blocks: list, fmt: str, meta: dict, where) -> list:
    """Floats and layout panels as Quarto writes them in `fmt` (html, revealjs, pdf, docx, pptx)."""
    options = _options(meta)
    if fmt in ("html", "revealjs"):
        return _walk_top(blocks, lambda n: _html(n, options, where, sub=False))
    if fmt == "pdf":
        return _walk_top(blocks, lambda n: _typst(n, options, where))
    if fmt == "docx":
        return _walk_top(blocks, lambda n: _docx(n, options, where))
    return _walk_top(blocks, lambda n: _pptx(n, options, where))


def _options(meta: dict) -> dict:
    cap = meta.get("cap-location")
    return {"fig-cap-location": meta.get("fig-cap-location", cap or "bottom"),
            "tbl-cap-location": meta.get("tbl-cap-location", cap or "top"),
            "fig-align": meta.get("fig-align", "default")}


def _walk_top(blocks: list, convert) -> list:
    """Convert floats and panels outermost first (a converter handles what is inside)."""
    out = []
    for block in blocks:
        replaced = convert(block)
        if replaced is not None:
            out.extend(replaced)
            continue
        if block["t"] in ("Div", "BlockQuote"):
            inner = block["c"][1] if block["t"] == "Div" else block["c"]
            inner = _walk_top(inner, convert)
            block = dict(block, c=[block["c"][0], inner] if block["t"] == "Div" else inner)
        elif block["t"] in ("BulletList", "OrderedList"):
            items = block["c"] if block["t"] == "BulletList" else block["c"][1]
            items = [_walk_top(item, convert) for item in items]
            block = dict(block, c=items if block["t"] == "BulletList" else [block["c"][0], items])
        out.append(block)
    return out


def _is_panel(node: dict) -> bool:
    return node["t"] in ("Div", "Figure") and bool(_layout_of(node["c"][0]))


def _align_of(node: dict, options: dict) -> str:
    images = [b for b in _images(node)]
    for image in images:
        value = dict(image["c"][0][2]).get("fig-align")
        if value:
            return value
    return options["fig-align"]


def _images(node):
    from .ast import elements

    return list(elements(node, "Image"))


# HTML and reveal.js: Quarto's own markup, so its CSS classes and its tests' selectors hold.

def _html(node: dict, options: dict, where, sub: bool) -> list | None:
    kind = node["t"]
    if kind == "Div" and _is_panel(node):
        return [div(node["c"][0][0], ["quarto-layout-panel", *node["c"][0][1]],
                    _html_rows(node["c"][1], _layout_of(node["c"][0]), options, where, None),
                    [("data-layout-ncol", _layout_of(node["c"][0]).get("layout-ncol", ""))]
                    if "layout-ncol" in _layout_of(node["c"][0]) else [])]
    if kind == "Figure" and node["c"][0][0]:
        ident, classes, pairs = node["c"][0]
        fkind = kind_of(ident) or "fig"
        parent = dict(pairs).get("quarto-parent")
        sub = parent is not None
        align = _align_of(node, options)
        caption = node["c"][1][1]
        location = options[f"{fkind}-cap-location"]
        where_cls = "quarto-subfloat" if sub else "quarto-float"
        caption_id = f"caption-{ident}"  # not "fig-...": a figure id names the figure itself
        content = node["c"][2]
        if _is_panel(node):
            content = _html_rows(content, _layout_of(node["c"][0]), options, where, ident)
        else:
            content = walk(content, _figure_image)
            content = _walk_top(content, lambda n: _html(n, options, where, sub=True))
        caption_blocks = [_raw("html", f'<figcaption class="quarto-float-caption-{location} {where_cls}-caption '
                                       f'{where_cls}-{fkind}" id="{caption_id}">'),
                          *caption, _raw("html", "</figcaption>")]
        body = [_raw("html", f'<div aria-describedby="{caption_id}">'), *content, _raw("html", "</div>")]
        inner = [_raw("html", f'<figure class="quarto-float {where_cls}-{fkind} figure">'),
                 *(caption_blocks + body if location == "top" else body + caption_blocks),
                 _raw("html", "</figure>")]
        outer_classes = ["quarto-layout-panel"] if _is_panel(node) else \
            ["quarto-float", "quarto-figure", f"quarto-figure-{_css_align(align)}", "anchored"]
        extra = [("data-ref-parent", parent)] if parent else []
        keep = [(k, v) for k, v in pairs if k not in (*LAYOUT, "quarto-parent")]
        return [div(ident, outer_classes + classes, inner, extra + keep)]
    if kind == "Table" and node["c"][0][0] and kind_of(node["c"][0][0]) == "tbl":
        return _html_table_float(node, options)
    return None


def _css_align(align: str) -> str:
    return {"left": "left", "right": "right", "center": "center"}.get(align, "center")


def _figure_image(node):
    if node["t"] == "Image":
        attr = node["c"][0]
        classes = attr[1] if "figure-img" in attr[1] else [*attr[1], "figure-img"]
        return {"t": "Image", "c": [[attr[0], classes, [kv for kv in attr[2] if kv[0] != "fig-align"]],
                                    *node["c"][1:]]}
    return None


def _html_rows(blocks: list, layout: dict, options: dict, where, parent: str | None) -> list:
    rows = []
    for row in _panel_rows(blocks, layout, where):
        cells = []
        for width, cell in row:
            subref = parent is not None and any(b["t"] in ("Figure", "Table") for b in cell)
            classes = ["quarto-layout-cell-subref", "quarto-layout-cell"] if subref else ["quarto-layout-cell"]
            converted = _walk_top(cell, lambda n: _html(n, options, where, sub=True))
            pairs = [("data-ref-parent", parent)] if subref else []
            pairs.append(("style", f"flex-basis: {width:.1f}%;justify-content: flex-start;"))
            cells.append(div("", classes, converted, pairs))
        rows.append(div("", ["quarto-layout-row"], cells))
    return rows


def _html_table_float(node: dict, options: dict) -> list:
    ident, classes, pairs = node["c"][0]
    parent = dict(pairs).get("quarto-parent")
    where_cls = "quarto-subfloat" if parent else "quarto-float"
    location = options["tbl-cap-location"]
    caption = node["c"][1][1]
    table = {"t": "Table", "c": [["", [f"caption-{location}"], []], [None, []], *node["c"][2:]]}
    caption_blocks = [_raw("html", f'<figcaption class="quarto-float-caption-{location} {where_cls}-caption '
                                   f'{where_cls}-tbl" id="caption-{ident}">'), *caption,
                      _raw("html", "</figcaption>")]
    body = [_raw("html", f'<div aria-describedby="caption-{ident}">'), table, _raw("html", "</div>")]
    inner = [_raw("html", f'<figure class="quarto-float {where_cls}-tbl figure">'),
             *(caption_blocks + body if location == "top" else body + caption_blocks), _raw("html", "</figure>")]
    extra = [("data-ref-parent", parent)] if parent else []
    keep = [(k, v) for k, v in pairs if k not in (*LAYOUT, "quarto-parent")]
    return [div(ident, ["quarto-float", "quarto-figure", "quarto-figure-center", "anchored", *classes], inner,
                extra + keep)]


# Typst: #figure with the caption where Quarto puts it; panels as a #grid inside the figure.

def _typst(node: dict, options: dict, where) -> list | None:
    kind = node["t"]
    if kind == "Div" and _is_panel(node):
        return _typst_grid(node["c"][1], _layout_of(node["c"][0]), options, where)
    if kind == "Figure" and node["c"][0][0]:
        ident = node["c"][0][0]
        fkind = kind_of(ident) or "fig"
        location = options[f"{fkind}-cap-location"]
        content = node["c"][2]
        if _is_panel(node):
            content = _typst_grid(content, _layout_of(node["c"][0]), options, where)
        else:
            content = _walk_top(content, lambda n: _typst(n, options, where))
        supplement = "table" if fkind == "tbl" else "image"
        figure = [_raw("typst", "#figure(["), *content,
                  _raw("typst", f"], kind: {supplement}, caption: figure.caption(position: {location}, ["),
                  *node["c"][1][1], _raw("typst", f"]))\n<{ident}>")]
        align = _align_of(node, options)
        if align in ("left", "right"):
            figure = [_raw("typst", f"#align({align})["), *figure, _raw("typst", "]")]
        if fkind == "tbl" and _rows(content) <= KEEP_WHOLE_ROWS:
            figure = [_raw("typst", "#block(breakable: false)["), *figure, _raw("typst", "]")]
        return figure
    if kind == "Table" and node["c"][0][0] and dict(node["c"][0][2]).get("quarto-parent"):
        return None  # a sub-table: pandoc writes it as its own captioned figure
    if kind == "Table" and _rows([node]) <= KEEP_WHOLE_ROWS:  # pandoc writes a captioned figure of it
        return [_raw("typst", "#block(breakable: false)["), node, _raw("typst", "]")]
    return None


KEEP_WHOLE_ROWS = 12  # a table this short moves to the next page whole: never a row or two left behind


def _rows(blocks: list) -> int:
    """Body rows of the tables in `blocks` (a long table may break across pages, under its repeated header)."""
    return sum(len(body[3]) for table in elements(blocks, "Table") for body in table["c"][4])


def _typst_grid(blocks: list, layout: dict, options: dict, where) -> list:
    out = []
    for row in _panel_rows(blocks, layout, where):
        columns = ", ".join(f"{w:.2f}fr" for w, _ in row)
        out.append(_raw("typst", f"#grid(columns: ({columns},), column-gutter: 1em, align: top,"))
        for _, cell in row:
            out += [_raw("typst", "["), *_walk_top(cell, lambda n: _typst(n, options, where)), _raw("typst", "],")]
        out.append(_raw("typst", ")"))
    return out


# DOCX: a panel is a borderless table, one row per layout row (what Quarto writes for Word).

def _docx(node: dict, options: dict, where) -> list | None:
    moved = _docx_caption_moved(node, options)
    if moved is not None:
        return moved
    if node["t"] == "Div" and _is_panel(node):
        return [_docx_table(node["c"][1], _layout_of(node["c"][0]), options, where)]
    if node["t"] == "Figure" and _is_panel(node):
        ident, classes, pairs = node["c"][0]
        table = _docx_table(node["c"][2], _layout_of(node["c"][0]), options, where)
        return [{"t": "Figure", "c": [[ident, classes, [kv for kv in pairs if kv[0] not in LAYOUT]],
                                      node["c"][1], [table]]}]
    return None


def _docx_caption_moved(node: dict, options: dict) -> list | None:
    """Pandoc's Word writer puts figure captions below and table captions above; Quarto's caption locations
    move them, as a paragraph in Word's caption style, the float's bookmark kept on a div around both."""
    kind = node["t"]
    if kind not in ("Figure", "Table") or _is_panel(node) or dict(node["c"][0][2]).get("quarto-parent"):
        return None
    fkind = "fig" if kind == "Figure" else "tbl"
    location = options[f"{fkind}-cap-location"]
    if location == ("bottom" if fkind == "fig" else "top") or not node["c"][1][1]:
        return None
    ident, classes, pairs = node["c"][0]
    caption = [{"t": "Para", "c": b["c"]} for b in node["c"][1][1] if b["t"] in ("Plain", "Para")]
    style = "Image Caption" if fkind == "fig" else "Table Caption"
    caption_div = div("", [], caption, [("custom-style", style)])
    if kind == "Figure":
        body = [b if b["t"] != "Plain" else {"t": "Para", "c": b["c"]} for b in node["c"][2]]
    else:
        body = [{"t": "Table", "c": [["", classes, pairs], [None, []], *node["c"][2:]]}]
    inner = [caption_div, *body] if location == "top" else [*body, caption_div]
    return [div(ident, [], inner)]


def _docx_table(blocks: list, layout: dict, options: dict, where) -> dict:
    rows = _panel_rows(blocks, layout, where)
    ncol = max(len(r) for r in rows)
    empty = ["", [], []]
    body_rows = []
    for row in rows:
        cells = [[empty, {"t": "AlignCenter"}, 1, 1, _walk_top(cell, lambda n: _docx(n, options, where))]
                 for _, cell in row]
        cells += [[empty, {"t": "AlignDefault"}, 1, 1, []] for _ in range(ncol - len(row))]
        body_rows.append([empty, cells])
    widths = [{"t": "ColWidth", "c": w / 100} for w, _ in max(rows, key=len)]
    colspecs = [[{"t": "AlignCenter"}, w] for w in widths]
    return {"t": "Table", "c": [["", ["quarto-layout"], []], [None, []], colspecs, [empty, []],
                                [[empty, 0, [], body_rows]], [empty, []]]}


# PPTX: pandoc lays out two columns side by side; more than that has no PowerPoint layout.

def _pptx(node: dict, options: dict, where) -> list | None:
    if not _is_panel(node):
        return None
    inner = node["c"][1] if node["t"] == "Div" else node["c"][2]
    rows = _panel_rows(inner, _layout_of(node["c"][0]), where)
    if len(rows) != 1 or len(rows[0]) != 2:
        raise RenderError(f"{where('layout')}: a PowerPoint slide lays out two columns side by side; this "
                          f"panel has {len(rows)} row(s) of {', '.join(str(len(r)) for r in rows)} (render with "
                          "--engine quarto, or use layout-ncol=2)")
    columns = div("", ["columns"], [div("", ["column"], cell, [("width", f"{w:.0f}%")]) for w, cell in rows[0]])
    if node["t"] == "Figure":
        caption = node["c"][1][1]
        # pandoc moves text after the columns to a slide of its own: marked, it comes back under them
        marked = [{"t": "Para", "c": [{"t": "Str", "c": PANEL_CAPTION}, *b["c"]]} for b in caption
                  if b["t"] in ("Plain", "Para")]
        return [columns, *marked]
    return [columns]

