"""`paper preview`: the HTML paper and the deck in a browser, re-rendered and reloaded as the sources change.

What a change re-runs:
- the data folder, data/policy or notebooks/: `paper build` (the analysis first, then everything after it);
- prose, the bibliography, `_quarto.yml` or `_metadata.yml`: the fast path (`pages`) renders the HTML paper
  first, then the deck, and the open tab reloads (or, after an edit inside one section, replaces that
  section: `splice`); a full `paper build` then makes the other formats once the sources have been quiet
  for a moment (`--html-only` leaves that to you).

Builds run as `paper build` subprocesses, so `_output/` only ever changes the way the build changes it: in
one move, when everything succeeded. A failure shows in the page, as the line the build prints, above the
last good page. Ctrl-C or SIGTERM stops the watcher, the running build and the server, and `_output/` is the
last good build. watchfiles (Rust `notify`: inotify here) watches the folders.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import build
from ..errors import PaperError
from ..privacy import data_is_synthetic
from .pages import Pages
from .server import Server, State

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8642
QUIET = 1.5  # seconds without a change before the other formats are built and spliced pages checked


class PreviewError(PaperError):
    pass


@dataclass
class Changes:
    """What a batch of changed files asks for."""

    analysis: bool = False
    documents: set[Path] = field(default_factory=set)  # documents to re-render (their .qmd paths)
    everything: bool = False  # a file every document reads (bibliography, _quarto.yml, an include)


def classify(paths: set[Path], plan: build.Plan, sources: set[Path]) -> Changes:
    changes = Changes()
    analysis_dirs = [plan.data, plan.policy, plan.notebook_dir]
    for path in paths:
        if any(path == d or path.is_relative_to(d) for d in analysis_dirs):
            changes.analysis = True
        elif path in sources:
            changes.documents.add(path)
        else:
            changes.everything = True
    return changes


class Watcher:
    """Two watchfiles watchers feeding one queue: the source folders recursively, the project's root
    files (references.bib, _quarto.yml) by their folder, so an editor's save-by-rename is seen too."""

    def __init__(self, plan: build.Plan, root_files: set[Path]) -> None:
        import watchfiles

        self.stop_event = threading.Event()
        self.changes: queue.Queue[set[Path]] = queue.Queue()
        folders = [p for p in (plan.root / "paper", plan.notebook_dir, plan.data, plan.policy) if p.is_dir()]
        default = watchfiles.DefaultFilter()
        self.threads = [
            threading.Thread(target=self._run, args=(folders, True, default), daemon=True, name="watch-sources"),
            threading.Thread(target=self._run, args=([plan.root], False,
                                                     lambda change, path: Path(path) in root_files),
                             daemon=True, name="watch-root"),
        ]

    def _run(self, paths, recursive, watch_filter) -> None:
        import watchfiles

        for batch in watchfiles.watch(*paths, recursive=recursive, watch_filter=watch_filter, debounce=400,
                                      step=30, stop_event=self.stop_event, rust_timeout=200, yield_on_timeout=False):
            self.changes.put({Path(p).resolve() for _, p in batch})

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def get(self, timeout: float) -> set[Path]:
        """Every path changed since the last call (waiting up to `timeout` for the first)."""
        found: set[Path] = set()
        try:
            found |= self.changes.get(timeout=timeout)
            while True:
                found |= self.changes.get_nowait()
        except queue.Empty:
            return found

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=2)


class BackgroundBuild:
    """`paper build` in a subprocess; its output goes to _build/preview/build.log."""

    def __init__(self, plan: build.Plan, analysis: bool) -> None:
        self.analysis = analysis
        self.log = plan.build_dir / "preview" / "build.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.started = time.monotonic()
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "peerpaper.cli", "build", "--data", str(plan.data)], cwd=plan.root,
                env={**os.environ, "PAPER_ROOT": str(plan.root)}, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)

    def finished(self) -> bool:
        return self.process.poll() is not None

    def failures(self) -> list[str]:
        """The lines a person reads when the build failed: each FAILED step, else the CLI's error line."""
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        failed = [line.strip() for line in lines if line.strip().startswith("FAILED ")]
        return failed or [line for line in lines if line.startswith("paper build:")][-1:] or lines[-1:]

    def stop(self) -> None:
        """SIGTERM, as Ctrl-C would: the build stops between steps and `_output/` stays as it was. A build
        still busy after 10 s is killed: it publishes only by an atomic swap, so a kill leaves `_output/`
        as it was too, and Ctrl-C on the preview should not wait on a long render."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Preview:
    def __init__(self, plan: build.Plan, host: str, port: int, html_only: bool, say=print) -> None:
        self.plan, self.html_only, self.say = plan, html_only, say
        self.synthetic = data_is_synthetic(plan.data)
        if not self.synthetic and host != LOOPBACK:
            raise PreviewError(f"--host {host}: the data in {plan.data} are real; the preview serves them on "
                               f"{LOOPBACK} only")
        self.state = State()
        self.server = _server(self.state, host, port, say)
        self.pages = Pages(plan)
        self.build: BackgroundBuild | None = None
        self.needs_analysis = True  # the first build of a session runs before any page is shown
        self.later = False  # prose changed since the last full build: the other formats are stale
        self.last_change = 0.0
        self.good = False  # a build of this session succeeded: its _build/ state may be reused
        self.errors: dict[str, list[str]] = {}  # by who reported them: "build", or a document's stem
        self.pending: Changes = Changes()

    # -- the loop --------------------------------------------------------------------------------------
    def run(self, stop_after: float | None = None) -> None:
        sources = {d.path for d in self.pages.documents()}
        root_files = {p for p in build_inputs(self.plan) if p.parent == self.plan.root}
        watcher = Watcher(self.plan, root_files)
        watcher.start()
        self.server.start()
        where = (f"{self.server.url} (the data are real: serving on {LOOPBACK} only, to this machine)"
                 if not self.synthetic else self.server.url)
        self.say(f"paper preview: {where}paper.html and slides.html; Ctrl-C stops", flush=True)
        deadline = None if stop_after is None else time.monotonic() + stop_after
        try:
            while deadline is None or time.monotonic() < deadline:
                changed = watcher.get(timeout=0.05 if self.build or self.later else 0.5)
                if changed:
                    self._note(classify(changed, self.plan, sources))
                self._step()
        finally:
            watcher.stop()
            if self.build:
                self.say("paper preview: stopping the running build", flush=True)
                self.build.stop()
            self.server.stop()

    def _note(self, changes: Changes) -> None:
        self.last_change = time.monotonic()
        self.needs_analysis |= changes.analysis
        self.pending.documents |= changes.documents
        self.pending.everything |= changes.everything
        running = self.build
        if running and (changes.analysis or not running.analysis):
            running.stop()  # its inputs changed: what it would publish is already out of date
            self.build = None
            self.later = self.later or not running.analysis
            self.needs_analysis |= running.analysis

    def _step(self) -> None:
        if self.build and self.build.finished():
            self._built(self.build)
            self.build = None
        if self.good and not (self.build and self.build.analysis):
            if self.pending.everything or self.pending.documents:
                self._render_fast(None if self.pending.everything else self.pending.documents)
            elif self.pages.unverified and time.monotonic() - self.last_change > QUIET:
                self._verify()
        if self.build is None:
            if self.needs_analysis:
                self.build, self.needs_analysis = BackgroundBuild(self.plan, analysis=True), False
            elif self.later and not self.html_only and time.monotonic() - self.last_change > QUIET:
                self.build, self.later = BackgroundBuild(self.plan, analysis=False), False

    def _render_fast(self, wanted: set[Path] | None, warm_up: bool = False) -> None:
        self.pending = Changes()
        self.later = self.later or not warm_up
        self.errors.pop("build", None)  # newer sources than the failed build's; an analysis failure stays
        self.errors.pop("verify", None)
        for document in self.pages.documents(wanted):
            start = time.perf_counter()
            pages, errors = self.pages.render(document)
            self.errors[document.stem] = errors
            self._show(pages, f"{time.perf_counter() - start:.2f} s", self.pages.patch)

    def _verify(self) -> None:
        """Once the sources are quiet: the spliced HTML pages written whole, shown if they differ (the tests
        have never seen them differ)."""
        differed, errors = self.pages.verify()
        self.errors["verify"] = errors
        if differed and not errors:
            self.say(f"paper preview: the quick render of {', '.join(differed)} differed from a whole render; "
                     "showing the whole one", flush=True)
        self._show({} if errors else differed)

    def _built(self, done: BackgroundBuild) -> None:
        key = "analysis" if done.analysis else "build"
        if done.process.returncode == 0:
            first, self.good = not self.good, True
            self.errors = {}
            output = self.plan.output
            pages = {name: (output / name).read_bytes() for name in ("paper.html", "slides.html")
                     if (output / name).exists()}
            stale = [name for name, body in pages.items() if self.state.pages.get(name) not in (None, body)]
            if stale and not (self.pending.documents or self.pending.everything):
                self.say(f"paper preview: the build's {', '.join(stale)} differs from the fast render; "
                         "showing the build's", flush=True)
            self._show(pages)
            if first and not (self.pending.documents or self.pending.everything):
                self._render_fast(None, warm_up=True)  # fills the fast path's caches: same pages, no reload
        else:
            self.errors[key] = done.failures()
            self._show({})

    def _show(self, pages: dict[str, bytes], took: str = "", patch: tuple[str, str, str] | None = None) -> None:
        errors = [line for lines in self.errors.values() for line in lines]
        if self.state.update(pages, errors, patch if pages and not errors else None):
            for line in errors:
                self.say(f"  {line}", flush=True)
            if not errors:
                self.say(f"  shown: {', '.join(sorted(pages)) or 'pages unchanged'}" + (f" ({took})" if took else ""),
                         flush=True)


def build_inputs(plan: build.Plan) -> list[Path]:
    from .. import render

    return [p for p in render.inputs(plan.root) if p.name != "_variables.yml"]


def _server(state: State, host: str, port: int, say) -> Server:
    try:
        return Server(state, host, port)
    except OSError as err:
        if port == DEFAULT_PORT:
            say(f"paper preview: port {port} is taken ({err.strerror}); using a free one", flush=True)
            return Server(state, host, 0)
        raise PreviewError(f"cannot listen on {host}:{port}: {err.strerror}") from None


def preview(data: Path | None = None, host: str = LOOPBACK, port: int = DEFAULT_PORT, html_only: bool = False,
            root: Path | None = None) -> int:
    plan = build.make_plan(data, root=root)
    session = Preview(plan, host, port, html_only)
    # Ctrl-C and SIGTERM stop it, also where SIGINT arrives ignored (a job a non-interactive shell put in
    # the background inherits SIG_IGN, and Python then never raises KeyboardInterrupt)
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        session.run()
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(f"paper preview: stopped; {os.path.relpath(plan.output)}/ holds the last good build", flush=True)
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt
