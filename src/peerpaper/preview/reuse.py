"""What `paper preview` keeps between renders of one document, so a prose edit re-renders in well under 1 s.

A render reads the document with pandoc, passes it through Quarto's filters, then runs citeproc (a second
pandoc) before writing a format. After a prose edit most of that work would give the same answer as last
time, so `Reuse` stands in for it (render.prepare's `reuse` hook):

- the markdown is read in chunks, one per top-level section; a chunk whose text is unchanged is not read
  again. Where reading in pieces could differ from one read (footnotes, reference links, example lists,
  bracketed text that might be an implicit header link, duplicate heading ids, a chunk with metadata, raw
  HTML blocks), the whole text is read, as the build reads it;
- citeproc's answer is reused while the citations (every key, prefix, suffix and mode, in order), the
  metadata and the bibliography and style files are all the same: an author-date citeproc then gives the
  same output. Note styles (which move punctuation outside citations) always run citeproc;
- the passes that treat each top-level block on its own (conditional content, callouts, floats, table
  widths, equations, page breaks) keep each block's answer: only new or changed blocks go through them.
  Cross-references are resolved over the whole document every time (a number depends on all before it).

The tests check the result against a plain render, byte for byte; the preview's background `paper build`
is the same check at run time.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..render import pandoc
from ..render.ast import stringify

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DIV = re.compile(r"^ {0,3}(:{3,})\s*(\S*)")
# Raw HTML blocks (pandoc pairs <div> and </div> into one Div), footnotes, link definitions, example lists (a
# list starts after a blank line: a mid-paragraph "(@sec-x)" is a cross-reference).
_RISKY = re.compile(r"^ {0,3}<[A-Za-z/]|\[\^|\^\[|^ {0,3}\[[^\]]+\]:|(?:\A|\n[ \t]*\n) {0,3}\(@[\w-]*\)\s", re.M)


def chunks(markdown: str) -> list[str]:
    """The text cut before each top-level ATX heading that stands outside code, divs and comments."""
    pieces, current = [], []
    fence, depth, comment, blank = None, 0, False, True
    for line in markdown.split("\n"):
        if fence is None and depth == 0 and not comment and blank and line.startswith("# ") and current:
            pieces.append("\n".join(current))
            current = []
        current.append(line)
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
        elif opened:
            fence = opened.group(1)
        elif comment:
            comment = "-->" not in line
        elif "<!--" in line:
            comment = line.rfind("<!--") > line.rfind("-->")
        elif (div := _DIV.match(line)):
            depth = depth + 1 if div.group(2) else max(depth - 1, 0)
        blank = not line.strip()
    pieces.append("\n".join(current))
    return pieces


_BRACKETED = re.compile(r"(?<!!)\[([^\[\]@^]+)\](?![(:{])|\]\[([^\[\]]+)\]")


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


def _pieces_agree(markdown: str, doc: dict) -> bool:
    """True unless reading in pieces could differ from one read: a heading id twice (pandoc numbers
    duplicates across the whole document) or bracketed text naming a heading (an implicit header reference,
    which pandoc resolves against every heading of the document)."""
    headers = _nodes(doc["blocks"], ("Header",))
    ids = [h["c"][1][0] for h in headers]
    if len(ids) != len(set(ids)):
        return False
    titles = {_label(stringify(h["c"][2])) for h in headers}
    return not any(_label(a or b) in titles for a, b in _BRACKETED.findall(markdown))


def _digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _nodes(root, kinds: tuple[str, ...]) -> list[dict]:
    """Elements of the given types in document order, not looking inside them (a Cite holds no Cite).

    Faster than render.ast.elements on a whole paper: it only descends where pandoc keeps children."""
    found, stack = [], [root]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if item.get("t") in kinds:
                found.append(item)
            elif "c" in item:
                stack.append(item["c"])
            elif "t" not in item:  # a metadata map or the document itself
                stack.extend(reversed(list(item.values())))
    return found


def _cites(node, found: list) -> list:
    """Every Cite element in document order (pandoc's order: citeproc numbers and disambiguates by it)."""
    return found + _nodes(node, ("Cite",))


def _refs_div(blocks: list) -> dict | None:
    """The `::: {#refs}` Div citeproc fills, wherever it stands."""
    stack = [blocks]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict) and "c" in item:
            if item.get("t") == "Div" and item["c"][0][0] == "refs":
                return item
            stack.append(item["c"])
    return None


class Reuse:
    """One document's pieces from its last render (see the module's docstring)."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers
        self._read: dict[str, dict] = {}  # chunk digest -> pandoc's AST of that chunk
        self._cited: dict[str, dict] = {}  # key -> citeproc's answer (one per format's version of the text)
        self._blocks: dict[str, dict[str, bytes]] = {}  # pass and context -> block's JSON digest -> answer
        self.stats = {"chunks_read": 0, "whole_reads": 0, "citeproc_runs": 0, "citeproc_reused": 0,
                      "blocks_passed": 0}

    # -- pandoc's read ----------------------------------------------------------------------------------
    def read_markdown(self, markdown: str, *, cwd: Path, epoch: str | None, what: str) -> dict:
        if _RISKY.search(markdown):
            return self._whole(markdown, cwd, epoch, what)
        pieces = chunks(markdown)
        keys = [_digest(str(cwd), piece) for piece in pieces]
        missing = [(key, piece) for key, piece in zip(keys, pieces) if key not in self._read]
        if missing:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                read = list(pool.map(lambda kp: pandoc.read_markdown(kp[1], cwd=cwd, epoch=epoch, what=what),
                                     missing))
            self.stats["chunks_read"] += len(missing)
            fresh = dict(zip((k for k, _ in missing), read))
        else:
            fresh = {}
        docs = [self._read.get(key) or fresh[key] for key in keys]
        self._read = {key: doc for key, doc in zip(keys, docs)}  # only what the latest text holds
        if any(doc["meta"] for doc in docs[1:]):  # a metadata block inside the text: merge as pandoc does
            return self._whole(markdown, cwd, epoch, what)
        docs = json.loads(json.dumps(docs))  # later passes edit the AST in place: never hand out the cache
        offset = 0
        for piece in docs:  # the reader numbers citations through the whole text (note numbers)
            numbers = [c for cite in _cites(piece["blocks"], []) for c in cite["c"][0]]
            for citation in numbers:
                citation["citationNoteNum"] += offset
            offset = max([offset, *(c["citationNoteNum"] for c in numbers)])
        doc = {"pandoc-api-version": docs[0]["pandoc-api-version"], "meta": docs[0]["meta"],
               "blocks": [block for piece in docs for block in piece["blocks"]]}
        if not _pieces_agree(markdown, doc):
            return self._whole(markdown, cwd, epoch, what)
        return doc

    def _whole(self, markdown: str, cwd: Path, epoch: str | None, what: str) -> dict:
        self.stats["whole_reads"] += 1
        return pandoc.read_markdown(markdown, cwd=cwd, epoch=epoch, what=what)

    # -- passes that treat each top-level block on its own -------------------------------------------------
    def per_block(self, name: str, context, blocks: list, passes) -> list:
        """`passes(blocks)`, block by block, each block's answer kept (as JSON: later passes edit in place)
        by its JSON and `context`. On any error the whole list is passed again, so the error is the one a
        plain render raises first."""
        salt = _digest(name, context)
        kept = self._blocks.pop(salt, {})
        memo, out = {}, []
        try:
            for block in blocks:
                key = hashlib.sha256(pandoc.dumps(block)).hexdigest()
                answer = memo.get(key) or kept.get(key)
                if answer is None:
                    answer = pandoc.dumps(passes([block]))
                    self.stats["blocks_passed"] += 1
                memo[key] = answer
                out.extend(json.loads(answer))
        except Exception:
            passes(blocks)
            raise
        self._blocks[salt] = memo  # only what the latest text holds, for the latest few contexts
        while len(self._blocks) > 8:
            self._blocks.pop(next(iter(self._blocks)))
        return out

    # -- citeproc ---------------------------------------------------------------------------------------
    def citeproc(self, prepared, doc: dict) -> dict:
        run = sys.modules["peerpaper.render.prepare"]._citeproc  # the module, not the function of that name
        if _note_style(prepared.csl):
            self.stats["citeproc_runs"] += 1
            return run(prepared, doc)
        cites = _cites(doc["blocks"], [])
        meta_cites = _cites(doc["meta"], [])
        refs = _refs_div(doc["blocks"])
        key = _digest(doc["meta"], [c["c"][0] for c in cites], refs is not None and refs["c"][0],
                      [_file_digest(p) for p in prepared.bibliography], _file_digest(prepared.csl),
                      str(prepared.document.path.parent))
        if key in self._cited:
            self.stats["citeproc_reused"] += 1
            return self._apply(doc, cites, refs, json.loads(json.dumps(self._cited[key])))
        self.stats["citeproc_runs"] += 1
        out = run(prepared, doc)
        done = _cites(out["blocks"], [])
        if len(done) != len(cites) or len(_cites(out["meta"], [])) != len(meta_cites):
            return out  # citeproc changed the citations' shape: nothing here can stand in for it
        answer = {"meta": out["meta"], "cites": done, "refs": _refs_div(out["blocks"]),
                  "appended": refs is None and bool(out["blocks"]) and out["blocks"][-1].get("t") == "Div"
                  and out["blocks"][-1]["c"][0][0] == "refs"}
        if refs is None and not answer["appended"] and answer["refs"] is not None:
            return out
        self._cited = {**dict(list(self._cited.items())[-3:]), key: json.loads(json.dumps(answer))}
        return out

    @staticmethod
    def _apply(doc: dict, cites: list, refs: dict | None, answer: dict) -> dict:
        for cite, done in zip(cites, answer["cites"]):
            cite["c"] = done["c"]
        if refs is not None and answer["refs"] is not None:
            refs["c"] = answer["refs"]["c"]
        elif answer["appended"]:
            doc["blocks"].append(answer["refs"])
        doc["meta"] = answer["meta"]
        return doc


def _note_style(csl: Path | None) -> bool:
    if csl is None:
        return False
    try:
        head = Path(csl).read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return False
    return bool(re.search(r'class\s*=\s*"note"', head))
