import pandas as pd
import pytest

from analysis_study import tiny_study
from peerpaper.analysis import coded_talk, theme_of, themes
from peerpaper.figures import SLIDE_SIZE_IN, overlapping_labels
from peerpaper.privacy import protect


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


def test_sectors_the_sector_table_hides_are_merged_into_other():
    data = themes.by_sector(tiny_study(), k=3).set_index(["code_id", "sector"])  # street P1, P3; indoor P2 only
    assert list(dict.fromkeys(data.index.get_level_values("sector"))) == ["other", "all"]
    # a2: s4 (P1) and s6 (P3) of the 5 coded participant turns
    assert data.loc[("a2", "other"), ["turns", "coded_turns", "participants"]].tolist() == [2, 5, 2]
    assert data.loc[("a2", "other"), "share"] == pytest.approx(0.4)
    assert (data.xs("other", level="sector")[["turns", "participants"]] == data.xs("all", level="sector")[
        ["turns", "participants"]]).all(axis=None)


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


def test_each_groups_share_by_hand():
    # G1: coded turns s2 {a1,b1} s3 {b1} s4 {a2} -> A in 2 of 3, B in 2 of 3; G2: s6 {a2} s7 {a1} -> A 2 of 2
    data = themes.by_group(tiny_study()).set_index(["theme_id", "group_id"])
    assert data.loc["A", "share"].to_dict() == pytest.approx({"G1": 2 / 3, "G2": 1.0, themes.ALL: 4 / 5})
    assert data.loc["B", "share"].to_dict() == pytest.approx({"G1": 2 / 3, "G2": 0.0, themes.ALL: 2 / 5})
    assert data.loc[("A", "G1"), ["turns", "coded_turns", "participants"]].tolist() == [2, 3, 1]
    assert data.loc[("A", themes.ALL), "participants"] == 2  # each participant in one group: the line adds up


def test_figures_have_readable_labels_and_alt_numbers():
    study = tiny_study()
    labels = study.codebook.set_index("code_id")["label"]
    fig, alt = themes.figure(themes.by_group(study), labels)
    assert overlapping_labels(fig) == []
    assert "Theme A: 80% overall, 67% to 100% by group" in alt
    fig, alt = themes.sector_figure(themes.by_sector(study, k=3), labels)
    assert overlapping_labels(fig) == [] and "Code a2: other 40%" in alt


def test_masked_dots_are_left_out_and_the_alt_text_says_so():
    """Drawn from the data as published: at k=3 each group's share of Theme A rests on one person."""
    study = tiny_study()
    labels = study.codebook.set_index("code_id")["label"]
    shown = protect(themes.by_group(study), k=3)
    mine = shown[(shown["theme_id"] == "A") & (shown["group_id"] != themes.ALL)]
    assert (mine["share"] == "–").all() and mine["participants"].isin(["<3", "–"]).all()
    fig, alt = themes.figure(shown, labels)
    dots = sum(len(c.get_offsets()) for c in fig.axes[0].collections)
    assert dots == int((pd.to_numeric(shown.loc[shown["group_id"] != themes.ALL, "share"], errors="coerce")).notna().sum())
    assert "Theme A: 80% overall, no group's share shown" in alt
    fig, alt = themes.sector_figure(protect(themes.by_sector(study, k=3), k=3), labels)
    assert "Code a2: other not shown" in alt


def test_slide_figure_is_slide_sized_with_the_same_numbers():
    study = tiny_study()
    per_group, labels = themes.by_group(study), study.codebook.set_index("code_id")["label"]
    fig, alt = themes.figure(per_group, labels, slide=True)
    assert tuple(fig.get_size_inches()) == pytest.approx(SLIDE_SIZE_IN)
    assert alt == themes.figure(per_group, labels)[1]
    assert overlapping_labels(fig) == [] and fig.axes[0].get_xticklabels()[-1].get_text().endswith("%")


def test_a_study_of_many_groups_gets_bars_without_dots(monkeypatch):
    study = tiny_study()
    monkeypatch.setattr(themes, "DOTS_UP_TO", 1)
    data = themes.by_group(study)
    assert set(data["group_id"]) == {themes.ALL}
    fig, alt = themes.figure(data, study.codebook.set_index("code_id")["label"])
    assert "dot" not in alt and "dots" not in themes.caption(data, 5) and "Theme A: 80% overall" in alt
    monkeypatch.undo()
    assert "(dots)" in themes.caption(themes.by_group(study), 5)
