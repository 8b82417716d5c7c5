"""`paper build`, `verify` and `clean` as a user meets them: complete, incremental, reproducible, safe."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import copy_project, run_paper
from peerpaper import build

pytestmark = pytest.mark.slow

EXPECTED = ["paper.html", "paper.pdf", "paper.docx", "slides.html", "slides.pptx", "manifest.json"]


def files_and_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_makes_every_output_with_a_manifest(built_project):
    site = built_project / "_output"
    for name in EXPECTED:
        assert (site / name).stat().st_size > 0, name
    assert sorted(p.name for p in (site / "notebooks").glob("*.html")) == sorted(
        f"{nb.stem}.html" for nb in (built_project / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    manifest = json.loads((site / "manifest.json").read_text())
    assert manifest["commit"] and manifest["dirty"] is False
    assert {"python", "pandoc", "typst", "pandas"} <= set(manifest["tools"])
    for name, entry in manifest["outputs"].items():
        assert len(entry["sha256"]) == 64 and entry["inputs"], name
    assert "paper.qmd" in " ".join(manifest["outputs"]["paper.pdf"]["inputs"])
    values = yaml_values(built_project)
    assert values["data_kind"] == "synthetic" and values["synthetic_notice"]


def yaml_values(project: Path) -> dict:
    import yaml

    return yaml.safe_load((project / "_variables.yml").read_text())


def test_no_op_rebuild_runs_nothing_and_says_so(built_project):
    before = files_and_bytes(built_project / "_output")
    done = run_paper(built_project, "build")
    assert "Nothing to do" in done.stdout
    assert " ok " not in done.stdout.replace("  ok  ", " ok ")  # no step ran
    assert files_and_bytes(built_project / "_output") == before


def test_two_clean_builds_give_identical_bytes(built_project, tmp_path):
    second = copy_project(tmp_path / "second")
    run_paper(second, "build")
    first_files, second_files = files_and_bytes(built_project / "_output"), files_and_bytes(second / "_output")
    assert sorted(first_files) == sorted(second_files)
    differing = [name for name in first_files if first_files[name] != second_files[name]]
    assert differing == []


def test_a_parameter_reruns_only_its_notebook_and_what_follows(project):
    run_paper(project, "build")
    done = run_paper(project, "build", "-P", "04.base=3")
    ran = {line.split()[2] for line in done.stdout.splitlines() if line.startswith("  ok  notebook ") and " page " not in line}
    assert ran == {"04-saturation"}
    assert "ok  render" in done.stdout


def test_a_prose_edit_renders_only_its_document_and_a_shared_file_renders_both(project):
    def rendered(done) -> set[str]:
        return {line.split()[2] for line in done.stdout.splitlines() if line.startswith("  ok  render ")}

    run_paper(project, "build")
    qmd = project / "paper" / "paper.qmd"
    qmd.write_text(qmd.read_text(encoding="utf-8") + "\nOne more sentence of prose.\n", encoding="utf-8")
    assert rendered(run_paper(project, "build")) == {"paper"}, "an edit to the paper leaves the deck as it is"
    bib = project / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert rendered(run_paper(project, "build")) == {"paper", "slides"}, "both cite the bibliography"


def test_unknown_parameter_is_a_clear_error(project):
    done = run_paper(project, "build", "-P", "no_such_thing=1", check=False)
    assert done.returncode != 0
    assert "no notebook has a parameter 'no_such_thing'" in done.stderr


def test_interrupted_build_keeps_the_previous_outputs_and_the_next_recovers(project):
    run_paper(project, "build")
    before = files_and_bytes(project / "_output")
    qmd = project / "paper" / "paper.qmd"
    qmd.write_text(qmd.read_text() + "\nA sentence added before the build is killed.\n")
    env = {**os.environ, "PAPER_ROOT": str(project)}
    proc = subprocess.Popen([sys.executable, "-m", "peerpaper.cli", "build", "--jobs", "1"], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    for line in proc.stdout:  # kill it once the paper's render (the longest step) has begun
        seen.append(line)
        if "... render paper" in line:
            break
    time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert files_and_bytes(project / "_output") == before, "".join(seen)
    done = run_paper(project, "build")
    assert "Built" in done.stdout
    assert b"A sentence added before the build is killed." in (project / "_output" / "paper.html").read_bytes()


def test_a_failing_step_leaves_outputs_intact(project):
    run_paper(project, "build")
    before = files_and_bytes(project / "_output")
    qmd = project / "paper" / "paper.qmd"
    qmd.write_text(qmd.read_text() + "\nThis value does not exist: {{< var no_such_value >}}.\n")
    done = run_paper(project, "build", check=False)
    assert done.returncode != 0
    assert "no_such_value" in done.stdout + done.stderr
    assert files_and_bytes(project / "_output") == before


def test_clean_removes_what_the_build_made_and_nothing_else(project):
    run_paper(project, "build")
    tracked = set(subprocess.run(["git", "ls-files"], cwd=project, capture_output=True, text=True).stdout.split())
    run_paper(project, "clean")
    for name in ("_build", "_output", "_variables.yml"):
        assert not (project / name).exists()
    left = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file() and ".git/" not in p.as_posix()}
    assert left == tracked


def test_tracked_data_folder_other_than_synthetic_is_refused(project):
    real = project / "data" / "study"
    real.mkdir()
    for f in (project / "data" / "synthetic").iterdir():
        (real / f.name).write_bytes(f.read_bytes())
    subprocess.run(["git", "add", "data/study"], cwd=project, check=True)
    done = run_paper(project, "build", "--data", "data/study", check=False)
    assert done.returncode != 0
    assert "data/study" in done.stderr


def test_parse_overrides_targets_one_notebook_or_all(project):
    nbs = build.notebooks.discover(project / "notebooks")
    with_window = [nb.stem for nb in nbs if "window" in build.notebooks.parameters(nb)]
    assert build.parse_overrides(["window=2"], nbs) == {stem: {"window": 2} for stem in with_window}
    assert build.parse_overrides(["04.base=5"], nbs) == {"04-saturation": {"base": 5}}
    for bad in ("oops", "data_dir=/elsewhere"):
        with pytest.raises(build.BuildError):
            build.parse_overrides([bad], nbs)


def real_copy(project: Path, dest: Path) -> Path:
    """The synthetic study relabelled as real data and kept outside the repository, as real data are."""
    shutil.copytree(project / "data" / "synthetic", dest)
    package = json.loads((dest / "datapackage.json").read_text())
    package["synthetic"] = False
    (dest / "datapackage.json").write_text(json.dumps(package, indent=2))
    return dest


def test_real_data_build_has_no_synthetic_notice(project, tmp_path):
    data = real_copy(project, tmp_path / "study")
    before = files_and_bytes(data)
    run_paper(project, "build", "--data", str(data))
    notice = "Synthetic data"
    for name in ("paper.html", "slides.html"):
        assert notice not in (project / "_output" / name).read_text(encoding="utf-8"), name
    assert yaml_values(project)["data_kind"] == "real"
    assert files_and_bytes(data) == before  # nothing written into the data folder


def test_an_identifier_reaching_an_output_fails_the_build_and_publishes_nothing(project, tmp_path):
    data = real_copy(project, tmp_path / "study")
    segments = data / "segments.csv"
    # an e-mail address in every participant's turn: whichever turns are quoted, one reaches the paper
    rows = segments.read_text(encoding="utf-8").splitlines()
    planted = [rows[0]] + [r.replace(',"', ',"Write to jo.bloggs@example.org. ', 1) if ",FAC-" not in r else r
                           for r in rows[1:]]
    segments.write_text("\n".join(planted) + "\n", encoding="utf-8")
    done = run_paper(project, "build", "--data", str(data), check=False)
    assert done.returncode != 0
    message = done.stdout + done.stderr
    assert "email" in message and "segment" in message
    assert "jo.bloggs@example.org" not in message  # never echoed in full
    assert not (project / "_output").exists()
    # caught before anything rendered, in the quotes the notebook wrote, every hit on a line of its own
    assert "FAILED scan artifacts 07-quotes" in message and "... render" not in message
    hits = [line for line in message.splitlines() if ": email j*** (21 chars)" in line]
    assert len(hits) > 1 and all("(segment G" in line for line in hits)


@pytest.mark.parametrize("pair, expected", [
    ("threshold=abc", "'threshold' expects a number (its default in 04-saturation.ipynb is 0.05)"),
    ("window=2.5", "'window' expects a whole number"),
    ("04.base=true", "'base' expects a whole number"),
    ("top_n=[1, 2]", "'top_n' expects a whole number"),
])
def test_a_parameter_of_the_wrong_type_is_one_line_naming_it_and_the_type(pair, expected):
    nbs = build.notebooks.discover(Path(__file__).resolve().parents[1] / "notebooks")
    with pytest.raises(build.BuildError) as caught:
        build.parse_overrides([pair], nbs)
    assert str(caught.value) == f"-P {pair}: {expected}" or str(caught.value).startswith(f"-P {pair}: {expected}")
    assert build.parse_overrides(["threshold=1"], nbs) == {"04-saturation": {"threshold": 1.0}}
    assert build.parse_overrides(["base_mode=7"], nbs) == {"04-saturation": {"base_mode": "7"}}


def test_every_published_file_went_through_the_scanner_byte_for_byte(built_project):
    """Walk `_output/`: each file's bytes are in a clean scan record made under the current rules."""
    plan = build.make_plan(root=built_project)
    published = sorted(p for p in (built_project / "_output").rglob("*") if p.is_file())
    assert published and build.unscanned(plan, published) == []  # (they are byte copies of the site)
    site_copies = [plan.site / p.relative_to(built_project / "_output") for p in published]
    assert [p.read_bytes() for p in site_copies] == [p.read_bytes() for p in published]
    assert build.unscanned(plan, site_copies) == []
    assert {p.name for p in published} >= {"manifest.json", "paper.html", "values.json"}


def test_the_manifest_names_data_by_role_and_publishes_nothing_of_the_roster_or_the_path(project, tmp_path):
    data = real_copy(project, tmp_path / "Kerry Blake study")  # a folder name that is a name
    (data / "Kerry Blake - consent form.pdf").write_bytes(b"%PDF-1.4 not really")
    (data / "roster.csv").write_text("name,kind\nKerry Blake,full name\n", encoding="utf-8")
    (data / "allowlist.csv").write_text("text,kind,reason\nexample.org,email,test inbox\n", encoding="utf-8")
    run_paper(project, "build", "--data", str(data))
    text = (project / "_output" / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    assert manifest["data"]["roles"] == ["codebook", "codings", "datapackage", "groups", "participants", "segments"]
    assert "kerry" not in text.casefold() and "consent" not in text.casefold() and str(tmp_path) not in text
    private = [build.manifest.sha256(data / n) for n in ("roster.csv", "allowlist.csv", "Kerry Blake - consent form.pdf")]
    private += [build.manifest.sha256(p) for p in data.iterdir()]  # no single data file's hash either
    assert not [d for d in private if d in text]
    for page in (project / "_output" / "notebooks").glob("*.html"):
        assert "kerry" not in page.read_text(encoding="utf-8").casefold(), page.name  # the data_dir parameter
