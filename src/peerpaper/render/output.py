"""What every writer shares: per-format images, the last-guard scan, temporary names, reproducible zips."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from .ast import text, walk
from .prepare import Prepared
from .project import RenderError

# Quarto's default-image-extension per format (Typst draws SVG; the others default to PNG).
IMAGE_EXTENSION = {"html": ".png", "pdf": ".svg", "revealjs": ".png", "docx": ".png", "pptx": ".png"}
# What a half-resolved Quarto or citeproc construct leaves behind in text.
UNRESOLVED = re.compile(r"\?(?:var|meta):|\?@[\w-]+|\?\?\?|\{\{<|\(missing\)")


def adapt_images(prepared: Prepared, blocks: list, fmt: str, root: Path) -> tuple[list, list[str]]:
    """Give extension-less images the format's extension, check they exist, move fig-alt to alt.

    Returns the blocks and the alt texts in document order. Paths are made absolute (root-relative with a
    leading slash for Typst, whose file access is confined to the project root)."""
    alts: list[str] = []
    chosen = prepared.document.metadata.get("default-image-extension")
    extension = "." + str(chosen).lstrip(".") if chosen else IMAGE_EXTENSION[fmt]

    def visit(node):
        if node["t"] != "Image":
            return None
        attr, inlines, (url, title) = node["c"]
        if re.match(r"^[a-z]+:", url):
            raise RenderError(f"{prepared.where(url)}: remote image {url}: outputs must work offline")
        path = (prepared.document.path.parent / url)
        if not path.suffix:
            path = path.with_name(path.name + extension)
        path = path.resolve()
        if not path.exists():
            raise RenderError(f"{prepared.where(url)}: image not found: {path}")
        pairs = [kv for kv in attr[2] if kv[0] not in ("fig-alt", "alt")]
        alt = dict(attr[2]).get("fig-alt") or dict(attr[2]).get("alt")
        alts.append(alt or "")
        if alt and fmt != "pptx":  # pandoc writes an image's description as its alt text...
            inlines = text(alt)  # ...except pptx, which captions with it (python-pptx sets the alt there)
        if fmt == "pdf":
            try:
                url = "/" + path.relative_to(root).as_posix()
            except ValueError:
                raise RenderError(f"{prepared.where(url)}: image outside the project: {path}") from None
        else:  # relative to pandoc's working folder: an absolute path would differ between clones
            url = os.path.relpath(path, prepared.document.path.parent)
        return {"t": "Image", "c": [[attr[0], attr[1], pairs], inlines, [url, title]]}

    return walk(blocks, visit), alts


def toc_args(prepared: Prepared, fmt: str) -> list[str]:
    """Quarto's `toc`, `toc-depth` (default 3) and `toc-title` (its translation of "Table of contents")."""
    from . import language

    meta = prepared.document.metadata
    if not meta.get("toc"):
        return []
    depth = meta.get("toc-depth", 3)
    if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= 6:
        raise RenderError(f"{prepared.document.where(('format', _QUARTO[fmt], 'toc-depth'), ('toc-depth',))}: "
                          "`toc-depth` is a heading level from 1 to 6")
    words = language.words(meta, prepared.document.path, prepared.document.where(("lang",)))
    title = str(meta.get("toc-title") or words["toc-title-document"])
    return ["--toc", "--toc-depth", str(depth), "-M", f"toc-title={title}"]


_QUARTO = {"html": "html", "pdf": "typst", "docx": "docx", "revealjs": "revealjs", "pptx": "pptx"}


def guard(text: str, prepared: Prepared, output: str) -> None:
    """Last line of defence: no unresolved marker may reach an output.

    A marker the data itself holds (a participant typing "???" or "{{<") is literal text, not a leftover;
    the message never quotes the text around a marker, which may be a participant's words."""
    from_data = {m.group(0) for s in prepared.data_text for m in UNRESOLVED.finditer(s)}
    if prepared.literal_text:  # the author escaped a shortcode: its text is meant to be seen
        from_data.add("{{<")
    for match in UNRESOLVED.finditer(text):
        if match.group(0) not in from_data:
            raise RenderError(f"{prepared.where(match.group(0))}: {output} would contain the unresolved "
                              f"marker {match.group(0)!r}")


_CODE_PARTS = re.compile(r"(<script\b.*?</script>|<style\b.*?</style>)", re.S | re.I)


def nbsp_entities(page: str) -> str:
    """Write no-break spaces as `&nbsp;`, as Quarto's HTML does (its tests match the entity), outside scripts
    and stylesheets, where the character is code, not text."""
    if "\u00a0" not in page:
        return page
    parts = _CODE_PARTS.split(page)
    return "".join(p if i % 2 else p.replace("\u00a0", "&nbsp;") for i, p in enumerate(parts))


def visible_html(html: str) -> str:
    """HTML without scripts, styles and data URIs: the text a reader could see."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S | re.I)
    return re.sub(r"data:[a-z]+/[^\"')\s]+", "", html)


def temp_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.{os.getpid()}.tmp")


def normalise_zip(path: Path, epoch: str) -> None:
    """Rewrite a DOCX/PPTX so every entry has the same timestamp (from SOURCE_DATE_EPOCH) and order."""
    import time

    stamp = time.gmtime(max(int(epoch), 315532800))[:6]  # zip cannot store dates before 1980
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)


def zip_text(path: Path, pattern: str) -> str:
    """The XML text of the parts of a DOCX/PPTX whose names match `pattern`."""
    with zipfile.ZipFile(path) as z:
        parts = [z.read(n).decode("utf-8", "replace") for n in z.namelist() if re.search(pattern, n)]
    return re.sub(r"<[^>]+>", " ", "\n".join(parts))
