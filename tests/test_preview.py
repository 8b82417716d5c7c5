"""The preview's parts: reading in pieces and reusing citeproc give exactly what a plain render gives,
the server shows errors above the last good page and only to the address it listens on, and a change is
sent to the work it needs."""

from __future__ import annotations

import http.client
import json
import shutil
from pathlib import Path

import pytest

from conftest import conformance_documents
from peerpaper import build
from peerpaper.preview import Changes, classify, server
from peerpaper.preview.pages import Pages
from peerpaper.preview.reuse import Reuse, chunks
from peerpaper.render import pandoc
from peerpaper.render.prepare import prepare
from peerpaper.render.project import documents, load_project

FIXTURE = Path(__file__).parent / "fixtures" / "render-project"

# Markdown where reading section by section could go wrong; each must read exactly as one read does.
PIECES = {
    "plain": "# One\n\nText [@a; @b, p. 3].\n\n# Two\n\nMore @c says.\n\n## Two.one\n\nEnd [-@a].\n",
    "footnote across sections": "# A\n\nText.[^n]\n\n# B\n\n[^n]: The note.\n",
    "inline notes shift citation numbers": "# A\n\nX^[a note] [@a].\n\n# B\n\nY [@b].\n",
    "link defined later": "# A\n\nSee [the site][s].\n\n# B\n\n[s]: https://example.org\n",
    "same heading twice": "# Results\n\nA.\n\n# Results\n\nB.\n",
    "implicit header reference": "# Methods\n\nA.\n\n# Later\n\nAs in [Methods], and [see it][Methods].\n",
    "hash line in a code fence": "# A\n\n```\n\n# not a heading\n\n```\n\n# B\n\nx\n",
    "tilde fence holding backticks": "# A\n\n~~~~\n```\n\n# no\n\n```\n~~~~\n\n# B\n",
    "heading inside a div": "# A\n\n::: {.callout}\n\n# Inside\n\ntext\n\n:::\n\n# B\n",
    "nested divs": "# A\n\n:::: outer\n\n::: {.notes}\n\n# In\n\n:::\n\n# Still in\n\n::::\n\n# B\n",
    "comment over a heading": "# A\n\n<!--\n\n# hidden\n\n-->\n\n# B\n",
    "raw html block": "# A\n\n<div>\n\n# Inside html\n\n</div>\n\n# B\n",
    "example list": "# A\n\n(@) First.\n\n# B\n\n(@) Second, after (@).\n",
    "metadata block mid-text": "# A\n\nx\n\n---\ntitle: late\n---\n\n# B\n\ny\n",
    "hash after a paragraph line": "# A\n\ntext\n# not a heading without a blank line\n\n# B\n",
    "cross-reference at a line start": "# A {#sec-a}\n\nSee\n(@sec-a) and more.\n\n# B\n\nText [@a].\n",
    "brackets that are not references": "# A\n\nA cell [c] and [sic].\n\n# B\n\n[@a]\n",
}


@pytest.mark.parametrize("name", PIECES)
def test_reading_in_pieces_is_one_read(name, tmp_path):
    text = PIECES[name]
    reuse = Reuse()
    whole = pandoc.read_markdown(text, cwd=tmp_path, epoch=None, what=name)
    assert reuse.read_markdown(text, cwd=tmp_path, epoch=None, what=name) == whole
    edited = text.replace("# B", "# B\n\nAn added paragraph [@z].") if "# B" in text else text + "\nMore.\n"
    assert reuse.read_markdown(edited, cwd=tmp_path, epoch=None, what=name) == pandoc.read_markdown(
        edited, cwd=tmp_path, epoch=None, what=name)


def test_only_changed_pieces_are_read_again(tmp_path):
    text = "".join(f"# Part {i}\n\nParagraph {i} [@a].\n\n" for i in range(8))
    reuse = Reuse()
    reuse.read_markdown(text, cwd=tmp_path, epoch=None, what="x")
    assert reuse.stats["chunks_read"] == 8
    reuse.read_markdown(text.replace("Paragraph 5", "Paragraph five"), cwd=tmp_path, epoch=None, what="x")
    assert reuse.stats == {**reuse.stats, "chunks_read": 9, "whole_reads": 0}


def test_chunks_cut_only_at_top_level_headings():
    assert chunks("intro\n\n# A\n\ntext\n\n## A.1\n\n# B\n") == ["intro\n", "# A\n\ntext\n\n## A.1\n", "# B\n"]


@pytest.fixture
def fixture_project(tmp_path):
    return Path(shutil.copytree(FIXTURE, tmp_path / "project"))


def _prepared(project_root: Path, reuse=None):
    project = load_project(project_root)
    return [prepare(project, d, "1756994400", ["html"], reuse=reuse)["html"].ast for d in documents(project)
            if d.path.name == "paper.qmd"][0]


@pytest.mark.parametrize("edit", [
    ("", ""),  # the first render: everything read and cited
    ("\n# Added section\n\nA new paragraph of prose.\n", ""),  # prose only: citeproc reused
    ("\nA new citation [@Kitzinger1995].\n", ""),  # a new citation: citeproc runs again
])
def test_reuse_gives_what_a_plain_render_gives(fixture_project, edit):
    qmd = fixture_project / "paper" / "paper.qmd"
    reuse = Reuse()
    _prepared(fixture_project, reuse)  # warm: the edit below is the preview's second render
    qmd.write_text(qmd.read_text(encoding="utf-8") + edit[0], encoding="utf-8")
    assert _prepared(fixture_project, reuse) == _prepared(fixture_project)


def test_prose_edit_reuses_citeproc_and_a_new_citation_does_not(fixture_project):
    qmd = fixture_project / "paper" / "paper.qmd"
    reuse = Reuse()
    _prepared(fixture_project, reuse)
    qmd.write_text(qmd.read_text(encoding="utf-8") + "\nProse only.\n", encoding="utf-8")
    _prepared(fixture_project, reuse)
    assert (reuse.stats["citeproc_runs"], reuse.stats["citeproc_reused"]) == (1, 1)
    (fixture_project / "references.bib").write_text((fixture_project / "references.bib").read_text() + "\n")
    _prepared(fixture_project, reuse)
    assert reuse.stats["citeproc_runs"] == 2, "an edited bibliography must run citeproc again"


def test_fast_pages_are_the_builds_pages_byte_for_byte(built_project, tmp_path):
    plan = build.make_plan(root=built_project)
    pages = Pages(plan)
    pages.folder = tmp_path  # not the project's _build/preview: other tests share the built project
    for document in pages.documents():
        for attempt in range(2):  # cold, then with everything reused
            shown, errors = pages.render(document)
            assert not errors
            for name, body in shown.items():
                assert body == (built_project / "_output" / name).read_bytes(), f"{name} (render {attempt + 1})"


# --- the server ------------------------------------------------------------------------------------------

PAGE = b"<!DOCTYPE html><html><body class='x'><main><p>Last good text</p></main></body></html>"


def test_an_error_shows_above_the_last_good_page_escaped():
    state = server.State()
    state.update({"paper.html": PAGE})
    state.update(errors=["FAILED render paper: paper/paper.qmd:3: citation @<b>x</b> is not in references.bib"])
    page = state.page("paper.html").decode()
    assert page.index(server.ERROR_ID) < page.index("Last good text")
    assert "@&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert state.update(errors=[]) and server.ERROR_ID not in state.page("paper.html").decode()


def test_a_version_only_moves_when_something_changed():
    state = server.State()
    assert state.update({"paper.html": PAGE})
    assert not state.update({"paper.html": PAGE})
    assert state.version == 1


@pytest.fixture
def running():
    state = server.State()
    state.update({"paper.html": PAGE})
    srv = server.Server(state, "127.0.0.1", 0)
    srv.start()
    yield srv
    srv.stop()


def _get(srv, path, host=None):
    connection = http.client.HTTPConnection(srv.host, srv.port, timeout=5)
    connection.request("GET", path, headers={"Host": host or f"127.0.0.1:{srv.port}"})
    response = connection.getresponse()
    return response.status, response.read()


def test_server_serves_its_pages_and_nothing_from_the_disk(running):
    status, body = _get(running, "/paper.html")
    assert status == 200 and b"Last good text" in body and server.EVENTS.encode() in body
    for path in ("/../pyproject.toml", "/references.bib", "/_output/paper.html", "/paper.pdf"):
        assert _get(running, path)[0] == 404, path
    assert json.loads(_get(running, server.STATE)[1])["version"] == 1


def test_server_refuses_a_page_asked_for_under_another_name(running):
    assert _get(running, "/paper.html", host=f"evil.example:{running.port}")[0] == 403


def _events(srv):
    """(event, data) pairs from the server's event stream, as a tab's EventSource reads them."""
    connection = http.client.HTTPConnection(srv.host, srv.port, timeout=5)
    connection.request("GET", server.EVENTS, headers={"Host": f"127.0.0.1:{srv.port}"})
    stream, event = connection.getresponse(), None
    while True:
        line = stream.fp.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[len("event: "):]
        elif line.startswith("data: "):
            yield event, line[len("data: "):]


def test_a_tab_one_version_behind_gets_the_changed_section_and_any_other_reloads(running):
    state, events = running.state, _events(running)
    assert next(events) == ("version", "1")
    section = '<section id="sec-a"><p>New text</p></section>'
    assert state.update({"paper.html": PAGE.replace(b"Last good", b"New")}, [], ("paper.html", "sec-a", section))
    event, data = next(events)
    assert event == "patch" and json.loads(data) == {"from": 1, "to": 2, "page": "paper.html", "id": "sec-a",
                                                     "html": section}
    state.update({"paper.html": PAGE})  # no section given: the tab reloads
    assert next(events) == ("version", "3")
    assert state.update({"paper.html": PAGE + b" "}, ["FAILED render paper: x"], ("paper.html", "sec-a", section))
    assert state.patch is None, "a banner comes or goes: the tab reloads"
    state.update({"paper.html": PAGE, "slides.html": PAGE}, [], ("paper.html", "sec-a", section))
    assert state.patch is None, "two pages changed: a section of one cannot say it"


def test_the_served_script_patches_only_its_own_page():
    state = server.State()
    state.update({"paper.html": PAGE, "slides.html": PAGE})
    assert b'patch.page === "paper.html"' in state.page("paper.html")
    assert b'patch.page === "slides.html"' in state.page("slides.html")


# --- what a change asks for ---------------------------------------------------------------------------

def test_changes_go_to_the_work_they_need(built_project):
    plan = build.make_plan(root=built_project)
    paper = built_project / "paper" / "paper.qmd"
    sources = {paper, built_project / "paper" / "slides.qmd"}
    assert classify({paper}, plan, sources) == Changes(documents={paper})
    assert classify({built_project / "references.bib"}, plan, sources).everything
    assert classify({plan.data / "segments.csv"}, plan, sources).analysis
    assert classify({plan.notebook_dir / "02-themes.ipynb"}, plan, sources).analysis


def _prepare_or_error(root: Path, fmt: str, reuse=None):
    from peerpaper.errors import PaperError

    project = load_project(root)
    document = documents(project)[0]
    try:
        return prepare(project, document, "1756994400", [fmt], reuse=reuse)[fmt].ast
    except PaperError as err:
        return f"error: {err}"


@pytest.mark.slow
def test_reused_passes_give_a_plain_render_on_quartos_own_documents(tmp_path):
    """Every document of the conformance suite (callouts, floats, panels, conditional content, equations,
    tables, slides, refusals), in each of its formats: rendered with `Reuse` after an edit to one
    paragraph and after an edit that breaks nothing, exactly as a plain render (same AST, or same error)."""
    compared = 0
    for root, qmd, formats in conformance_documents(tmp_path):
        original = qmd.read_text(encoding="utf-8")
        for fmt in formats:
            reuse = Reuse()
            qmd.write_text(original, encoding="utf-8")
            assert _prepare_or_error(root, fmt, reuse) == _prepare_or_error(root, fmt), f"{case.name} [{fmt}] cold"
            for edited in (original + "\n\nA paragraph added at the end.\n",
                           original.replace("\n\n", "\n\nAn inserted sentence.\n\n", 1)):
                qmd.write_text(edited, encoding="utf-8")
                assert _prepare_or_error(root, fmt, reuse) == _prepare_or_error(root, fmt), f"{case.name} [{fmt}]"
                compared += 1
    assert compared > 100


def test_a_prose_edit_passes_only_the_blocks_it_changed(fixture_project):
    qmd = fixture_project / "paper" / "paper.qmd"
    reuse = Reuse()
    _prepared(fixture_project, reuse)
    before = reuse.stats["blocks_passed"]
    qmd.write_text(qmd.read_text(encoding="utf-8") + "\nOne new paragraph.\n", encoding="utf-8")
    _prepared(fixture_project, reuse)
    assert reuse.stats["blocks_passed"] - before == 3  # the new paragraph: filters, cross-references, lowering


def test_the_preview_names_the_error_a_plain_render_names_first(fixture_project):
    """Reusing block by block must not change which of two problems is reported."""
    qmd = fixture_project / "paper" / "paper.qmd"
    reuse = Reuse()
    _prepared(fixture_project, reuse)
    text = qmd.read_text(encoding="utf-8")
    qmd.write_text(text.replace("\n\n", "\n\n::: {.callout-bogus}\nx\n:::\n\n", 1)
                   + "\n::: {.column-margin}\nmargin\n:::\n\n[a span]{.content-visible when-format=\"nope\"}\n",
                   encoding="utf-8")
    from peerpaper.errors import PaperError

    with pytest.raises(PaperError) as plain:
        _prepared(fixture_project)
    with pytest.raises(PaperError) as reused:
        _prepared(fixture_project, reuse)
    assert str(reused.value) == str(plain.value)
