"""The deck as ONE offline HTML file: pandoc's revealjs writer, reveal.js 5 from node_modules, embedded.

`embed.inline` then puts reveal.js's scripts, CSS and theme fonts and the SVG figures into the page, so
the file needs no network (a remote URL is an error, never fetched). The synthetic-data notice is added to the title slide.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from . import embed, htmlmath, pandoc, slides
from .output import adapt_images, guard, nbsp_entities, temp_path, toc_args, visible_html
from .prepare import Prepared, resource
from .project import RenderError
from .support import REVEAL_SETTINGS

CSS = resource("slides.css")
REPO = Path(__file__).resolve().parents[3]
# Quarto's reveal.js defaults (its format-reveal settings), so a deck without options looks as in Quarto.
SETTINGS = {"width": 1050, "height": 700, "margin": 0.1, "center": False, "hash": True, "history": True,
            "transition": "none", "background-transition": "none", "controls-tutorial": False,
            "controls-layout": "edges", "navigation-mode": "linear", "slide-number": False}
# pandoc's template quotes these itself; every other value is written as a JavaScript literal
_QUOTED = {"controls-layout", "controls-back-arrows", "show-slide-number", "navigation-mode", "display",
           "transition", "transition-speed", "background-transition", "parallax-background-image",
           "parallax-background-size"}
# Quarto options that pandoc's template has no slot for: set on the Reveal.initialize call
_EXTRA = {"fragment-in-url": "fragmentInURL", "pdf-separate-fragments": "pdfSeparateFragments",
          "pdf-page-height-offset": "pdfPageHeightOffset"}


def reveal_js(root: Path) -> Path:
    """node_modules/reveal.js of the project, else of the repository this package lives in."""
    for base in (root, REPO):
        if (base / "node_modules" / "reveal.js" / "dist" / "reveal.js").exists():
            return base / "node_modules" / "reveal.js"
    raise RenderError(f"{root}: node_modules/reveal.js not found: run `make setup` (npm ci) first")


def write(prepared: Prepared, final: Path, root: Path) -> Path:
    meta = prepared.document.metadata
    where = prepared.document.where
    blocks, _ = adapt_images(prepared, prepared.ast["blocks"], "revealjs", root)
    theme = slides.reveal_theme(meta, where)
    args = ["--standalone", "--slide-level", str(meta.get("slide-level", 2)),
            "-V", f"revealjs-url={reveal_js(root)}", "-V", f"theme={theme}",
            "--css", str(CSS), *toc_args(prepared, "revealjs"),
            *htmlmath.pandoc_args(meta, blocks, root, where(("html-math-method",)))]
    if meta.get("incremental"):
        args.append("--incremental")
    if meta.get("number-sections"):
        args.append("--number-sections")
    extra = {}
    for key, variable in REVEAL_SETTINGS.items():
        value = meta.get(key, SETTINGS.get(key))
        if value is None:
            continue
        if key in _EXTRA:
            extra[_EXTRA[key]] = value
            continue
        args += ["-V", f"{variable}={value if key in _QUOTED else _js(value)}"]
    temp = temp_path(final)
    pandoc.write(dict(prepared.ast, blocks=blocks), "revealjs", temp, args, cwd=prepared.document.path.parent,
                 epoch=prepared.epoch, what=str(prepared.document.path))
    page = temp.read_text(encoding="utf-8")
    if htmlmath.has_math(blocks) and htmlmath.method(meta, where(("html-math-method",))) == "mathjax":
        page = htmlmath.reveal_mathjax(page, htmlmath.package(root, "mathjax", "es5/tex-svg-full.js"))
    if extra:
        settings = "".join(f"\n        {k}: {_js(v)}," for k, v in extra.items())
        page = page.replace("Reveal.initialize({", "Reveal.initialize({" + settings, 1)
    page = _add_chrome(page, prepared, root)
    page = embed.inline(nbsp_entities(page), prepared.document.path.parent, str(prepared.document.path))
    if prepared.notice:
        page = add_notice(page, prepared.notice)
    temp.write_text(page, encoding="utf-8")
    guard(visible_html(page), prepared, final.name)
    return temp


def _js(value) -> str:
    """A Quarto option's value as a JavaScript literal for Reveal.initialize."""
    return json.dumps(value)


def _add_chrome(page: str, prepared: Prepared, root: Path) -> str:
    """Quarto's `footer` (markdown) and `logo` (an image beside the document), on every slide."""
    meta = prepared.document.metadata
    footer = meta.get("footer")
    footer_html = None
    if footer:
        out = pandoc.write(pandoc.read_markdown(str(footer), cwd=prepared.document.path.parent, epoch=None,
                                                what=str(prepared.document.path)), "html5", None, [],
                           cwd=prepared.document.path.parent, epoch=prepared.epoch, what=str(prepared.document.path))
        footer_html = out.decode("utf-8").strip()
    logo = meta.get("logo")
    logo_path = None
    if logo:
        logo_path = (prepared.document.path.parent / str(logo)).resolve()
        if not logo_path.is_file():
            raise RenderError(f"{prepared.document.where(('format', 'revealjs', 'logo'), ('logo',))}: logo image not "
                              f"found: {logo_path}")
    chrome = slides.chrome(meta, footer_html, str(logo_path) if logo_path else None)
    if not chrome:
        return page
    return page.replace('<div class="slides">', chrome + '\n<div class="slides">', 1)


def add_notice(page: str, notice: str) -> str:
    """Put the notice on the title slide (pandoc's template has no slot for it)."""
    title = re.search(r'<section id="title-slide".*?(</section>)', page, re.S)
    if not title:
        raise RenderError("slides: the deck has no title slide to carry the synthetic-data notice (set `title`)")
    badge = f'  <p class="synthetic-notice" role="note">{html.escape(notice)}</p>\n'
    return page[: title.start(1)] + badge + page[title.start(1):]
