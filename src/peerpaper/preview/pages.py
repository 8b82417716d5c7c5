"""The fast path of `paper preview`: the HTML paper and the deck straight from the sources after a prose edit.

It uses what the last `paper build` of this preview made (`_variables.yml`, the figures, tables and quotes
under `_build/`), the renderer's own prepare and writers (with `Reuse`, so unchanged sections and
unchanged citations are not processed again), and the build's own checks: the citation check runs beside
the render, and every page is scanned for identifiers (`build.scan`) before the server may show it.
Failures come back as the lines `paper build` prints for the same failure.
"""

from __future__ import annotations

import gc
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import build
from ..errors import PaperError
from ..manifest import source_date_epoch
from ..progress import describe
from ..render import WRITERS, html
from ..render.output import temp_path
from ..render.prepare import prepare
from ..render.project import documents, load_project, refuse_profiles
from .reuse import Reuse
from .splice import Splice

FORMATS = ("html", "revealjs")  # what the preview shows; PDF, DOCX and PPTX come from `paper build`


def failed(task: str, err: Exception) -> str:
    """The line the build's progress reporter prints for this failure."""
    return f"FAILED {describe(task)}: {str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__}"


class Pages:
    def __init__(self, plan: build.Plan) -> None:
        self.plan = plan
        self.folder = plan.build_dir / "preview"
        self.reuse: dict[Path, Reuse] = {}
        self.splices: dict[Path, Splice] = {}
        self.unverified: dict[Path, tuple] = {}  # spliced pages not yet compared with a whole write
        self.patch: tuple[str, str, str] | None = None  # (page, section id, its HTML): the last render's change

    def documents(self, wanted: set[Path] | None = None) -> list:
        """The project's documents that have a previewed format (the HTML paper first), or those in `wanted`."""
        found = [d for d in documents(load_project(self.plan.root)) if set(d.formats) & set(FORMATS)]
        found = [d for d in found if wanted is None or d.path in wanted]
        return sorted(found, key=lambda d: "html" not in d.formats)

    def render(self, document) -> tuple[dict[str, bytes], list[str]]:
        """({page name: bytes}, failure lines) for one document; no page when anything failed. `patch` is then
        the section of the HTML page that changed, when only one did."""
        self.patch = None
        pages, errors = _collector_paused(self._render, document)
        if errors:
            self.unverified.pop(document.path, None)  # nothing was shown: nothing to check
        return pages, errors

    def verify(self) -> tuple[dict[str, bytes], list[str]]:
        """The spliced pages written whole: ({name: the whole page} for each that differed, failure lines)."""
        differed, errors = {}, []
        for path, (prepared, doc, args, final) in list(self.unverified.items()):
            del self.unverified[path]
            try:
                whole = _collector_paused(html.write_input, prepared, doc, args, final.with_name(f"whole-{final.name}"))
                page = whole.read_text(encoding="utf-8")
                if page != final.read_text(encoding="utf-8"):
                    os.replace(whole, final)
                    self.splices[path].remember(doc, args, page)
                    self._scan(final)
                    differed[final.name] = final.read_bytes()
                whole.unlink(missing_ok=True)
            except _ScanFailed as err:
                errors.append(failed(f"scan:{err.name}", err))
            except PaperError as err:
                errors.append(failed(f"render:{path.stem}", err))
        return differed, errors

    def _render(self, document) -> tuple[dict[str, bytes], list[str]]:
        project = load_project(self.plan.root, build.render_metadata(self.plan))  # again each time: the
        refuse_profiles(project)  # project files or _variables.yml may have changed since the last render
        document = next(d for d in documents(project) if d.path == document.path)
        epoch = source_date_epoch(self.plan.root)
        reuse = self.reuse.setdefault(document.path, Reuse())
        self.folder.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(max_workers=1) as pool:  # the citation check runs while pandoc works
            refs = pool.submit(build.check_refs, self.plan)
            try:
                pages = self._write(project, document, epoch, reuse)
                errors = []
            except _ScanFailed as err:
                pages, errors = {}, [failed(f"scan:{err.name}", err)]
            except PaperError as err:
                pages, errors = {}, [failed(f"render:{document.stem}", err)]
            if errors and errors[0].startswith("FAILED scan"):
                return pages, errors  # an identifier in a page outranks everything: say that first
            try:
                refs.result()
            except PaperError as err:
                pages, errors = {}, [failed("check:references", err)]  # the build stops there first
        return pages, errors

    def _write(self, project, document, epoch: str, reuse: Reuse) -> dict[str, bytes]:
        wanted = [f for f in FORMATS if f in document.formats]
        prepared = prepare(project, document, epoch, wanted, reuse=reuse)
        pages = {}
        for fmt in wanted:
            final = self.folder / prepared[fmt].document.output_name(fmt)
            try:
                if fmt == "html":
                    self._html(prepared[fmt], final)
                else:
                    os.replace(WRITERS[fmt](prepared[fmt], final, self.plan.root), final)
            finally:
                temp_path(final).unlink(missing_ok=True)  # left behind when a writer's own check failed
            self._scan(final)
            pages[final.name] = final.read_bytes()
        return pages

    def _html(self, prepared, final: Path) -> None:
        """The HTML page, spliced from the last one when the edit allows (see `splice`), else written whole."""
        path = prepared.document.path
        splice = self.splices.setdefault(path, Splice())
        doc, args = html.pandoc_input(prepared, self.plan.root, self.reuse.get(path))
        try:
            spliced = splice.page(prepared, doc, args)
        except PaperError:
            spliced = None  # the whole write below says what is wrong
        if spliced is None:
            self.unverified.pop(path, None)
            os.replace(html.write_input(prepared, doc, args, final), final)
            page = final.read_text(encoding="utf-8")
        else:
            page = html.finish(spliced.page, prepared, final.name)
            temp_path(final).write_text(page, encoding="utf-8")
            os.replace(temp_path(final), final)
            self.unverified[path] = (prepared, doc, args, final)
            self.patch = (final.name, *spliced.section) if spliced.section else None
        splice.remember(doc, args, page)

    def _scan(self, final: Path) -> None:
        try:
            build.scan(self.plan, [final], f"preview-{final.name}")
        except PaperError as err:
            final.unlink(missing_ok=True)
            raise _ScanFailed(final.name, err) from None


def _collector_paused(function, *args):
    """`function(*args)` with Python's cycle collector paused: a render makes and drops hundreds of thousands
    of AST dicts (no cycles among them: reference counting frees them), and the collector, woken by every few
    hundred, kept rescanning the preview's caches (up to a third of the render's CPU time)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return function(*args)
    finally:
        if paused:
            gc.enable()


class _ScanFailed(PaperError):
    def __init__(self, name: str, err: PaperError) -> None:
        super().__init__(str(err))
        self.name = name
