"""The paper as PDF: pandoc writes Typst source with our template, the `typst` wheel compiles it.

No LaTeX. Fonts are the ones embedded in the typst wheel (system fonts are ignored) and the PDF's
timestamp is SOURCE_DATE_EPOCH, so the same sources give the same bytes everywhere.
"""

from __future__ import annotations

from pathlib import Path

import typst as typst_compiler

from . import pandoc
from .ast import walk
from .output import adapt_images, guard, temp_path
from .prepare import Prepared, drop_notes, resource
from .project import RenderError

TEMPLATE = resource("paper.typ")


def source(prepared: Prepared, root: Path) -> str:
    """The Typst source pandoc writes for this document (citations already rendered by citeproc)."""
    meta = prepared.document.metadata
    blocks, _ = adapt_images(prepared, drop_notes(prepared.ast["blocks"]), "pdf", root)
    blocks = walk(blocks, _auto_columns)
    lang, _, region = str(meta.get("lang", "en-GB")).partition("-")
    args = ["--standalone", "--template", str(TEMPLATE), "-V", f"lang-typst={lang}",
            "-V", f"region-typst={region or 'GB'}"]
    if meta.get("number-sections"):
        args += ["-V", "number-sections=true"]
    # `-citations`: citeproc has already run; typst must not render the Cite elements a second time.
    out = pandoc.write(dict(prepared.ast, blocks=blocks), "typst-citations", None, args,
                       cwd=prepared.document.path.parent, epoch=prepared.epoch, what=str(prepared.document.path))
    return out.decode("utf-8")


def _auto_columns(node):
    """Let Typst size table columns to their content: pandoc's widths come from the pipe table's dashes,
    which squeeze short columns until their words break."""
    if node["t"] == "Table":
        node["c"][2] = [[align, {"t": "ColWidthDefault"}] for align, _ in node["c"][2]]
    return None


def write(prepared: Prepared, final: Path, root: Path) -> Path:
    text = source(prepared, root)
    guard(text, prepared, final.name)
    try:
        pdf = typst_compiler.compile(text.encode("utf-8"), root=str(root), ignore_system_fonts=True,
                                     timestamp=int(prepared.epoch))
    except Exception as err:  # typst raises its own TypstError with the source position
        raise RenderError(f"{prepared.document.path}:1: typst could not compile the PDF: {err}") from None
    temp = temp_path(final)
    temp.write_bytes(pdf)
    return temp
