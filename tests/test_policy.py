"""The policy data: valid, drawn from the checked law table, and mapped only to codes the study has."""

from __future__ import annotations

import shutil

import pytest

from peerpaper.errors import DataError
from peerpaper.paths import POLICY_DATA, RESOURCES, SYNTHETIC_DATA
from peerpaper.policy import check_policy, load_policy
from peerpaper.study import load_study


@pytest.fixture
def policy(tmp_path):
    folder = tmp_path / "policy"
    shutil.copytree(POLICY_DATA, folder)
    return folder


def test_the_committed_policy_data_is_valid_and_every_mapped_code_exists():
    study = load_study(SYNTHETIC_DATA)
    policy = load_policy(POLICY_DATA, codebook=study.codebook)
    assert set(policy.practice_codes.code_id) <= set(study.codebook.code_id)
    assert not set(policy.practice_codes.code_id) & set(study.themes.code_id)  # codes, not themes
    bearing = set(policy.provision_practices.provision_id)
    assert set(policy.statutes.provision_id) - bearing == {"soa2003_s53a_exploitation"}  # bears on clients only
    assert "selling_buying_lawful" not in bearing  # lawful conduct is context, not a provision
    assert set(policy.practices.practice_id) == set(policy.provision_practices.practice_id)


def test_the_folder_carries_the_canonical_schema():
    assert (POLICY_DATA / "datapackage.json").read_bytes() == (RESOURCES / "policy_datapackage.json").read_bytes()


def test_the_law_table_and_the_policy_documents_are_there():
    rows = load_policy(POLICY_DATA).provisions.set_index("provision_id")
    brothel = rows.loc["soa1956_s33a_brothel"]
    assert (brothel.instrument, brothel.section, brothel.kind, brothel.penalty) == (
        "Sexual Offences Act 1956", "s.33A", "offence", "up to 7 years' imprisonment")
    assert rows.loc["soa1959_s1_orders", "kind"] == "order"
    assert rows.loc["selling_buying_lawful", "kind"] == "lawful"
    assert rows.loc["msa2015_s45_defence", "kind"] == "defence"
    policies = rows[rows.kind == "policy"]
    assert sorted(policies.year.tolist()) == [2004, 2006]
    assert rows.loc["hac2016_prostitution", "kind"] == "recommendation"  # a recommendation, not a provision
    statutes = load_policy(POLICY_DATA).statutes
    assert len(statutes) == 12 and set(statutes.kind) <= {"offence", "order", "defence"}


def test_a_code_missing_from_the_codebook_is_reported(policy):
    with open(policy / "practice_codes.csv", "a", encoding="utf-8") as f:
        f.write("working_together,law_licensing\n")
    rows = (policy / "practice_codes.csv").read_text().count("\n")
    codebook = load_study(SYNTHETIC_DATA).codebook
    assert check_policy(policy) == []  # without a codebook nothing to compare with
    with pytest.raises(DataError) as caught:
        load_policy(policy, codebook=codebook)
    assert str(caught.value) == (
        f"{policy / 'practice_codes.csv'}:{rows}:code_id: unknown code_id 'law_licensing': not in the study's codebook")


def test_a_theme_cannot_mark_a_practice(policy):
    with open(policy / "practice_codes.csv", "a", encoding="utf-8") as f:
        f.write("street_work,law\n")
    found = [str(p) for p in check_policy(policy, load_study(SYNTHETIC_DATA).codebook)]
    assert any("practice_codes.csv" in p and "'law' is a theme" in p for p in found), found


def test_bad_policy_rows_are_named(policy):
    text = (policy / "provisions.csv").read_text().replace(",offence,", ",crime,", 1).replace(",1959,", ",around 1959,", 1)
    (policy / "provisions.csv").write_text(text)
    with open(policy / "provision_practices.csv", "a", encoding="utf-8") as f:
        f.write("no_such_provision,street_work,because\n")
    found = [str(p) for p in check_policy(policy)]
    assert f"{policy / 'provisions.csv'}:3:year: wrong type: the value is not a whole number" in found
    assert any(p.startswith(f"{policy / 'provisions.csv'}:3:kind: the value is not one of: offence, order") for p in found)
    assert f"{policy / 'provision_practices.csv'}:17:provision_id: unknown provision_id: not in provisions.csv" in found
    assert len(found) == 3
    assert not any(cell in p for p in found for cell in ("around 1959", "crime", "no_such_provision")), \
        "messages name the row and field, never the cell's value"
