"""Disclosure control: one threshold k for the whole project, and an audit of every published number."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import pytest

from peerpaper import build, notebooks
from peerpaper.privacy.disclosure import DEFAULT_K, DisclosureError, project_k

REPO = Path(__file__).resolve().parents[1]


# ---- k, the project setting ------------------------------------------------------------------------------

def test_k_is_the_projects_setting_and_every_notebook_defaults_to_it():
    assert project_k(REPO) == DEFAULT_K == 5
    with_k = [nb for nb in notebooks.discover(REPO / "notebooks") if "k" in notebooks.parameters(nb)]
    assert {nb.stem for nb in with_k} >= {"01-sample", "02-themes"}
    for nb in with_k:  # run in Jupyter with its defaults, a notebook protects as the build does
        assert notebooks.parameters(nb)["k"] == project_k(REPO), nb.name


def small_project(tmp_path: Path, setting: str) -> Path:
    (tmp_path / "notebooks").mkdir()
    for nb in ("01-sample.ipynb", "02-themes.ipynb", "03-cooccurrence.ipynb", "07-quotes.ipynb"):
        (tmp_path / "notebooks" / nb).write_bytes((REPO / "notebooks" / nb).read_bytes())
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "synthetic").symlink_to(REPO / "data" / "synthetic")
    (tmp_path / "_quarto.yml").write_text("project:\n  type: default\n" + setting)
    return tmp_path


def test_the_build_passes_k_to_every_notebook_that_has_it(tmp_path):
    root = small_project(tmp_path, "disclosure:\n  k: 7\n")
    plan = build.make_plan(root=root)
    assert plan.k == 7
    for nb in plan.notebooks():  # a notebook gets k exactly when it declares it, and then the project's
        given = plan.params_for(nb)
        assert given.get("k") == (7 if "k" in notebooks.parameters(nb) else None), nb.stem
    declaring = [nb.stem for nb in plan.notebooks() if "k" in notebooks.parameters(nb)]
    assert declaring == ["01-sample", "02-themes", "03-cooccurrence"]  # quotes are no counts


def test_minus_p_k_overrides_it_for_every_notebook_and_only_as_a_whole(tmp_path):
    root = small_project(tmp_path, "disclosure:\n  k: 7\n")
    plan = build.make_plan(root=root, params=["k=10"])
    assert plan.k == 10 and {plan.params_for(nb).get("k") for nb in plan.notebooks()} == {10, None}
    with pytest.raises(build.BuildError, match=r"-P 02\.k=3: k is one setting for the whole project"):
        build.make_plan(root=root, params=["02.k=3"])
    for bad in ("k=abc", "k=2", "k=2.5", "k=true"):
        with pytest.raises(DisclosureError, match=rf"-P {bad}: k must be a whole number of at least 3"):
            build.make_plan(root=root, params=[bad])


@pytest.mark.parametrize("setting, message", [
    ("disclosure:\n  k: 1\n", r"disclosure\.k: k must be a whole number of at least 3 \(at 2, '<2' would say 1\), got 1"),
    ("disclosure:\n  k: five\n", "got 'five'"),
    ("disclosure: 5\n", "'disclosure' must be a mapping with a 'k' entry"),
    ("disclosure: [\n", "not valid YAML"),
])
def test_a_bad_setting_is_one_line_naming_the_file(tmp_path, setting, message):
    root = small_project(tmp_path, setting)
    with pytest.raises(DisclosureError, match=message) as caught:
        project_k(root)
    assert str(caught.value).startswith(str(root / "_quarto.yml")) and "\n" not in str(caught.value)


def test_without_a_setting_k_is_the_default(tmp_path):
    assert project_k(small_project(tmp_path, "")) == DEFAULT_K


# ---- the audit: each rule on a table that breaks it, and the same table made safe --------------------------

from peerpaper.privacy import Columns, Identifying, Share, audit_published, describe, protect  # noqa: E402
from peerpaper.privacy.audit import audit_table, audit_values  # noqa: E402
from peerpaper.study import load_study  # noqa: E402

CODES = Columns(labels=("Code",), counts={"Turns": "turns", "Participants": "participants", "Groups": "groups"},
                shares={"% of participants": Share("Participants", 36)}, nested=(("Groups", "Participants", "Turns"),))
SECTORS = Columns(labels=("theme", "sector"), counts={"raised": "participants", "people": "participants"},
                  shares={"share": Share("raised", "people")}, nested=(("raised", "people"),))
BY_SECTOR = Columns(labels=("sector",), counts={"participants": "participants"}, additive={"participants": "total"})


def table(**columns) -> pd.DataFrame:
    return pd.DataFrame({name: [str(v) for v in cells] for name, cells in columns.items()})


def rules(frame: pd.DataFrame, columns: Columns, k: int = 5, identifying: Identifying = Identifying()) -> list:
    return [(f.row, f.column, f.rule) for f in audit_table(frame, columns, k, identifying)]


def test_small_count_a_participant_count_below_k_is_shown():
    assert rules(table(Code=["a", "b"], Turns=[9, 9], Participants=[2, 7], Groups=[1, 3], **{"% of participants": ["–", "19%"]}),
                 CODES) == [(2, "Participants", "small-count")]
    assert rules(table(Code=["a"], Turns=[9], Participants=["<3"], Groups=["<5"], **{"% of participants": ["–"]}),
                 CODES) == [(2, "Participants", "small-count")]  # "<3" says more than "<5"


def test_small_count_a_share_gives_a_small_count_away():
    # the case: 20% of a 5-person sector is one person
    assert ("2", "share") in {(str(r), c) for r, c, rule in rules(
        table(theme=["x"], sector=["online"], raised=["<5"], people=[5], share=["20%"]), SECTORS) if rule != "derivable"}
    assert rules(table(theme=["x"], sector=["online"], raised=["<5"], people=[5], share=["–"]), SECTORS) == []


def test_small_base_a_share_of_fewer_than_k_people():
    found = rules(table(theme=["x"], sector=["online"], raised=[0], people=["<5"], share=["0%"]), SECTORS)
    assert (2, "share", "small-base") in found
    assert rules(table(theme=["x"], sector=["online"], raised=[0], people=["<5"], share=["–"]), SECTORS) == []


def test_derivable_from_the_other_columns_of_the_row():
    # the case: "Turns 1, Participants <3, Groups 1": one turn is one participant
    safe = {"% of participants": ["–"]}
    assert rules(table(Code=["a"], Turns=[1], Participants=["<5"], Groups=[1], **safe), CODES) == [(2, "Participants", "derivable")]
    assert rules(table(Code=["a"], Turns=[9], Participants=["<5"], Groups=[4], **safe), CODES) == [(2, "Participants", "derivable")]
    assert rules(table(Code=["a"], Turns=["<5"], Participants=["<5"], Groups=["<5"], **safe), CODES) == []
    assert rules(table(Code=["a"], Turns=[9], Participants=["<5"], Groups=[2], **safe), CODES) == []  # 2, 3 or 4


def test_derivable_from_a_share_beside_a_hidden_count():
    assert rules(table(Code=["a"], Turns=[9], Participants=["<5"], Groups=["<5"], **{"% of participants": ["8%"]}),
                 CODES) == [(2, "% of participants", "small-count"), (2, "Participants", "derivable")]  # 8% of 36 is 3
    no_base = Columns(labels=("Code",), counts={"Participants": "participants"}, shares={"%": Share("Participants")})
    assert rules(table(Code=["a"], Participants=["<5"], **{"%": ["8%"]}), no_base) == [(2, "%", "derivable")]


def test_derivable_from_a_total():
    assert rules(table(sector=["street", "indoor", "online", "total"], participants=["<5", 10, 12, 25]),
                 BY_SECTOR) == [(2, "participants", "derivable")]
    assert rules(table(sector=["street", "indoor", "online", "total"], participants=["<5", "[c]", 12, 25]), BY_SECTOR) == []
    public = Columns(labels=("sector",), counts={"participants": "participants"}, additive={"participants": 25})
    assert rules(table(sector=["street", "indoor", "online"], participants=["<5", 10, 12]), public) == [
        (2, "participants", "derivable")]


def test_hidden_cells_of_a_line_must_not_add_up_to_a_small_group():
    found = rules(table(sector=["street", "indoor", "online", "mixed", "total"], participants=["<5", "<5", 10, 12, 25]),
                  BY_SECTOR)
    assert found == [(2, "participants", "small-count")]  # street + indoor = 3 people


def test_inconsistent_marks_are_reported_not_trusted():
    assert rules(table(sector=["street", "indoor", "total"], participants=[8, "[c]", 10]), BY_SECTOR) == [
        (3, "participants", "inconsistent")]  # "[c]" is at least k, but 10 - 8 is 2


def synthetic_identifying() -> Identifying:
    return Identifying.of_study(load_study(REPO / "data" / "synthetic"))


def test_linkable_a_groups_attributes_beside_the_id_quotes_carry():
    groups = Columns(labels=("group", "month", "region"), counts={"participants": "participants"})
    found = rules(table(group=["G01", "G02"], month=["February 2024", "March 2024"], region=["London", "London"],
                        participants=[7, 7]), groups, identifying=synthetic_identifying())
    assert (2, "month", "linkable") in found and (2, "region", "linkable") in found
    assert (2, "region", "crossed") in found
    assert rules(table(group=["G01", "G02"], participants=[7, 7]), Columns(labels=("group",), counts={
        "participants": "participants"}), identifying=synthetic_identifying()) == []


def test_crossed_two_participant_attributes_in_one_row():
    crossed = Columns(labels=("role", "sector"), counts={"n": "participants"})
    found = rules(table(role=["organiser", "activist"], sector=["street", "indoor"], n=[7, 9]), crossed,
                  identifying=synthetic_identifying())
    assert found == [(2, "sector", "crossed")]
    one = Columns(labels=("sector",), counts={"n": "participants"})
    assert rules(table(sector=["street", "indoor"], n=[7, 9]), one, identifying=synthetic_identifying()) == []


def test_undescribed_a_table_or_figure_nobody_explained(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "figures").mkdir()
    pd.DataFrame({"sector": ["street"], "n": [7]}).to_csv(tmp_path / "tables" / "tbl-x.csv", index=False)
    (tmp_path / "figures" / "fig-y.svg").write_text("<svg/>")
    found = [(Path(f.file).name, f.rule) for f in audit_published([tmp_path], 5)]
    assert found == [("fig-y.svg", "undescribed"), ("tbl-x.csv", "undescribed")]
    (tmp_path / "tables" / "tbl-x.schema.json").write_text('{"fields": [{"name": "sector", "role": "label"}]}')
    assert "column 'n' must be described once" in str(audit_published([tmp_path], 5)[1])
    (tmp_path / "tables" / "tbl-x.schema.json").write_text(
        '{"fields": [{"name": "sector", "role": "label"}, {"name": "n", "role": "count", "unit": "participants"}]}')
    (tmp_path / "figures" / "fig-y.svg").unlink()
    assert audit_published([tmp_path], 5) == []


def test_values_for_the_prose_are_audited_like_a_table():
    leak = {"code_x_n_segments": "1", "code_x_n_speakers": "fewer than 5", "code_x_n_groups": "1", "n_participants": "36"}
    assert [(f.column, f.rule) for f in audit_values(leak, 5)] == [("code_x_n_speakers", "derivable")]
    safe = {**leak, "code_x_n_segments": "fewer than 5", "code_x_n_groups": "fewer than 5"}
    assert audit_values(safe, 5) == []
    assert [f.column for f in audit_values({"n_participants": "4", "participants_per_group_range": "3-7"}, 5)] == [
        "n_participants", "participants_per_group_range"]


# ---- protect: what the writers publish passes the audit, for any k ----------------------------------------------

@pytest.mark.parametrize("k", [3, 5, 10])
def test_protected_tables_pass_the_audit_for_any_k(k):
    import random

    rng = random.Random(k)
    for _ in range(40):
        n = rng.randint(1, 12)
        groups = [rng.randint(0, 6) for _ in range(n)]
        people = [g + rng.randint(0, 2 * k) if g else 0 for g in groups]
        turns = [p + rng.randint(0, 3 * k) if p else 0 for p in people]
        frame = pd.DataFrame({"Code": [f"c{i}" for i in range(n)], "Turns": turns, "Participants": people, "Groups": groups,
                              "%": [f"{round(100 * p / 40)}%" for p in people]})
        describe(frame, labels=["Code"], counts={"Turns": "turns", "Participants": "participants", "Groups": "groups"},
                 shares={"%": ("Participants", 40)}, nested=[("Groups", "Participants", "Turns")])
        shown = protect(frame, k)
        assert audit_table(shown.astype(str), shown.attrs["columns"], k) == [], shown
        sizes = [rng.choice([0, 1, 2, k - 1, k, k + 3, 3 * k]) for _ in range(4)]
        sectors = pd.DataFrame({"sector": ["a", "b", "c", "d", "total"], "participants": [*sizes, sum(sizes)]})
        describe(sectors, labels=["sector"], counts={"participants": "participants"}, additive={"participants": "total"})
        try:
            shown = protect(sectors, k)
        except PaperError as refusal:
            assert "cannot be protected" in str(refusal)
            continue
        assert audit_table(shown.astype(str), shown.attrs["columns"], k) == [], shown


from peerpaper.errors import PaperError  # noqa: E402


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    from peerpaper import synth

    root = tmp_path_factory.mktemp("sizes")
    return {n: load_study(synth.generate(root / f"groups-{n}", groups=n)) for n in (1, 600)}


@pytest.mark.slow
@pytest.mark.parametrize("k", [3, 5, 10])
@pytest.mark.parametrize("groups", [1, 600])
def test_every_published_table_of_a_tiny_and_a_large_study_passes_the_audit(studies, groups, k):
    """The tables and figure data the notebooks write, from the one-group and the 600-group studies that
    `paper synth --groups N` makes, protected as the writers protect them: the audit finds nothing."""
    from peerpaper.analysis import alignment, cooccurrence, sample, themes
    from peerpaper.policy import load_policy

    study = studies[groups]
    labels = study.codebook.set_index("code_id")["label"]
    policy = load_policy(REPO / "data" / "policy", study.codebook)
    talk, links = alignment.talk(study, policy), alignment.experience(study, policy, window=3, permutations=20)
    pairs = cooccurrence.top_pairs(study, 3, null=cooccurrence.chance(study, "code", 3, permutations=20))
    written = {
        "tbl-sample-groups": sample.groups_table(study),
        "tbl-sample-role": sample.attribute_counts(study, "role", sample.ROLE_ORDER),
        "tbl-sample-sector": sample.attribute_counts(study, "sector", sample.SECTOR_ORDER),
        "tbl-themes": themes.table(themes.prevalence(study), k),
        "tbl-codes": themes.table(themes.prevalence(study, "code"), k, labels),
        "fig-themes": themes.by_group(study),
        "fig-themes-sector": themes.by_sector(study, k),
        "fig-cooccurrence": cooccurrence.figure_data(pairs, labels),
        "fig-policy": alignment.figure_data(policy, talk, links, labels),
        "tbl-alignment": alignment.table(policy, talk, links, labels, k),
        "tbl-policy": alignment.law_table(policy),
    }
    identifying = Identifying.of_study(study)
    for name, frame in written.items():
        shown = protect(frame, k)
        assert audit_table(shown.astype(str), shown.attrs["columns"], k, identifying, name) == [], name
    values = themes.values(study, themes.prevalence(study), k) | sample.values(study, k) | alignment.values(
        study, policy, talk, links, k)
    assert audit_values(values, k) == []


@pytest.mark.slow
def test_the_committed_study_builds_into_outputs_that_pass_the_audit(built_project):
    """A real `paper build`: the audit step ran, and what it passed is what the issue showed leaking, masked."""
    build_dir, published = built_project / "_build", built_project / "_output" / "analysis"
    study = load_study(built_project / "data" / "synthetic")
    assert audit_published([build_dir], project_k(built_project), Identifying.of_study(study), root=built_project) == []
    figures = sorted(p.stem for p in (build_dir / "figures").glob("fig-*.md"))
    assert figures and all((published / "figures" / f"{name}.csv").is_file() for name in figures)
    assert all((published / "figures" / f"{name}.schema.json").is_file() for name in figures)
    assert audit_published([published], project_k(built_project), Identifying.of_study(study)) == []
    codes = pd.read_csv(published / "tables" / "tbl-codes.csv", dtype=str)
    people = pd.to_numeric(codes["Participants"], errors="coerce")
    assert not ((people > 0) & (people < 5)).any() and (codes.loc[people.isna(), "% of participants"] == "–").all()
    groups = pd.read_csv(published / "tables" / "tbl-sample-groups.csv", dtype=str)
    assert list(groups.columns) == ["group", "participants", "turns", "words"]  # no month, region or setting
    for name in ("fig-themes", "fig-themes-sector"):  # no small count of people, nor the turns that would pin one
        data = pd.read_csv(published / "figures" / f"{name}.csv", dtype=str)
        people = pd.to_numeric(data["participants"], errors="coerce")
        turns = pd.to_numeric(data["turns"], errors="coerce")
        assert not ((people > 0) & (people < 5)).any(), name
        assert not (people.isna() & (turns > 0) & (turns < 5)).any(), name
        assert (data.loc[turns.isna(), "share"] == "–").all(), name
        assert people.isna().any(), f"{name}: the committed study has small cells; none was masked"


@pytest.mark.slow
def test_a_build_whose_outputs_fail_the_audit_publishes_nothing_and_names_each_finding(project):
    """A notebook that writes a leaky table: the audit step fails before anything renders, every finding named."""
    import json as _json

    from conftest import run_paper

    path = project / "notebooks" / "01-sample.ipynb"
    book = _json.loads(path.read_text())
    book["cells"].append({"cell_type": "code", "execution_count": None, "id": "leak", "metadata": {}, "outputs": [],
                          "source": [
        "import pandas as pd\n",
        "from peerpaper import privacy\n",
        "leak = pd.DataFrame({'group': ['G01', 'G02'], 'region': ['London', 'London'], 'participants': [7, 7]})\n",
        "artifacts.write_table(privacy.describe(leak, labels=['group', 'region'], counts={'participants': 'participants'}),\n",
        "                      'leak', 'Groups and their regions.', out_dir, k=k)\n",
        "(Path(out_dir) / 'tables' / 'tbl-raw.csv').write_text('sector,n\\nonline,2\\n')\n"]})
    book["cells"][2]["source"] = ["from pathlib import Path\n", *book["cells"][2]["source"]]
    path.write_text(_json.dumps(book, indent=1))
    done = run_paper(project, "build", check=False)
    assert done.returncode != 0
    out = done.stdout + done.stderr
    assert "_build/tables/tbl-leak.csv:2: column 'region': linkable" in out
    assert "_build/tables/tbl-raw.csv: undescribed" in out
    assert "ok  render" not in out and not (project / "_output").exists()
