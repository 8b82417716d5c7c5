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
from ..privacy.disclosure import DEFAULT_K, PROTECTED, describe
from ..privacy.suppression import hidden_categories
from . import code_rows, coded_talk, participants_only, qualifiers, theme_of, theme_rows

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


OTHER = "other"  # the sectors the sector table hides, merged
ALL = "all"  # each line's total row: the theme's or code's turns and participants, as tbl-themes and tbl-codes show them


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
    return describe(out, labels=[c for c in ("Theme", "Code") if c in out],
                    counts={"Turns": "turns", "Participants": PROTECTED, "Groups": "groups"},
                    shares={"% of coded turns": ("Turns",), "% of participants": ("Participants",)},
                    nested=[("Groups", "Participants", "Turns")])


def values(study, prev: pd.DataFrame, k: int) -> dict[str, str]:
    """The 02-themes values of docs/VALUES.md: counts, shares, and the qualifiers that read them."""
    rows = coded_talk(study)
    people = participants_only(study.participants)
    turns = study.segments["speaker_id"].isin(people["participant_id"]).sum()
    out = {
        "n_themes": fmt_int(len(theme_rows(study.codebook))),
        "n_codes": fmt_int(len(code_rows(study.codebook))),
        "n_coded_segments": fmt_int(rows["segment_id"].nunique()),
        "pct_coded_segments": fmt_pct(rows["segment_id"].nunique() / max(turns, 1)),
    }
    rank = qualifiers.ranks(prev)
    n_coded = rows["segment_id"].nunique()
    for r in prev.itertuples():
        masked = 0 < r.n_speakers < k
        out[f"theme_{r.id}_pct_segments"] = nested_share(r.n_segments, r.pct_segments, n_coded, k, masked)
        out[f"theme_{r.id}_n_speakers"] = fmt_count(r.n_speakers, k)
        out[f"theme_{r.id}_pct_speakers"] = f"under {math.ceil(100 * k / max(len(people), 1))}%" if masked else fmt_pct(r.pct_speakers)
        out[f"theme_{r.id}_n_groups"] = fmt_count(r.n_groups, k) if masked else fmt_int(r.n_groups)
        out[f"theme_{r.id}_rank"] = fmt_int(rank[r.id])
        out[f"theme_{r.id}_rank_ordinal"] = qualifiers.ordinal(int(rank[r.id]))
        out[f"theme_{r.id}_standing"] = qualifiers.standing(int(rank[r.id]), len(prev))
        out[f"theme_{r.id}_count_reading"] = qualifiers.count_reading(r.n_speakers, k)
    by_rank = prev.set_index("id").loc[rank.sort_values().index]
    top, least = by_rank.iloc[0], by_rank.iloc[-1]
    out["top_theme"] = top["label"]
    out["top_theme_pct_segments"] = fmt_pct(top["pct_segments"])
    out["least_theme"] = least["label"]
    out["least_theme_pct_segments"] = fmt_pct(least["pct_segments"])
    for standing, name in ((qualifiers.MOST, "most"), (qualifiers.LEAST, "least")):
        ids = [i for i in by_rank.index if qualifiers.standing(int(rank[i]), len(prev)) == standing]
        out[f"themes_{name}_raised"] = qualifiers.join_labels(by_rank.loc[ids, "label"])
    out.update(code_values(prevalence(study, "code"), k, n_coded))
    return out


def code_values(by_code: pd.DataFrame, k: int, n_coded: int) -> dict[str, str]:
    """Per code: turns, share of coded turns, participants (masked below k), groups, and whether it can be read.
    Beside a masked participant count, turns and groups below k are masked too (the disclosure rules)."""
    out = {}
    for r in by_code.itertuples():
        masked = 0 < r.n_speakers < k
        out[f"code_{r.id}_n_segments"] = fmt_count(r.n_segments, k) if masked else fmt_int(r.n_segments)
        out[f"code_{r.id}_pct_segments"] = nested_share(r.n_segments, r.pct_segments, n_coded, k, masked)
        out[f"code_{r.id}_n_speakers"] = fmt_count(r.n_speakers, k)
        out[f"code_{r.id}_n_groups"] = fmt_count(r.n_groups, k) if masked else fmt_int(r.n_groups)
        out[f"code_{r.id}_count_reading"] = qualifiers.count_reading(r.n_speakers, k)
    return out


def nested_share(n: int, share: float, base: int, k: int, masked: bool) -> str:
    """A share of turns for prose; beside a masked participant count, a turn count below k would give it away
    (one turn is one person), so it reads "under x%" as the participant share does."""
    return f"under {math.ceil(100 * k / max(base, 1))}%" if masked and n < k else fmt_pct(share)


def _shown(share) -> str:
    """A share for alt text; a hidden one (masked by the disclosure rules) says so."""
    return "not shown" if pd.isna(share) else fmt_pct(share)


def _numbers(data: pd.DataFrame, columns) -> pd.DataFrame:
    """Masked cells ("<5", "–") as NaN, so that a figure leaves them out."""
    return data.assign(**{c: pd.to_numeric(data[c], errors="coerce") for c in columns})


def _wrap(labels, width: int = 26, lines: int = 3) -> list[str]:
    return [wrap_label(label, width, lines=lines) for label in labels]


def _long(rows: pd.DataFrame, item: str, ids, by: str, columns: list) -> pd.DataFrame:
    """Long data item x `by` (and each item's ALL row): coded participant turns carrying the item, the coded
    turns of that `by` value (the base), participants who raised the item there, and the share."""
    touched = rows.groupby([item, by])["segment_id"].nunique().unstack(fill_value=0).reindex(index=ids, columns=columns, fill_value=0)
    people = rows.groupby([item, by])["speaker_id"].nunique().unstack(fill_value=0).reindex(index=ids, columns=columns, fill_value=0)
    coded = rows.groupby(by)["segment_id"].nunique().reindex(columns, fill_value=0)
    total = rows["segment_id"].nunique()
    out = []
    for i in ids:
        mine = rows[rows[item] == i]
        out += [(i, c, int(touched.loc[i, c]), int(coded[c]), int(people.loc[i, c])) for c in columns]
        out.append((i, ALL, mine["segment_id"].nunique(), total, mine["speaker_id"].nunique()))
    data = pd.DataFrame(out, columns=[item, by, "turns", "coded_turns", "participants"])
    data["share"] = [t / n if n else 0.0 for t, n in zip(data["turns"], data["coded_turns"])]
    # each turn and each participant belongs to one group (one sector): a line's rows add up to its ALL row
    return describe(data, labels=[item, by], counts={"turns": "turns", "coded_turns": "turns", "participants": PROTECTED},
                    shares={"share": ("turns", "coded_turns")}, nested=[("participants", "turns")],
                    additive={"participants": ALL, "turns": ALL}, lines_by=item)


DOTS_UP_TO = 24  # groups: beyond this, dots merge into a smear (and protecting them is costly): bars alone


def by_group(study) -> pd.DataFrame:
    """Long data, theme x group: the share of each group's coded participant turns that touch the theme, and
    each theme's ALL row (its share of all coded turns), with the turns and participants behind each share;
    a study of more than DOTS_UP_TO groups gets the ALL rows only.

    Written through `artifacts.write_figure_data`, which hides participant counts under k, the turn counts
    below k beside them, and the shares they would give away: `figure` leaves those dots out."""
    rows = coded_talk(study)
    groups = list(study.groups["group_id"]) if len(study.groups) <= DOTS_UP_TO else []
    return _long(rows, "theme_id", list(theme_rows(study.codebook)["code_id"]), "group_id", groups)


def caption(data: pd.DataFrame, k: int) -> str:
    """The caption of `figure`: what the dots are, when there are any."""
    dots = (data["group_id"] != ALL).any()
    return ("Share of coded participant turns touching each theme, all groups together (bars)" + (
        f" and in each group (dots); a group's dot is left out where it would reveal fewer than {k} participants."
        if dots else "."))


def figure(data: pd.DataFrame, labels: pd.Series, slide: bool = False):
    """Horizontal bars, themes sorted by share of coded turns, with one dot per group: how much talk each
    theme took, and how much that varied between groups (every theme came up in every group, so "% of
    groups" would say nothing).

    `data` is `by_group` as `artifacts.write_figure_data` returns it: a masked share has no bar or dot.
    `slide=True`: the deck's version, slide-sized with large text.
    """
    data = _numbers(data, ["share"])
    overall = data[data["group_id"] == ALL].set_index("theme_id")["share"]
    spread = data[data["group_id"] != ALL].pivot(index="theme_id", columns="group_id", values="share")
    order = sorted(overall.index, key=lambda t: (np.nan_to_num(overall[t], nan=-1.0), t))
    overall, spread = overall.reindex(order), spread.reindex(order)
    dots = spread.shape[1] > 0
    with geometry(slide):
        fig, ax = new_slide_figure() if slide else new_figure(height_in=0.48 * len(order) + 1.3)
        y = np.arange(len(order))
        ax.barh(y, 100 * overall.fillna(0.0).to_numpy(), height=0.6, color=PALETTE[0], label="All groups together")
        for i, row in enumerate(spread.to_numpy(dtype=float)):
            shown = row[~np.isnan(row)]
            ax.scatter(100 * shown, np.full(len(shown), y[i]), s=36 if slide else 16, facecolors="white",
                       edgecolors="black", linewidths=1.0, zorder=3, label="One group" if i == 0 and dots else None)
        top = 100 * max(float(np.nan_to_num(spread.to_numpy(dtype=float)).max(initial=0)),
                        float(np.nan_to_num(overall.to_numpy(dtype=float)).max(initial=0)))
        ax.set_xlim(0, min(100, 10 * np.ceil(top / 10) + 5))
        names = [labels.get(t, t) for t in order]
        if slide:
            ax.set_yticks(y, [wrap_label(label, SLIDE_WRAP) for label in names])
            ax.xaxis.set_major_formatter("{x:.0f}%")
            ax.legend(loc="lower right")
        else:
            ax.set_yticks(y, _wrap(names, width=32, lines=2))
            ax.set_xlabel("Share of coded participant turns touching the theme (%)")
            ax.legend(loc="lower right", fontsize=8)
    alt = ("Horizontal bar chart of the share of coded participant turns touching each theme"
           + (", with one dot per group. " if dots else ". ") + "; ".join(
               f"{labels.get(t, t)}: {_shown(overall[t])} overall" + (", " + _range(spread.loc[t]) if dots else "")
               for t in reversed(order)) + ".")
    return fig, alt


def _range(shares: pd.Series) -> str:
    """ "12% to 30% by group", saying how many groups' shares are not shown (masked)."""
    shown, hidden = shares.dropna(), int(shares.isna().sum())
    said = f"{fmt_pct(shown.min())} to {fmt_pct(shown.max())} by group" if len(shown) else "no group's share shown"
    return said + (f" ({hidden} group{'s' if hidden > 1 else ''} not shown)" if hidden and len(shown) else "")


def by_sector(study, k: int = DEFAULT_K) -> pd.DataFrame:
    """Long data, code x sector: the share of each sector's coded participant turns that carry the code, with
    the turns and participants behind it, and each code's ALL row.

    The sectors that tbl-sample-sector hides (fewer than k people, by the suppression rule) are merged into
    "other", whose size is then at least k. Written through `artifacts.write_figure_data`."""
    people = participants_only(study.participants)
    sector = people.set_index("participant_id")["sector"]
    size = sector.value_counts()
    order = list(dict.fromkeys([s for s in ["street", "indoor", "online", "mixed", *sorted(size.index)] if s in size.index]))
    merged = set(hidden_categories(size.reindex(order), k))
    columns = [s for s in order if s not in merged] + ([OTHER] if merged else [])
    rows = coded_talk(study)
    rows["sector"] = rows["speaker_id"].map(sector.map(lambda s: OTHER if s in merged else s))
    return _long(rows, "code_id", list(code_rows(study.codebook)["code_id"]), "sector", columns)


def sector_figure(data: pd.DataFrame, labels: pd.Series):
    """Heatmap codes x sectors, each cell the % of that sector's coded turns carrying the code: where talk
    differs by sector (soliciting on the street, the brothel law indoors), not who raised a theme at all.

    `data` is `by_sector` as `artifacts.write_figure_data` returns it: a masked cell is grey, marked "–"."""
    data = _numbers(data[data["sector"] != ALL], ["share"])
    shares = data.pivot(index="code_id", columns="sector", values="share")
    shares = shares.reindex(index=list(dict.fromkeys(data["code_id"])), columns=list(dict.fromkeys(data["sector"])))
    fig, ax = new_figure(height_in=0.24 * len(shares) + 1.4)
    grid = 100 * shares.to_numpy(dtype=float)
    top = max(float(np.nan_to_num(grid).max(initial=0)), 1.0)
    ax.set_facecolor("0.85")  # masked cells (NaN) show the background
    image = ax.imshow(grid, cmap=SEQUENTIAL, vmin=0, vmax=top, aspect="auto")
    for (i, j), value in np.ndenumerate(grid):
        text, dark = ("–", False) if np.isnan(value) else (f"{value:.0f}%", value < 0.55 * top)
        ax.text(j, i, text, ha="center", va="center", fontsize=8, color="white" if dark else "black")
    ax.set_xticks(range(shares.shape[1]), [s.replace("_", " ") for s in shares.columns])
    ax.set_yticks(range(len(shares)), [wrap_label(labels.get(c, c), 42, lines=2) for c in shares.index], fontsize=8)
    ax.set_xlabel("Participants' sector")
    ax.spines[:].set_visible(False)
    fig.colorbar(image, ax=ax, label="% of the sector's coded turns", shrink=0.6)
    alt = "Heatmap of the share of each sector's coded participant turns that carry each code. " + "; ".join(
        f"{labels.get(c, c)}: " + ", ".join(f"{s} {_shown(shares.loc[c, s])}" for s in shares.columns)
        for c in shares.index
    ) + "."
    return fig, alt
