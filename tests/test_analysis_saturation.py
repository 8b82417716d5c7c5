import pandas as pd
import pytest

from analysis_study import tiny_study
from peerpaper.analysis import saturation as sat
from peerpaper.errors import PaperError
from peerpaper.figures import overlapping_labels


def events(*code_sets):
    """A by-group table from plain sets, as codes_by_group would give."""
    seen, new, cumulative = set(), [], []
    for codes in code_sets:
        new.append(len(set(codes) - seen))
        seen |= set(codes)
        cumulative.append(len(seen))
    return pd.DataFrame(
        {
            "group_id": [f"G{i + 1}" for i in range(len(code_sets))],
            "codes": [frozenset(c) for c in code_sets],
            "new": new,
            "cumulative": cumulative,
        }
    )


# 10 codes in the first 2 groups, then 1 new, 1 new, 0, 0, 0
SEQUENCE = events("abcdef", "ghij", "ak", "bl", "c", "d", "e")


def test_groups_ordered_by_date():
    by_group = sat.codes_by_group(tiny_study())
    assert by_group["group_id"].tolist() == ["G2", "G1"]  # G2 met first
    assert by_group["new"].tolist() == [2, 1] and by_group["cumulative"].tolist() == [2, 3]


def test_fixed_base_ratio_and_point_by_hand():
    table = sat.runs(SEQUENCE, base=2, run=2, threshold=0.05, base_mode="fixed")
    # run G3-G4: k, l new -> 2/10; G4-G5: l -> 1/10; G5-G6: 0 -> 0/10
    assert table["new_codes"].tolist() == [2, 1, 0, 0]
    assert table["ratio"].tolist() == pytest.approx([0.2, 0.1, 0.0, 0.0])
    assert sat.point(table, 2) == "4+2"
    assert sat.point(sat.runs(SEQUENCE, 2, 2, threshold=0.10), 2) == "3+2"


def test_growing_base_uses_everything_before_the_run():
    table = sat.runs(SEQUENCE, base=2, run=1, threshold=0.0, base_mode="growing")
    assert table["base_codes"].tolist() == [10, 11, 12, 12, 12]
    assert sat.point(table, 1) == "4+1"


def test_not_reached_and_bad_parameters():
    table = sat.runs(events("ab", "cd", "ef", "gh"), base=1, run=2, threshold=0.05)
    assert sat.point(table, 2) is None
    values = sat.values(events("ab", "cd", "ef", "gh"), table, 1, 2, 0.05, "fixed")
    assert values["sat_point"] == "not reached" and values["sat_reached"] == "was not"
    with pytest.raises(PaperError, match="base_mode"):
        sat.runs(SEQUENCE, 2, 2, 0.05, base_mode="sliding")


def test_too_few_groups_for_a_base_and_a_run_is_a_result_not_a_crash():
    table = sat.runs(SEQUENCE, 6, 2, 0.05)  # 7 groups: a base of 6 leaves no run of 2
    assert table.empty and list(table.columns) == ["before", "run_groups", "base_codes", "new_codes", "ratio", "met"]
    values = sat.values(SEQUENCE, table, 6, 2, 0.05, "fixed")
    # never "not reached": that would be a false finding about a study that could not be assessed
    assert values["sat_assessed"] == "could not be" and values["sat_groups_needed"] == "8"
    assert values["sat_point"] == "not assessed: 7 groups, fewer than a base of 6 and one run of 2"
    assert values["n_codes_used"] == "12"
    fig, alt = sat.figure(SEQUENCE, table, 2)
    assert "could not be assessed" in alt and overlapping_labels(fig) == []
    assert sat.values(SEQUENCE, sat.runs(SEQUENCE, 2, 2, 0.05), 2, 2, 0.05, "fixed")["sat_assessed"] == "was"


def test_values_and_figure():
    table = sat.runs(SEQUENCE, 2, 2, 0.05)
    values = sat.values(SEQUENCE, table, 2, 2, 0.05, "fixed")
    assert values["sat_point"] == "4+2" and values["sat_threshold"] == "5%"
    assert values["sat_codes_in_first_group"] == "6" and values["n_codes_used"] == "12"
    assert values["sat_pct_codes_by_group3"] == "92%"  # 11 of 12
    fig, alt = sat.figure(SEQUENCE, table, 2)
    assert overlapping_labels(fig) == [] and "4+2" in alt


def test_an_unknown_date_falls_back_to_source_order_and_says_so():
    study = tiny_study()
    study.groups.loc[1, "date"] = ""  # G2's date was not recorded
    by_group = sat.codes_by_group(study)
    assert by_group["group_id"].tolist() == ["G1", "G2"]  # as groups.csv lists them
    values = sat.values(by_group, sat.runs(by_group, 1, 1, 0.5), 1, 1, 0.5, "fixed")
    assert values["sat_order"] == sat.ORDER_BY_SOURCE
    dated = sat.codes_by_group(tiny_study())
    assert sat.values(dated, sat.runs(dated, 1, 1, 0.5), 1, 1, 0.5, "fixed")["sat_order"] == sat.ORDER_BY_DATE
