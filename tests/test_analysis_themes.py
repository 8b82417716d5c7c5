import pytest

from analysis_study import tiny_study
from peerpaper.analysis import coded_talk, theme_of, themes
from peerpaper.figures import SLIDE_SIZE_IN, overlapping_labels


def test_coded_talk_is_participant_turns_first_coder():
    rows = coded_talk(tiny_study())
    assert sorted(zip(rows.segment_id, rows.code_id)) == [
        ("s2", "a1"), ("s2", "b1"), ("s3", "b1"), ("s4", "a2"), ("s6", "a2"), ("s7", "a1")
    ]


def test_theme_of_climbs_nested_codes():
    book = tiny_study().codebook
    book.loc[len(book)] = ["a2x", "a2", "Deeper", ""]
    assert theme_of(book).to_dict() == {"A": "A", "a1": "A", "a2": "A", "B": "B", "b1": "B", "a2x": "A"}


def test_theme_prevalence_by_turns_speakers_groups():
    prev = themes.prevalence(tiny_study()).set_index("id")
    # A: s2 s4 s6 s7 of 5 coded turns; P1, P3 of 3 participants; both groups
    assert prev.loc["A", ["n_segments", "n_speakers", "n_groups"]].tolist() == [4, 2, 2]
    assert prev.loc["A", "pct_segments"] == pytest.approx(0.8)
    assert prev.loc["A", "pct_speakers"] == pytest.approx(2 / 3)
    # B: s2 s3; P1, P2; G1 only
    assert prev.loc["B", ["n_segments", "n_speakers", "n_groups"]].tolist() == [2, 2, 1]
    assert prev.loc["B", "pct_groups"] == pytest.approx(0.5)


def test_code_prevalence_keeps_theme():
    prev = themes.prevalence(tiny_study(), level="code").set_index("id")
    assert prev["theme_id"].to_dict() == {"a1": "A", "a2": "A", "b1": "B"}
    assert prev["n_segments"].to_dict() == {"a1": 2, "a2": 2, "b1": 2}
    assert prev.loc["b1", "n_groups"] == 1


def test_sector_shares_leave_out_small_sectors():
    study = tiny_study()
    shares = themes.by_sector(study, k=2)  # street has P1, P3; indoor only P2
    assert list(shares.columns) == ["street"]
    assert shares.loc["A", "street"] == pytest.approx(1.0)
    assert shares.loc["B", "street"] == pytest.approx(0.5)


def test_values_mask_small_participant_counts():
    study = tiny_study()
    prev = themes.prevalence(study)
    values = themes.values(study, prev, k=3)
    assert values["theme_A_n_speakers"] == "fewer than 3"
    assert values["theme_A_pct_segments"] == "80%"
    assert values["top_theme"] == "Theme A"
    assert values["n_coded_segments"] == "5" and values["pct_coded_segments"] == "100%"


def test_table_masks_percentages_of_masked_counts():
    printed = themes.table(themes.prevalence(tiny_study()), k=3)
    assert printed["% of participants"].tolist() == [themes.MASK, themes.MASK]
    assert themes.table(themes.prevalence(tiny_study()), k=2)["% of participants"].tolist() == ["67%", "67%"]


def test_figures_have_readable_labels_and_alt_numbers():
    study = tiny_study()
    prev = themes.prevalence(study)
    fig, alt = themes.figure(prev)
    assert overlapping_labels(fig) == []
    assert "Theme A: 80% of coded turns" in alt
    fig, alt = themes.sector_figure(themes.by_sector(study, k=2), prev.set_index("id")["label"])
    assert overlapping_labels(fig) == [] and "street 100%" in alt


def test_slide_figure_is_slide_sized_with_the_same_numbers():
    prev = themes.prevalence(tiny_study())
    fig, alt = themes.figure(prev, slide=True)
    assert tuple(fig.get_size_inches()) == pytest.approx(SLIDE_SIZE_IN)
    assert alt == themes.figure(prev)[1]
    assert overlapping_labels(fig) == [] and fig.axes[0].get_xticklabels()[-1].get_text() == "100%"
