"""The paper as one self-contained HTML page: pandoc's html5 writer with our template, CSS and a TOC.

`--embed-resources` inlines the CSS and images (SVG figures) so the file works offline and alone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import htmlmath, language, pandoc
from .output import adapt_images, guard, nbsp_entities, temp_path, toc_args, visible_html
from .prepare import Prepared, blockwise, drop_notes, resource

TEMPLATE = resource("paper.html")
CSS = resource("paper.css")
FRAGMENT = resource("fragment.html")  # the body alone: what `fragments` writes


def pandoc_input(prepared: Prepared, root: Path, reuse=None) -> tuple[dict, list[str]]:
    """The document and the options pandoc's html5 writer gets for this page (`reuse`: as in prepare)."""
    meta = prepared.document.metadata

    def each_block(blocks: list) -> list:
        return adapt_images(prepared, drop_notes(blocks), "html", root)[0]

    blocks = blockwise(reuse, "html", [str(prepared.document.path), str(root), meta], prepared.ast["blocks"],
                       each_block)
    words = language.words(meta, prepared.document.path, prepared.document.where(("lang",)))
    location = meta.get("toc-location", "right")
    args = ["--standalone", "--embed-resources", "--template", str(TEMPLATE), "--css", str(CSS),
            "--section-divs", *toc_args(prepared, "html"), "-V", f"toc-location={location}",
            "-V", f"abstract-title={meta.get('abstract-title') or words['section-title-abstract']}",
            "-V", f"keywords-title={words['title-block-keywords']}",
            *htmlmath.pandoc_args(meta, blocks, root, prepared.document.where(("html-math-method",)))]
    if meta.get("number-sections"):
        args.append("--number-sections")
    return dict(prepared.ast, blocks=blocks), args


def write(prepared: Prepared, final: Path, root: Path) -> Path:
    return write_input(prepared, *pandoc_input(prepared, root), final)


def write_input(prepared: Prepared, doc: dict, args: list[str], final: Path) -> Path:
    """The page pandoc writes from `pandoc_input`'s document and options, in a temporary file beside `final`."""
    temp = temp_path(final)
    pandoc.write(doc, "html5", temp, args, cwd=prepared.document.path.parent, epoch=prepared.epoch,
                 what=str(prepared.document.path))
    temp.write_text(finish(temp.read_text(encoding="utf-8"), prepared, final.name), encoding="utf-8")
    return temp


def finish(page: str, prepared: Prepared, name: str) -> str:
    """pandoc's page as published: no-break spaces as entities, checked for unresolved markers."""
    page = nbsp_entities(page)
    guard(visible_html(page), prepared, name)
    return page


def fragments(prepared: Prepared, doc: dict, args: list[str], parts: list[list]) -> list[str]:
    """Each list of blocks as it stands inside the page `pandoc_input` gives (one pandoc run for all).

    The same options with a template of the body alone: `--embed-resources` re-serialises every tag of
    the page, so a block's HTML matches the page's only when it has been through the same."""
    separator = "<!--peerpaper-fragment-%s-->" % hashlib.sha256(pandoc.dumps(parts)).hexdigest()
    blocks = []
    for i, part in enumerate(parts):
        blocks += ([{"t": "RawBlock", "c": ["html", separator]}] if i else []) + part
    at = args.index("--template")
    out = pandoc.write(dict(doc, blocks=blocks), "html5", None, [*args[:at + 1], str(FRAGMENT), *args[at + 2:]],
                       cwd=prepared.document.path.parent, epoch=prepared.epoch, what=str(prepared.document.path))
    return [nbsp_entities(piece.strip("\n")) for piece in out.decode("utf-8").split(separator)]
