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


def test_units_on_the_double_coded_subset_by_hand():
    codings = tiny_study().codings
    data, coders, segments, codes = rel.reliability_data(codings, ["a1", "a2", "b1"])
    assert list(segments) == ["s2"] and coders == ["C1", "C2"]
    # s2: C1 applied a1 and b1, C2 applied a1 only
    assert data[:, 0, :].tolist() == [[1, 0, 1], [1, 0, 0]]


def test_missing_when_a_coder_did_not_code_the_segment():
    codings = pd.DataFrame(
        [("s1", "x", "C1"), ("s1", "x", "C2"), ("s2", "y", "C1"), ("s2", "y", "C3")],
        columns=["segment_id", "code_id", "coder_id"],
    )
    data, coders, _, _ = rel.reliability_data(codings, ["x", "y"])
    assert np.isnan(data[coders.index("C3"), 0, :]).all()  # C3 never coded s1
    assert data[coders.index("C2"), 0, :].tolist() == [1, 0]


def test_percent_agreement_and_undefined_alpha():
    assert rel.percent_agreement([[1, 0, 1, nan], [1, 1, 1, 0]]) == pytest.approx(2 / 3)
    assert np.isnan(rel.alpha([[0, 0, 0], [0, 0, 0]]))  # nobody applied the code


def test_by_code_values_report_units():
    study = tiny_study()
    per_code, overall = rel.by_code(study.codings, study.codebook)
    assert overall["units"] == 3 and overall["segments"] == 1 and overall["coders"] == 2
    assert per_code.set_index("code_id")["agreement"].to_dict() == {"a1": 1.0, "a2": 1.0, "b1": 0.0}
    values = rel.values(study.codings, per_code, overall)
    assert values["n_reliability_units"] == "3" and values["pct_agreement_overall"] == "67%"
    assert values["pct_double_coded"] == "17%"  # 1 of 6 coded segments
    printed = rel.table(per_code, overall)
    assert printed["Code"].iloc[-1] == "All codes" and printed["Units"].iloc[-1] == 3
