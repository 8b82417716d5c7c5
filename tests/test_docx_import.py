"""`paper import docx`: a co-author's Word review of the built paper.docx, back in paper/paper.qmd.

The reviews are written the way Word writes them (tests/docx_review.py: tracked runs split where an edit
starts and ends, rsid attributes, moves, comment ranges) on the DOCX of the session's complete build. Each
test works in a copy of that project, so `--apply` and the re-render never touch what other tests read.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from docx_review import Reviewer
from conftest import run_paper
from peerpaper import build
from peerpaper.docx_import import DocxError, import_docx
from peerpaper.manifest import source_date_epoch
from peerpaper.render import render

pytestmark = pytest.mark.slow
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


FROZEN = Path(__file__).parent / "fixtures" / "docx" / "paper.qmd"


@pytest.fixture(scope="module")
def review_base(built_project, tmp_path_factory) -> Path:
    """The built project with the frozen paper of tests/fixtures/docx in place of paper/paper.qmd, and its
    DOCX as the build makes it: an author's edits of the real paper never break these tests."""
    skip = shutil.ignore_patterns("executed", "nb", "site", "screenshots", "preview", ".git")
    base = Path(shutil.copytree(built_project, tmp_path_factory.mktemp("review") / "project", ignore=skip,
                                symlinks=True))
    (base / "paper" / "paper.qmd").write_bytes(FROZEN.read_bytes())
    out = render(base, base / "_build" / "review", formats=("docx",),
                 metadata=build.render_metadata(build.make_plan(root=base)))["paper.docx"]
    shutil.copyfile(out, base / "_output" / "paper.docx")
    return base


@pytest.fixture
def project(review_base, tmp_path) -> Path:
    """A copy of the review project for each test, so `--apply` and the re-render never touch the others."""
    return Path(shutil.copytree(review_base, tmp_path / "project", symlinks=True))


def reviewed(project: Path, edit, author: str = "A. Co-author") -> Path:
    reviewer = Reviewer(project / "_output" / "paper.docx", author=author)
    edit(reviewer)
    return reviewer.save(project.parent / "reviewed.docx")


def run_import(project: Path, docx: Path):
    plan = build.make_plan(root=project)
    return import_docx(docx, project, source_date_epoch(project), build.render_metadata(plan))


def paragraphs(docx: Path) -> list[str]:
    """Each paragraph's text with tracked changes accepted (insertions kept, deletions dropped)."""
    root = etree.fromstring(zipfile.ZipFile(docx).read("word/document.xml"))
    out = []
    for p in root.iter(W + "p"):
        text = "".join(t.text or "" for t in p.iter(W + "t")
                       if not any(a.tag in (W + "del", W + "moveFrom") for a in t.iterancestors()))
        out.append(" ".join(text.split()))
    return out


PROSE_EDITS = [
    ("insertion", lambda r: r.insert("The paper proceeds as follows.", "The paper proceeds as follows.",
                                     " A short sentence the co-author added."),
     "The paper proceeds as follows. A short sentence the co-author added. We first set out"),
    ("deletion across runs and a source line break",
     lambda r: r.delete("Sex work in England and Wales is governed", " dense web of restrictions. Selling and"),
     "than by a buying sexual services"),
    ("replacement inside italics", lambda r: r.replace("consultation Paying the Price", "Paying the Price",
                                                       "Paying the Cost"),
     "consultation Paying the Cost, published"),
    ("move within a paragraph", lambda r: r.move(
        "The analysis organised the coded talk", " Facilitators spoke in the groups but are not counted as participants.",
        "Data were collected through focus groups", "both be heard (Kitzinger, 1995)."),
     "(Kitzinger, 1995). Facilitators spoke in the groups but are not counted as participants."),
    ("move between paragraphs", lambda r: r.move(
        "This paper addresses that gap.", " It reports findings from a co-produced, small-scale qualitative study "
        "of peer-to-peer support for sex workers in England, based on focus groups with sex worker organisers "
        "and activists.", "The paper proceeds as follows.", "conclusions (Section\u00a05)."),
     "conclusions (Section 5). It reports findings from a co-produced"),
    ("new paragraph", lambda r: r.new_paragraph("The paper proceeds as follows.",
                                                "A new paragraph the co-author wrote in Word."),
     "A new paragraph the co-author wrote in Word."),
]


@pytest.mark.parametrize("name,edit,expected", PROSE_EDITS, ids=[p[0] for p in PROSE_EDITS])
def test_prose_changes_reach_paper_qmd_and_the_rebuilt_docx(project, tmp_path, name, edit, expected):
    docx = reviewed(project, edit)
    result = run_import(project, docx)
    assert not result.unplaced, [str(f) for f in result.unplaced]
    assert result.diff and all(f.applied for f in result.findings), [str(f) for f in result.findings]
    result.path.write_text(result.after, encoding="utf-8")  # what --apply does
    out = render(project, tmp_path / "rebuilt", formats=("docx",), metadata=build.render_metadata(
        build.make_plan(root=project)))["paper.docx"]
    rebuilt = paragraphs(out)
    assert any(expected in p for p in rebuilt), f"{expected!r} not in the rebuilt DOCX"
    # every paragraph the co-author left or changed reads the same once rebuilt
    assert [p for p in paragraphs(docx) if p] == [p for p in rebuilt if p]


def rename_speaker(r, name: str) -> None:
    """Give the first quotation's speaker another name in its "(speaker, group)" attribution."""
    for p in r.doc.iter(W + "p"):
        if found := re.search(r"\(([^(),]+), G\d+\)", r.text(p)):
            return r.replace(found.group(0), found.group(1), name)
    raise AssertionError("no quotation attribution in the DOCX")


PROTECTED = [
    ("a value", lambda r: r.replace("coded talk into 9 themes", "9", "10"), "value {{< var n_themes >}}",
     "into 10 themes"),
    ("a citation", lambda r: r.replace("quasi-criminalisation (Campbell", "2019", "2018"),
     "citation [@Campbell2019]", "(Campbell et al., 2018)"),
    ("a cross-reference", lambda r: r.replace("shows how prevalent each theme", "Figure\u00a01", "Figure\u00a03"),
     "cross-reference @fig-themes", "insertion by A. Co-author \"Figure 3\""),
    ("a figure caption", lambda r: r.insert("Figure\u00a01:", "Figure\u00a01:", " Theme counts."),
     "the figure fig-themes", "Theme counts"),
    ("a table cell", lambda r: r.replace("Value of peer spaces", "Value of peer spaces", "Worth of peer spaces"),
     "the table tbl-", "Worth of peer spaces"),
    ("a quotation", lambda r: rename_speaker(r, "Someone"), "the quotation q-value", "(Someone, G"),
    ("the bibliography", lambda r: r.replace("Armstrong, L. (2019)", "Stigma", "Shame"), "the bibliography",
     "Shame, decriminalisation"),
    ("the notice", lambda r: r.replace("Synthetic data: every finding", "Synthetic data", "Real data"),
     "notice", "Real data"),
]


@pytest.mark.parametrize("name,edit,why,wrote", PROTECTED, ids=[p[0] for p in PROTECTED])
def test_protected_content_is_reported_with_what_the_coauthor_wrote(project, name, edit, why, wrote):
    result = run_import(project, reviewed(project, edit))
    assert result.after == result.before, "protected content was applied"
    hits = [f for f in result.findings if f.message.startswith("protected") and why in f.message]
    assert hits, [str(f) for f in result.findings]
    assert wrote in hits[0].message and (hits[0].line or name == "the notice"), str(hits[0])  # the build adds it


def test_a_citation_typed_by_hand_is_reported_with_its_key(project):
    result = run_import(project, reviewed(project, lambda r: r.insert(
        "The paper proceeds as follows.", "The paper proceeds as follows.", " Peer support is old (Pitcher, 2015).")))
    assert result.after == result.before
    [finding] = result.findings
    assert "typed by hand" in finding.message and "[@Pitcher2015]" in finding.message


def test_comments_are_listed_with_the_line_they_anchor_to(project):
    result = run_import(project, reviewed(project, lambda r: r.comment(
        "The paper proceeds as follows.", "literature on peer support", "Add the 2023 review here?")))
    [comment] = result.comments
    line = next(n for n, text in enumerate(result.before.splitlines(), 1) if "the literature on peer support" in text)
    assert comment.line == line and "Add the 2023 review here?" in comment.message
    assert "literature on peer support" in comment.message and result.after == result.before


def test_formatting_changes_are_reported_not_applied(project):
    result = run_import(project, reviewed(project, lambda r: r.make_bold("Our argument has three steps.", "three")))
    assert result.after == result.before
    assert any("formatting change" in f.message for f in result.findings)


def test_an_unreviewed_docx_gives_no_diff_and_nothing_to_report(project):
    result = run_import(project, project / "_output" / "paper.docx")
    assert (result.diff, result.findings, result.comments) == ("", [], [])


def test_cli_prints_the_diff_and_applies_it(project):
    docx = reviewed(project, PROSE_EDITS[0][1])
    shown = run_paper(project, "import", "docx", str(docx))
    assert "+++ b/paper/paper.qmd" in shown.stdout and "A short sentence the co-author added." in shown.stdout
    qmd = project / "paper" / "paper.qmd"
    assert "A short sentence the co-author added." not in qmd.read_text()
    run_paper(project, "import", "docx", str(docx), "--apply")
    assert "The paper proceeds as follows. A short sentence the co-author added." in qmd.read_text()


def test_not_a_docx_is_one_line_and_a_non_zero_exit(project, tmp_path):
    bad = tmp_path / "paper.docx"
    bad.write_text("not a zip")
    with pytest.raises(DocxError, match=re.escape(str(bad))):
        run_import(project, bad)
    done = run_paper(project, "import", "docx", str(bad), check=False)
    assert done.returncode != 0 and len(done.stderr.strip().splitlines()) == 1


def libreoffice_python() -> str:
    """The system Python with LibreOffice's UNO bridge (Debian: libreoffice-writer-nogui, python3-uno)."""
    import readers

    readers.require_tool("soffice", "libreoffice-writer-nogui")
    import subprocess

    if subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True).returncode:
        pytest.skip("LibreOffice's Python bridge is missing: apt-get install python3-uno")
    return "/usr/bin/python3"


def test_a_review_recorded_by_libreoffice(project, tmp_path):
    """LibreOffice Writer itself (headless, track changes on) edits the build's DOCX and saves it as DOCX."""
    import subprocess

    reviewed_docx = tmp_path / "libreoffice.docx"
    script = Path(__file__).parent / "libreoffice_review.py"
    done = subprocess.run([libreoffice_python(), str(script), str(project / "_output" / "paper.docx"),
                           str(reviewed_docx)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and reviewed_docx.exists(), done.stderr
    result = run_import(project, reviewed_docx)
    assert not result.unplaced, [str(f) for f in result.unplaced]
    applied = [f for f in result.findings if f.applied]
    assert len(applied) == 3 and all("Lee Office" in f.message for f in applied), [str(f) for f in result.findings]
    [protected] = [f for f in result.findings if f.message.startswith("protected")]
    assert "value {{< var n_themes >}}" in protected.message and "into 10 themes" in protected.message
    result.path.write_text(result.after, encoding="utf-8")
    text = " ".join(result.after.split())
    assert "A sentence added in LibreOffice." in text and "small qualitative study" in text
    assert "dense web" not in text and "{{< var n_themes >}} themes" in text
    out = render(project, tmp_path / "rebuilt", formats=("docx",),
                 metadata=build.render_metadata(build.make_plan(root=project)))["paper.docx"]
    assert [p for p in paragraphs(reviewed_docx) if p and "into 10 themes" not in p] == \
        [p for p in paragraphs(out) if p and "into 9 themes" not in p]
