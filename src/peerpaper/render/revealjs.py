"""The deck as ONE offline HTML file: pandoc's revealjs writer, reveal.js 5 from node_modules, embedded.

`embed.inline` then puts reveal.js's scripts, CSS and theme fonts and the SVG figures into the page, so
the file needs no network (a remote URL is an error, never fetched). The synthetic-data notice is added to the title slide.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from . import embed, pandoc
from .output import adapt_images, guard, temp_path, visible_html
from .prepare import Prepared, resource
from .project import RenderError, format_options

CSS = resource("slides.css")
REPO = Path(__file__).resolve().parents[3]
# reveal.js settings under Quarto's option names, with our defaults: 16:9 slides scaled to the screen.
SETTINGS = {"width": 1280, "height": 720, "margin": 0.06, "slide-number": True, "hash": True, "center": False,
            "transition": "none"}


def reveal_js(root: Path) -> Path:
    """node_modules/reveal.js of the project, else of the repository this package lives in."""
    for base in (root, REPO):
        if (base / "node_modules" / "reveal.js" / "dist" / "reveal.js").exists():
            return base / "node_modules" / "reveal.js"
    raise RenderError(f"{root}: node_modules/reveal.js not found: run `make setup` (npm ci) first")


def write(prepared: Prepared, final: Path, root: Path) -> Path:
    meta = prepared.document.metadata
    options = format_options(meta, "revealjs")
    blocks, _ = adapt_images(prepared, prepared.ast["blocks"], "revealjs", root)
    args = ["--standalone", "--slide-level", str(options.get("slide-level", 2)),
            "-V", f"revealjs-url={reveal_js(root)}", "-V", f"theme={options.get('theme', 'white')}",
            "--css", str(CSS)]
    for key, default in SETTINGS.items():
        value = options.get(key, default)
        args += ["-V", f"{key.replace('slide-number', 'slideNumber')}={str(value).lower()}"]
    temp = temp_path(final)
    pandoc.write(dict(prepared.ast, blocks=blocks), "revealjs", temp, args, cwd=prepared.document.path.parent,
                 epoch=prepared.epoch, what=str(prepared.document.path))
    page = embed.inline(temp.read_text(encoding="utf-8"), prepared.document.path.parent, str(prepared.document.path))
    if prepared.notice:
        page = add_notice(page, prepared.notice)
    temp.write_text(page, encoding="utf-8")
    guard(visible_html(page), prepared, final.name)
    return temp


def add_notice(page: str, notice: str) -> str:
    """Put the notice on the title slide (pandoc's template has no slot for it)."""
    title = re.search(r'<section id="title-slide".*?(</section>)', page, re.S)
    if not title:
        raise RenderError("slides: the deck has no title slide to carry the synthetic-data notice (set `title`)")
    badge = f'  <p class="synthetic-notice" role="note">{html.escape(notice)}</p>\n'
    return page[: title.start(1)] + badge + page[title.start(1):]
