"""Thematic saturation after Guest, Namey & Chen (2020): base size, run length, new-information threshold.

Groups are ordered by date, or in source order when any group's date was not recorded (`in_order`; the
value `sat_order` says which, for the Methods). A run is r consecutive groups; its new codes are codes not seen in any earlier
group; its ratio is new codes / codes in the base. Runs slide forward one group at a time from just after
the first b groups; saturation is the first run whose ratio is at or below the threshold, reported "n+r"
(saturated after n groups, confirmed by a run of r). A study with fewer groups than a base and one run
cannot be assessed: that is its result (`sat_assessed`, `sat_point`), not an error. Guest et al.'s text leaves open whether the base stays
the first b groups or grows to every group before the run, so `base_mode` makes the choice explicit:
"fixed" (denominator = codes in the first b groups) or "growing" (= codes in all groups before the run).
Plain pandas/sets: the number of groups is small and the definition is clearest written out.
"""

from __future__ import annotations

import pandas as pd

from ..artifacts import fmt_int, fmt_pct
from ..errors import PaperError
from ..figures import PALETTE, new_figure
from ..privacy.disclosure import describe
from . import coded_talk, in_order

MODES = ("fixed", "growing")
ORDER_BY_DATE = "in the order the groups met"
ORDER_BY_SOURCE = ("in the order of the sources in the coding project, because not every group's date was "
                   "recorded")


def codes_by_group(study) -> pd.DataFrame:
    """Groups in order (`in_order`) with the codes each produced: group_id, date, codes (frozenset), new,
    cumulative; `attrs["by_date"]` says whether the order is by date."""
    groups, by_date = in_order(study.groups)
    found = coded_talk(study).groupby("group_id")["code_id"].agg(frozenset)
    seen: set = set()
    new, cumulative = [], []
    for group_id in groups["group_id"]:
        codes = found.get(group_id, frozenset())
        new.append(len(codes - seen))
        seen |= codes
        cumulative.append(len(seen))
    table = pd.DataFrame(
        {
            "group_id": groups["group_id"].values,
            "date": pd.to_datetime(groups["date"]).values,
            "codes": [found.get(g, frozenset()) for g in groups["group_id"]],
            "new": new,
            "cumulative": cumulative,
        }
    )
    table.attrs["by_date"] = by_date
    return table


def runs(by_group: pd.DataFrame, base: int, run: int, threshold: float, base_mode: str = "fixed") -> pd.DataFrame:
    """Every run of `run` groups after the base: before (groups before it), groups, base codes, new, ratio, met."""
    if base < 1 or run < 1:
        raise PaperError(f"base and run must be at least 1 (got base={base}, run={run})")
    if base_mode not in MODES:
        raise PaperError(f"base_mode must be one of {MODES}, got {base_mode!r}")
    codes = list(by_group["codes"])
    ids = list(by_group["group_id"])
    if not assessable(len(codes), base, run):  # too few groups for one run: a result, which `values` reports
        return pd.DataFrame(columns=["before", "run_groups", "base_codes", "new_codes", "ratio", "met"])
    first_base = len(frozenset().union(*codes[:base]))
    out = []
    for before in range(base, len(codes) - run + 1):
        seen = frozenset().union(*codes[:before])
        in_run = frozenset().union(*codes[before : before + run])
        denominator = first_base if base_mode == "fixed" else len(seen)
        new = len(in_run - seen)
        ratio = new / denominator if denominator else float("inf")
        out.append(
            {
                "before": before,
                "run_groups": f"{ids[before]}–{ids[before + run - 1]}" if run > 1 else ids[before],
                "base_codes": denominator,
                "new_codes": new,
                "ratio": ratio,
                "met": ratio <= threshold,
            }
        )
    return pd.DataFrame(out, columns=["before", "run_groups", "base_codes", "new_codes", "ratio", "met"])


def assessable(n_groups: int, base: int, run: int) -> bool:
    """Whether the study has the groups for a base and at least one run after it."""
    return n_groups >= base + run


def point(run_table: pd.DataFrame, run: int) -> str | None:
    """"n+r" for the first run at or below the threshold, or None if no run was."""
    met = run_table[run_table["met"]]
    return f"{met['before'].iloc[0]}+{run}" if len(met) else None


def table(run_table: pd.DataFrame) -> pd.DataFrame:
    """The printed runs."""
    out = pd.DataFrame(
        {
            "Groups before run": run_table["before"].values,
            "Run": run_table["run_groups"].values,
            "Base codes": run_table["base_codes"].values,
            "New codes in run": run_table["new_codes"].values,
            "Ratio": [fmt_pct(x) if x != float("inf") else "n/a" for x in run_table["ratio"]],
            "At or below threshold": ["yes" if m else "no" for m in run_table["met"]],
        }
    )
    return describe(out, labels=["Run", "At or below threshold"],  # codes and groups, not people
                    counts={"Groups before run": "groups", "Base codes": "codes", "New codes in run": "codes"},
                    shares={"Ratio": ("New codes in run", "Base codes")})


def figure_data(by_group: pd.DataFrame) -> pd.DataFrame:
    """What `figure` draws, described for `artifacts.write_figure_data`: one row per group, in order."""
    data = by_group[["group_id", "new", "cumulative"]].copy()
    return describe(data, labels=["group_id"], counts={"new": "codes", "cumulative": "codes"})


def values(by_group: pd.DataFrame, run_table: pd.DataFrame, base: int, run: int, threshold: float, base_mode: str):
    """The 04-saturation values of docs/VALUES.md."""
    reached = point(run_table, run)
    total = int(by_group["cumulative"].iloc[-1]) if len(by_group) else 0
    by_third = int(by_group["cumulative"].iloc[min(2, len(by_group) - 1)]) if len(by_group) else 0
    assessed = assessable(len(by_group), base, run)
    not_assessed = (f"not assessed: {fmt_int(len(by_group))} groups, fewer than a base of {fmt_int(base)} and one "
                    f"run of {fmt_int(run)}")
    return {
        "sat_base": fmt_int(base),
        "sat_run": fmt_int(run),
        "sat_threshold": fmt_pct(threshold),
        "sat_base_mode": base_mode,
        "sat_assessed": "was" if assessed else "could not be",
        "sat_groups_needed": fmt_int(base + run),
        "sat_point": reached or ("not reached" if assessed else not_assessed),
        "sat_reached": "was" if reached else "was not",
        "sat_codes_in_first_group": fmt_int(len(by_group["codes"].iloc[0])) if len(by_group) else "0",
        "sat_pct_codes_by_group3": fmt_pct(by_third / total) if total else "n/a",
        "n_codes_used": fmt_int(total),
        "sat_order": ORDER_BY_DATE if by_group.attrs.get("by_date", True) else ORDER_BY_SOURCE,
    }


def figure(by_group: pd.DataFrame, run_table: pd.DataFrame, run: int):
    """New codes per group (bars) and distinct codes so far (line), with the saturation point marked."""
    fig, ax = new_figure(height_in=3.6)
    x = range(1, len(by_group) + 1)
    ax.bar(x, by_group["new"], color=PALETTE[1], label="new codes in the group")
    ax.plot(x, by_group["cumulative"], color=PALETTE[0], marker="o", markersize=3, label="distinct codes so far")
    reached = point(run_table, run)
    if reached:
        after = int(reached.split("+")[0])
        ax.axvline(after + 0.5, color="black", linestyle="--", linewidth=1)
        ax.annotate(f"saturation {reached}", (after + 0.5, by_group["cumulative"].max()), xytext=(4, -10),
                    textcoords="offset points", fontsize=9)
    step = max(1, len(by_group) // 20)
    ax.set_xticks(list(x)[::step])
    ax.set_xlabel("Focus group, " + ("in date order" if by_group.attrs.get("by_date", True) else "in source order"))
    ax.set_ylabel("Codes")
    ax.legend(loc="center right")
    total = int(by_group["cumulative"].iloc[-1]) if len(by_group) else 0
    alt = (
        f"Bar and line chart over {len(by_group)} focus groups "
        + ("in date order" if by_group.attrs.get("by_date", True) else "in source order") + f": the first group produced "
        f"{len(by_group['codes'].iloc[0]) if len(by_group) else 0} codes, {total} distinct codes in all; "
        + (f"saturation was reached at {reached}." if reached else "saturation was not reached." if len(run_table)
           else "saturation could not be assessed: too few groups for a base and one run.")
    )
    return fig, alt
