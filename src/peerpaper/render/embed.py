"""Inline a deck's local scripts, stylesheets (with their @imports and fonts) and images into one file.

Pandoc's `--embed-resources` does this too, but it re-parses the whole page and took about a second for
reveal.js's 3 MB of assets; here it is a few regular expressions over known files. It also refuses any
remote URL instead of fetching it, so the deck can never depend on a CDN.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

from .project import RenderError

_MIME = {".svg": "image/svg+xml", ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf",
         ".eot": "application/vnd.ms-fontobject", ".otf": "font/otf"}
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"[^>]*?/?>')
_SCRIPT = re.compile(r'<script src="([^"]+)"></script>')
_MEDIA_TAG = re.compile(r"(<script\b.*?</script>)|<(?:img|source|video|audio|section)\b[^>]*>", re.S)
_MEDIA = re.compile(r'\b(src|data-src|data-background-image)="(?!data:)([^"]+)"')
_IMPORT = re.compile(r"@import\s+(?:url\()?\s*['\"]?([^'\")]+)['\"]?\s*\)?\s*;")
_URL = re.compile(r"url\(\s*(['\"]?)(?!data:|#)([^'\")]+)\1\s*\)")


def _local(reference: str, base: Path, what: str) -> Path:
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", reference, re.I):
        raise RenderError(f"{what}: refers to the remote resource {reference[:80]}; the deck must work offline")
    path = (base / re.split(r"[?#]", reference)[0]).resolve()
    if not path.is_file():
        raise RenderError(f"{what}: resource not found: {path}")
    return path


def data_uri(path: Path) -> str:
    mime = _MIME.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def stylesheet(path: Path, what: str, _seen: frozenset = frozenset()) -> str:
    """CSS with @imports inlined and every url() a data URI."""
    if path in _seen:
        return ""
    css = path.read_text(encoding="utf-8")
    css = _IMPORT.sub(lambda m: stylesheet(_local(m.group(1), path.parent, what), what, _seen | {path}), css)
    return _URL.sub(lambda m: f'url("{data_uri(_local(m.group(2), path.parent, what))}")', css)


def inline(page: str, base: Path, what: str) -> str:
    """The page with its media, stylesheets and scripts inlined (media first: scripts contain tags too)."""
    def media(tag: re.Match) -> str:
        if tag.group(1):  # an inline script: its markup-like strings are code, not media
            return tag.group(0)
        return _MEDIA.sub(lambda m: f'{m.group(1)}="{data_uri(_local(m.group(2), base, what))}"', tag.group(0))

    page = _MEDIA_TAG.sub(media, page)
    page = _STYLESHEET.sub(lambda m: "<style>\n" + stylesheet(_local(m.group(1), base, what), what) + "\n</style>",
                           page)
    return _SCRIPT.sub(lambda m: "<script>" + _local(m.group(1), base, what).read_text(encoding="utf-8")
                       .replace("</script", "<\\/script") + "</script>", page)
