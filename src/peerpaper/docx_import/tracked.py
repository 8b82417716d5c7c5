"""Read a DOCX as Word and LibreOffice leave it after review: each paragraph's text before the tracked
changes (as the build wrote it), its changes, and the comments anchored in it.

lxml reads WordprocessingML directly: python-docx hides tracked changes (its text is the accepted text
mixed with the deleted text), and pandoc's `--track-changes=all` gives insertions and deletions but loses
where comments start inside a run and which paragraphs sit in tables. Positions are offsets in the
paragraph's *base* text: the text with every insertion rejected and every deletion kept.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import PaperError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{%s}" % W
INSERTED = {_W + "ins", _W + "moveTo"}
DELETED = {_W + "del", _W + "moveFrom"}
_TEXT = {_W + "t": None, _W + "delText": None, _W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n",
         _W + "noBreakHyphen": "-"}


class DocxError(PaperError):
    pass


@dataclass
class Change:
    kind: str  # "insert" or "delete"
    start: int  # in the base text
    end: int  # == start for an insertion
    text: str
    author: str
    date: str
    moved: bool = False  # part of a move (w:moveFrom / w:moveTo)


@dataclass
class Anchor:
    """A comment: where it starts and ends in the base text of the paragraph(s) it spans."""

    id: str
    paragraph: int
    start: int
    author: str = ""
    date: str = ""
    text: str = ""
    end_paragraph: int | None = None
    end: int | None = None


@dataclass
class Paragraph:
    index: int
    style: str
    base: str = ""
    changes: list[Change] = field(default_factory=list)
    in_table: bool = False
    mark: str | None = None  # "insert"/"delete" when the paragraph mark itself is a tracked change
    other: list[str] = field(default_factory=list)  # formatting or property changes, named

    @property
    def accepted(self) -> str:
        out, at = [], 0
        for change in sorted(self.changes, key=lambda c: (c.start, c.kind != "delete")):
            out.append(self.base[at:change.start])
            at = max(at, change.start)
            if change.kind == "insert":
                out.append(change.text)
            else:
                at = change.end
        out.append(self.base[at:])
        return "".join(out)


@dataclass
class Review:
    paragraphs: list[Paragraph]
    comments: list[Anchor]


def read(path: Path) -> Review:
    try:
        with zipfile.ZipFile(path) as z:
            document = etree.fromstring(z.read("word/document.xml"))
            comments_xml = z.read("word/comments.xml") if "word/comments.xml" in z.namelist() else None
    except (OSError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as err:
        raise DocxError(f"{path}: not a readable DOCX ({err})") from None
    body = document.find(_W + "body")
    if body is None:
        raise DocxError(f"{path}: word/document.xml has no body")
    paragraphs: list[Paragraph] = []
    anchors: dict[str, Anchor] = {}
    for p in body.iter(_W + "p"):
        if any(a.tag == _W + "p" for a in p.iterancestors()):
            continue  # a paragraph inside a text box belongs to the one that holds it
        paragraphs.append(_paragraph(p, len(paragraphs), anchors))
    texts = _comment_texts(comments_xml)
    for anchor in anchors.values():
        anchor.author, anchor.date, anchor.text = texts.get(anchor.id, ("", "", ""))
    return Review(paragraphs, sorted(anchors.values(), key=lambda a: (a.paragraph, a.start)))


def _paragraph(p, index: int, anchors: dict[str, Anchor]) -> Paragraph:
    style = p.find(f"{_W}pPr/{_W}pStyle")
    para = Paragraph(index, style.get(_W + "val") if style is not None else "",
                     in_table=any(a.tag == _W + "tbl" for a in p.iterancestors()))
    mark = p.find(f"{_W}pPr/{_W}rPr")
    if mark is not None:
        if mark.find(_W + "ins") is not None or mark.find(_W + "moveTo") is not None:
            para.mark = "insert"
        elif mark.find(_W + "del") is not None or mark.find(_W + "moveFrom") is not None:
            para.mark = "delete"
    if p.find(f"{_W}pPr/{_W}pPrChange") is not None:
        para.other.append("paragraph formatting")
    base: list[str] = []
    in_field_code = False
    for el in p.iter():
        tag = el.tag
        if tag == _W + "fldChar":
            kind = el.get(_W + "fldCharType")
            in_field_code = kind == "begin" or (in_field_code and kind != "separate")
            continue
        if tag == _W + "rPrChange" and "formatting" not in para.other:
            para.other.append("formatting")
        if tag in (_W + "commentRangeStart",):
            anchors[el.get(_W + "id")] = Anchor(el.get(_W + "id"), index, len("".join(base)))
        elif tag == _W + "commentRangeEnd" and el.get(_W + "id") in anchors:
            anchors[el.get(_W + "id")].end_paragraph, anchors[el.get(_W + "id")].end = index, len("".join(base))
        elif tag == _W + "commentReference" and el.get(_W + "id") not in anchors:
            anchors[el.get(_W + "id")] = Anchor(el.get(_W + "id"), index, len("".join(base)))
        if tag not in _TEXT or in_field_code or tag in (_W + "instrText", _W + "delInstrText"):
            continue
        text = (el.text or "") if _TEXT[tag] is None else _TEXT[tag]
        change = next((a for a in el.iterancestors() if a.tag in INSERTED | DELETED or a is p), p)
        at = len("".join(base))
        if change is p:
            base.append(text)
            continue
        kind = "insert" if change.tag in INSERTED else "delete"
        author, date = change.get(_W + "author", ""), change.get(_W + "date", "")
        moved = change.tag in (_W + "moveTo", _W + "moveFrom")
        last = para.changes[-1] if para.changes else None
        if kind == "delete":
            base.append(text)
            if last and last.kind == "delete" and last.end == at and last.author == author:
                last.end, last.text = at + len(text), last.text + text
            else:
                para.changes.append(Change("delete", at, at + len(text), text, author, date, moved))
        elif last and last.kind == "insert" and last.start == at and last.author == author:
            last.text += text
        else:
            para.changes.append(Change("insert", at, at, text, author, date, moved))
    para.base = "".join(base)
    return para


def _comment_texts(xml: bytes | None) -> dict[str, tuple[str, str, str]]:
    if not xml:
        return {}
    root = etree.fromstring(xml)
    out = {}
    for comment in root.iter(_W + "comment"):
        text = "\n".join("".join(t.text or "" for t in p.iter(_W + "t")) for p in comment.iter(_W + "p"))
        out[comment.get(_W + "id")] = (comment.get(_W + "author", ""), comment.get(_W + "date", ""),
                                       re.sub(r"[ \t]+", " ", text).strip())
    return out
