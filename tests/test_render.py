"""The built-in engine end to end on tests/fixtures/render-project: open every output and read it."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from peerpaper.errors import PaperError
from peerpaper.render import RenderError, inputs, render

FIXTURE = Path(__file__).parent / "fixtures" / "render-project"
EPOCH = "1756944000"  # 2025-09-04
NOTICE = "Synthetic data: every number and quotation"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return render(FIXTURE, tmp_path_factory.mktemp("out"))


@pytest.fixture
def project(tmp_path) -> Path:
    """A private copy of the fixture, free to break."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


def visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_every_output_is_made(outputs):
    assert sorted(outputs) == ["paper.docx", "paper.html", "paper.pdf", "slides.html", "slides.pptx"]
    assert all(p.stat().st_size > 1000 for p in outputs.values())
    assert not list(outputs["paper.html"].parent.glob(".*.tmp"))


def test_paper_html_reads_like_the_paper(outputs):
    page = re.sub(r"\s+", " ", outputs["paper.html"].read_text(encoding="utf-8").replace("&nbsp;", " "))
    text = visible(page)
    assert "<title>A Fixture Paper for the Renderer</title>" in page
    assert "Fixture University" in text and "Test Laboratory" in text
    assert "We held 12 focus groups with 71 participants." in text  # var inside the abstract
    assert "1 Introduction" in text and "2 Methods" in text and "2.1 Quotes" in text
    assert 'its title is “A Fixture Paper for the Renderer”' in text  # meta
    assert '<a href="#fig-demo" class="quarto-xref">Figure 1</a> shows' in page
    assert '<a href="#tbl-demo" class="quarto-xref">Table 1</a>' in page
    assert '<a href="#sec-intro" class="quarto-xref">Section 1</a>' in page
    assert "Figure 1: Turns per group in the fixture." in text
    assert "Table 1: Turns per group." in text
    assert "Braun and Clarke (2006)" in text and "(Kitzinger, 1995, p. 299)" in text
    assert "violence (2019)" in text  # [-@key] suppresses the author
    assert "Braun, V. and Clarke, V. (2006)" in text  # the reference list
    assert text.rindex("References") > text.index("It was the first place") > text.index("Table of contents")
    assert "<nav id=\"TOC\" class=\"toc-right\"" in page  # Quarto's default toc-location
    assert 'alt="Bar chart of turns per group' in page
    assert re.search(r'<img[^>]+src="data:image/svg\+xml', page)  # self-contained
    assert page.index(NOTICE) < page.index('<h1 class="title"')


def test_pdf_is_a4_with_notice_on_first_page(outputs):
    from pypdf import PdfReader

    pdf = PdfReader(outputs["paper.pdf"])
    first = pdf.pages[0].extract_text()
    text = "\n".join(p.extract_text() for p in pdf.pages).replace("\u00a0", " ")
    assert [round(float(v)) for v in pdf.pages[0].mediabox[2:]] == [595, 842]
    assert "A Fixture Paper for the Renderer" in first and NOTICE in first
    assert "1 Introduction" in text and "Figure 1 shows" in text and "Table 1 lists" in text
    assert "Figure 1: Turns per group" in text and "(Kitzinger, 1995, p. 299)" in text
    assert "Braun, V. and Clarke, V. (2006)" in text
    assert pdf.metadata["/CreationDate"].startswith("D:20250904")


def test_docx_has_styles_bookmarks_alt_text_and_notice_first(outputs):
    import docx

    document = docx.Document(str(outputs["paper.docx"]))
    paragraphs = document.paragraphs
    assert paragraphs[0].text.startswith(NOTICE) and paragraphs[0].style.name == "Synthetic Notice"
    assert paragraphs[1].style.name == "Title"
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert [h.split("\t")[-1] for h in headings] == ["Introduction", "Methods", "References"]
    xml = zipfile.ZipFile(outputs["paper.docx"]).read("word/document.xml").decode()
    for label in ("fig-demo", "tbl-demo", "sec-intro"):
        assert f'w:name="{label}"' in xml and f'w:anchor="{label}"' in xml
    assert 'descr="Bar chart of turns per group' in xml
    body = " ".join(p.text for p in paragraphs).replace("\u00a0", " ")
    assert "Figure 1 shows" in body and "Braun and Clarke (2006)" in body
    assert document.core_properties.created.strftime("%Y-%m-%d") == "2025-09-04"


def test_reveal_deck_is_one_offline_file_with_notes(outputs):
    page = outputs["slides.html"].read_text(encoding="utf-8")
    markup = re.sub(r"(<script\b[^>]*>).*?</script>", r"\1", page, flags=re.S)
    external = re.findall(r'<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)="(?!data:)([^"]+)"', markup)
    assert external == [] and markup.count("<script") >= 4
    assert not re.search(r"@import\s+url\(\s*['\"]?(?!data:)", page)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", page)
    assert "Reveal.initialize" in page and "RevealNotes" in page
    notes = re.findall(r'<aside class="notes">(.*?)</aside>', page, re.S)
    assert len(notes) == 2 and "stress that the data are synthetic" in notes[0]
    assert "Figure&nbsp;1" in notes[1]  # cross-references resolve inside notes too (a no-break space, as Quarto)
    title = re.search(r'<section id="title-slide".*?</section>', page, re.S).group(0)
    assert NOTICE in title and "Fixture University" in title
    assert 'data-notes="Title-slide note for the speaker."' in re.sub(r"\s+", " ", title)


def test_pptx_has_notes_alt_text_and_notice_on_title_slide(outputs):
    from pptx import Presentation

    deck = Presentation(str(outputs["slides.pptx"]))
    slides = list(deck.slides)
    title_text = " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert "A Fixture Deck" in title_text and NOTICE in title_text
    notes = [s.notes_slide.notes_text_frame.text for s in slides if s.has_notes_slide]
    assert notes[0] == "Title-slide note for the speaker."
    assert any("stress that the data are synthetic" in n for n in notes)
    alts = [p._element.nvPicPr.cNvPr.get("descr") for s in slides for p in s.shapes if p.shape_type == 13]
    assert alts == ["Bar chart of turns per group: three bars rising from 10 to 30."]
    assert deck.core_properties.created.strftime("%Y-%m-%d") == "2025-09-04"


def test_same_inputs_same_bytes(outputs, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    again = render(FIXTURE, tmp_path)
    for name, path in outputs.items():
        assert again[name].read_bytes() == path.read_bytes(), name


def test_no_notice_when_the_notice_is_empty(project, tmp_path):
    variables = project / "_variables.yml"
    variables.write_text(re.sub(r"synthetic_notice:.*", 'synthetic_notice: ""', variables.read_text()))
    out = render(project, tmp_path / "out")
    for path in out.values():
        if path.suffix in (".docx", ".pptx"):
            with zipfile.ZipFile(path) as z:
                assert not any(b"Synthetic data" in z.read(n) for n in z.namelist() if n.endswith(".xml"))
        elif path.suffix == ".pdf":
            from pypdf import PdfReader

            assert "Synthetic data" not in PdfReader(path).pages[0].extract_text()
        else:
            assert "Synthetic data" not in visible(path.read_text()) and 'class="synthetic-notice"' not in path.read_text()


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return _line_of(path, new.splitlines()[0] if new.strip() else old)


@pytest.mark.parametrize(
    "file, old, new, message",
    [
        ("paper/paper.qmd", "{{< var top_theme >}}", "{{< var no_such_value >}}", "undefined variable `no_such_value`"),
        ("paper/paper.qmd", "{{< meta title >}}", "{{< meta no_such_key >}}", "undefined metadata key `no_such_key`"),
        ("paper/paper.qmd", "@tbl-demo lists", "@tbl-nowhere lists", "unresolved cross-reference @tbl-nowhere"),
        ("paper/paper.qmd", "@BraunClarke2006 and", "@Nobody2020 and", "citation @Nobody2020 is not in references.bib"),
        ("paper/paper.qmd", "q-value.md >}}", "q-nowhere.md >}}", "included file not found"),
        ("paper/paper.qmd", "# Methods {#sec-methods}", "# Methods {#sec-intro}", "label `sec-intro` is defined twice"),
        ("paper/paper.qmd", "The most common theme", "The ??? theme", "unresolved marker '???'"),
        ("_build/quotes/q-value.md", "(Fixture-1, G01)", "(Fixture-1, {{< var nope >}})", "a generated include holds a shortcode"),
        ("_build/quotes/q-value.md", "(Fixture-1, G01)", "(Fixture-1, `#x`{=typst})", "would make a raw typst span"),
        ("_build/figures/fig-demo.md", "figures/fig-demo)", "figures/fig-gone)", "image not found"),
    ],
)
def test_unresolved_things_fail_naming_file_and_line(project, tmp_path, file, old, new, message):
    out = tmp_path / "out"
    out.mkdir()
    (out / "paper.html").write_text("previous output")
    line = _edit(project / file, old, new)
    with pytest.raises(RenderError) as caught:
        render(project, out, formats=("html", "pdf"))
    assert isinstance(caught.value, PaperError)
    assert str(caught.value).startswith(f"{(project / file).resolve()}:{line}: ")
    assert message in str(caught.value)
    assert (out / "paper.html").read_text() == "previous output"  # earlier outputs intact
    assert sorted(p.name for p in out.iterdir()) == ["paper.html"]  # and no temporaries left


def test_undefined_variable_in_front_matter_names_its_line(project, tmp_path):
    line = _edit(project / "paper/paper.qmd", "{{< var n_participants >}} participants.",
                 "{{< var n_missing >}} participants.")
    with pytest.raises(RenderError, match=rf"paper\.qmd:{line}: undefined variable `n_missing`"):
        render(project, tmp_path, formats=("html",))


def test_inputs_lists_everything_a_render_reads():
    found = {p.relative_to(FIXTURE.resolve()).as_posix() if FIXTURE.resolve() in p.parents else p.name
             for p in inputs(FIXTURE)}
    assert {"_quarto.yml", "_variables.yml", "paper/_metadata.yml", "paper/paper.qmd", "paper/slides.qmd",
            "_build/figures/fig-demo.md", "_build/figures/fig-demo.svg", "_build/figures/fig-demo.png",
            "_build/tables/tbl-demo.md", "_build/quotes/q-value.md", "references.bib",
            "harvard-cite-them-right.csl", "paper.typ", "reference.docx"} <= found


def test_quarto_engine_needs_quarto(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="quarto is not on PATH"):
        render(FIXTURE, tmp_path / "out", engine="quarto")


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(RenderError, match="unknown output format"):
        render(FIXTURE, tmp_path, formats=("epub",))


def test_a_failing_deck_leaves_no_paper_half_written(project, tmp_path):
    _edit(project / "paper/slides.qmd", "{{< var n_groups >}} focus groups", "{{< var gone >}} focus groups")
    out = tmp_path / "out"
    with pytest.raises(RenderError, match=r"slides\.qmd:\d+: undefined variable `gone`"):
        render(project, out)
    assert list(out.iterdir()) == []


def test_an_act_is_cited_by_its_short_title_alone(tmp_path):
    """Cite Them Right cites an Act of Parliament by its short title, which carries its year: never
    "(Sexual Offences Act 1956, 1956)" in the text, nor "Sexual Offences Act 1956 (1956)" in the list."""
    import subprocess

    from peerpaper.render.pandoc import executable
    from peerpaper.render.prepare import DEFAULT_CSL

    (tmp_path / "refs.bib").write_text("@legislation{SOA1956, title = {{Sexual Offences Act 1956}}, "
                                       "publisher = {UK Parliament}, year = {1956}}\n"
                                       "@book{Gall2006, author = {Gall, Gregor}, title = {Sex worker union "
                                       "organising}, publisher = {Palgrave Macmillan}, year = {2006}}\n")
    done = subprocess.run([executable(), "--citeproc", "--bibliography", "refs.bib", "--csl", str(DEFAULT_CSL),
                           "--to", "plain", "--wrap", "none"], input=b"Text [@SOA1956; @Gall2006].\n",
                          capture_output=True, cwd=tmp_path, check=True)
    text = done.stdout.decode()
    assert "(Sexual Offences Act 1956; Gall, 2006)" in text
    assert "Sexual Offences Act 1956. UK Parliament." in text and "Gall, G. (2006)" in text
