"""The text of a PDF through PDFium (pypdfium2), one PDFium call at a time in the whole process.

PDFium is not thread-safe: no two of its functions may run at once in one process, not even on two
different documents (pypdfium2's documentation; doing so corrupts the heap: "munmap_chunk(): invalid
pointer"). The build runs its steps in threads (the scan of the paper's PDF beside a render or another
scan), so every use of PDFium goes through `read`: it holds one process-wide lock for all of its work,
closes every page, text page and document explicitly before letting go (so no garbage-collector
finaliser calls into PDFium later, from whatever thread it happens to run in), and returns plain Python
strings. Nothing else in the package imports pypdfium2.

Why pypdfium2: PDFium is the engine of Chrome's PDF viewer, so it reads the text a reader sees, about 30
times faster than pypdf.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass

LOCK = threading.RLock()  # every PDFium call in this process, whichever thread makes it


@dataclass(frozen=True)
class Page:
    text: str  # line breaks as "\n"
    links: tuple[str, ...] = ()  # the URI targets of the page's link annotations


@dataclass(frozen=True)
class Pdf:
    metadata: dict[str, str]
    pages: tuple[Page, ...]


def read(data: bytes, *, links: bool = True, bounded: bool = False) -> Pdf:
    """Metadata, and each page's text and link targets. `bounded`: only the characters inside the page's
    box (what a QDA tool counts its PDF offsets in), otherwise every character of the text page.

    Raises pypdfium2's PdfiumError on a file PDFium cannot open."""
    with LOCK:
        import pypdfium2
        import pypdfium2.raw as pdfium_c

        document = pypdfium2.PdfDocument(data)
        try:
            metadata = dict(document.get_metadata_dict(skip_empty=True))
            pages = []
            for index in range(len(document)):
                page = document[index]
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_bounded() if bounded else textpage.get_text_range()
                    targets = tuple(_link_targets(document, page, pdfium_c)) if links else ()
                finally:
                    textpage.close()
                    page.close()
                pages.append(Page(text.replace("\r\n", "\n"), targets))
        finally:
            document.close()
    return Pdf(metadata, tuple(pages))


def _link_targets(document, page, pdfium_c):
    """URI actions of the page's links (a link's target is text a reader can follow)."""
    position = ctypes.c_int(0)
    link = pdfium_c.FPDF_LINK()
    while pdfium_c.FPDFLink_Enumerate(page.raw, ctypes.byref(position), ctypes.byref(link)):
        action = pdfium_c.FPDFLink_GetAction(link)
        if not action or pdfium_c.FPDFAction_GetType(action) != pdfium_c.PDFACTION_URI:
            continue
        size = pdfium_c.FPDFAction_GetURIPath(document.raw, action, None, 0)
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDFAction_GetURIPath(document.raw, action, buffer, size)
        yield buffer.value.decode("utf-8", "replace")
