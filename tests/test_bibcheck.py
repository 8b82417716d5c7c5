"""The citation checker: one crafted mistake per kind, at an exact file:line and level, and no false alarms
on correct prose or on the project's own paper."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from peerpaper import bibcheck
from peerpaper.errors import PaperError

FIXTURES = Path(__file__).parent / "fixtures" / "bib"
REPO = Path(__file__).resolve().parents[1]

# Every finding in tests/fixtures/bib/broken, and nothing else.
EXPECTED = [
    ("paper/_part.qmd:1", "warning", 'the prose names "Sandars" but Pitcher2015 is by Pitcher'),
    ("paper/paper.qmd:9", "warning", 'the prose names "Sandars and Campbell" but SandersCampbell2007 is by '
                                     "Sanders and Campbell"),
    ("paper/paper.qmd:10", "warning", 'the prose names "Sandars and Campbell"'),
    ("paper/paper.qmd:11", "warning", "the prose says 2015 but Grenfell2016 is dated 2016"),
    ("paper/paper.qmd:14", "warning", "p. 41 lies outside Pitcher2015's pages 113-123"),
    ("paper/paper.qmd:17", "warning", "the prose says 1956 but SOA2003 is dated 2003"),
    ("paper/paper.qmd:18", "error", "no entry Sandars2007 in the bibliography (did you mean SandersCampbell2007?)"),
    ("paper/slides.qmd:7", "error", "no entry Missing2099"),
    ("references.bib:26", "warning", "Grenfell2016: write the DOI bare, as 10.1136/bmj.i4459"),
    ("references.bib:29", "error", "duplicate key Pitcher2015 (first at line 12)"),
    ("references.bib:36", "error", "NoPublisher2009: @book needs publisher"),
    ("references.bib:47", "error", "BadDoi2019: doi 'doi 10/1177' is malformed"),
    ("references.bib:54", "error", "BadYear2005: year 'n.d.' is not a year"),
    ("references.bib:57", "warning", "SameDoi2007 has the same DOI as SandersCampbell2007 (line 3)"),
    ("references.bib:65", "warning", "SameTitle2016 has the same title and year as Grenfell2016 (line 21)"),
    ("references.bib:77", "warning", "UrlDisagrees2018: url points to DOI 10.1371/journal.pone.0225783 but doi is "
                                     "10.1371/journal.pmed.1002680"),
    ("references.bib:80", "warning", "NeverCited2020 is never cited"),
    ("references.bib:85", "error", "MissingComma2018: @book needs title"),
    ("references.bib:86", "error", "BibTeX syntax error: field author runs into the next line"),
    ("references.bib:98", "error", "BibTeX syntax error in the entry starting here: Unexpectedly reached end of file"),
]


@pytest.fixture(scope="module")
def broken() -> list[bibcheck.Message]:
    return bibcheck.check_project(FIXTURES / "broken")


@pytest.mark.parametrize("where, level, text", EXPECTED, ids=[e[0] + " " + e[2][:30] for e in EXPECTED])
def test_each_mistake_is_reported_at_its_line(broken, where, level, text):
    lines = [str(m) for m in broken]
    assert any(line.startswith(f"{where}: {level}: {text}") for line in lines), "\n".join(lines)


def test_nothing_else_is_reported(broken):
    assert [(f"{m.file}:{m.line}", m.level) for m in broken] == [(w, lvl) for w, lvl, _ in EXPECTED]


def test_every_message_says_what_to_do(broken):
    for message in broken:
        assert ": " in message.message and "\n" not in message.message, message


def test_correct_citations_in_every_form_raise_nothing():
    assert bibcheck.check_project(FIXTURES / "clean") == []


def test_the_projects_own_paper_and_bibliography_pass():
    """Runs on the real paper/*.qmd and references.bib: no errors and no warnings."""
    assert [str(m) for m in bibcheck.check_project(REPO)] == []


def test_the_bibliography_has_every_key_the_paper_needs():
    wanted = """Armstrong2019 SandersCampbell2007 Pitcher2015 Grenfell2016 CusickBerney2005 BraunClarke2006
        Kitzinger1995 GuestNameyChen2020 GuestNameyMcKenna2017 HenninkKaiser2022 Krippendorff2004 Tong2007 HAC2016
        HomeOffice2004 HomeOffice2006 Platt2018 SandersONeillPitcher2009 CarlineScoular2015 ScoularCarline2014
        Kerrigan2015 Argento2020 MacSmith2018 Gall2006 Bovaird2007 Campbell2019 Grenfell2023
        SOA1956 SOA2003 SOA1959 PCA2009 CJPA2001 MSA2015""".split()
    references: dict[str, bibcheck.Reference] = {}
    assert bibcheck._read_bibliography(REPO / "references.bib", REPO, references) == []
    assert sorted(references) == sorted(wanted)
    assert references["SandersCampbell2007"].families == ["Sanders", "Campbell"]
    assert references["CusickBerney2005"].year == "2005"
    assert "unchecked" in references["CusickBerney2005"].fields["annote"]


@pytest.mark.parametrize(
    "text, keys",
    [
        ("As shown [@a; @b, p. 3].", ["a", "b"]),
        ("[see @doe99, pp. 33-35; also @smith04, chap. 1]", ["doe99", "smith04"]),
        ("Doe [-@doe99] says", ["doe99"]),
        ("@doe99 says, and @doe99 [p. 4] adds.", ["doe99", "doe99"]),
        ("Ends a sentence @Doe_99.", ["Doe_99"]),
        ("A braced key [@{https://example.org/x?y=1}]", ["https://example.org/x?y=1"]),
        ("See @fig-x, @tbl-y, [@sec-z] and [-@eq-w].", []),
        ("Write to peer@example.org or @ alone.", []),
        ("A [link with @handle](https://example.org) is a link.", ["handle"]),
    ],
)
def test_citation_syntax(text, keys):
    assert [c.key for c in bibcheck.scan_citations(text, "x.qmd")] == keys


def test_locator_and_suppressed_author_are_read():
    (first, second) = bibcheck.scan_citations("Doe [-@a, p. 12; @b]", "x.qmd")
    assert (first.suppress_author, first.locator.strip(), first.before.strip()) == (True, ", p. 12", "Doe")
    assert (second.suppress_author, second.before) == (False, "")


def test_code_front_matter_comments_and_inline_code_are_not_prose(tmp_path):
    doc = tmp_path / "d.qmd"
    doc.write_text(
        "---\ntitle: '@Front'\nnocite: |\n  @Listed\n---\n"
        "```{python}\nx = '@Code'\n```\n"
        "<!-- @Comment -->\n"
        "Inline `@Inline` and a real one [@Real].\n",
        encoding="utf-8",
    )
    scanned = bibcheck.scan_document(doc, tmp_path)
    assert [(c.key, c.line) for c in scanned.citations] == [("Real", 10)]
    assert scanned.nocite == {"Listed"}


def test_includes_are_followed_and_reported_under_their_own_name(tmp_path):
    shutil.copytree(FIXTURES / "clean", tmp_path, dirs_exist_ok=True)
    (tmp_path / "paper" / "paper.qmd").write_text(
        (FIXTURES / "clean" / "paper" / "paper.qmd").read_text() + "\n{{< include sub/_x.qmd >}}\n"
        "{{< include ../_build/tables/tbl-not-built-yet.md >}}\n"
    )
    (tmp_path / "paper" / "sub").mkdir()
    (tmp_path / "paper" / "sub" / "_x.qmd").write_text("First line.\nCited [@Nowhere2001].\n")
    assert [str(m) for m in bibcheck.check_project(tmp_path)] == [
        "paper/sub/_x.qmd:2: error: no entry Nowhere2001 in the bibliography: add one or fix the key"
    ]


def test_render_list_in_quarto_yml_decides_what_is_read(tmp_path):
    shutil.copytree(FIXTURES / "clean", tmp_path, dirs_exist_ok=True)
    (tmp_path / "notes.qmd").write_text("Not rendered [@Nowhere2001].\n")
    (tmp_path / "_quarto.yml").write_text("project:\n  render: ['paper/*.qmd', '!paper/slides.qmd']\n")
    assert bibcheck.check_project(tmp_path) == []
    (tmp_path / "_quarto.yml").write_text("project:\n  render: ['paper/*.qmd', notes.qmd]\n")
    assert [m.file for m in bibcheck.check_project(tmp_path)] == ["notes.qmd"]


def test_a_missing_bibliography_is_an_error(tmp_path):
    (tmp_path / "paper").mkdir()
    (tmp_path / "paper" / "paper.qmd").write_text("Text [@a].\n")
    found = [str(m) for m in bibcheck.check_project(tmp_path)]
    assert found[0].startswith("paper/paper.qmd:1: error: no entry a in the bibliography")
    assert found[1].startswith("references.bib:1: error: bibliography file not found")


def test_dates_page_ranges_and_uncited_entries_with_nocite_star(tmp_path):
    (tmp_path / "references.bib").write_text(
        "@misc{a, title = {T}, date = {2016-13-01x}}\n"
        "@article{b, author = {Doe, J.}, title = {U}, journal = {J}, year = {2001}, pages = {1203--45}}\n"
    )
    (tmp_path / "paper").mkdir()
    (tmp_path / "paper" / "paper.qmd").write_text("---\nnocite: '@*'\n---\nIn [@b, p. 1240], [@b, p. 1250].\n")
    assert [str(m) for m in bibcheck.check_project(tmp_path)] == [
        "paper/paper.qmd:4: warning: p. 1250 lies outside b's pages 1203-1245: check the locator",
        "references.bib:1: error: a: date '2016-13-01x' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD",
    ]


def test_unreadable_sources_stop_with_one_line_naming_the_file(tmp_path):
    shutil.copytree(FIXTURES / "clean", tmp_path, dirs_exist_ok=True)
    (tmp_path / "paper" / "slides.qmd").write_bytes(b"Caf\xe9 [@SOA2003]\n")
    with pytest.raises(PaperError, match=r"^paper/slides.qmd: not UTF-8 text \(byte 3\)"):
        bibcheck.check_project(tmp_path)
    (tmp_path / "paper" / "slides.qmd").unlink()
    (tmp_path / "_quarto.yml").write_text("project:\n  render: [paper.qmd\n")
    with pytest.raises(PaperError, match=r"^_quarto.yml:3: not valid YAML"):
        bibcheck.check_project(tmp_path)


def test_folder_metadata_supplies_bibliography_and_nocite(tmp_path):
    """Quarto merges paper/_metadata.yml into each document there; so does the checker."""
    (tmp_path / "paper").mkdir()
    shutil.copy(FIXTURES / "clean" / "references.bib", tmp_path / "refs.bib")
    (tmp_path / "paper" / "_metadata.yml").write_text("bibliography: ../refs.bib\nnocite: '@Gall2006'\n")
    clean = (FIXTURES / "clean" / "paper" / "paper.qmd").read_text().split("---\n", 2)[2]
    (tmp_path / "paper" / "paper.qmd").write_text(clean)
    assert bibcheck.check_project(tmp_path) == []
    (tmp_path / "paper" / "_metadata.yml").write_text("bibliography: ../refs.bib\n")
    assert [m.message for m in bibcheck.check_project(tmp_path)] == [
        "Gall2006 is never cited: cite it, list it under nocite, or delete it"
    ]
