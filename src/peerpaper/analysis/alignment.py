"""Where law and lived experience meet: coded participant talk bearing on each legal provision, by theme.

A turn bears on a provision when it carries a code that data/policy/provision_codes.csv maps to it. With
sparse 0/1 matrices (turns x codes X, codes x provisions P, codes x themes T), turns x provisions is
(X @ P) > 0, turns x themes is (X @ T) > 0, and their product counts turns per provision and theme. The
share in a cell is of the theme's coded turns: "of the talk about funding, how much bears on s.33A?".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..artifacts import fmt_int, fmt_pct
from ..figures import (SEQUENTIAL, SLIDE_ANNOTATION_PT, SLIDE_WRAP, geometry, new_figure, new_slide_figure,
                       wrap_label)
from . import code_rows, coded_talk, incidence, theme_rows

SLIDE_PROVISIONS = 4  # columns a slide can name legibly


def provision_label(provisions: pd.DataFrame) -> pd.Series:
    """provision_id -> "Sexual Offences Act 1956 s.33A (keeping a brothel)"."""
    p = provisions.set_index("provision_id")
    section = p["section"].fillna("").astype(str).str.strip()
    conduct = p["conduct"].fillna("").astype(str).str.strip()
    label = p["instrument"].astype(str).str.strip() + np.where(section != "", " " + section, "")
    return pd.Series(np.where(conduct != "", label + " (" + conduct + ")", label), index=p.index)


def bearing(study, provisions: pd.DataFrame, provision_codes: pd.DataFrame) -> dict:
    """Counts of coded participant turns: per provision x theme, per provision, per theme, any provision."""
    rows = coded_talk(study)
    ids = provisions["provision_id"]
    themes_ = theme_rows(study.codebook)["code_id"]
    X, turns, code_ids = incidence(rows, "segment_id", "code_id", items=code_rows(study.codebook)["code_id"])
    P, _, _ = incidence(provision_codes, "code_id", "provision_id", units=code_ids, items=ids)
    T, _, _ = incidence(rows, "code_id", "theme_id", units=code_ids, items=themes_)
    on_law = ((X @ P) > 0).astype(np.int32)
    in_theme = ((X @ T) > 0).astype(np.int32)
    any_law = np.asarray(on_law.sum(axis=1)).ravel() > 0
    return {
        "turns": len(turns),
        "by_provision_theme": pd.DataFrame((on_law.T @ in_theme).toarray(), index=ids, columns=themes_),
        "by_provision": pd.Series(np.asarray(on_law.sum(axis=0)).ravel(), index=ids),
        "by_theme": pd.Series(np.asarray(in_theme.sum(axis=0)).ravel(), index=themes_),
        "law_by_theme": pd.Series(np.asarray(in_theme[any_law].sum(axis=0)).ravel(), index=themes_),
        "any_provision": int(any_law.sum()),
    }


def shares(counts: dict) -> pd.DataFrame:
    """Provision x theme: share of the theme's coded turns that bear on the provision."""
    by_theme = counts["by_theme"].replace(0, np.nan)
    return (counts["by_provision_theme"] / by_theme).fillna(0.0)


def table(counts: dict, provisions: pd.DataFrame, theme_labels: pd.Series) -> pd.DataFrame:
    """One row per provision: kind, turns bearing on it, share of coded turns, the theme it meets most."""
    grid = shares(counts)
    labels = provision_label(provisions)
    p = provisions.set_index("provision_id")
    top = [grid.loc[i].idxmax() if grid.loc[i].max() > 0 else None for i in grid.index]
    return pd.DataFrame(
        {
            "Provision": labels.reindex(grid.index).values,
            "Kind": p["kind"].reindex(grid.index).values,
            "Turns bearing on it": counts["by_provision"].values,
            "% of coded turns": [fmt_pct(n / max(counts["turns"], 1)) for n in counts["by_provision"]],
            "Theme it meets most": [theme_labels.get(t, "–") if t else "–" for t in top],
        }
    )


def values(counts: dict, provisions: pd.DataFrame, theme_labels: pd.Series) -> dict[str, str]:
    """The 06-policy values of docs/VALUES.md."""
    by_provision = counts["by_provision"].sort_values(ascending=False, kind="stable")
    top = by_provision.index[0] if len(by_provision) else None
    law_by_theme = counts["law_by_theme"].sort_values(ascending=False, kind="stable")
    turns = max(counts["turns"], 1)
    return {
        "n_provisions": fmt_int(len(provisions)),
        "policy_top_provision": provision_label(provisions)[top] if top is not None else "n/a",
        "policy_top_provision_pct": fmt_pct(by_provision.iloc[0] / turns) if top is not None else "n/a",
        "policy_top_theme": theme_labels[law_by_theme.index[0]] if len(law_by_theme) else "n/a",
        "pct_segments_bearing_on_law": fmt_pct(counts["any_provision"] / turns),
    }


def short_label(provisions: pd.DataFrame) -> pd.Series:
    """provision_id -> "Keeping a brothel": what the provision is about, for a slide; the instrument if unsaid."""
    p = provisions.set_index("provision_id")
    conduct = p["conduct"].fillna("").astype(str).str.strip()
    said = conduct.str[:1].str.upper() + conduct.str[1:]
    return said.where(conduct != "", p["instrument"].astype(str).str.strip())


def figure(counts: dict, provisions: pd.DataFrame, theme_labels: pd.Series, slide: bool = False):
    """Heatmap provisions x themes, cells the % of the theme's coded turns bearing on the provision.

    `slide=True`: the deck's version, to be read from the back of a room: only the SLIDE_PROVISIONS
    provisions with the most talk, named by their conduct, themes as rows, "%" in the cells and no colour bar.
    """
    grid = shares(counts)
    if (counts["by_provision"] > 0).any():
        grid = grid[counts["by_provision"] > 0]
    if slide:
        most = counts["by_provision"].reindex(grid.index).sort_values(ascending=False, kind="stable")
        grid = grid.loc[most.index[:SLIDE_PROVISIONS]]
    values_ = 100 * grid.to_numpy(dtype=float)
    top = max(values_.max(), 1.0)
    themes_ = [theme_labels.get(t, t) for t in grid.columns]
    with geometry(slide):
        if slide:
            fig, ax = new_slide_figure()
            _heatmap(ax, values_.T, top, "{:.0f}%", SLIDE_ANNOTATION_PT)
            provisions_ = short_label(provisions)[grid.index]
            ax.set_xticks(range(len(grid)), [wrap_label(s, 19, lines=3) for s in provisions_])
            ax.set_yticks(range(len(themes_)), [wrap_label(t, SLIDE_WRAP) for t in themes_])
        else:
            fig, ax = new_figure(height_in=0.34 * len(grid) + 2.6)
            image = _heatmap(ax, values_, top, "{:.0f}", 8)
            ax.set_xticks(range(len(themes_)), [wrap_label(t, 30, lines=1) for t in themes_], rotation=90)
            rows = [wrap_label(s, 48) for s in provision_label(provisions).reindex(grid.index)]
            ax.set_yticks(range(len(rows)), rows, fontsize=7.5)
            fig.colorbar(image, ax=ax, label="% of the theme's coded turns", shrink=0.8)
    i, j = np.unravel_index(np.argmax(values_), values_.shape)
    shown = f"{len(grid)} legal provisions"
    shown = f"the {shown} with the most talk bearing on them" if slide else shown
    alt = (
        f"Heatmap of {shown} against {len(themes_)} themes: the share of each theme's coded "
        f"participant turns that bear on each provision. The strongest meeting point is "
        f"{provision_label(provisions)[grid.index[i]]} with {themes_[j]} ({values_[i, j]:.0f}% of that theme's turns)."
    )
    return fig, alt


def _heatmap(ax, values_, top: float, cell_format: str, cell_pt: float):
    """Cells coloured and labelled with their value (blank below 0.5), no frame; returns the image."""
    image = ax.imshow(values_, cmap=SEQUENTIAL, vmin=0, vmax=top, aspect="auto")
    for (i, j), v in np.ndenumerate(values_):
        if v >= 0.5:
            ax.text(j, i, cell_format.format(v), ha="center", va="center", fontsize=cell_pt,
                    color="white" if v < 0.55 * top else "black")
    ax.spines[:].set_visible(False)
    return image
