"""Quarto's callouts: `::: {.callout-note}` (note, tip, warning, important, caution) with a title.

The title is the `title` attribute, else a heading that opens the callout (which is then no section and
no slide), else Quarto's word for the type in the document's language. `collapse="true"|"false"` makes
it foldable in HTML; `appearance` (default, simple, minimal) and `icon=false` change its look, as do the
document options `callout-appearance` and `callout-icon`. Written per format as Quarto writes it: HTML and
reveal.js with Quarto's classes (`callout callout-style-default callout-note callout-titled`, header,
title container, body container; folding with `<details>`, which needs no script), Typst with a
`#callout` block, Word with the callout styles of the reference document, PowerPoint (which has no
callouts) as a block quote whose first line is the title in bold, as Quarto does for such formats.
"""

from __future__ import annotations

from .ast import div, stringify, text, walk
from .project import RenderError

TYPES = ("note", "tip", "warning", "important", "caution")
APPEARANCES = ("default", "simple", "minimal")
# Quarto's colours for the five types (its callout SCSS): border/icon colour, title background.
COLOURS = {"note": ("#0758E5", "#dae6fb"), "tip": ("#00A047", "#ccf1e3"), "warning": ("#EB9113", "#fcefdc"),
           "important": ("#CC1914", "#f7dddc"), "caution": ("#FC5300", "#ffe5d0")}
ICONS = {"note": "i", "tip": "✓", "warning": "!", "important": "!", "caution": "!"}


def kind_of(classes: list[str]) -> str | None:
    for name in classes:
        if name.startswith("callout-") and name[8:] in TYPES:
            return name[8:]
    return None


def normalise(blocks: list, meta: dict, words: dict, where) -> list:
    """Each callout div becomes Div(["callout", "callout-<type>"]) whose first block is its title."""
    appearance_default = meta.get("callout-appearance", "default")
    icon_default = meta.get("callout-icon", True)

    def visit(node):
        if node["t"] != "Div":
            return None
        (ident, classes, pairs), content = node["c"]
        if "callout" in classes and not kind_of(classes):
            raise RenderError(f"{where('.callout')}: `.callout` needs a type: .callout-note, .callout-tip, "
                              ".callout-warning, .callout-important or .callout-caution")
        kind = kind_of(classes)
        if kind is None:
            unknown = next((c for c in classes if c.startswith("callout-")), None)
            if unknown:
                raise RenderError(f"{where('.' + unknown)}: `.{unknown}` is not a Quarto callout (note, tip, "
                                  "warning, important, caution)")
            return None
        attrs = dict(pairs)
        content = list(content)
        if "title" in attrs:
            title = text(attrs["title"])
        elif content and content[0]["t"] == "Header":
            title = content.pop(0)["c"][2]
        else:
            title = None
        appearance = attrs.get("appearance", appearance_default)
        if appearance not in APPEARANCES:
            raise RenderError(f"{where('appearance')}: callout appearance `{appearance}` is not Quarto's "
                              "(default, simple, minimal)")
        collapse = attrs.get("collapse")
        if collapse not in (None, "true", "false", True, False):
            raise RenderError(f"{where('collapse')}: collapse is \"true\" or \"false\", not {collapse!r}")
        icon = str(attrs.get("icon", icon_default)).lower() != "false"
        explicit = title is not None
        if title is None:
            title = text(words[f"callout-{kind}-title"])
        rest = [[k, v] for k, v in pairs if k not in ("title", "appearance", "collapse", "icon")]
        settings = [["quarto-callout", kind], ["quarto-appearance", appearance],
                    ["quarto-icon", "true" if icon else "false"], ["quarto-titled", "true" if explicit else "false"]]
        if collapse is not None:
            settings.append(["quarto-collapse", str(collapse).lower()])
        others = [c for c in classes if not (c.startswith("callout-") or c == "callout")]
        return div(ident, ["callout", f"callout-{kind}", *others],
                   [div("", ["callout-title"], [{"t": "Plain", "c": title}]), *content], [*rest, *settings])

    return walk(blocks, visit)


def _parts(node: dict):
    (ident, classes, pairs), content = node["c"]
    settings = dict(pairs)
    title = content[0]["c"][1][0]["c"] if content and content[0]["t"] == "Div" else []
    others = [c for c in classes if c not in ("callout",) and not c.startswith("callout-")]
    rest = [(k, v) for k, v in pairs if not k.startswith("quarto-")]
    return ident, others, rest, settings, title, content[1:]


def _raw(fmt: str, value: str) -> dict:
    return {"t": "RawBlock", "c": [fmt, value]}


def lower(blocks: list, fmt: str) -> list:
    """Callouts as Quarto writes them in `fmt` (html, revealjs, pdf, docx, pptx)."""

    def visit(node):
        if node["t"] != "Div" or "callout" not in node["c"][0][1] or "quarto-callout" not in dict(node["c"][0][2]):
            return None
        return {"html": _html, "revealjs": _html, "pdf": _typst, "docx": _docx, "pptx": _pptx}[fmt](node, fmt)

    return walk(blocks, visit)


def _html(node: dict, fmt: str) -> dict:
    ident, others, rest, s, title, body = _parts(node)
    kind, appearance = s["quarto-callout"], s["quarto-appearance"]
    titled = appearance != "minimal" or s["quarto-titled"] == "true"
    collapse = s.get("quarto-collapse") if fmt == "html" else None  # Quarto folds callouts in HTML only
    classes = ["callout", f"callout-style-{appearance}", f"callout-{kind}"]
    if not s["quarto-icon"] == "true" or appearance == "minimal":
        classes.append("no-icon")
    if titled:
        classes.append("callout-titled")
    header_tag = "summary" if collapse else "div"
    header = [_raw("html", f'<{header_tag} class="callout-header">'),
              _raw("html", '<div class="callout-icon-container"><i class="callout-icon" aria-hidden="true"></i></div>'),
              div("", ["callout-title-container"], [{"t": "Plain", "c": title}]), _raw("html", f"</{header_tag}>")]
    content = [div("", ["callout-body-container", "callout-body"], body)]
    if collapse:
        opened = " open" if collapse == "false" else ""
        inner = [_raw("html", f'<details class="callout-collapse"{opened}>'), *header, *content, _raw("html", "</details>")]
    else:
        inner = (header if titled else []) + content
    return div(ident, classes + others, inner, rest)


def _typst(node: dict, fmt: str) -> list:
    ident, others, rest, s, title, body = _parts(node)
    kind, appearance = s["quarto-callout"], s["quarto-appearance"]
    colour, background = COLOURS[kind]
    icon = "true" if s["quarto-icon"] == "true" and appearance != "minimal" else "false"
    titled = appearance != "minimal" or s["quarto-titled"] == "true"
    opening = (f'#callout(kind: "{kind}", appearance: "{appearance}", icon: {icon}, icon_glyph: "{ICONS[kind]}", '
               f'color: rgb("{colour}"), background_color: rgb("{background}"), title: ')
    out = [_raw("typst", opening + ("[" if titled else "none, body: [")), ]
    if titled:
        out += [{"t": "Plain", "c": title}, _raw("typst", "], body: [")]
    out += [*body, _raw("typst", "])" + (f"\n<{ident}>" if ident else ""))]
    return out


def _docx(node: dict, fmt: str) -> dict:
    ident, others, rest, s, title, body = _parts(node)
    kind, appearance = s["quarto-callout"], s["quarto-appearance"]
    titled = appearance != "minimal" or s["quarto-titled"] == "true"
    heading = [div("", [], [{"t": "Para", "c": title}], [("custom-style", f"Callout {kind.capitalize()} Title")])]
    content = div("", [], [b if b["t"] != "Plain" else {"t": "Para", "c": b["c"]} for b in body],
                  [("custom-style", f"Callout {kind.capitalize()}")])
    return div(ident, [], (heading if titled else []) + [content])


def _pptx(node: dict, fmt: str) -> dict:
    ident, others, rest, s, title, body = _parts(node)
    head = [{"t": "Para", "c": [{"t": "Strong", "c": title}]}] if stringify(title) else []
    return {"t": "BlockQuote", "c": head + body}

