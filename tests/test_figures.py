"""The deck's figures read from the back of a room: at the size a 1280x720 slide shows them (their figure size
fitted into slides.css's box for a figure), no text is under 16 px, none is cut off, and no two texts overlap."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from peerpaper.analysis import alignment, themes
from peerpaper.figures import SLIDE_SIZE_IN, new_figure, overlapping_labels, texts
from peerpaper.policy import load_policy
from peerpaper.render.project import documents, load_project
from peerpaper.study import load_study

REPO = Path(__file__).resolve().parents[1]
MIN_PX = 16  # smallest text that reads on a projected slide
SVG_PX_PER_IN = 96  # a browser shows an SVG's inches at CSS's 96 px


def figure_box_px() -> tuple[float, float]:
    """(max width, max height) in slide px that slides.css gives a figure's image."""
    css = re.sub(r"/\*.*?\*/", "", (REPO / "src/peerpaper/resources/slides.css").read_text(), flags=re.S)
    rule = next(body for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css) if "figure img" in selectors)
    width_pct = float(re.search(r"max-width:\s*([\d.]+)%", rule)[1])
    height_px = float(re.search(r"max-height:\s*([\d.]+)px", rule)[1])
    deck = next(d for d in documents(load_project(REPO)) if d.stem == "slides").for_format("revealjs").metadata
    return deck["width"] * width_pct / 100, height_px


def shown_px_per_pt(fig) -> float:
    """Slide px per point of the figure, as the browser shows it: natural size, shrunk to fit the box."""
    width_in, height_in = fig.get_size_inches()
    box_w, box_h = figure_box_px()
    px_per_in = min(SVG_PX_PER_IN, box_w / width_in, box_h / height_in)
    return px_per_in / 72


@pytest.fixture(scope="module")
def slide_figures():
    """Every slide figure, made from the synthetic study as the notebooks make them."""
    study = load_study(REPO / "data/synthetic")
    policy = load_policy(REPO / "data/policy", study.codebook)
    labels = study.codebook.set_index("code_id")["label"]
    talk, links = alignment.talk(study, policy), alignment.experience(study, policy, window=3, permutations=100)
    return {
        "fig-themes-slide": themes.figure(themes.by_group(study), labels, slide=True)[0],
        "fig-policy-slide": alignment.figure(policy, alignment.figure_data(policy, talk, links, labels), study.codebook,
                                             slide=True)[0],
    }


def test_the_deck_shows_only_slide_figures(slide_figures):
    shown = re.findall(r"figures/(fig-[\w-]+)\.md", (REPO / "paper/slides.qmd").read_text())
    assert shown and set(shown) <= set(slide_figures), f"not a checked slide figure: {set(shown) - set(slide_figures)}"


@pytest.mark.parametrize("name", ["fig-themes-slide", "fig-policy-slide"])
def test_slide_figure_text_reads_from_the_back_of_the_room(slide_figures, name):
    fig = slide_figures[name]
    assert tuple(fig.get_size_inches()) == pytest.approx(SLIDE_SIZE_IN)
    scale = shown_px_per_pt(fig)
    sizes = {(round(float(t.get_fontsize() * scale), 1), t.get_text()) for t in texts(fig)}
    small = sorted(size for size in sizes if size[0] < MIN_PX)
    assert not small, f"{name}: text under {MIN_PX} px on the slide: {small[:5]}"
    assert overlapping_labels(fig) == [], name
    inside = lambda box: fig.bbox.contains(*box.p0) and fig.bbox.contains(*box.p1)  # noqa: E731
    cut = [t.get_text() for t in texts(fig) if not inside(t.get_window_extent())]
    assert not cut, f"{name}: text cut off at the figure's edge: {cut}"


def test_paper_figures_would_be_unreadable_on_a_slide():
    """The check can fail: the paper's 9 pt tick labels on a 7-inch figure come out under 16 px on a slide."""
    fig, ax = new_figure()
    ax.set_yticks([0, 1], ["one", "two"])
    assert min(t.get_fontsize() for t in texts(fig)) * shown_px_per_pt(fig) < MIN_PX


def test_overlapping_labels_sees_any_two_texts_that_collide():
    fig, ax = new_figure()
    ax.set_xticks([0, 1], ["first", "second"])
    assert overlapping_labels(fig) == []
    ax.text(0, 0, "on top of the first tick", transform=ax.get_xaxis_transform(), va="top")
    ax.set_ylim(0, 1)
    assert [pair for pair in overlapping_labels(fig) if "on top of the first tick" in pair] == [
        ("on top of the first tick", "first")
    ]
