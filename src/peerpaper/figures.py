"""One look for every figure: a colour-blind-safe palette, sizes that read on a page and on a slide.

Two geometries: the paper's (7 inches wide, 9-10 pt text, read at arm's length) and the deck's
(`SLIDE_SIZE_IN`, 14-16 pt text, read from the back of a room). A slide figure is drawn at the size it is
shown, so a point on the figure is a point on the slide: a browser shows an SVG at 96 px per inch, and
slides.css caps a figure's image at the slide's width and the height left under the title.

matplotlib because the figures are static and must be byte-identical from run
to run: the SVG hash salt is fixed here and `peerpaper.artifacts` saves with no date. The palette is
Okabe & Ito's (2008), distinguishable under the common colour-vision deficiencies; heatmaps use "cividis",
which is perceptually uniform and colour-blind safe.
"""

from __future__ import annotations

import textwrap
from contextlib import contextmanager
from itertools import combinations

import matplotlib
import matplotlib.pyplot as plt

#: Okabe-Ito, without black (kept for text) and yellow (too pale on white).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
SEQUENTIAL = "cividis"
#: One colour per theme (nine): Okabe-Ito's seven, then two of Paul Tol's muted scheme, also colour-blind safe.
THEME_PALETTE = PALETTE[:6] + ["#B8A000", "#882255", "#44AA99"]


def theme_colour(theme_id, theme_ids) -> str:
    """The colour of a theme, by its place among the study's themes (grey for anything else)."""
    return THEME_PALETTE[list(theme_ids).index(theme_id) % len(THEME_PALETTE)] if theme_id in list(theme_ids) else "0.3"

#: 16:10-ish, the text width of an A4 paper; on a 16:9 slide it fills the content area.
WIDTH_IN = 7.0
PNG_DPI = 200

STYLE = {
    "svg.hashsalt": "peerpaper",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.grid": False,
    "figure.dpi": 100,
    "savefig.dpi": PNG_DPI,
    "image.cmap": SEQUENTIAL,
    "text.parse_math": False,  # labels are data: "$x^2$" in a code label is drawn as typed, not as maths
}


# Applied on import: text sizes and colours are read when an artist is made, so a context manager
# around figure creation alone would leave later labels in the default style.
matplotlib.rcParams.update(STYLE)


def new_figure(height_in: float = 4.0, ncols: int = 1, **kwargs):
    """A figure of the fixed paper width; `height_in` chosen by the caller for its content."""
    return plt.subplots(1, ncols, figsize=(WIDTH_IN, height_in), layout="constrained", **kwargs)


#: The box a figure gets on a 1280x720 slide under a title and above a caption and one line of text
#: (slides.css `.reveal figure img`): 1200 x 480 px, the figure's natural size at 96 px per inch.
SLIDE_SIZE_IN = (12.5, 5.2)

#: Text on a slide figure: 14 pt and up at the size it is shown (>= 18 px on a 1280x720 slide).
SLIDE_STYLE = {
    "font.size": 16,
    "axes.titlesize": 17,
    "axes.labelsize": 16,
    "xtick.labelsize": 15,
    "ytick.labelsize": 15,
    "legend.fontsize": 15,
}
SLIDE_ANNOTATION_PT = 15
SLIDE_WRAP = 34  # characters per line of a slide label: most themes on one line


@contextmanager
def geometry(slide: bool):
    """Paper or slide text sizes for every artist made inside (sizes are read when an artist is made)."""
    with matplotlib.rc_context(SLIDE_STYLE if slide else {}):
        yield


def new_slide_figure(**kwargs):
    """A figure the size of its box on a slide; build it inside `geometry(slide=True)`."""
    return plt.subplots(figsize=SLIDE_SIZE_IN, layout="constrained", **kwargs)


def wrap_label(text, width: int = 28, lines: int = 2) -> str:
    """A long label on at most `lines` lines of `width` characters, cut with "…" if longer still."""
    return "\n".join(textwrap.wrap(str(text), width, max_lines=lines, placeholder=" …"))


def texts(fig) -> list:
    """Every piece of text a reader sees: tick labels, axis labels, titles, annotations, legends, colour bars."""
    fig.canvas.draw()
    found = list(fig.texts)
    for ax in fig.axes:
        found += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        found += ax.xaxis.get_ticklabels(which="both") + ax.yaxis.get_ticklabels(which="both")
        found += ax.get_legend().get_texts() if ax.get_legend() else []
    for legend in fig.legends:
        found += legend.get_texts()
    return [t for t in found if t.get_visible() and t.get_text().strip()]


def overlapping_labels(fig) -> list[tuple[str, str]]:
    """Pairs of texts whose drawn boxes intersect: what a reader cannot read."""
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts(fig)]
    return [(a, b) for (a, box_a), (b, box_b) in combinations(boxes, 2) if box_a.overlaps(box_b)]
