"""The hostile corpus (tests/hostile/): every attack through a real `paper build --data` on a project copy.

`literal` attacks of one family share one build (planted together, built once); each `refused` attack has a
build of its own. The HTML pages are also opened in Chromium, to see that no planted script runs.
"""

from __future__ import annotations

import pytest

import hostile
from conftest import copy_project, run_paper
from hostile import LITERAL, REFUSED
from hostile._outputs import forbidden_problems, literal_problems, live_markup_problems, refused_problems

pytestmark = pytest.mark.slow

ATTACKS = hostile.load_all()
LITERALS = sorted(n for n, a in ATTACKS.items() if a.expect == LITERAL)
REFUSALS = sorted(n for n, a in ATTACKS.items() if a.expect == REFUSED)


@pytest.fixture(scope="module")
def family_build(tmp_path_factory):
    """family -> (project, completed build, what each attack planted); each family built once, on demand."""
    built = {}

    def get(family: str):
        if family not in built:
            members = [a for a in ATTACKS.values() if a.family == family and a.expect == LITERAL]
            base = tmp_path_factory.mktemp(f"hostile-{family}")
            planted = hostile.derive(members, base / "data")
            project = copy_project(base / "project")
            done = run_paper(project, "build", "--data", str(base / "data"), check=False)
            built[family] = (project, done, planted)
        return built[family]

    return get


@pytest.fixture(scope="module")
def browser():
    from readers import chromium

    with chromium() as opened:
        yield opened


@pytest.mark.parametrize("name", LITERALS)
def test_literal_attack_is_published_as_text(name, family_build):
    project, done, planted = family_build(ATTACKS[name].family)
    assert done.returncode == 0, f"the {ATTACKS[name].family} build failed:\n{done.stdout[-2000:]}\n{done.stderr}"
    problems = literal_problems(project / "_output", planted, only=[name])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("family", sorted({ATTACKS[n].family for n in LITERALS}))
def test_no_file_is_included_and_no_markup_is_live(family, family_build, browser):
    from readers import open_offline

    project, done, _ = family_build(family)
    assert done.returncode == 0, done.stderr
    site = project / "_output"
    problems = forbidden_problems(site) + live_markup_problems(site)
    for page in sorted(site.rglob("*.html")):
        opened = open_offline(browser, page)
        try:
            ran = opened.page.evaluate("() => [window.__hostile === undefined, document.title]")
        finally:
            opened.close()
        if not ran[0] or "pwned" in ran[1]:
            problems.append(f"{page.relative_to(site)}: a planted script ran in the browser")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("family", sorted({ATTACKS[n].family for n in LITERALS}))
def test_published_numbers_pass_the_disclosure_audit(family, family_build):
    """Whatever a family plants, every table, figure's data and value it publishes hides each count below k
    and whatever would give one away (peerpaper.privacy.disclosure, read from `_output/` alone)."""
    from peerpaper.privacy import Identifying, audit_published, project_k
    from peerpaper.study import load_study

    project, done, _ = family_build(family)
    assert done.returncode == 0, done.stderr
    published = project / "_output" / "analysis"
    assert sorted(p.name for p in published.iterdir()) == ["figures", "tables", "values.json"]
    identifying = Identifying.of_study(load_study(project.parent / "data"))
    findings = audit_published([published], project_k(project), identifying)
    assert findings == [], "\n".join(map(str, findings))


@pytest.mark.parametrize("name", REFUSALS)
def test_refused_attack_publishes_nothing_and_echoes_nothing(name, tmp_path):
    planted = hostile.derive([ATTACKS[name]], tmp_path / "data")[name]
    project = copy_project(tmp_path / "project")
    done = run_paper(project, "build", "--data", str(tmp_path / "data"), check=False)
    problems = refused_problems(project, done, planted)
    assert not problems, "\n".join(problems) + f"\n--- stderr:\n{done.stderr[-1500:]}"


def test_the_corpus_is_generated_one_folder_per_attack(tmp_path):
    from hostile.make_corpus import make_corpus

    listing = make_corpus(tmp_path / "corpus")
    assert sorted(listing) == sorted(ATTACKS)
    for name, entry in listing.items():
        assert (tmp_path / "corpus" / name / "datapackage.json").is_file()
        assert entry["expect"] in (LITERAL, REFUSED) and entry["planted"], name
