from analysis_study import tiny_study
from peerpaper.analysis import sample


def test_groups_table_in_date_order_counts_participants_not_facilitators():
    table = sample.groups_table(tiny_study())
    assert table["group"].tolist() == ["G2", "G1"]
    assert table["month"].tolist() == ["February 2024", "March 2024"]
    assert table["setting"].tolist() == ["in person", "online"]
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
        "n_participants": "3",
        "n_regions": "2",
        "first_group_month": "February 2024",
        "last_group_month": "March 2024",
        "n_segments": "7",
        "n_participant_segments": "5",
        "n_words": "29",
        "median_group_minutes": "76",
        "participants_per_group_range": "1-2",
        "small_cell_k": "3",
    }


def test_duration_is_optional():
    study = tiny_study()
    study.groups = study.groups.drop(columns="duration_min")
    assert sample.values(study, k=3)["median_group_minutes"] == "n/a"
