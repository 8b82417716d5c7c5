"""A study in which the paper's claims are false gives a paper whose sentences say so.

The shipped synthetic study is edited, outside the repository, in three places where the paper has made
claims: pressure on organisers becomes the most raised theme (every coded turn also carries burnout), the
two coders agree on the dual-role code throughout the double-coded subset (so its alpha is reliable), and
talk of delegitimisation follows every funding turn (so the two themes co-occur above chance). The paper
built from it must then read differently in exactly those sentences: each governed sentence shows its
value, and the value is the one the edited data give.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from lxml import html

import readers
from conftest import copy_project, run_paper

pytestmark = pytest.mark.slow


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write(path: Path, table: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(table[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)


def contrary_study(source: Path, dest: Path) -> Path:
    """The synthetic study with the three claims of the module docstring made false (still synthetic)."""
    shutil.copytree(source, dest)
    codings = rows(dest / "codings.csv")
    first = [c for c in codings if c["coder_id"] == "C1"]
    coded = sorted({c["segment_id"] for c in first})
    themes = {r["code_id"]: r["parent_id"] for r in rows(dest / "codebook.csv")}
    # 1. burnout on every turn the first coder coded: the capacity theme is raised most
    have = {(c["segment_id"], c["code_id"], c["coder_id"]) for c in codings}
    codings += [{"segment_id": s, "code_id": "capacity_burnout", "coder_id": "C1"} for s in coded
                if (s, "capacity_burnout", "C1") not in have]
    # 2. both coders give the dual-role code to the same ten double-coded turns, and nowhere else there
    subset = sorted({r["segment_id"] for r in rows(dest / "double_coded.csv")})
    chosen = set(subset[::max(1, len(subset) // 10)][:10])
    codings = [c for c in codings if not (c["code_id"] == "capacity_dual_role" and c["segment_id"] in subset)]
    codings += [{"segment_id": s, "code_id": "capacity_dual_role", "coder_id": coder}
                for s in sorted(chosen) for coder in ("C1", "C2")]
    # 3. delegitimisation on every turn the first coder tied to funding
    funding = sorted({c["segment_id"] for c in first if themes.get(c["code_id"]) == "funding"})
    have = {(c["segment_id"], c["code_id"], c["coder_id"]) for c in codings}
    codings += [{"segment_id": s, "code_id": "deleg_informal", "coder_id": "C1"} for s in funding
                if (s, "deleg_informal", "C1") not in have]
    write(dest / "codings.csv", codings)
    return dest


@pytest.fixture(scope="module")
def site(request) -> Path:
    """The shipped study's build (the session's, or $PAPER_OUTPUTS)."""
    return readers.output_folder(request)


@pytest.fixture(scope="module")
def contrary(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("contrary")
    project = copy_project(root / "project")
    run_paper(project, "build", "--data", str(contrary_study(project / "data" / "synthetic", root / "study")))
    return project / "_output"


def values(site: Path) -> dict[str, str]:
    return json.loads((site / "analysis" / "values.json").read_text(encoding="utf-8"))


def section_text(site: Path, label: str) -> str:
    tree = html.parse(str(site / "paper.html")).getroot()
    found = tree.xpath(f"//section[@id='{label}']")
    assert found, f"no section {label} in {site / 'paper.html'}"
    return " ".join(found[0].text_content().replace("’", "'").split())


# (section, sentence pattern with {name} for a value): sentences whose claim the contrary study reverses
GOVERNED = [
    ("sec-capacity", "The theme as a whole was {theme_capacity_standing} ("),
    ("sec-capacity", "Agreement between coders on the last was {alpha_capacity_dual_role_reading} (alpha"),
    ("sec-deleg", "themes was {cooc_funding_deleg_jaccard}, which is {cooc_funding_deleg_reading} (chance"),
    ("sec-discussion", "the argument's last step, {theme_capacity_standing}."),
    ("sec-discussion", "within {cooc_window} turns of each other was {cooc_funding_deleg_reading},"),
    ("sec-conclusion", "pressure on organisers was {theme_capacity_standing};"),
]


def test_the_contrary_study_reverses_the_claims_it_was_made_to_reverse(site, contrary):
    shipped, edited = values(site), values(contrary)
    assert edited["theme_capacity_standing"] == "among the most raised" != shipped["theme_capacity_standing"]
    assert edited["alpha_capacity_dual_role_reading"] == "reliable" != shipped["alpha_capacity_dual_role_reading"]
    assert edited["cooc_funding_deleg_reading"] == "above chance" != shipped["cooc_funding_deleg_reading"]


@pytest.mark.parametrize("label, pattern", GOVERNED)
def test_each_governed_sentence_says_what_its_data_show(site, contrary, label, pattern):
    said = {}
    for name, built in (("shipped", site), ("contrary", contrary)):
        expected = pattern.format(**values(built))
        text = section_text(built, label)
        assert expected in text, f"{name} paper, {label}: expected {expected!r}"
        said[name] = expected
    assert said["shipped"] != said["contrary"], f"{label}: the sentence did not change with its value"


def test_the_deck_reads_the_same_values(site, contrary):
    for built in (site, contrary):
        deck = " ".join(html.parse(str(built / "slides.html")).getroot().text_content().replace("’", "'").split())
        v = values(built)
        assert f"in {v['theme_capacity_n_groups']} of {v['n_groups']} groups: {v['theme_capacity_standing']}" in deck
        assert f"Funding and delegitimisation together: {v['cooc_funding_deleg_reading']}" in deck
        assert re.search(rf"dual role {re.escape(v['alpha_capacity_dual_role_reading'])}\b", deck)
