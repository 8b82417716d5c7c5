"""One look for every figure: a colour-blind-safe palette, sizes that read on a page and on a slide.

matplotlib because the figures are static and must be byte-identical from run
to run: the SVG hash salt is fixed here and `peerpaper.artifacts` saves with no date. The palette is
Okabe & Ito's (2008), distinguishable under the common colour-vision deficiencies; heatmaps use "cividis",
which is perceptually uniform and colour-blind safe.
"""

from __future__ import annotations

import textwrap
from itertools import combinations

import matplotlib
import matplotlib.pyplot as plt

#: Okabe-Ito, without black (kept for text) and yellow (too pale on white).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
SEQUENTIAL = "cividis"

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
}


# Applied on import: text sizes and colours are read when an artist is made, so a context manager
# around figure creation alone would leave later labels in the default style.
matplotlib.rcParams.update(STYLE)


def new_figure(height_in: float = 4.0, ncols: int = 1, **kwargs):
    """A figure of the fixed paper width; `height_in` chosen by the caller for its content."""
    return plt.subplots(1, ncols, figsize=(WIDTH_IN, height_in), layout="constrained", **kwargs)


def wrap_label(text, width: int = 28, lines: int = 2) -> str:
    """A long label on at most `lines` lines of `width` characters, cut with "…" if longer still."""
    return "\n".join(textwrap.wrap(str(text), width, max_lines=lines, placeholder=" …"))


def overlapping_labels(fig) -> list[tuple[str, str]]:
    """Pairs of tick labels whose drawn boxes intersect (on the same axis): what a reader cannot read."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    clashes = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
            boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels]
            for (a, box_a), (b, box_b) in combinations(boxes, 2):
                if box_a.overlaps(box_b):
                    clashes.append((a, b))
    return clashes
