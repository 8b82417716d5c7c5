"""The paper as one self-contained HTML page: pandoc's html5 writer with our template, CSS and a TOC.

`--embed-resources` inlines the CSS and images (SVG figures) so the file works offline and alone.
"""

from __future__ import annotations

from pathlib import Path

from . import pandoc
from .output import adapt_images, guard, temp_path, visible_html
from .prepare import Prepared, drop_notes, resource
from .project import format_options

TEMPLATE = resource("paper.html")
CSS = resource("paper.css")


def write(prepared: Prepared, final: Path, root: Path) -> Path:
    meta = prepared.document.metadata
    options = format_options(meta, "html")
    blocks, _ = adapt_images(prepared, drop_notes(prepared.ast["blocks"]), "html", root)
    args = ["--standalone", "--embed-resources", "--template", str(TEMPLATE), "--css", str(CSS),
            "--section-divs", "--toc-depth", str(options.get("toc-depth", meta.get("toc-depth", 2)))]
    if options.get("toc", meta.get("toc", True)):
        args.append("--toc")
    if options.get("number-sections", meta.get("number-sections", False)):
        args.append("--number-sections")
    temp = temp_path(final)
    pandoc.write(dict(prepared.ast, blocks=blocks), "html5", temp, args, cwd=prepared.document.path.parent,
                 epoch=prepared.epoch, what=str(prepared.document.path))
    guard(visible_html(temp.read_text(encoding="utf-8")), prepared, final.name)
    return temp
