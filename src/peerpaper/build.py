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
        params.update(self.overrides.get(nb.stem, {}))
        return params


def parse_overrides(pairs: list[str], nbs: list[Path]) -> dict[str, dict[str, object]]:
    """`-P name=value` sets a parameter in every notebook that has it; `-P 04.name=value` in one."""
    import yaml

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
            out.setdefault(nb.stem, {})[name] = yaml.safe_load(raw)
    return out


def _guard(action):
    """Run a step; a PaperError becomes a one-line failure instead of a traceback."""

    def run(*args, **kwargs):
        from doit.exceptions import TaskFailed

        try:
            action(*args, **kwargs)
        except PaperError as err:
            return TaskFailed(str(err))
        return None

    run.__name__ = action.__name__
    return run


# ---- the steps ---------------------------------------------------------------------------------------

def check_data(plan: Plan) -> None:
    from .validate import check_data as validate

    problems = validate(plan.data)
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
        first = str(err).strip().splitlines()
        reason = next((line for line in reversed(first) if line.strip()), type(err).__name__)
        raise BuildError(f"notebook {nb.name} failed: {reason[:300]}") from err
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

    values = collect_values(plan)
    text = yaml.safe_dump(values, sort_keys=True, allow_unicode=True, width=1000)
    (plan.root / "_variables.yml").write_text("# Written by `paper build` from the notebooks: do not edit.\n" + text)
    analysis = plan.site / "analysis"
    shutil.rmtree(analysis, ignore_errors=True)
    (analysis / "tables").mkdir(parents=True)
    (analysis / "values.json").write_text(json.dumps(values, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    for table in sorted((plan.build_dir / "tables").glob("*.csv")):
        shutil.copyfile(table, analysis / "tables" / table.name)


def render_document(plan: Plan, formats: list[str]) -> None:
    from . import render

    render.render(plan.root, plan.site, formats=tuple(formats), engine=plan.engine)


def export_notebook(plan: Plan, nb: Path) -> None:
    notebooks.export_html(plan.executed(nb.stem), plan.site / "notebooks" / f"{nb.stem}.html", title=nb.stem)


def site_files(plan: Plan) -> list[Path]:
    return sorted(p for p in plan.site.rglob("*") if p.is_file() and p.name != "manifest.json")


def scan(plan: Plan, files: list[Path]) -> None:
    """Nothing reaches `_output/` until every text in it has been searched for identifiers."""
    from . import privacy

    roster = privacy.load_roster(plan.data / "roster.csv")
    allow = privacy.load_allowlist(privacy.SHIPPED_ALLOWLIST) + privacy.load_allowlist(plan.data / "allowlist.csv")
    keys = privacy.citation_keys(plan.root / "references.bib")
    if privacy.scan_outputs(files, roster, allow, citation_keys=keys):
        from .study import load_study  # only now: naming the segment behind each hit needs the data

        segments = load_study(plan.data).segments
        privacy.check_outputs(files, roster, allow, segments=segments, citation_keys=keys)


def write_manifest(plan: Plan, render_inputs: list[Path], nb_inputs: dict[str, list[Path]]) -> None:
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
        outputs[name] = {"file": path, "inputs": inputs}
    parameters = {nb.stem: plan.params_for(nb) for nb in plan.notebooks()}
    from .privacy import data_is_synthetic

    data = {"kind": "synthetic" if data_is_synthetic(plan.data) else "real",
            "files": {p.name: manifest.sha256(p) for p in plan.data_files() if p.name not in PRIVATE_FILES}}
    manifest.write(plan.site / "manifest.json", plan.root, outputs, parameters, data)


PRIVATE_FILES = {"roster.csv", "allowlist.csv"}  # private to the data folder: not even their hashes are published


# ---- the graph -----------------------------------------------------------------------------------------

def tasks(plan: Plan) -> dict:
    """doit task generators for this plan (a namespace doit's ModuleTaskLoader reads)."""
    from doit.tools import config_changed

    from . import render

    nbs = plan.notebooks()
    package_dir = Path(__file__).resolve().parent
    lock = [p for p in (plan.root / "requirements.lock",) if p.exists()]
    render_inputs = [p for p in render.inputs(plan.root) if p.exists() and not p.is_relative_to(plan.build_dir)
                     and p.name != "_variables.yml"]
    render_code = notebooks.import_closure(["peerpaper.render"], package_dir)
    privacy_code = notebooks.import_closure(["peerpaper.privacy", "peerpaper.study"], package_dir)
    stamps = [plan.stamp(nb.stem) for nb in nbs]
    nb_inputs = {
        nb.stem: [nb, *plan.data_files(), *plan.policy_files(), *notebooks.package_dependencies(nb, package_dir), *lock]
        for nb in nbs
    }
    made = render.outputs(plan.root)  # document -> {format: file}: one render task per document, so
    # the document is read and its citations processed once for all its formats
    site_targets = [plan.site / name for formats in made.values() for name in formats.values()] + [
        plan.site / "notebooks" / f"{nb.stem}.html" for nb in nbs
    ] + [plan.site / "analysis" / "values.json"]

    def task_check():
        yield {"name": "data", "actions": [(_guard(check_data), [plan])],
               "file_dep": plan.data_files() + plan.policy_files(), "verbosity": 0}
        yield {"name": "references", "actions": [(_guard(check_refs), [plan])],
               "file_dep": [p for p in render_inputs if p.suffix in {".bib", ".qmd", ".yml"}], "verbosity": 0}

    def task_notebook():
        for nb in nbs:
            yield {
                "name": nb.stem,
                "actions": [(_guard(run_notebook), [plan, nb])],
                "file_dep": nb_inputs[nb.stem],
                "task_dep": ["check:data"],
                "targets": [plan.executed(nb.stem), plan.stamp(nb.stem)],
                "uptodate": [config_changed(json.dumps(plan.params_for(nb), sort_keys=True)),
                             artifacts_intact(plan, nb.stem)],
                "verbosity": 0,
            }

    def task_values():
        return {"actions": [(_guard(write_variables), [plan])], "file_dep": stamps + plan.data_files(),
                "targets": [plan.root / "_variables.yml", plan.site / "analysis" / "values.json"], "verbosity": 0}

    def task_render():
        for document, formats in made.items():
            yield {
                "name": document,
                "actions": [(_guard(render_document), [plan, list(formats)])],
                "file_dep": render_inputs + render_code + stamps + [plan.root / "_variables.yml"],
                "task_dep": ["check:references"],
                "targets": [plan.site / name for name in formats.values()],
                "uptodate": [config_changed(plan.engine)],
                "verbosity": 0,
            }

    def task_notebook_page():
        for nb in nbs:
            yield {"name": nb.stem, "actions": [(_guard(export_notebook), [plan, nb])],
                   "file_dep": [plan.executed(nb.stem)], "targets": [plan.site / "notebooks" / f"{nb.stem}.html"],
                   "verbosity": 0}

    def task_scan():
        """One scan per output, so an edit to the paper rescans only what it changed."""
        from .privacy import SHIPPED_ALLOWLIST

        rules = [p for p in plan.data_files() if p.name in PRIVATE_FILES] + [SHIPPED_ALLOWLIST, *privacy_code]
        rules += [p for p in render_inputs if p.suffix == ".bib"]  # citation keys are not handles
        for target in site_targets:
            files = [target.parent] if target.name == "values.json" else [target]  # values and tables
            yield {"name": target.relative_to(plan.site).as_posix(), "actions": [(_guard(scan), [plan, files])],
                   "file_dep": [target, *rules] + (stamps if target.name == "values.json" else []),
                   "verbosity": 0}

    def task_manifest():
        return {"actions": [(_guard(write_manifest), [plan, render_inputs + render_code, nb_inputs])],
                "file_dep": site_targets + stamps + plan.data_files(), "task_dep": ["scan"],
                "targets": [plan.site / "manifest.json"], "verbosity": 0}

    def task_publish():
        return {"actions": [(_guard(publish.publish), [plan.site, plan.output])],
                "file_dep": site_targets + [plan.site / "manifest.json"],
                "targets": [plan.output / "manifest.json"], "verbosity": 0}

    return {k: v for k, v in locals().items() if k.startswith("task_")}


def run_tasks(plan: Plan, selected: list[str] | None, jobs: int | None, verbose: bool) -> int:
    from doit.cmd_base import ModuleTaskLoader
    from doit.doit_cmd import DoitMain

    from .progress import ProgressReporter

    plan.build_dir.mkdir(exist_ok=True)
    os.environ["SOURCE_DATE_EPOCH"] = manifest.source_date_epoch(plan.root)  # for every step and kernel
    os.environ.setdefault("PYTHONHASHSEED", "0")
    os.environ["PAPER_ROOT"] = str(plan.root)
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

    root = (root or project_root()).resolve()
    data = (data or root / "data" / "synthetic").resolve()
    if not data.is_dir():
        raise BuildError(f"{data}: no such data folder")
    privacy.check_data_location(data, root)
    if engine == "quarto" and not shutil.which("quarto"):
        raise BuildError("--engine quarto: `quarto` is not on PATH (install Quarto >= 1.4, or use the builtin engine)")
    plan = Plan(root=root, data=data, engine=engine)
    plan.overrides = parse_overrides(params or [], plan.notebooks())
    return plan


def build(data: Path | None = None, params: list[str] | None = None, jobs: int | None = None,
          engine: str = "builtin", verbose: bool = False, root: Path | None = None) -> int:
    plan = make_plan(data, params, engine, root)
    publish.recover(plan.output)
    selected = ["publish"]
    code = run_tasks(plan, selected, jobs, verbose)
    if code == 0:
        from . import render

        names = [name for formats in render.outputs(plan.root).values() for name in formats.values()]
        print(f"Outputs in {os.path.relpath(plan.output)}/: " + ", ".join(names))
    return code


# ---- clean ---------------------------------------------------------------------------------------------

def clean(root: Path | None = None) -> int:
    """Remove exactly what the build makes: `_build/`, `_output/` (and its swap folders), `_variables.yml`."""
    root = (root or project_root()).resolve()
    removed = []
    for name in ("_build", "_output", "_output.new", "_output.old"):
        if (root / name).exists():
            shutil.rmtree(root / name)
            removed.append(name + "/")
    if (root / "_variables.yml").exists():
        (root / "_variables.yml").unlink()
        removed.append("_variables.yml")
    print("removed " + ", ".join(removed) if removed else "nothing to remove")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(build())
