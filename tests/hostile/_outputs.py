"""Read every published file as a reader meets its text, and list what a hostile build got wrong.

Each check returns problems, one line each, naming the file; the tests assert the list is empty. Readers:
lxml for HTML (visible text and the alt, title and aria-label attributes), pypdfium2 through
peerpaper.pdftext for the PDF's text layer, the OOXML parts of DOCX and PPTX read as XML (text runs and
alt-text `descr`), the csv module for the published tables.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

from lxml import etree, html

from . import FORBIDDEN, Planted

TEXT_SUFFIXES = (".html", ".pdf", ".docx", ".pptx", ".csv", ".json")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def published(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)


def text_of(path: Path) -> str:
    """What a reader of `path` reads, one paragraph (cell, attribute) per line."""
    suffix = path.suffix
    if suffix == ".html":
        return _html_text(path.read_bytes())
    if suffix == ".pdf":
        from peerpaper import pdftext

        return "\n".join(page.text for page in pdftext.read(path.read_bytes(), links=False, bounded=True).pages)
    if suffix in (".docx", ".pptx"):
        return _ooxml_text(path)
    if suffix == ".csv":
        rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
        return "\n".join(cell for row in rows for cell in row)
    if suffix == ".json":  # read as a program reads it: a label's '"' is the character, not JSON's '\"'
        return "\n".join(_json_strings(json.loads(path.read_text(encoding="utf-8"))))
    return path.read_text(encoding="utf-8")


def _json_strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (str(k), *_json_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    return [str(value)]


def _html_text(data: bytes) -> str:
    tree = html.fromstring(data)
    attributes = [v for el in tree.iter() if isinstance(el.tag, str)
                  for k, v in el.attrib.items() if k in ("alt", "title", "aria-label")]
    for element in tree.xpath("//script | //style | //noscript | //template"):
        element.drop_tree()
    return "\n".join([tree.text_content(), *attributes])


def _ooxml_text(path: Path) -> str:
    lines = []
    with zipfile.ZipFile(path) as package:
        for name in sorted(package.namelist()):
            if not re.match(r"(word|ppt)/.*\.xml$", name):
                continue
            root = etree.fromstring(package.read(name))
            for paragraph in root.iter(f"{_W}p", f"{_A}p"):
                lines.append("".join(t.text or "" for t in paragraph.iter(f"{_W}t", f"{_A}t")))
            lines += [el.get("descr") for el in root.iter() if isinstance(el.tag, str) and el.get("descr")]
    return "\n".join(lines)


_LIGATURES = {chr(0xFB00 + i): s for i, s in enumerate(["ff", "fi", "fl", "ffi", "ffl", "st", "st"])}


def squashed(text: str) -> str:
    """Text with whitespace, soft hyphens and ligatures out of the way of a comparison, and nothing else
    (an ellipsis "…" for "..." is a rewrite). Whitespace is dropped, not collapsed: a PDF line or a narrow
    table cell may break anywhere; pdfium marks a break inside a word with U+0002."""
    text = "".join(_LIGATURES.get(c, c) for c in text).replace("\u00ad", "").replace("\ufffe", "").replace("\x02", "")
    return re.sub(r"\s+", "", text)


# ---- the checks ----------------------------------------------------------------------------------------


def literal_problems(site: Path, planted: dict[str, list[Planted]], only: list[str] | None = None) -> list[str]:
    """Each planted text shows, whole, in every file its `shows_in` names and wherever its tag shows."""
    problems = []
    texts = {name: text_of(site / name) for name in published(site)}
    squashed_texts = {name: squashed(text) for name, text in texts.items()}
    for attack, items in planted.items():
        if only is not None and attack not in only:
            continue
        for item in items:
            whole = squashed(item.text)
            for name in item.shows_in:
                if name not in texts:
                    problems.append(f"{attack}: {name} was not published")
                elif not _shows(squashed_texts[name], whole, name):
                    problems.append(f"{attack}: {name} does not show {item.text!r} literally")
            marker = re.compile(rf"(?<![a-z]){re.escape(item.marker)}(?![a-z])")
            for name, text in texts.items():
                if name in item.shows_in or not marker.search(text):
                    continue
                page = name.startswith("notebooks/") and _shown_by_pandas(squashed_texts[name], item)
                if whole not in squashed_texts[name] and not page:
                    problems.append(f"{attack}: {name} shows {item.marker!r} but not the whole of {item.text!r}")
    return problems


def _shows(text: str, whole: str, name: str) -> bool:
    """`whole` in `text`; in a PDF, pdfium reports a line break at a hyphen as U+0002 whether the hyphen was
    the text's own ("hostile-markup0") or one Typst added, so there hyphens are compared as absent."""
    return whole in text or name.endswith(".pdf") and whole.replace("-", "") in text.replace("-", "")


def _shown_by_pandas(text: str, item: Planted) -> bool:
    """A notebook page shows a DataFrame as pandas does: a line break in a cell as the two characters
    "\\n", and a cell longer than 50 characters cut to its first 47 and "...". Literal, as far as it goes."""
    form = squashed(item.text.replace("\n", "\\n"))
    return form in text or any(form[:n] + "..." in text for n in range(12, len(form)))


def forbidden_problems(site: Path) -> list[str]:
    """No published byte (inside DOCX/PPTX packages and the PDF's text too) holds a file an attack named."""
    problems = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        blobs = [path.read_bytes()]
        if path.suffix in (".docx", ".pptx"):
            with zipfile.ZipFile(path) as package:
                blobs += [package.read(n) for n in package.namelist()]
        if path.suffix == ".pdf":
            blobs.append(text_of(path).encode())
        for secret in FORBIDDEN:
            if any(secret.encode() in blob for blob in blobs):
                problems.append(f"{path.relative_to(site)}: holds the content of a file an attack named ({secret[:12]}...)")
    return problems


def live_markup_problems(site: Path) -> list[str]:
    """No HTML page has an element or a handler that came from data: the planted ones all say `__hostile`."""
    problems = []
    for path in sorted(site.rglob("*.html")):
        tree = html.fromstring(path.read_bytes())
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            handlers = [k for k, v in element.attrib.items() if k.startswith("on") and "__hostile" in v]
            if handlers or (element.tag == "script" and "__hostile" in (element.text or "")):
                problems.append(f"{path.relative_to(site)}: a live <{element.tag}> from the data ({', '.join(handlers) or 'script'})")
            if element.tag == "img" and element.get("src") == "x":
                problems.append(f"{path.relative_to(site)}: an <img src=x> from the data")
    return problems


def refused_problems(project: Path, done, planted: list[Planted]) -> list[str]:
    """Non-zero exit, an error naming the file and line, no traceback, nothing published, no planted text echoed."""
    problems = []
    said = done.stdout + done.stderr
    if done.returncode == 0:
        problems.append("the build exited 0")
    if not re.search(r"\S+\.\w+:\d+\b", said):
        problems.append("the build printed no error naming a file and line (`file:line: message`)")
    if "Traceback" in said:
        problems.append("the build printed a traceback")
    output = project / "_output"
    if output.exists() and any(output.iterdir()):
        problems.append(f"something was published in _output/: {sorted(p.name for p in output.iterdir())}")
    for item in planted:
        if item.text in said:
            problems.append(f"the build printed a planted text ({len(item.text)} characters)")
    return problems
