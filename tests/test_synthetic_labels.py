"""Synthetic wherever a result appears, and nowhere in a real-data build.

Two complete builds: the shipped synthetic study (the session build) and a copy of it relabelled
`synthetic: false` and kept outside the repository, as real data are. Each of the five outputs is read
as its reader would read it (HTML and its alt text; the PDF's pages; the DOCX's and PPTX's text, speaker
notes and picture descriptions). In the synthetic build every figure and results-table caption and every
alt text opens with the label, every results slide says so, and the Methods, Discussion, Limitations and
Conclusion carry their synthetic-only sentences; in the real build the word "synthetic" appears nowhere,
and the real-data sentences take their place.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree, html

import readers
from conftest import copy_project, run_paper
from peerpaper.artifacts import SYNTHETIC_LABEL
from test_build import real_copy

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
OUTPUTS = ("paper.html", "paper.pdf", "paper.docx", "slides.html", "slides.pptx")
# sentences only one kind of build may say (paper.qmd's conditional content)
SYNTHETIC_ONLY = ["describe the synthetic study that the repository ships",
                  "What a synthetic build can and cannot show",
                  "The data of this build are synthetic, so this section discusses the study's design",
                  "In this synthetic build the conclusion states the argument"]
REAL_ONLY = ["The study held", "[Authors to supply: how the themes and codes were derived"]


@pytest.fixture(scope="module")
def synthetic(request) -> Path:
    return readers.output_folder(request)


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("real")
    project = copy_project(root / "project")
    run_paper(project, "build", "--data", str(real_copy(project, root / "study")))
    return project / "_output"


# --- reading each output -----------------------------------------------------------------------------------

def flat(text: str) -> str:
    return " ".join(re.sub(r"-\n(?=\w)", "", text).replace("’", "'").split())


def html_text(path: Path) -> str:
    """What a reader and a screen reader get: the text (speaker notes too) and every alt text."""
    tree = html.parse(str(path)).getroot()
    for junk in tree.iter("script", "style"):
        junk.getparent().remove(junk)
    return flat(tree.text_content() + " " + " ".join(tree.xpath("//img/@alt")))


def pdf_text(path: Path) -> str:
    tool = readers.require_tool("pdftotext", "poppler-utils")
    return flat(readers._run(tool, str(path), "-").stdout)


def ooxml_text(path: Path) -> str:
    """Every text run and picture description in a DOCX or PPTX (slides, notes, document, captions)."""
    parts = []
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if re.match(r"(word|ppt)/(document|slides/slide\d+|notesSlides/notesSlide\d+)\.xml$", name):
                root = etree.fromstring(archive.read(name))
                parts += [" ".join(p.itertext()) for p in root.iter("{*}p")]
                parts += [d for d in root.xpath("//@descr")]
    return flat(" ".join(parts))


def text_of(folder: Path, name: str) -> str:
    path = folder / name
    return {".html": html_text, ".pdf": pdf_text}.get(path.suffix, ooxml_text)(path)


def result_tables() -> list[bool]:
    """For each table of the paper in order, whether a notebook made it (a result) or the prose did."""
    source = (REPO / "paper" / "paper.qmd").read_text(encoding="utf-8")
    found = re.finditer(r"\{\{<\s*include\s+\S*/tables/tbl-[\w-]+\.md\s*>\}\}|\{#tbl-[\w-]+\}", source)
    return [m.group(0).startswith("{{<") for m in found]


# --- the synthetic build ------------------------------------------------------------------------------------

def test_every_figure_and_results_table_caption_and_alt_text_says_synthetic(synthetic):
    tree = html.parse(str(synthetic / "paper.html")).getroot()
    figures = tree.xpath("//*[starts-with(@id,'fig-') and contains(@class,'quarto-float')]")  # Quarto's float div
    assert figures
    for figure in figures:
        caption = flat(figure.xpath("string(.//figcaption)"))
        assert re.match(rf"Figure \d+: {re.escape(SYNTHETIC_LABEL)}", caption), caption[:80]
        assert all(alt.startswith(SYNTHETIC_LABEL) for alt in figure.xpath(".//img/@alt")), figure.get("id")
    captions = [flat(t.xpath("string(.//figcaption)"))
                for t in tree.xpath("//*[starts-with(@id,'tbl-') and contains(@class,'quarto-float')]")]
    assert len(captions) == len(result_tables())
    for caption, is_result in zip(captions, result_tables()):
        assert (SYNTHETIC_LABEL in caption) == is_result, caption[:80]


@pytest.mark.parametrize("name", ["paper.pdf", "paper.docx"])
def test_the_pdf_and_docx_label_every_figure_and_results_table_too(synthetic, name):
    text = text_of(synthetic, name)
    figures = re.findall(r"Figure (\d+): (.{40})", text)
    tables = dict(re.findall(r"Table (\d+): (.{40})", text))
    assert figures and len(tables) == len(result_tables())
    assert all(caption.startswith(SYNTHETIC_LABEL[:40]) for _, caption in figures), figures
    for number, is_result in enumerate(result_tables(), start=1):
        assert tables[str(number)].startswith(SYNTHETIC_LABEL[:40]) == is_result, (number, tables[str(number)])
    if name == "paper.docx":
        with zipfile.ZipFile(synthetic / name) as archive:
            # wp:docPr carries the alt text Word shows (pandoc puts the file name in pic:cNvPr)
            described = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', archive.read("word/document.xml").decode("utf-8"))
        assert described and all(d.startswith(SYNTHETIC_LABEL) for d in described)


@pytest.mark.parametrize("name", ["paper.html", "paper.pdf", "paper.docx"])
def test_methods_discussion_limitations_and_conclusion_say_the_design_is_synthetic(synthetic, name):
    text = text_of(synthetic, name)
    missing = [s for s in SYNTHETIC_ONLY if s not in text]
    assert not missing, missing
    assert not [s for s in REAL_ONLY if s in text]


def _slides_html(folder: Path) -> list[tuple[str, str, bool]]:
    """(title, text, shows a result) for each slide of the reveal.js deck; notes left out."""
    tree = html.parse(str(folder / "slides.html")).getroot()
    out = []
    for section in tree.xpath("//div[contains(@class,'slides')]//section"):
        for aside in section.xpath(".//aside"):
            aside.getparent().remove(aside)
        text = flat(section.text_content() + " " + " ".join(section.xpath(".//img/@alt")))
        result = bool(section.xpath(".//img | .//blockquote")) or "participants" in text
        out.append((flat(section.xpath("string(.//h1|.//h2)")), text, result))
    return out


def _slides_pptx(folder: Path) -> list[tuple[str, str, bool]]:
    import pptx

    out = []
    for slide in pptx.Presentation(folder / "slides.pptx").slides:
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        pictures = [shape for shape in slide.shapes if shape.shape_type == 13]
        descr = [p._element.nvPicPr.cNvPr.get("descr", "") for p in pictures]
        text = flat(" ".join(texts + descr))
        title = flat(slide.shapes.title.text_frame.text) if slide.shapes.title is not None else ""
        out.append((title, text, bool(pictures) or "participants" in text or "(" in text and "G0" in text))
    return out


@pytest.mark.parametrize("read", [_slides_html, _slides_pptx], ids=["slides.html", "slides.pptx"])
def test_every_results_slide_says_synthetic(synthetic, read):
    slides = read(synthetic)
    results = [(title, text) for title, text, result in slides if result]
    assert len(results) >= 10, [t for t, _ in results]
    unlabelled = [title for title, text in results if "Synthetic data" not in text]
    assert not unlabelled, unlabelled
    assert "Synthetic data" in slides[0][1]  # the title slide's notice


# --- the real-data build ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", OUTPUTS)
def test_a_real_data_build_never_says_synthetic(real, name):
    text = text_of(real, name)
    hits = [text[max(0, m.start() - 60): m.end() + 60] for m in re.finditer("synthetic", text, re.I)]
    assert not hits, hits[:5]


@pytest.mark.parametrize("name", ["paper.html", "paper.pdf", "paper.docx"])
def test_a_real_data_build_says_the_real_data_sentences_instead(real, name):
    text = text_of(real, name)
    assert all(s in text for s in REAL_ONLY), [s for s in REAL_ONLY if s not in text]
