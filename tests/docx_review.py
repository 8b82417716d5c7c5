"""A co-author reviewing a DOCX in Word, as WordprocessingML (lxml): tracked insertions and deletions that
split runs where they start and end, moves, new paragraphs, formatting changes and comment ranges.

Word's own conventions: `w:ins`/`w:del` with `w:id`, `w:author` and `w:date` around whole runs; deleted text
in `w:delText`; revision-save ids (`w:rsidR`, `w:rsidDel`, `w:rsidRPr`) on runs and paragraphs; a move as
`w:moveFromRangeStart`/`w:moveFrom`/`w:moveFromRangeEnd` and the matching `w:moveTo...` pair sharing a
`w:name`; a comment as `w:commentRangeStart`/`w:commentRangeEnd` plus a run holding `w:commentReference`,
and the comment itself in word/comments.xml (with `w:annotationRef`).
"""

from __future__ import annotations

import copy
import itertools
import shutil
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{%s}" % W
DATE = "2025-09-10T09:30:00Z"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def w(tag: str, **attrs) -> etree._Element:
    el = etree.Element(_W + tag)
    for key, value in attrs.items():
        el.set(_W + key, str(value))
    return el


class Reviewer:
    def __init__(self, docx: Path, author: str = "Co-author") -> None:
        self.source = Path(docx)
        self.author = author
        with zipfile.ZipFile(docx) as z:
            self.parts = {name: z.read(name) for name in z.namelist()}
        self.doc = etree.fromstring(self.parts["word/document.xml"])
        self.comments = etree.fromstring(self.parts["word/comments.xml"])
        self.ids = itertools.count(9001)
        self.rsid = itertools.cycle(["00A1B2C3", "00D4E5F6", "0071C0DE"])

    # -- finding text ------------------------------------------------------------------------------------
    def paragraph(self, containing: str) -> etree._Element:
        for p in self.doc.iter(_W + "p"):
            if containing in self.text(p):
                return p
        raise AssertionError(f"no paragraph contains {containing!r}")

    @staticmethod
    def runs(p) -> list:
        return [r for r in p.iter(_W + "r") if r.find(_W + "t") is not None]

    def text(self, p) -> str:
        return "".join(r.find(_W + "t").text or "" for r in self.runs(p))

    def _split(self, p, offset: int) -> None:
        """Make `offset` fall between two runs (copying the run's formatting to both halves)."""
        at = 0
        for run in self.runs(p):
            t = run.find(_W + "t")
            text = t.text or ""
            if at < offset < at + len(text):
                second = copy.deepcopy(run)
                t.text, second.find(_W + "t").text = text[:offset - at], text[offset - at:]
                for part in (t, second.find(_W + "t")):
                    part.set(XML_SPACE, "preserve")
                run.addnext(second)
                return
            at += len(text)

    def _range(self, p, start: int, end: int) -> list:
        self._split(p, start)
        self._split(p, end)
        out, at = [], 0
        for run in self.runs(p):
            size = len(run.find(_W + "t").text or "")
            if start <= at and at + size <= end and size:
                out.append(run)
            at += size
        return out

    def _locate(self, containing: str, text: str, occurrence: int = 0):
        p = self.paragraph(containing)
        full = self.text(p)
        start = -1
        for _ in range(occurrence + 1):
            start = full.index(text, start + 1)
        return p, start, start + len(text)

    def _change(self, tag: str, **extra) -> etree._Element:
        return w(tag, id=next(self.ids), author=self.author, date=DATE, **extra)

    def _run(self, text: str, like=None) -> etree._Element:
        run = w("r", rsidR=next(self.rsid))
        if like is not None and like.find(_W + "rPr") is not None:
            run.append(copy.deepcopy(like.find(_W + "rPr")))
        t = etree.SubElement(run, _W + "t")
        t.text = text
        t.set(XML_SPACE, "preserve")
        return run

    # -- edits ---------------------------------------------------------------------------------------------
    def delete(self, containing: str, text: str, occurrence: int = 0, tag: str = "del") -> None:
        p, start, end = self._locate(containing, text, occurrence)
        runs = self._range(p, start, end)
        wrapper = self._change(tag)
        runs[0].addprevious(wrapper)
        for run in runs:
            run.set(_W + "rsidDel", next(self.rsid))
            if tag == "del":
                run.find(_W + "t").tag = _W + "delText"
            wrapper.append(run)

    def insert(self, containing: str, after: str, text: str, tag: str = "ins") -> None:
        """Insert `text` right after the first `after` in the paragraph ("" inserts at its start)."""
        p = self.paragraph(containing)
        full = self.text(p)
        offset = full.index(after) + len(after) if after else 0
        self._split(p, offset)
        at, anchor = 0, None
        for run in self.runs(p):
            if at == offset:
                anchor = run
                break
            at += len(run.find(_W + "t").text or "")
        wrapper = self._change(tag)
        if anchor is None:  # at the very end
            last = self.runs(p)[-1]
            (last.getparent() if last.getparent().tag != _W + "p" else last).addnext(wrapper)
            wrapper.append(self._run(text, last))
        else:
            target = anchor if anchor.getparent().tag == _W + "p" else anchor.getparent()
            target.addprevious(wrapper)
            wrapper.append(self._run(text, anchor))

    def replace(self, containing: str, old: str, new: str) -> None:
        p, start, _ = self._locate(containing, old)
        before = self.text(p)[:start]
        self.delete(containing, old)
        # the insertion follows the deletion, as Word writes a replacement
        deleted = [d for d in p.iter(_W + "del")][-1]
        wrapper = self._change("ins")
        deleted.addnext(wrapper)
        wrapper.append(self._run(new, deleted.find(_W + "r")))
        assert before is not None

    def move(self, containing: str, text: str, to_paragraph: str, after: str) -> None:
        name = f"move{next(self.ids)}"
        p, _, _ = self._locate(containing, text)
        self.delete(containing, text, tag="moveFrom")
        moved = [m for m in p.iter(_W + "moveFrom")][-1]
        moved.addprevious(self._change("moveFromRangeStart", name=name))
        moved.addnext(w("moveFromRangeEnd", id=next(self.ids)))
        self.insert(to_paragraph, after, text, tag="moveTo")
        target = [m for m in self.paragraph(to_paragraph).iter(_W + "moveTo")][-1]
        target.addprevious(self._change("moveToRangeStart", name=name))
        target.addnext(w("moveToRangeEnd", id=next(self.ids)))

    def new_paragraph(self, after_paragraph: str, text: str) -> None:
        before = self.paragraph(after_paragraph)
        p = w("p", rsidR=next(self.rsid), rsidRDefault="00A1B2C3")
        props = copy.deepcopy(before.find(_W + "pPr")) if before.find(_W + "pPr") is not None else w("pPr")
        mark = props.find(_W + "rPr")
        if mark is None:
            mark = etree.SubElement(props, _W + "rPr")
        mark.append(self._change("ins"))
        p.append(props)
        wrapper = self._change("ins")
        wrapper.append(self._run(text))
        p.append(wrapper)
        before.addnext(p)

    def make_bold(self, containing: str, text: str) -> None:
        p, start, end = self._locate(containing, text)
        for run in self._range(p, start, end):
            props = run.find(_W + "rPr")
            if props is None:
                props = etree.Element(_W + "rPr")
                run.insert(0, props)
            old = copy.deepcopy(props)
            etree.SubElement(props, _W + "b")
            change = self._change("rPrChange")
            change.append(old)
            props.append(change)

    def comment(self, containing: str, text: str, remark: str) -> None:
        p, start, end = self._locate(containing, text)
        runs = self._range(p, start, end)
        ident = str(next(self.ids))
        first = runs[0] if runs[0].getparent().tag == _W + "p" else runs[0].getparent()
        last = runs[-1] if runs[-1].getparent().tag == _W + "p" else runs[-1].getparent()
        first.addprevious(w("commentRangeStart", id=ident))
        last.addnext(w("commentRangeEnd", id=ident))
        reference = w("r")
        style = etree.SubElement(etree.SubElement(reference, _W + "rPr"), _W + "rStyle")
        style.set(_W + "val", "CommentReference")
        etree.SubElement(reference, _W + "commentReference").set(_W + "id", ident)
        p.find(f".//{_W}commentRangeEnd[@{_W}id='{ident}']").addnext(reference)
        comment = w("comment", id=ident, author=self.author, date=DATE, initials="CA")
        para = etree.SubElement(comment, _W + "p")
        ref = etree.SubElement(para, _W + "r")
        etree.SubElement(ref, _W + "annotationRef")
        para.append(self._run(remark))
        self.comments.append(comment)

    def save(self, path: Path) -> Path:
        self.parts["word/document.xml"] = etree.tostring(self.doc, xml_declaration=True, encoding="UTF-8",
                                                         standalone=True)
        self.parts["word/comments.xml"] = etree.tostring(self.comments, xml_declaration=True, encoding="UTF-8",
                                                         standalone=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.parts.items():
                z.writestr(name, data)
        return Path(path)


def copy_docx(src: Path, dest: Path) -> Path:
    shutil.copyfile(src, dest)
    return dest
