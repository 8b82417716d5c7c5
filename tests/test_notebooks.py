"""Every analysis notebook runs under papermill with its defaults and with another parameter set, and
writes exactly the artifacts docs/VALUES.md promises the prose (no more values, no fewer)."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import papermill
import pytest

from peerpaper import notebooks, synth
from peerpaper.literal import plain_text

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
STEMS = ["01-sample", "02-themes", "03-cooccurrence", "04-saturation", "05-reliability", "06-policy", "07-quotes", "08-disclosure"]
THEMES = ["value", "community", "barriers", "funding", "law", "delegitimisation", "capacity", "needs", "rights"]
CODES = [c["id"] for c in synth.parameters()["codebook"] if c.get("parent")]
PRACTICES = ["working_together", "street_work", "exit_routes", "supporting_migrants", "advertising", "third_party_help"]
OTHER = {  # another seed and size, other thresholds
    "01-sample": {"k": 10},
    "02-themes": {"k": 10},
    "03-cooccurrence": {"window": 1, "top_n": 5},
    "04-saturation": {"base": 3, "run": 3, "threshold": 0.0, "base_mode": "growing"},
    "05-reliability": {},
    "06-policy": {},
    "07-quotes": {"per_theme": 2, "min_words": 8, "max_words": 80},
    "08-disclosure": {"k": 10, "compare_k": 20},
}


def promised() -> dict[str, dict[str, set[str]]]:
    """docs/VALUES.md read as {notebook: {"values", "figures", "tables"}}, <theme> and <code> expanded."""
    out: dict[str, dict[str, set[str]]] = {}
    section = None
    for line in (REPO / "docs/VALUES.md").read_text(encoding="utf-8").splitlines():
        if m := re.match(r"## (\d\d-[\w-]+)", line):
            section = out.setdefault(m.group(1), {"values": set(), "figures": set(), "tables": set()})
        elif line.startswith("## "):
            section = None
        elif section is not None and line.startswith("| ") and not line.startswith("| name"):
            for name in line.split("|")[1].split(","):
                name = name.strip()
                names = [name.replace("<theme>", t) for t in THEMES] if "<theme>" in name else [name]
                names = [n.replace("<code>", c) for n in names for c in CODES] if "<code>" in name else names
                names = [n.replace("<practice>", c) for n in names for c in PRACTICES] if "<practice>" in name else names
                section["values"].update(names)
        if section is not None:
            section["values"].update(re.findall(r"Value: `([a-z_0-9]+)`", line))
            section["figures"].update(re.findall(r"`(fig-[\w-]+)`", line))
            section["tables"].update(re.findall(r"`(tbl-[\w-]+)`", line))
    return out


def run(stem: str, out: Path, params: dict) -> nbformat.NotebookNode:
    """Through the build's own runner: papermill's `cwd` would chdir the test process, which races between
    the threads running notebooks in parallel."""
    executed = out / "executed" / f"{stem}.ipynb"
    notebooks.execute(NOTEBOOKS / f"{stem}.ipynb", executed, {"out_dir": str(out), **params}, cwd=NOTEBOOKS)
    return nbformat.read(executed, as_version=4)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Both parameter sets of every notebook, executed in parallel (papermill runs one kernel each)."""
    root = tmp_path_factory.mktemp("notebooks")
    other_data = synth.generate(root / "other-data", seed=11, groups=24)
    jobs = {}
    for stem in STEMS:
        jobs[("default", stem)] = (stem, root / "default", {})
        jobs[("other", stem)] = (stem, root / "other", {"data_dir": str(other_data), **OTHER[stem]})
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {key: pool.submit(run, *job) for key, job in jobs.items()}
        return {"root": root, **{key: f.result() for key, f in futures.items()}}


def test_stored_notebooks_are_clean_and_parameterised():
    for stem in STEMS:
        book = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
        nbformat.validate(book)
        code = [c for c in book.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), stem
        params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1, stem
        assert 'data_dir = "../data/synthetic"' in params[0].source and 'out_dir = "../_build"' in params[0].source
        assert ("policy_dir" in params[0].source) == (stem == "06-policy")
        # papermill must be able to read every parameter (it silently skips lines it cannot parse)
        assert set(papermill.inspect_notebook(str(NOTEBOOKS / f"{stem}.ipynb"))) == set(notebooks.parameters(NOTEBOOKS / f"{stem}.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["default", "other"])
def test_every_promised_artifact_is_written(runs, variant):
    out = runs["root"] / variant
    written_values: dict[str, object] = {}
    for stem, promise in promised().items():
        values = json.loads((out / "values" / f"{stem}.json").read_text(encoding="utf-8"))
        assert set(values) == promise["values"], stem
        assert not set(values) & set(written_values), "value names must be unique across notebooks"
        written_values.update(values)
        for fig in promise["figures"]:
            for ext in ("svg", "png", "md"):
                assert (out / "figures" / f"{fig}.{ext}").stat().st_size > 0
            assert 'fig-alt="' in (out / "figures" / f"{fig}.md").read_text()
        for tbl in promise["tables"]:
            assert re.search(rf"\{{#{tbl}[ }}]", (out / "tables" / f"{tbl}.md").read_text())  # labelled, maybe sized
            assert (out / "tables" / f"{tbl}.csv").exists()
    for theme in THEMES:
        quotes = plain_text((out / "quotes" / f"q-{theme}.md").read_text())  # data text is escaped Markdown
        assert quotes.startswith("> ") and re.search(r"^> \([^,()]+, G\d+\)$", quotes, re.M)
        assert (out / "quotes" / f"q-{theme}-1.md").read_text().count("\n>\n") == 1


@pytest.mark.slow
def test_parameters_change_the_results(runs):
    default, other = runs["root"] / "default", runs["root"] / "other"
    value = lambda root, stem: json.loads((root / "values" / f"{stem}.json").read_text())  # noqa: E731
    assert value(default, "01-sample")["n_groups"] == "6" and value(other, "01-sample")["n_groups"] == "24"
    assert value(other, "01-sample")["small_cell_k"] == "10"
    assert value(other, "03-cooccurrence")["cooc_window"] == "1"
    assert value(other, "04-saturation")["sat_base_mode"] == "growing"
    assert value(other, "04-saturation")["sat_threshold"] == "0%"
    assert value(other, "07-quotes")["n_quotes"] == "18"  # 2 per theme
    assert "(fixed), runs of 2" in plain_text((default / "tables/tbl-saturation.md").read_text())


@pytest.mark.slow
def test_synthetic_notice_is_shown(runs):
    for key, book in runs.items():
        if key == "root":
            continue
        shown = json.dumps([c.get("outputs", []) for c in book.cells])
        assert "Synthetic data: illustrative only" in shown, key


def test_the_kernels_own_output_goes_to_its_log_not_the_build(tmp_path, capfd):
    """ipykernel can print a traceback of its own while shutting down (a race on its message socket); a
    build that succeeded must not show one. What the kernel process writes outside the notebook's
    messages goes to a log next to the executed notebook; what the notebook prints stays in the notebook."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('import os\nos.write(2, b"kernel internals\\n")\nprint("notebook output")'),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(source))
    executed = tmp_path / "executed" / "nb.ipynb"
    notebooks.execute(source, executed, {}, cwd=tmp_path)
    assert "kernel internals" not in capfd.readouterr().err
    assert "kernel internals" in notebooks.kernel_log(executed).read_text()
    outputs = nbformat.read(str(executed), as_version=4).cells[0].outputs
    assert any("notebook output" in out.get("text", "") for out in outputs)
