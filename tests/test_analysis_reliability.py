import numpy as np
import pandas as pd
import pytest

from analysis_study import tiny_study
from peerpaper.analysis import reliability as rel

nan = np.nan
# Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability": 4 coders x 12 units (docs: METHODS.md)
PUBLISHED = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]


@pytest.mark.parametrize(
    "level, expected", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)]
)
def test_published_example(level, expected):
    assert rel.alpha(PUBLISHED, level) == pytest.approx(expected, abs=0.0005)


def test_default_level_is_nominal_not_the_packages_interval():
    assert rel.alpha(PUBLISHED) == pytest.approx(0.743, abs=0.0005)


def coded(*pairs):
    return pd.DataFrame(pairs, columns=["segment_id", "coder_id"])


def test_units_on_the_double_coded_subset_by_hand():
    codings = tiny_study().codings
    # s2 and s3 were drawn for double coding; C2 read s3 and applied nothing
    data, coders, segments, codes = rel.reliability_data(codings, ["a1", "a2", "b1"],
                                                         coded(("s2", "C1"), ("s2", "C2"), ("s3", "C1"), ("s3", "C2")))
    assert list(segments) == ["s2", "s3"] and coders == ["C1", "C2"]
    # s2: C1 applied a1 and b1, C2 applied a1 only; s3: C1 applied b1, C2 nothing
    assert data[:, 0, :].tolist() == [[1, 0, 1], [1, 0, 0]]
    assert data[:, 1, :].tolist() == [[0, 0, 1], [0, 0, 0]]


def test_the_subset_does_not_depend_on_what_the_coders_found():
    """A segment both coders read and left uncoded is a unit of agreement; one coded by one coder only is not."""
    codings = pd.DataFrame([("s1", "x", "C1"), ("s1", "x", "C2"), ("s3", "x", "C1")],
                           columns=["segment_id", "code_id", "coder_id"])
    book = pd.DataFrame({"code_id": ["X", "x"], "parent_id": ["", "X"], "label": ["Theme", "Code x"]})
    drawn = coded(("s1", "C1"), ("s1", "C2"), ("s2", "C1"), ("s2", "C2"), ("s3", "C1"), ("s3", "C2"))
    per_code, overall = rel.by_code(codings, book, drawn)
    assert overall["segments"] == 3  # s2 (nobody applied a code) counts; s3 counts though C2 found nothing
    assert per_code.loc[0, "agreement"] == pytest.approx(2 / 3)
    # chosen by outcome (segments two coders applied a code to) the subset would be s1 alone, alpha undefined
    # and agreement 100%: the recorded draw gives what the coders did
    assert per_code.loc[0, "agreement"] != 1.0


def test_missing_when_a_coder_did_not_code_the_segment():
    codings = pd.DataFrame(
        [("s1", "x", "C1"), ("s1", "x", "C2"), ("s2", "y", "C1"), ("s2", "y", "C3")],
        columns=["segment_id", "code_id", "coder_id"],
    )
    drawn = coded(("s1", "C1"), ("s1", "C2"), ("s2", "C1"), ("s2", "C3"))
    data, coders, _, _ = rel.reliability_data(codings, ["x", "y"], drawn)
    assert np.isnan(data[coders.index("C3"), 0, :]).all()  # C3 never coded s1
    assert data[coders.index("C2"), 0, :].tolist() == [1, 0]


def test_percent_agreement_and_undefined_alpha():
    assert rel.percent_agreement([[1, 0, 1, nan], [1, 1, 1, 0]]) == pytest.approx(2 / 3)
    assert np.isnan(rel.alpha([[0, 0, 0], [0, 0, 0]]))  # nobody applied the code


def test_coverage_is_the_record_or_else_whole_groups():
    study = tiny_study()
    study.double_coded = coded(("s2", "C1"), ("s2", "C2"))
    recorded, basis = rel.coverage(study)
    assert basis == rel.RECORDED and recorded.values.tolist() == [["s2", "C1"], ["s2", "C2"]]
    del study.double_coded
    inferred, basis = rel.coverage(study)
    assert basis == rel.INFERRED
    # C2 applied codes in G1 only: it is taken to have coded G1's participant turns s2, s3, s4
    assert sorted(inferred[inferred.coder_id == "C2"].segment_id) == ["s2", "s3", "s4"]
    assert sorted(rel.double_coded(inferred)) == ["s2", "s3", "s4"]


def test_by_code_values_report_units_and_design():
    study = tiny_study()
    study.double_coded = coded(("s2", "C1"), ("s2", "C2"))
    drawn, basis = rel.coverage(study)
    per_code, overall = rel.by_code(study.codings, study.codebook, drawn)
    assert overall["units"] == 3 and overall["segments"] == 1 and overall["coders"] == 2
    assert per_code.set_index("code_id")["agreement"].to_dict() == {"a1": 1.0, "a2": 1.0, "b1": 0.0}
    values = rel.values(per_code, overall)
    assert values["n_reliability_units"] == "3" and values["pct_agreement_overall"] == "67%"
    assert values["alpha_b1_n_applied"] == "1"
    design = rel.design_values(study, drawn, basis)
    assert design["pct_double_coded"] == "20%"  # 1 of 5 participant turns
    assert design["reliability_subset_basis"] == rel.RECORDED
    assert design["double_coding_sample"] == rel.NOT_DESCRIBED and design["primary_coder"] == "C1"
    assert design["pct_coded_in_subset"] == "100%"
    printed = rel.table(per_code, overall)
    assert printed["Code"].iloc[-1] == "All codes" and printed["Units"].iloc[-1] == 3
