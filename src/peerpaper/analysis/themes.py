"""How prevalent each theme and code is: by participant turns, by participants who raised it, by groups.

Three denominators because each answers a different question: turns measure how much talk a theme took,
participants how widely it was shared, groups whether it recurs across settings. Counting uses
`analysis.coded_talk` (participant turns, first coder); shares are of coded participant turns, of all
participants, and of all groups.
"""

from __future__ import annotations

import math
import numpy as np
import pandas as pd

from ..artifacts import fmt_count, fmt_int, fmt_pct
from ..figures import PALETTE, SEQUENTIAL, SLIDE_WRAP, geometry, new_figure, new_slide_figure, wrap_label
from . import code_rows, coded_talk, participants_only, theme_of, theme_rows

MASK = "–"  # shown instead of a percentage whose count is masked


def prevalence(study, level: str = "theme") -> pd.DataFrame:
    """One row per theme (level="theme") or code ("code"), codebook order, zero rows kept.

    Columns: id, label, theme_id, n_segments, pct_segments, n_speakers, pct_speakers, n_groups, pct_groups
    (pct_* are shares 0..1).
    """
    rows = coded_talk(study)
    key = {"theme": "theme_id", "code": "code_id"}[level]
    book = theme_rows(study.codebook) if level == "theme" else code_rows(study.codebook)
    ids = book["code_id"].tolist()
    by = rows.groupby(key)
    table = pd.DataFrame(
        {
            "id": ids,
            "label": book["label"].tolist(),
            "theme_id": theme_of(study.codebook).reindex(ids).tolist(),
            "n_segments": by["segment_id"].nunique().reindex(ids).fillna(0).astype(int).values,
            "n_speakers": by["speaker_id"].nunique().reindex(ids).fillna(0).astype(int).values,
            "n_groups": by["group_id"].nunique().reindex(ids).fillna(0).astype(int).values,
        }
    )
    table["pct_segments"] = table["n_segments"] / max(rows["segment_id"].nunique(), 1)
    table["pct_speakers"] = table["n_speakers"] / max(len(participants_only(study.participants)), 1)
    table["pct_groups"] = table["n_groups"] / max(len(study.groups), 1)
    return table[["id", "label", "theme_id", "n_segments", "pct_segments", "n_speakers", "pct_speakers", "n_groups", "pct_groups"]]


def by_sector(study, k: int = 3) -> pd.DataFrame:
    """Themes x sectors: the share of each sector's participants who raised the theme.

    Sectors with fewer than k participants are left out: a share of one or two people identifies them.
    """
    people = participants_only(study.participants)
    sector_of = people.set_index("participant_id")["sector"]
    size = people["sector"].value_counts()
    shown = [s for s in ["street", "indoor", "online", "mixed", *sorted(size.index)] if size.get(s, 0) >= k]
    shown = list(dict.fromkeys(shown))
    raised = coded_talk(study)[["theme_id", "speaker_id"]].drop_duplicates()
    raised["sector"] = raised["speaker_id"].map(sector_of)
    counts = raised.groupby(["theme_id", "sector"]).size().unstack(fill_value=0)
    ids = theme_rows(study.codebook)["code_id"]
    counts = counts.reindex(index=ids, columns=shown, fill_value=0)
    return counts / size.reindex(shown).values


def table(prev: pd.DataFrame, k: int, theme_labels: pd.Series | None = None) -> pd.DataFrame:
    """The printed table (codes get a Theme column when `theme_labels` is given).

    A percentage beside a masked participant count would reveal it, so it is masked too.
    """
    masked = (prev["n_speakers"] > 0) & (prev["n_speakers"] < k)
    out = pd.DataFrame(
        {
            "Code" if theme_labels is not None else "Theme": prev["label"].values,
            "Turns": prev["n_segments"].values,
            "% of coded turns": [fmt_pct(x) for x in prev["pct_segments"]],
            "Participants": prev["n_speakers"].values,
            "% of participants": [MASK if m else fmt_pct(x) for x, m in zip(prev["pct_speakers"], masked)],
            "Groups": prev["n_groups"].values,
        }
    )
    if theme_labels is not None:
        out.insert(0, "Theme", theme_labels.reindex(prev["theme_id"]).values)
    return out


def values(study, prev: pd.DataFrame, k: int) -> dict[str, str]:
    """The 02-themes values of docs/VALUES.md."""
    rows = coded_talk(study)
    people = participants_only(study.participants)
    turns = study.segments["speaker_id"].isin(people["participant_id"]).sum()
    out = {
        "n_themes": fmt_int(len(theme_rows(study.codebook))),
        "n_codes": fmt_int(len(code_rows(study.codebook))),
        "n_coded_segments": fmt_int(rows["segment_id"].nunique()),
        "pct_coded_segments": fmt_pct(rows["segment_id"].nunique() / max(turns, 1)),
    }
    for r in prev.itertuples():
        masked = 0 < r.n_speakers < k
        out[f"theme_{r.id}_pct_segments"] = fmt_pct(r.pct_segments)
        out[f"theme_{r.id}_n_speakers"] = fmt_count(r.n_speakers, k)
        out[f"theme_{r.id}_pct_speakers"] = f"under {math.ceil(100 * k / max(len(people), 1))}%" if masked else fmt_pct(r.pct_speakers)
        out[f"theme_{r.id}_n_groups"] = fmt_int(r.n_groups)
    top = prev.sort_values("n_segments", ascending=False, kind="stable").iloc[0]
    out["top_theme"] = top["label"]
    out["top_theme_pct_segments"] = fmt_pct(top["pct_segments"])
    return out


def _wrap(labels, width: int = 26) -> list[str]:
    return [wrap_label(label, width, lines=3) for label in labels]


def figure(prev: pd.DataFrame, slide: bool = False):
    """Grouped horizontal bars, themes sorted by share of turns: the three prevalences side by side.

    `slide=True`: the deck's version, slide-sized with large text, the legend beside the bars and "%" on
    the ticks instead of an axis title, so nine themes fit on one slide.
    """
    data = prev.sort_values("pct_segments", kind="stable")
    with geometry(slide):
        fig, ax = new_slide_figure() if slide else new_figure(height_in=0.55 * len(data) + 1.2)
        y = np.arange(len(data))
        series = [("pct_segments", "coded turns"), ("pct_speakers", "participants"), ("pct_groups", "groups")]
        height = 0.26
        for i, (column, name) in enumerate(series):
            ax.barh(y + (1 - i) * height, 100 * data[column], height=height, color=PALETTE[i], label=f"% of {name}")
        ax.set_xlim(0, 100)
        if slide:
            ax.set_yticks(y, [wrap_label(label, SLIDE_WRAP) for label in data["label"]])
            ax.xaxis.set_major_formatter("{x:.0f}%")
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
        else:
            ax.set_yticks(y, _wrap(data["label"]))
            ax.set_xlabel("Share of coded participant turns, participants and groups (%)")
            ax.legend(loc="lower right", ncols=3, bbox_to_anchor=(1, 1))
    alt = "Horizontal bar chart of theme prevalence. " + "; ".join(
        f"{r.label}: {fmt_pct(r.pct_segments)} of coded turns, {fmt_pct(r.pct_speakers)} of participants, "
        f"{fmt_pct(r.pct_groups)} of groups"
        for r in data.iloc[::-1].itertuples()
    ) + "."
    return fig, alt


def sector_figure(shares: pd.DataFrame, labels: pd.Series):
    """Heatmap themes x sectors, each cell the % of that sector's participants who raised the theme."""
    fig, ax = new_figure(height_in=0.5 * len(shares) + 1.4)
    grid = 100 * shares.to_numpy(dtype=float)
    image = ax.imshow(grid, cmap=SEQUENTIAL, vmin=0, vmax=100, aspect="auto")
    for (i, j), value in np.ndenumerate(grid):
        ax.text(j, i, f"{value:.0f}%", ha="center", va="center", fontsize=9, color="white" if value < 55 else "black")
    ax.set_xticks(range(shares.shape[1]), [s.replace("_", " ") for s in shares.columns])
    ax.set_yticks(range(len(shares)), _wrap(labels.reindex(shares.index)))
    ax.set_xlabel("Participants' sector")
    ax.spines[:].set_visible(False)
    fig.colorbar(image, ax=ax, label="% of the sector's participants", shrink=0.8)
    alt = "Heatmap of the share of participants in each sector who raised each theme. " + "; ".join(
        f"{labels[t]}: " + ", ".join(f"{s} {100 * shares.loc[t, s]:.0f}%" for s in shares.columns)
        for t in shares.index
    ) + "."
    return fig, alt
