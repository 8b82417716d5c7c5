"""load_study: the contract's tables, typed, with the helpers the analyses lean on."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

from peerpaper.errors import DataError
from peerpaper.paths import ROOT, SYNTHETIC_DATA
from peerpaper.study import load_study


def contract_codebook() -> dict[str, list[str]]:
    """theme id -> code ids, read from the table in docs/CONTRACTS.md (the ids are fixed there)."""
    text = (ROOT / "docs" / "CONTRACTS.md").read_text(encoding="utf-8")
    table = text.split("### The codebook ids")[1].split("\n## ")[0]
    rows = re.findall(r"^\| (\w+) \| [^|]+ \| ([\w, ]+) \|$", table, flags=re.M)
    return {theme: [c.strip() for c in codes.split(",")] for theme, codes in rows}


def test_the_synthetic_study_loads_with_contract_types():
    study = load_study(SYNTHETIC_DATA)
    assert study.synthetic is True
    assert study.path == SYNTHETIC_DATA
    assert pd.api.types.is_datetime64_any_dtype(study.groups.date)
    assert pd.api.types.is_integer_dtype(study.segments.position)
    assert str(study.groups.duration_min.dtype) == "Int64"
    assert (study.codebook.parent_id.isin([""]) | study.codebook.parent_id.isin(study.codebook.code_id)).all()
    assert not study.participants.isna().any().any()  # empty stays "", never NaN


def test_the_codebook_is_exactly_the_contract():
    study = load_study(SYNTHETIC_DATA)
    expected = contract_codebook()
    assert len(expected) == 9
    assert study.themes.code_id.tolist() == list(expected)
    codes = study.codebook[study.codebook.parent_id != ""]
    assert {theme: codes[codes.parent_id == theme].code_id.tolist() for theme in expected} == expected
    assert (study.codebook[["label", "definition", "include", "exclude"]] != "").all().all()


def test_theme_of_and_speakers():
    study = load_study(SYNTHETIC_DATA)
    assert study.theme_of["funding_exit"] == "funding"
    assert study.theme_of["law"] == "law"
    assert set(study.codings.code_id.map(study.theme_of)) <= set(study.themes.code_id)
    assert "facilitator" not in set(study.speakers.role)
    assert len(study.speakers) + study.groups.group_id.nunique() == len(study.participants)


def test_theme_of_follows_deeper_nesting(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DATA, folder)
    with open(folder / "codebook.csv", "a", encoding="utf-8") as f:
        f.write("law_brothel_raids,law_brothel,Raids,Raids on shared flats.,,\n")
    assert load_study(folder).theme_of["law_brothel_raids"] == "law"


def test_text_that_looks_like_missing_stays_text(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DATA, folder)
    segments = (folder / "segments.csv").read_text(encoding="utf-8").splitlines()
    segments[3] = ",".join(segments[3].split(",")[:4] + ["NA"])
    (folder / "segments.csv").write_text("\n".join(segments) + "\n", encoding="utf-8")
    assert load_study(folder).segments.text.iloc[2] == "NA"


def test_a_missing_synthetic_flag_means_real(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DATA, folder)
    package = json.loads((folder / "datapackage.json").read_text())
    del package["synthetic"]
    (folder / "datapackage.json").write_text(json.dumps(package))
    assert load_study(folder).synthetic is False


def test_bad_data_raises_one_error_listing_every_problem(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DATA, folder)
    (folder / "codings.csv").unlink()
    groups = (folder / "groups.csv").read_text().replace("in_person", "zoom").replace("online", "zoom")
    (folder / "groups.csv").write_text(groups)
    with pytest.raises(DataError) as caught:
        load_study(folder)
    lines = str(caught.value).splitlines()
    assert f"{folder / 'codings.csv'}: missing file" in lines
    assert sum(":setting: the value is not one of" in line for line in lines) == 6
    assert "zoom" not in str(caught.value)  # a cell's value is never printed
    assert len(caught.value.problems) == len(lines) == 7
