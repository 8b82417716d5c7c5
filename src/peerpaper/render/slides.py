"""Quarto's reveal.js and PowerPoint features that pandoc alone does not give.

reveal.js: slide classes `.smaller` and `.scrollable` (and the document options `smaller: true`,
`scrollable: true`) with Quarto's CSS (in slides.css), `.center` (reveal.js centres such slides itself),
`.absolute` with `top`/`left`/`bottom`/`right`/`width`/`height` (numbers are pixels, as in Quarto),
`footer:` (on every slide; a slide's own `::: footer` div replaces it there), `logo:` (bottom right),
Quarto's theme names (its `default` and `dark` are reveal.js's white and black; beige, blood, dracula,
league, moon, night, serif, simple, sky and solarized keep their names). PowerPoint: pauses (`. . .`)
become click steps in the slide's timing, like pandoc's own incremental lists.
"""

from __future__ import annotations

import html
import re

from .ast import walk
from .project import RenderError

QUARTO_THEMES = {"default": "white", "dark": "black", **{t: t for t in (
    "beige", "blood", "dracula", "league", "moon", "night", "serif", "simple", "sky", "solarized")}}
_POSITIONS = ("top", "left", "bottom", "right", "width", "height")
PAUSE_MARK = "\u2064"  # an invisible plus: where a pause was, for pptx.py to turn into a click


def reveal_theme(meta: dict, where) -> str:
    """The reveal.js theme file for Quarto's `theme:` (a name; Quarto's SCSS themes need Sass)."""
    theme = meta.get("theme", "default")
    if isinstance(theme, list) or theme not in QUARTO_THEMES:
        raise RenderError(f"{where(('format', 'revealjs', 'theme'), ('theme',))}: reveal.js theme {theme!r} is not "
                          f"one the built-in engine has ({', '.join(QUARTO_THEMES)}); custom SCSS themes need "
                          "Quarto (render with --engine quarto)")
    return QUARTO_THEMES[theme]


def _length(value: str) -> str:
    return f"{value}px" if re.fullmatch(r"-?\d+(\.\d+)?", str(value)) else str(value)


def lower_revealjs(blocks: list, meta: dict) -> list:
    """Slide classes from the document options, and `.absolute` positions as Quarto writes them."""
    every = [c for c in ("smaller", "scrollable") if meta.get(c) is True]

    def visit(node):
        kind = node["t"]
        if kind == "Header" and every:
            level, (ident, classes, pairs), inlines = node["c"]
            return {"t": "Header", "c": [level, [ident, classes + [c for c in every if c not in classes], pairs],
                                         inlines]}
        attr = node["c"][0] if kind in ("Div", "Image", "Span") else None
        if kind == "Image":
            attr = node["c"][0]
        if attr and "absolute" in attr[1]:
            pairs = dict(attr[2])
            style = "position: absolute; " + " ".join(f"{k}: {_length(pairs[k])};" for k in _POSITIONS if k in pairs)
            rest = [[k, v] for k, v in attr[2] if k not in _POSITIONS and k != "style"]
            style += (" " + pairs["style"]) if "style" in pairs else ""
            new_attr = [attr[0], attr[1], rest + [["style", style]]]
            return {"t": kind, "c": [new_attr, *node["c"][1:]]}
        return None

    return walk(blocks, visit)


def chrome(meta: dict, footer_html: str | None, logo_uri: str | None) -> str:
    """The footer and logo Quarto puts on every slide (inserted after the slides)."""
    parts = []
    if footer_html:
        parts.append(f'<div class="footer footer-default">{footer_html}</div>')
    if logo_uri:
        parts.append(f'<img src="{html.escape(logo_uri)}" class="slide-logo" alt="">')
    if parts:
        # a slide with its own `::: footer` shows that one instead of the document's
        parts.append("<script>(function(){function sync(e){var own=e.currentSlide&&e.currentSlide.querySelector"
                     "('.footer');var f=document.querySelector('.reveal > .footer-default');if(f){f.style.display="
                     "own?'none':'';}}if(window.Reveal){Reveal.on('ready',sync);Reveal.on('slidechanged',sync);}})();"
                     "</script>")
    return "\n".join(parts)


_PAGEBREAK = {"html": '<div style="page-break-after: always;"></div>', "pdf": "#pagebreak()",
              "docx": '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'}


def pagebreaks(blocks: list, fmt: str) -> list:
    """Quarto's `{{< pagebreak >}}`: a page break in HTML (for print), Typst and Word; nothing on slides."""
    raw = {"html": "html", "pdf": "typst", "docx": "openxml"}.get(fmt)

    def visit(node):
        if node["t"] == "Para" and len(node["c"]) == 1 and node["c"][0]["t"] == "Span" \
                and "quarto-pagebreak" in node["c"][0]["c"][0][1]:
            return {"t": "RawBlock", "c": [raw, _PAGEBREAK[fmt]]} if raw else []
        return None

    return walk(blocks, visit)


def mark_pauses(blocks: list) -> list:
    """PowerPoint: a `. . .` paragraph becomes a marker that pptx.py turns into a click step."""

    def visit(node):
        if node["t"] == "Para" and [i.get("c") for i in node["c"] if i["t"] == "Str"] == [".", ".", "."] \
                and all(i["t"] in ("Str", "Space") for i in node["c"]):
            return {"t": "Para", "c": [{"t": "Str", "c": PAUSE_MARK}]}
        return None

    return walk(blocks, visit)


_TIMING = ('<p:timing><p:tnLst><p:par><p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot"><p:childTnLst>'
           '<p:seq concurrent="1" nextAc="seek"><p:cTn id="2" dur="indefinite" nodeType="mainSeq"><p:childTnLst>'
           '{steps}</p:childTnLst></p:cTn><p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/>'
           '</p:tgtEl></p:cond></p:prevCondLst><p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/>'
           '</p:tgtEl></p:cond></p:nextCondLst></p:seq></p:childTnLst></p:cTn></p:par></p:tnLst><p:bldLst>{builds}'
           '</p:bldLst></p:timing>')
_STEP = ('<p:par><p:cTn id="{a}" fill="hold"><p:stCondLst><p:cond delay="indefinite"/></p:stCondLst><p:childTnLst>'
         '<p:par><p:cTn id="{b}" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>{effects}'
         '</p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par>')
_EFFECT = ('<p:par><p:cTn id="{c}" presetID="1" presetClass="entr" presetSubtype="0" fill="hold" grpId="0" '
           'nodeType="{node}"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst><p:set><p:cBhvr>'
           '<p:cTn id="{d}" dur="1" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst></p:cTn><p:tgtEl>'
           '<p:spTgt spid="{spid}">{range}</p:spTgt></p:tgtEl><p:attrNameLst><p:attrName>style.visibility'
           '</p:attrName></p:attrNameLst></p:cBhvr><p:to><p:strVal val="visible"/></p:to></p:set></p:childTnLst>'
           '</p:cTn></p:par>')


def pause_timing(steps: list[list[tuple[int, int | None]]]) -> str:
    """PowerPoint timing XML: each step (a click) makes shapes, or paragraphs of shapes, visible.

    `steps` lists per click the (shape id, paragraph index, or None for the whole shape) it shows."""
    ids = iter(range(3, 100_000))
    out, paragraph_shapes = [], []
    for step in steps:
        a, b = next(ids), next(ids)
        effects = []
        for k, (spid, paragraph) in enumerate(step):
            target = f'<p:txEl><p:pRg st="{paragraph}" end="{paragraph}"/></p:txEl>' if paragraph is not None else ""
            effects.append(_EFFECT.format(c=next(ids), d=next(ids), spid=spid, range=target,
                                          node="clickEffect" if k == 0 else "withEffect"))
            if paragraph is not None and spid not in paragraph_shapes:
                paragraph_shapes.append(spid)
        out.append(_STEP.format(a=a, b=b, effects="".join(effects)))
    builds = "".join(f'<p:bldP spid="{spid}" grpId="0" uiExpand="1" build="p"/>' for spid in paragraph_shapes)
    return _TIMING.format(steps="".join(out), builds=builds)
