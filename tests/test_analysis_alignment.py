import pandas as pd
import pytest

from analysis_study import tiny_study
from peerpaper.analysis import alignment
from peerpaper.figures import SLIDE_SIZE_IN, overlapping_labels

PROVISIONS = pd.DataFrame(
    {
        "provision_id": ["soa1956_s33a", "soa1959_s1", "unused"],
        "instrument": ["Sexual Offences Act 1956", "Street Offences Act 1959", "Some Act 2000"],
        "section": ["s.33A", "s.1(1)", ""],
        "year": [1956, 1959, 2000],
        "conduct": ["keeping a brothel", "loitering or soliciting", ""],
        "bears_on": ["", "", ""],
        "kind": ["offence", "offence", "policy"],
    }
)
# a2 bears on the brothel law; b1 on soliciting and on the brothel law
MAPPING = pd.DataFrame({"provision_id": ["soa1956_s33a", "soa1959_s1", "soa1956_s33a"], "code_id": ["a2", "b1", "b1"]})


def test_counts_by_hand():
    # coded turns: s2 {a1,b1} s3 {b1} s4 {a2} s6 {a2} s7 {a1}
    counts = alignment.bearing(tiny_study(), PROVISIONS, MAPPING)
    assert counts["turns"] == 5
    assert counts["by_provision"].to_dict() == {"soa1956_s33a": 4, "soa1959_s1": 2, "unused": 0}
    assert counts["any_provision"] == 4  # all but s7
    grid = counts["by_provision_theme"]
    assert grid.loc["soa1956_s33a", "A"] == 3  # s2 s4 s6
    assert grid.loc["soa1959_s1", "A"] == 1  # s2 only
    shares = alignment.shares(counts)
    assert shares.loc["soa1956_s33a", "A"] == pytest.approx(3 / 4)
    assert shares.loc["soa1959_s1", "B"] == pytest.approx(1.0)


def test_values_table_and_figure():
    study = tiny_study()
    labels = study.codebook.set_index("code_id")["label"]
    counts = alignment.bearing(study, PROVISIONS, MAPPING)
    values = alignment.values(counts, PROVISIONS, labels)
    assert values["policy_top_provision"] == "Sexual Offences Act 1956 s.33A (keeping a brothel)"
    assert values["policy_top_provision_pct"] == "80%" and values["pct_segments_bearing_on_law"] == "80%"
    assert values["policy_top_theme"] == "Theme A" and values["n_provisions"] == "3"
    printed = alignment.table(counts, PROVISIONS, labels)
    assert printed["Provision"].iloc[2] == "Some Act 2000" and printed["Theme it meets most"].iloc[2] == "–"
    fig, alt = alignment.figure(counts, PROVISIONS, labels)
    assert overlapping_labels(fig) == [] and "(100% of that theme's turns)" in alt


def test_slide_figure_shows_the_provisions_with_most_talk_named_by_conduct():
    study = tiny_study()
    labels = study.codebook.set_index("code_id")["label"]
    counts = alignment.bearing(study, PROVISIONS, MAPPING)
    fig, alt = alignment.figure(counts, PROVISIONS, labels, slide=True)
    assert tuple(fig.get_size_inches()) == pytest.approx(SLIDE_SIZE_IN) and overlapping_labels(fig) == []
    ax = fig.axes[0]
    # brothel law (4 turns) before soliciting (2); the provision nobody talked about is left out
    shown = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    assert shown == ["Keeping a brothel", "Loitering or soliciting"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Theme A", "Theme B"]
    assert "100%" in [t.get_text() for t in ax.texts] and "the 2 legal provisions with the most talk" in alt


def test_short_label_falls_back_to_the_instrument():
    short = alignment.short_label(PROVISIONS).tolist()
    assert short == ["Keeping a brothel", "Loitering or soliciting", "Some Act 2000"]
