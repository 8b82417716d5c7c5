"""The Quarto project as data: merge order, which formats a document gets, authors in Quarto's schema."""

from pathlib import Path

import pytest

from peerpaper.render.prepare import authors
from peerpaper.render.project import RenderError, documents, format_options, load_project

FIXTURE = Path(__file__).parent / "fixtures" / "render-project"


def test_directory_metadata_and_formats_merge_as_in_quarto():
    paper, slides = documents(load_project(FIXTURE))
    assert paper.formats == ["html", "pdf", "docx"]  # from _quarto.yml
    assert slides.formats == ["revealjs", "pptx"]  # the document names its own
    assert [a["name"] for a in paper.metadata["author"]] == ["Ada Example", "Ben Sample"]  # paper/_metadata.yml
    assert paper.metadata["number-sections"] is True and slides.metadata["number-sections"] is False
    assert format_options(paper.metadata, "html")["toc"] is True
    assert format_options(slides.metadata, "revealjs")["slide-level"] == 2


def test_authors_with_affiliations_by_value_and_by_reference():
    meta = {"author": [{"name": {"given": "Ada", "family": "Example"}, "affiliations": ["Uni"]},
                       {"name": "Ben", "affiliations": [{"ref": "lab"}]}, "Cy"],
            "affiliations": [{"id": "lab", "name": "Lab"}]}
    assert [str(a) for a in authors(meta, Path("x.qmd"))] == ["Ada Example, Uni", "Ben, Lab", "Cy"]


def test_bad_yaml_names_the_file_and_line(tmp_path):
    (tmp_path / "_quarto.yml").write_text("project:\n  render: [a.qmd\nformat: html\n")
    with pytest.raises(RenderError, match=r"_quarto\.yml:\d+: invalid YAML"):
        load_project(tmp_path)


def test_missing_document_is_named(tmp_path):
    (tmp_path / "_quarto.yml").write_text("project:\n  render: [nowhere.qmd]\n")
    with pytest.raises(RenderError, match="nowhere.qmd, which does not exist"):
        documents(load_project(tmp_path))
