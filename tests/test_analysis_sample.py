from analysis_study import tiny_study
from peerpaper.analysis import sample


def test_groups_table_in_date_order_counts_participants_not_facilitators():
    table = sample.groups_table(tiny_study())
    assert table["group"].tolist() == ["G2", "G1"]
    assert list(table.columns) == ["group", "participants", "turns", "words"]  # no attribute beside the id quotes carry
    assert table["participants"].tolist() == [1, 2]
    assert table["turns"].tolist() == [3, 4]
    # G1: 2 + 6 + 5 + 4 words; G2: 1 + 5 + 6
    assert table["words"].tolist() == [12, 17]


def test_attribute_counts_one_attribute_with_total():
    roles = sample.attribute_counts(tiny_study(), "role", sample.ROLE_ORDER)
    assert roles.values.tolist() == [["organiser", 1], ["activist", 1], ["both", 1], ["total", 3]]
    sectors = sample.attribute_counts(tiny_study(), "sector", sample.SECTOR_ORDER)
    assert list(sectors.columns) == ["sector", "participants"]  # never crossed with role
    assert sectors.values.tolist() == [["street", 2], ["indoor", 1], ["total", 3]]


def test_values():
    values = sample.values(tiny_study(), k=3)
    assert values == {
        "n_groups": "2",
        "n_groups_online": "1",
        "n_groups_in_person": "1",
        "n_groups_setting_unknown": "0",
        "n_groups_date_unknown": "0",
        "n_participants": "3",
        "n_regions": "2",
        "first_group_month": "February 2024",
        "last_group_month": "March 2024",
        "n_segments": "7",
        "n_participant_segments": "5",
        "n_words": "29",
        "median_group_minutes": "76",
        "participants_per_group_range": "fewer than 3",  # groups of 1 and 2: below k, as tables mask them
        "small_cell_k": "3",
    }


def test_duration_is_optional():
    study = tiny_study()
    study.groups = study.groups.drop(columns="duration_min")
    assert sample.values(study, k=3)["median_group_minutes"] == "n/a"


def test_unknown_attributes_are_their_own_category_and_never_a_month():
    study = tiny_study()
    study.groups.loc[0, ["date", "setting", "region"]] = ["", "unknown", "unknown"]
    study.participants.loc[1, "sector"] = "unknown"
    table = sample.groups_table(study)
    assert table["group"].tolist() == ["G1", "G2"]  # source order: a date is missing
    values = sample.values(study, k=3)
    assert values["n_groups_setting_unknown"] == "1" and values["n_groups_date_unknown"] == "1"
    assert values["n_regions"] == "1"  # unknown is not a region
    assert values["first_group_month"] == values["last_group_month"] == "February 2024"
    sectors = sample.attribute_counts(study, "sector", sample.SECTOR_ORDER)
    assert sectors.values.tolist()[-2] == ["unknown", 1]


def test_a_participant_who_speaks_in_two_groups_counts_in_both_but_once_in_all():
    study = tiny_study()
    study.segments.loc[6, "speaker_id"] = "P1"  # P1 (of G1) speaks in G2 too
    assert sample.groups_table(study)["participants"].tolist() == [2, 2]
    assert sample.values(study, k=3)["n_participants"] == "3"
