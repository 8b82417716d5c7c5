"""`paper build`, `paper verify`, `paper clean`: the whole way from data to paper as a graph of doit tasks.

Why doit: a small, well-kept Python task runner that records the hashes of what each task read (so a
step re-runs only when one of them changed), runs independent tasks in parallel, and takes tasks as
Python dicts, so the graph is made from the notebooks and sources found rather than written by hand.

The graph: check data and references -> each notebook (in parallel) -> _variables.yml -> each output
format (in parallel) -> notebook pages -> identifier scan -> manifest -> publish. Everything is made
under `_build/`; `_output/` is replaced in one move at the very end (see publish.py).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import manifest, notebooks, publish
from .errors import PaperError
from .paths import project_root

RESERVED = {"data_dir", "out_dir", "policy_dir"}  # paths the build sets, so that checks on them hold


class BuildError(PaperError):
    pass


@dataclass
class Plan:
    """What one build is asked to do; every path derived from the project root."""

    root: Path
    data: Path
    overrides: dict[str, dict[str, object]] = field(default_factory=dict)  # notebook stem -> params
    engine: str = "builtin"
    k: int = 5  # disclosure threshold: the project's (privacy.disclosure.project_k) or `-P k=N`

    @property
    def build_dir(self) -> Path:
        return self.root / "_build"

    @property
    def site(self) -> Path:
        return self.build_dir / "site"

    @property
    def output(self) -> Path:
        return self.root / "_output"

    @property
    def policy(self) -> Path:
        return self.root / "data" / "policy"

    @property
    def notebook_dir(self) -> Path:
        return self.root / "notebooks"

    def notebooks(self) -> list[Path]:
        return notebooks.discover(self.notebook_dir)

    def data_files(self) -> list[Path]:
        return sorted(p for p in self.data.iterdir() if p.is_file())

    def policy_files(self) -> list[Path]:
        return sorted(p for p in self.policy.iterdir() if p.is_file()) if self.policy.is_dir() else []

    def stamp(self, stem: str) -> Path:
        return self.build_dir / "stamps" / f"{stem}.json"

    def executed(self, stem: str) -> Path:
        return self.build_dir / "executed" / f"{stem}.ipynb"

    def site_targets(self) -> list[Path]:
        """The files the render, notebook-page and values steps make under `_build/site/`."""
        from . import render

        made = render.outputs(self.root)
        return [self.site / name for formats in made.values() for name in formats.values()] + [
            self.site / "notebooks" / f"{nb.stem}.html" for nb in self.notebooks()
        ] + [self.site / "analysis" / "values.json"]

    @cached_property
    def data_identity(self) -> str:
        """Which data a step was made from: the folder's resolved path and every file's bytes (the roster
        too). Every step that depends on the data records it, so other data can never pass as up to date."""
        return manifest.digest_of(self.data_files(), label=str(self.data))

    def params_for(self, nb: Path) -> dict[str, object]:
        """Paths relative to the notebook folder (so executed notebooks do not depend on where the
        repository sits), then the notebook's own overrides."""
        known = notebooks.parameters(nb)
        rel = lambda p: os.path.relpath(p, self.notebook_dir)  # noqa: E731
        params: dict[str, object] = {}
        standard = {"data_dir": self.data, "out_dir": self.build_dir / "nb" / nb.stem, "policy_dir": self.policy}
        for name, path in standard.items():
            if name in known:
                params[name] = rel(path)
        if "k" in known:  # one threshold for every notebook and the audit
            params["k"] = self.k
        params.update(self.overrides.get(nb.stem, {}))
        return params


def parse_overrides(pairs: list[str], nbs: list[Path]) -> dict[str, dict[str, object]]:
    """`-P name=value` sets a parameter in every notebook that has it; `-P 04.name=value` in one."""
    out: dict[str, dict[str, object]] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise BuildError(f"-P {pair}: expected NAME=VALUE or NN.NAME=VALUE")
        prefix, dot, name = key.rpartition(".")
        if name in RESERVED:
            raise BuildError(f"-P {pair}: '{name}' is set by the build (use --data for another data folder)")
        targets = [nb for nb in nbs if not dot or nb.stem == prefix or nb.stem.split("-")[0] == prefix]
        targets = [nb for nb in targets if name in notebooks.parameters(nb)]
        if not targets:
            raise BuildError(f"-P {pair}: no notebook has a parameter '{name}'" + (f" ({prefix})" if dot else ""))
        for nb in targets:
            out.setdefault(nb.stem, {})[name] = _typed(pair, name, raw, notebooks.parameters(nb)[name], nb)
    return out


def _typed(pair: str, name: str, raw: str, default, nb: Path):
    """The value as YAML reads it, if it has the type of the notebook's default (an int where a float is
    expected is fine); a text default takes the text as typed."""
    import yaml

    if isinstance(default, str):
        return raw
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    if default is None or isinstance(value, type(default)) and not (isinstance(value, bool) and not isinstance(default, bool)):
        return value
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    expected = {bool: "true or false", int: "a whole number", float: "a number", list: "a list such as [1, 2]",
                dict: "a mapping such as {a: 1}"}.get(type(default), type(default).__name__)
    raise BuildError(f"-P {pair}: '{name}' expects {expected} (its default in {nb.name} is {default!r})")


def _parse_value(raw: str) -> object:
    """A -P value as YAML reads it (3 -> int, 0.05 -> float, abc -> str), or a clear error."""
    import yaml

    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        raise BuildError(f"-P value {raw!r} is not a number, a word or a quoted string") from None


def _guard(action, made=None):
    """Run a step; a PaperError becomes the failure's message instead of a traceback. On success the step
    records the digest of every file it made (`made`: paths, or a function giving them), so that a later
    build trusts a file only while it is still what this step made (see `as_made`)."""

    def run(*args, **kwargs):
        from doit.exceptions import TaskFailed

        try:
            action(*args, **kwargs)
        except PaperError as err:
            return TaskFailed(str(err))
        return {"made": _digests(made() if callable(made) else made or [])}

    run.__name__ = action.__name__
    return run


def _digests(paths) -> dict[str, str | None]:
    return {str(p): manifest.sha256(p) if Path(p).is_file() else None for p in sorted(map(str, paths))}


def as_made(made):
    """doit `uptodate`: the step's files are byte for byte what it recorded when it last succeeded. A build
    killed (even with SIGKILL) or run beside another may have rewritten them without recording it: then
    the step runs again rather than pass on what it did not make."""

    def check(task, values):
        recorded = values.get("made")
        return recorded is not None and recorded == _digests(made() if callable(made) else made)

    return check


# ---- the steps ---------------------------------------------------------------------------------------

def check_data(plan: Plan) -> None:
    """The data contract, then whether the folder can give this paper (its themes, the law's codes)."""
    from . import paper_fit
    from .validate import check_data as validate

    problems = validate(plan.data) or paper_fit.problems(plan.data, plan.policy)
    if problems:
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more: run `paper check data {plan.data}`)" if len(problems) > 5 else ""
        raise BuildError(f"{len(problems)} data problem(s): {shown}{more}")


def check_refs(plan: Plan) -> None:
    from . import bibcheck

    messages = bibcheck.check_project(plan.root)
    errors = [m for m in messages if m.level == "error"]
    if errors:
        raise BuildError(f"{len(errors)} citation error(s), e.g. {errors[0]} (run `paper check refs`)")


def run_notebook(plan: Plan, nb: Path) -> None:
    """Execute into a private folder, then move its artifacts into the shared `_build/` folders and
    record them (with hashes) in the notebook's stamp: the stamp is what later steps depend on."""
    private = plan.build_dir / "nb" / nb.stem
    shutil.rmtree(private, ignore_errors=True)
    private.mkdir(parents=True)
    try:
        notebooks.execute(nb, plan.executed(nb.stem), plan.params_for(nb), cwd=plan.notebook_dir)
    except Exception as err:  # papermill's error carries the cell and the traceback
        raise BuildError(_notebook_failure(nb, plan.executed(nb.stem), err)) from err
    stamp = plan.stamp(nb.stem)
    previous = json.loads(stamp.read_text()) if stamp.exists() else {}
    for rel in previous:
        (plan.build_dir / rel).unlink(missing_ok=True)
    made = {}
    for path in sorted(private.rglob("*")):
        if path.is_file():
            rel = path.relative_to(private).as_posix()
            target = plan.build_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            made[rel] = manifest.sha256(target)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps(made, indent=1, sort_keys=True) + "\n")


def _notebook_failure(nb: Path, executed: Path, err: Exception) -> str:
    """Which cell failed and how, without the exception's text unless the project wrote it: a KeyError
    or a pandas message quotes the data value that caused it, and this line goes to a terminal or a CI
    log. The whole traceback stays in the executed notebook, which is never published."""
    from .errors import DataError
    from .privacy import PrivacyError
    from .render import RenderError

    ename, evalue = getattr(err, "ename", type(err).__name__), getattr(err, "evalue", "")
    cell = getattr(err, "exec_count", None)
    where = f"notebook {nb.name} failed" + (f" in cell [{cell}]" if cell else "")
    own = {cls.__name__ for cls in (PaperError, DataError, PrivacyError, RenderError, BuildError)}
    if ename in own and evalue:
        return f"{where}: {evalue.strip().splitlines()[-1][:300]}"
    said = f"{where} with {ename}; the traceback is in {executed} (never published)"
    if ename == "DeadKernelError":  # a native crash: its stack (faulthandler) is in the kernel's own log
        said += f"; the kernel's last words are in {notebooks.kernel_log(executed)}"
    return said


def artifacts_intact(plan: Plan, stem: str):
    """doit `uptodate`: a notebook is stale if any artifact it made was removed or edited by hand."""

    def check(task, values):
        stamp = plan.stamp(stem)
        if not stamp.exists():
            return False
        made = json.loads(stamp.read_text())
        return all(
            (plan.build_dir / rel).is_file() and manifest.sha256(plan.build_dir / rel) == digest
            for rel, digest in made.items()
        )

    return check


def collect_values(plan: Plan) -> dict[str, object]:
    """All notebooks' named values, plus what the build knows (data kind, notice). Names are unique."""
    from .privacy import SYNTHETIC_NOTICE, data_is_synthetic

    values: dict[str, object] = {}
    origin: dict[str, str] = {}
    for nb in plan.notebooks():
        stamp = plan.stamp(nb.stem)
        for rel in sorted(json.loads(stamp.read_text()) if stamp.exists() else {}):
            if rel.startswith("values/") and rel.endswith(".json"):
                for name, value in json.loads((plan.build_dir / rel).read_text()).items():
                    if name in values:
                        raise BuildError(f"{rel}: value '{name}' is also made by {origin[name]}")
                    values[name], origin[name] = value, rel
    synthetic = data_is_synthetic(plan.data)
    values["data_kind"] = "synthetic" if synthetic else "real"
    values["synthetic_notice"] = SYNTHETIC_NOTICE if synthetic else ""
    return values


def write_variables(plan: Plan) -> None:
    import yaml

    from .literal import markdown_text

    values = collect_values(plan)
    # Quarto reads a variable as Markdown: values are data, so each is escaped to read as its own characters
    as_markdown = {name: markdown_text(v) if isinstance(v, str) else v for name, v in values.items()}
    text = yaml.safe_dump(as_markdown, sort_keys=True, allow_unicode=True, width=1000)
    (plan.root / "_variables.yml").write_text("# Written by `paper build` from the notebooks: do not edit.\n" + text)
    analysis = plan.site / "analysis"
    shutil.rmtree(analysis, ignore_errors=True)
    (analysis / "tables").mkdir(parents=True)
    (analysis / "values.json").write_text(json.dumps(values, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    for kind, pattern in ANALYSIS_FILES:  # each figure's data beside the tables, each with its schema
        for path in sorted((plan.build_dir / kind).glob(pattern)):
            (analysis / kind).mkdir(exist_ok=True)
            shutil.copyfile(path, analysis / kind / path.name)


ANALYSIS_FILES = (("tables", "*.csv"), ("tables", "*.schema.json"), ("figures", "fig-*.csv"),
                  ("figures", "fig-*.schema.json"))


def check_study_size(plan: Plan) -> None:
    """Before any notebook runs: a study of fewer than k participants can publish no count, share or quote
    that does not single them out, so it is refused (the count itself is not printed)."""
    from .analysis import participants_only
    from .study import load_study

    if len(participants_only(load_study(plan.data).participants)) < plan.k:
        raise BuildError(f"{plan.data / 'participants.csv'}:1: the table holds fewer than k={plan.k} participants, "
                         "too few to publish anything about them without singling them out")


def audit_disclosure(plan: Plan) -> None:
    """Before anything renders: every table, figure's data and value the notebooks wrote, read as a hostile
    reader would (privacy.audit), against the project's k; every finding is reported."""
    from .privacy.audit import Identifying, audit_published, findings_message
    from .study import load_study

    findings = audit_published([plan.build_dir], plan.k, Identifying.of_study(load_study(plan.data)), root=plan.root)
    if findings:
        raise BuildError(findings_message(findings, plan.k))


def render_metadata(plan: Plan) -> dict:
    """Metadata set over every document's own (Quarto's -M): `synthetic`, for `.content-visible
    when-meta="synthetic"`. `paper preview` renders with the same."""
    from .privacy import data_is_synthetic

    return {"synthetic": data_is_synthetic(plan.data)}


def render_document(plan: Plan, formats: list[str]) -> None:
    from . import render

    render.render(plan.root, plan.site, formats=tuple(formats), engine=plan.engine, metadata=render_metadata(plan))


DATA_FOLDER = "<the data folder>"  # what published files say instead of the data folder's path


def export_notebook(plan: Plan, nb: Path) -> None:
    """The notebook's page, with the data folder's path in the injected parameters replaced: a path names
    a user and a folder ("/home/kerry/focus groups/"), and a reader needs neither."""
    notebooks.export_html(plan.executed(nb.stem), plan.site / "notebooks" / f"{nb.stem}.html", title=nb.stem,
                          replace={plan.params_for(nb).get("data_dir", DATA_FOLDER): DATA_FOLDER})


def published(plan: Plan) -> list[Path]:
    """Every file `_output/` will hold: the declared outputs, the analysis tables and figures' data (with
    their schemas), the manifest."""
    analysis = [p for kind, pattern in ANALYSIS_FILES for p in sorted((plan.site / "analysis" / kind).glob(pattern))]
    return sorted({*plan.site_targets(), *analysis, plan.site / "manifest.json"})


def site_files(plan: Plan) -> list[Path]:
    return [p for p in published(plan) if p.name != "manifest.json" and p.is_file()]


# ---- the identifier scans ------------------------------------------------------------------------------

PRIVATE_FILES = {"roster.csv", "allowlist.csv"}  # private to the data folder: never named, never hashed


def scan_rules(plan: Plan) -> list[Path]:
    """Everything a scan's verdict depends on besides the file scanned."""
    from .paths import RESOURCES
    from .privacy import SHIPPED_ALLOWLIST

    package_dir = Path(__file__).resolve().parent
    code = notebooks.import_closure(["peerpaper.privacy", "peerpaper.study"], package_dir)
    bib = [p for p in (plan.root / "references.bib",) if p.exists()]  # citation keys are not handles
    private = [p for p in plan.data_files() if p.name in PRIVATE_FILES]
    return [*private, SHIPPED_ALLOWLIST, RESOURCES / "identifying_domains.txt", *code, *bib]


def scan(plan: Plan, files: list[Path], record: str) -> None:
    """Nothing reaches `_output/` until every text in it has been searched for identifiers: every hit is
    reported (masked, named by segment), and a clean scan leaves a record that `publish` checks."""
    from . import privacy
    from .privacy.outputs import code_digests
    from .render.revealjs import reveal_js

    roster = privacy.load_roster(plan.data / "roster.csv")
    allow = privacy.load_allowlist(privacy.SHIPPED_ALLOWLIST) + privacy.load_allowlist(plan.data / "allowlist.csv")
    keys = privacy.citation_keys(plan.root / "references.bib")
    known = code_digests(reveal_js(plan.root))  # reveal.js's own scripts, byte for byte, are not data
    hits = privacy.scan_outputs(files, roster, allow, citation_keys=keys, known_code=known)
    if hits:
        from .study import load_study  # only now: naming the segment behind each hit needs the data

        segments = load_study(plan.data).segments
        privacy.check_outputs(files, roster, allow, segments=segments, citation_keys=keys, known_code=known)
    scanned = [p for f in files for p in ([f] if f.is_file() else sorted(f.rglob("*"))) if p.is_file()]
    path = plan.build_dir / "scans" / f"{record}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"rules": rules_digest(plan), "files": _digests(scanned)}, indent=1) + "\n")


def rules_digest(plan: Plan) -> str:
    return manifest.digest_of(scan_rules(plan))


def scan_artifacts(plan: Plan, nb: Path) -> None:
    """Before anything renders: what the notebook wrote (quotes, tables, values, figures and their data,
    its own outputs), so a hit names the segment and the artifact, not a page of the PDF."""
    made = json.loads(plan.stamp(nb.stem).read_text())
    scan(plan, [plan.build_dir / rel for rel in sorted(made)] + [plan.executed(nb.stem)], f"artifacts-{nb.stem}")


def unscanned(plan: Plan, files: list[Path]) -> list[Path]:
    """Files without a clean scan of exactly their bytes under the current rules. A file in `_output/`
    is looked up as the site file it was published from: what counts is that its bytes were scanned."""
    cleared = scanned(plan)
    site_path = lambda f: plan.site / f.relative_to(plan.output) if f.is_relative_to(plan.output) else f  # noqa: E731
    return [f for f in files if manifest.sha256(f) not in cleared.get(str(site_path(f)), set())]


def scanned(plan: Plan) -> dict[str, set[str]]:
    """Site path -> the digests of its bytes that a clean scan under the current rules recorded."""
    rules = rules_digest(plan)
    cleared: dict[str, set[str]] = {}
    for record in (plan.build_dir / "scans").glob("*.json"):
        entry = json.loads(record.read_text())
        if entry.get("rules") == rules:
            for name, digest in entry["files"].items():
                if digest:
                    cleared.setdefault(name, set()).add(digest)
    return cleared


# ---- manifest and publishing ---------------------------------------------------------------------------

DATA_ROLES = {"groups.csv": "groups", "participants.csv": "participants", "codebook.csv": "codebook",
              "segments.csv": "segments", "codings.csv": "codings", "datapackage.json": "datapackage"}


def data_summary(plan: Plan) -> dict:
    """The data by role, never by file name (a file name can be "<name> - consent form.pdf"), and one
    fingerprint over the role files. No file's own hash: the hash of a short table (the participants'
    roles and sectors, the groups' months) can be confirmed by guessing its content; the roster and
    anything else in the folder are not mentioned at all."""
    from .privacy import data_is_synthetic

    files = {DATA_ROLES[p.name]: p for p in plan.data_files() if p.name in DATA_ROLES}
    return {"kind": "synthetic" if data_is_synthetic(plan.data) else "real", "roles": sorted(files),
            "fingerprint": manifest.digest_of([files[role] for role in sorted(files)])}


def write_manifest(plan: Plan, render_inputs: list[Path], nb_inputs: dict[str, list[Path]]) -> None:
    data_files = set(plan.data_files())
    artifacts = [plan.build_dir / rel for nb in plan.notebooks() for rel in json.loads(plan.stamp(nb.stem).read_text())]
    outputs = {}
    for path in site_files(plan):
        name = path.relative_to(plan.site).as_posix()
        if name.startswith("notebooks/"):
            inputs = nb_inputs[Path(name).stem]
        elif name.startswith("analysis/"):
            inputs = artifacts
        else:
            inputs = render_inputs + artifacts + [plan.root / "_variables.yml"]
        outputs[name] = {"file": path, "inputs": [p for p in inputs if p not in data_files]}  # data: see data_summary
    parameters = {nb.stem: {k: DATA_FOLDER if k == "data_dir" else v for k, v in plan.params_for(nb).items()}
                  for nb in plan.notebooks()}
    target = plan.site / "manifest.json"
    manifest.write(target, plan.root, outputs, parameters, data_summary(plan))
    scan(plan, [target], "manifest")  # the manifest is published too


def publish_site(plan: Plan) -> None:
    """Copy exactly the files that were scanned, as they were scanned, into `_output/` in one swap: a
    leftover temporary file, or a file a killed or concurrent build changed afterwards, is never copied.
    The copies themselves are checked against the scans before the swap, so what is published is the
    scanned bytes even if a site file changed while it was being copied."""
    files = published(plan)
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise BuildError(f"{missing[0]}: expected output is missing; nothing published")
    not_cleared = unscanned(plan, files)
    if not_cleared:
        raise BuildError(f"{not_cleared[0]}: changed since its identifier scan (another build?); nothing published")
    cleared = scanned(plan)

    def as_scanned(rel: Path, copy: Path) -> bool:
        return manifest.sha256(copy) in cleared.get(str(plan.site / rel), set())

    try:
        publish.publish(plan.site, plan.output, [f.relative_to(plan.site) for f in files], check=as_scanned)
    except publish.NotAsChecked as err:
        raise BuildError(f"{plan.site / str(err)}: changed while it was published (another build?); nothing published") from None


# ---- the graph -----------------------------------------------------------------------------------------

def tasks(plan: Plan) -> dict:
    """doit task generators for this plan (a namespace doit's ModuleTaskLoader reads).

    Every step that depends on the data carries `config_changed(plan.data_identity)` (which data folder,
    which bytes) and `as_made(...)` (its files are still what it made), so neither other data nor a killed
    or concurrent build's files can ever be taken as up to date."""
    from doit.tools import config_changed

    from . import render
    from .paths import RESOURCES

    nbs = plan.notebooks()
    package_dir = Path(__file__).resolve().parent
    lock = [p for p in (plan.root / "requirements.lock",) if p.exists()]
    render_inputs = [p for p in render.inputs(plan.root) if p.exists() and not p.is_relative_to(plan.build_dir)
                     and p.name != "_variables.yml"]
    render_code = notebooks.import_closure(["peerpaper.render"], package_dir)
    rules = scan_rules(plan)
    stamps = [plan.stamp(nb.stem) for nb in nbs]
    nb_inputs = {
        nb.stem: [nb, *plan.data_files(), *plan.policy_files(), *notebooks.package_dependencies(nb, package_dir), *lock]
        for nb in nbs
    }
    made = render.outputs(plan.root)  # document -> {format: file}: one render task per document, so
    # the document is read and its citations processed once for all its formats
    site_targets = plan.site_targets()
    analysis = plan.site / "analysis"

    def record(name: str) -> Path:
        return plan.build_dir / "scans" / f"{name}.json"

    def step(action, args, made_files, config=None, **task):
        """A task whose files are recorded and checked (see `as_made`), made from this data only (and
        `config`: doit keeps one `config_changed` per task, so everything it must compare goes in one)."""
        task.setdefault("targets", [] if callable(made_files) else list(made_files))
        same = config_changed(json.dumps({"data": plan.data_identity, **(config or {})}, sort_keys=True))
        task["uptodate"] = [same, as_made(made_files), *task.get("uptodate", [])]
        return {"actions": [(_guard(action, made_files), args)], "verbosity": 0, **task}

    def task_check():
        yield step(check_data, [plan], [], name="data",
                   file_dep=plan.data_files() + plan.policy_files() + [RESOURCES / "synthetic_study.yaml"])
        yield step(check_study_size, [plan], [], name="disclosure", file_dep=plan.data_files(), task_dep=["check:data"],
                   config={"k": plan.k})
        yield {"name": "references", "actions": [(_guard(check_refs), [plan])],
               "file_dep": [p for p in render_inputs if p.suffix in {".bib", ".qmd", ".yml"}], "verbosity": 0}

    def task_notebook():
        for nb in nbs:
            yield step(run_notebook, [plan, nb], [plan.executed(nb.stem), plan.stamp(nb.stem)], name=nb.stem,
                       file_dep=nb_inputs[nb.stem], task_dep=["check:data", "check:disclosure"],
                       config={"parameters": plan.params_for(nb)}, uptodate=[artifacts_intact(plan, nb.stem)])

    def task_scan_artifacts():
        """Scan before rendering: each notebook's artifacts, so a hit names its segment first."""
        for nb in nbs:
            yield step(scan_artifacts, [plan, nb], [record(f"artifacts-{nb.stem}")], name=nb.stem,
                       file_dep=[plan.stamp(nb.stem), plan.executed(nb.stem), *rules], targets=[],
                       uptodate=[artifacts_intact(plan, nb.stem)])

    def task_audit():
        """Disclosure control before rendering: every table, figure's data and value, against k."""
        code = notebooks.import_closure(["peerpaper.privacy", "peerpaper.study"], package_dir)
        return step(audit_disclosure, [plan], [], file_dep=stamps + plan.data_files() + code, config={"k": plan.k})

    def task_values():
        files = lambda: [plan.root / "_variables.yml", *sorted(analysis.rglob("*"))]  # noqa: E731
        return step(write_variables, [plan], files, file_dep=stamps + plan.data_files(), task_dep=["audit"],
                    targets=[plan.root / "_variables.yml", analysis / "values.json"])

    def task_render():
        for document, formats in made.items():  # each document's own inputs: a paper edit leaves the deck alone
            own = [p for p in render.inputs(plan.root, document) if p in render_inputs]
            yield step(render_document, [plan, list(formats)], [plan.site / name for name in formats.values()],
                       name=document, file_dep=own + render_code + stamps + [plan.root / "_variables.yml"],
                       task_dep=["check:references", "scan_artifacts", "audit"], config={"engine": plan.engine})

    def task_notebook_page():
        for nb in nbs:
            yield step(export_notebook, [plan, nb], [plan.site / "notebooks" / f"{nb.stem}.html"], name=nb.stem,
                       file_dep=[plan.executed(nb.stem)])

    def task_scan():
        """One scan per output, so an edit to the paper rescans only what it changed."""
        for target in site_targets:
            name = target.relative_to(plan.site).as_posix()
            files = [target.parent] if target.name == "values.json" else [target]  # values and tables
            yield step(scan, [plan, files, name.replace("/", "-")], [record(name.replace("/", "-"))], name=name,
                       file_dep=[target, *rules] + (stamps if target.name == "values.json" else []), targets=[])

    def task_manifest():
        return step(write_manifest, [plan, render_inputs + render_code, nb_inputs],
                    [plan.site / "manifest.json", record("manifest")],
                    file_dep=site_targets + stamps + plan.data_files() + rules, task_dep=["scan"])

    def task_publish():
        files = lambda: sorted(p for p in plan.output.rglob("*") if p.is_file())  # noqa: E731
        return step(publish_site, [plan], files, file_dep=site_targets + [plan.site / "manifest.json"],
                    task_dep=["scan", "manifest"], targets=[plan.output / "manifest.json"])

    return {k: v for k, v in locals().items() if k.startswith("task_")}


def run_tasks(plan: Plan, selected: list[str] | None, jobs: int | None, verbose: bool) -> int:
    from doit.cmd_base import ModuleTaskLoader
    from doit.doit_cmd import DoitMain

    from .progress import ProgressReporter

    plan.build_dir.mkdir(exist_ok=True)
    os.environ["SOURCE_DATE_EPOCH"] = manifest.source_date_epoch(plan.root)  # for every step and kernel
    os.environ.setdefault("PYTHONHASHSEED", "0")
    os.environ["PAPER_ROOT"] = str(plan.root)
    # silences a debugger warning per kernel; set here, before the steps' threads start, because changing
    # the environment while other threads read it (a subprocess starting, a C library's getenv) can
    # corrupt the C heap
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    namespace = tasks(plan)
    namespace["DOIT_CONFIG"] = {
        "dep_file": str(plan.build_dir / ".doit.sqlite"),  # SQLite: a killed build cannot half-write it
        "backend": "sqlite3",
        "reporter": ProgressReporter,
        "verbosity": 2 if verbose else 0,
        "check_file_uptodate": "md5",
    }
    # twice the cores: a notebook spends much of its time starting a kernel and importing, not computing
    jobs = jobs or 2 * (os.cpu_count() or 1)
    argv = ["run", "-n", str(jobs), "-P", "thread", *(selected or [])]
    streams = sys.stdout, sys.stderr
    try:
        return DoitMain(ModuleTaskLoader(namespace)).run(argv)
    finally:
        # doit captures each action's output by swapping the process-wide sys.stdout; with parallel
        # threads the swaps interleave and can leave a capture buffer in place: put the real ones back
        sys.stdout, sys.stderr = streams


def make_plan(data: Path | None = None, params: list[str] | None = None, engine: str = "builtin",
              root: Path | None = None) -> Plan:
    from . import privacy
    from .privacy.disclosure import check_k, project_k

    root = (root or project_root()).resolve()
    data = (data or root / "data" / "synthetic").resolve()
    if not data.is_dir():
        raise BuildError(f"{data}: no such data folder")
    privacy.check_data_location(data, root)
    if engine == "quarto" and not shutil.which("quarto"):
        raise BuildError("--engine quarto: `quarto` is not on PATH (install Quarto >= 1.4, or use the builtin engine)")
    plan = Plan(root=root, data=data, engine=engine, k=project_k(root))
    params = list(params or [])
    for pair in [p for p in params if p.partition("=")[0].rpartition(".")[2] == "k"]:
        key, _, raw = pair.partition("=")
        if key != "k":
            raise BuildError(f"-P {pair}: k is one setting for the whole project: use -P k=N")
        plan.k = check_k(_parse_value(raw), f"-P {pair}")
        params.remove(pair)
    plan.overrides = parse_overrides(params, plan.notebooks())
    return plan


def build(data: Path | None = None, params: list[str] | None = None, jobs: int | None = None,
          engine: str = "builtin", verbose: bool = False, root: Path | None = None, wait: float | None = None) -> int:
    """One build of the plan: alone in the checkout (a second waits), stopped cleanly by Ctrl-C, SIGTERM
    or SIGHUP, with nothing a killed build left behind taken for this build's work."""
    from .lock import WAIT, checkout_lock, signals_as_interrupt

    plan = make_plan(data, params, engine, root)
    with checkout_lock(plan.build_dir, WAIT if wait is None else wait):
        try:
            with signals_as_interrupt():
                publish.recover(plan.output)
                remove_leftovers(plan)
                code = run_tasks(plan, ["publish"], jobs, verbose)
        except KeyboardInterrupt as why:
            print(f"paper build: interrupted{f' by {why}' if str(why) else ''}; nothing was published, "
                  "the last complete build's outputs are untouched", file=sys.stderr, flush=True)
            sys.stdout.flush()
            # at once, lock still held: a step still running in a worker thread must not write on after
            # the lock is released (the kernel releases it, and ends the threads, as the process ends)
            os._exit(130)
    if code == 0:
        from . import render

        names = [name for formats in render.outputs(plan.root).values() for name in formats.values()]
        print(f"Outputs in {os.path.relpath(plan.output)}/: " + ", ".join(names))
    return code


def remove_leftovers(plan: Plan) -> None:
    """Temporary files a killed step left (`.paper.html.1234.tmp`): never published, removed before a
    build (under the lock, so no running build owns them)."""
    for folder in (plan.site, plan.build_dir / "nb"):
        for path in folder.rglob(".*") if folder.is_dir() else []:
            if path.is_file() and (path.suffix == ".tmp" or folder == plan.site):
                path.unlink(missing_ok=True)


# ---- clean ---------------------------------------------------------------------------------------------

def clean(root: Path | None = None) -> int:
    """Remove exactly what the build makes: `_build/`, `_output/` (and its swap folders), `_variables.yml`."""
    from .lock import WAIT, checkout_lock

    root = (root or project_root()).resolve()
    names = ["_build", "_output", "_output.new", "_output.old", "_variables.yml"]
    removed = [name + ("/" if name.startswith("_o") or name == "_build" else "") for name in names if (root / name).exists()]
    with checkout_lock(root / "_build", WAIT, what="paper clean"):  # never under a running build
        for name in names:
            path = root / name
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    print("removed " + ", ".join(removed) if removed else "nothing to remove")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(build())
