"""check_data: every way a data folder can break the contract gets its own message, file, row and column."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from peerpaper.paths import SYNTHETIC_DATA
from peerpaper.validate import check_data


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DATA, folder)
    return folder


def rows(folder: Path, table: str) -> list[list[str]]:
    with open(folder / f"{table}.csv", newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def write(folder: Path, table: str, records: list[list[str]]) -> None:
    with open(folder / f"{table}.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(records)


def set_cell(folder: Path, table: str, row: int, column: str, value: str) -> str:
    """Set one cell (row as a spreadsheet counts it: header = 1) and return the old value."""
    records = rows(folder, table)
    col = records[0].index(column)
    old, records[row - 1][col] = records[row - 1][col], value
    write(folder, table, records)
    return old


def messages(folder: Path) -> list[str]:
    return [str(p) for p in check_data(folder)]


def test_the_committed_synthetic_study_passes():
    assert check_data(SYNTHETIC_DATA) == []


def test_a_missing_file_is_named(data):
    (data / "codings.csv").unlink()
    assert messages(data) == [f"{data / 'codings.csv'}: missing file"]


def test_a_missing_datapackage_is_named(data):
    (data / "datapackage.json").unlink()
    assert messages(data) == [f"{data / 'datapackage.json'}: missing file (copy it from another data folder)"]


def test_an_empty_file_is_named(data):
    (data / "groups.csv").write_bytes(b"")
    problems = messages(data)
    assert f"{data / 'groups.csv'}: empty file" in problems
    # the tables that refer to groups are still checked on their own terms
    assert all("groups.csv" in p for p in problems), problems


def test_a_missing_column_is_named_at_the_header(data):
    records = [r[:3] + r[4:] for r in rows(data, "groups")]  # drop region
    write(data, "groups", records)
    assert messages(data) == [f"{data / 'groups.csv'}:1:region: missing column"]


def test_an_optional_column_may_be_left_out(data):
    write(data, "groups", [r[:4] for r in rows(data, "groups")])  # no duration_min
    assert messages(data) == []


def test_wrong_types_name_row_and_column_but_not_the_value(data):
    set_cell(data, "segments", 5, "position", "fifth")
    set_cell(data, "groups", 3, "date", "12/03/2024")
    assert messages(data) == [
        f"{data / 'groups.csv'}:3:date: wrong type: the value is not a date (YYYY-MM-DD)",
        f"{data / 'segments.csv'}:5:position: wrong type: the value is not a whole number",
    ]


def test_values_outside_the_enum(data):
    set_cell(data, "groups", 2, "setting", "zoom")
    set_cell(data, "groups", 3, "region", "Leeds")
    assert messages(data) == [
        f"{data / 'groups.csv'}:2:setting: the value is not one of: online, in_person, unknown",
        f"{data / 'groups.csv'}:3:region: the value is not one of: North East, North West, Yorkshire and The Humber, "
        "East Midlands, West Midlands, East of England, London, South East, South West, unknown",
    ]


def test_a_missing_required_value(data):
    set_cell(data, "segments", 4, "text", "")
    assert messages(data) == [f"{data / 'segments.csv'}:4:text: missing value"]


def test_duplicate_ids(data):
    records = rows(data, "participants")
    records.append(records[2])
    write(data, "participants", records)
    assert messages(data) == [
        f"{data / 'participants.csv'}:{len(records)}:participant_id: duplicate id (first in row 3)"
    ]


def test_an_id_three_times_names_its_first_row_each_time(data):
    records = rows(data, "groups")
    records += [records[2], records[2]]
    write(data, "groups", records)
    assert messages(data) == [
        f"{data / 'groups.csv'}:{len(records) - 1}:group_id: duplicate id (first in row 3)",
        f"{data / 'groups.csv'}:{len(records)}:group_id: duplicate id (first in row 3)",
    ]


def test_rows_of_the_wrong_shape_are_named_not_a_traceback(data):
    codebook = rows(data, "codebook")
    codebook[3] = codebook[3][:1]  # a row cut short after its id
    codebook.insert(5, [])  # a blank line
    write(data, "codebook", codebook)
    groups = rows(data, "groups")
    groups[2].append("stray")  # a cell past the header
    write(data, "groups", groups)
    found = messages(data)
    assert f"{data / 'codebook.csv'}:4:label: missing cell: the row is shorter than the header" in found
    assert f"{data / 'codebook.csv'}:4:label: missing value" in found
    assert f"{data / 'codebook.csv'}:6: blank row" in found
    assert f"{data / 'groups.csv'}:3: extra cell: the row is longer than the header" in found


def test_a_duplicate_coding(data):
    records = rows(data, "codings")
    records.append(records[1])
    write(data, "codings", records)
    assert messages(data) == [
        f"{data / 'codings.csv'}:{len(records)}: duplicate row: the same (segment_id, code_id, coder_id) as row 2"
    ]


def test_dangling_references(data):
    set_cell(data, "codings", 2, "segment_id", "G01-999")
    set_cell(data, "codings", 3, "code_id", "law_unknown")
    set_cell(data, "segments", 6, "speaker_id", "Nobody")
    set_cell(data, "participants", 4, "group_id", "G99")
    assert messages(data) == [
        f"{data / 'codings.csv'}:2:segment_id: unknown segment_id: not in segments.csv",
        f"{data / 'codings.csv'}:3:code_id: unknown code_id: not in codebook.csv",
        f"{data / 'participants.csv'}:4:group_id: unknown group_id: not in groups.csv",
        f"{data / 'segments.csv'}:6:speaker_id: unknown speaker_id: not in participants.csv",
    ]


def test_a_code_with_an_unknown_parent(data):
    set_cell(data, "codebook", 3, "parent_id", "valu")
    assert messages(data) == [f"{data / 'codebook.csv'}:3:parent_id: unknown parent_id: not in codebook.csv"]


def test_a_coding_may_not_use_a_theme(data):
    set_cell(data, "codings", 2, "code_id", "law")
    assert messages(data) == [f"{data / 'codings.csv'}:2:code_id: the code is a theme: apply one of its codes instead"]


def test_only_facilitators_may_have_no_sector(data):
    records = rows(data, "participants")
    row = next(i for i, r in enumerate(records, start=1) if r[2] == "activist")
    set_cell(data, "participants", row, "sector", "")
    assert messages(data) == [
        f"{data / 'participants.csv'}:{row}:sector: missing value: only a facilitator may have no sector"
    ]


def test_an_empty_group(data):
    records = rows(data, "groups")
    records.append(["G77", "2024-11-01", "online", "London", "90"])
    write(data, "groups", records)
    row = len(records)
    assert messages(data) == [
        f"{data / 'groups.csv'}:{row}:group_id: empty group: no participants",
        f"{data / 'groups.csv'}:{row}:group_id: empty group: no segments",
    ]


def test_a_participant_may_speak_in_another_group(data):
    records = rows(data, "segments")
    row = next(i for i, r in enumerate(records, start=1) if r[1] == "G02" and not r[2].startswith("FAC-"))
    set_cell(data, "segments", row, "group_id", "G01")
    assert messages(data) == []


def test_unknown_is_a_value_and_a_date_may_be_missing(data):
    set_cell(data, "groups", 2, "date", "")
    set_cell(data, "groups", 2, "setting", "unknown")
    set_cell(data, "groups", 2, "region", "unknown")
    people = rows(data, "participants")
    row = next(i for i, r in enumerate(people[1:], start=2) if r[2] != "facilitator")
    set_cell(data, "participants", row, "role", "unknown")
    set_cell(data, "participants", row, "sector", "unknown")
    assert messages(data) == []


def test_bytes_that_are_not_utf8_are_named_by_row(data):
    raw = (data / "segments.csv").read_bytes().split(b"\n")
    last_e = raw[6].rindex(b"e")  # in the text column, the last one
    raw[6] = raw[6][:last_e] + b"\xe9" + raw[6][last_e + 1 :]  # a Latin-1 e-acute in row 7
    (data / "segments.csv").write_bytes(b"\n".join(raw))
    assert messages(data) == [f"{data / 'segments.csv'}:7:text: not UTF-8 text (byte 0xe9): save the file as UTF-8"]


def test_a_bom_and_crlf_line_endings_are_accepted(data):
    for file in data.glob("*.csv"):
        text = file.read_bytes().replace(b"\n", b"\r\n")
        file.write_bytes(b"\xef\xbb\xbf" + text)
    assert check_data(data) == []


def test_columns_in_another_order_are_accepted(data):
    write(data, "groups", [[r[1], r[0], *r[2:]] for r in rows(data, "groups")])
    assert check_data(data) == []


def test_every_problem_is_reported_sorted(data):
    set_cell(data, "segments", 9, "position", "0")
    set_cell(data, "groups", 2, "setting", "zoom")
    set_cell(data, "codings", 4, "coder_id", "")
    (data / "participants.csv").write_text("participant_id,group_id,role,sector\n", encoding="utf-8")
    problems = check_data(data)
    found = [str(p) for p in problems]
    assert f"{data / 'segments.csv'}:9:position: the value is below the minimum of 1" in found
    assert f"{data / 'groups.csv'}:2:setting: the value is not one of: online, in_person, unknown" in found
    assert f"{data / 'codings.csv'}:4:coder_id: missing value" in found
    assert f"{data / 'participants.csv'}: no rows below the header" in found
    assert any("unknown speaker_id" in p for p in found)
    assert problems == sorted(problems, key=lambda p: (p.file, p.row or 0, p.column or "", p.message))


def test_checking_never_writes_into_the_folder(data):
    set_cell(data, "groups", 2, "setting", "zoom")
    before = {f.name: (f.read_bytes(), f.stat().st_mtime_ns) for f in data.iterdir()}
    check_data(data)
    assert {f.name: (f.read_bytes(), f.stat().st_mtime_ns) for f in data.iterdir()} == before


def test_not_a_folder(tmp_path):
    assert messages(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}: no such data folder"]


def test_no_message_prints_a_cell_value(data):
    """A name typed into the wrong column must not reach a terminal or a CI log through an error."""
    name = "Perpetua Nightingale"
    set_cell(data, "groups", 2, "setting", name)  # enum
    set_cell(data, "groups", 3, "date", name)  # type
    set_cell(data, "segments", 5, "position", name)  # type
    set_cell(data, "segments", 6, "speaker_id", name)  # foreign key
    set_cell(data, "codebook", 3, "parent_id", name)  # foreign key within a table
    set_cell(data, "codings", 2, "code_id", name)  # foreign key and pattern
    records = rows(data, "participants")
    records.append([name, *records[2][1:]])
    records.append([name, *records[2][1:]])  # a duplicate id
    write(data, "participants", records)
    found = messages(data)
    assert len(found) >= 6
    assert all(name.casefold() not in line.casefold() and "nightingale" not in line.casefold() for line in found), found


# --- double_coded.csv (optional): the double-coded subset, as drawn ---------------------------------


def test_the_double_coded_subset_is_optional(data):
    (data / "double_coded.csv").unlink()
    assert check_data(data) == []


def test_a_double_coded_segment_needs_two_coders(data):
    records = rows(data, "double_coded")
    segment = records[1][0]
    write(data, "double_coded", [records[0]] + [r for r in records[1:] if not (r[0] == segment and r[1] == "C2")])
    assert any("double_coded.csv:2:segment_id: the segment is listed with one coder" in m for m in messages(data))


def test_a_code_from_a_coder_not_listed_for_a_double_coded_segment_is_named(data):
    records = rows(data, "double_coded")
    segment = records[1][0]
    codings = rows(data, "codings")
    write(data, "codings", codings + [[segment, "value_safety", "C3"]])
    wanted = f"codings.csv:{len(codings) + 1}:coder_id: this coder coded a double-coded segment (first listed in row 2"
    assert any(wanted in m for m in messages(data)), messages(data)


def test_an_unknown_double_coded_segment_and_a_bad_note_are_named(data):
    records = rows(data, "double_coded")
    write(data, "double_coded", records + [["G99-001", "C1"], ["G99-001", "C2"]])
    package = (data / "datapackage.json").read_text(encoding="utf-8")
    (data / "datapackage.json").write_text(package.replace('"double_coding": {', '"double_coding": {"n": 3, ', 1),
                                           encoding="utf-8")
    found = messages(data)
    assert any("double_coded.csv" in m and "unknown segment_id: not in segments.csv" in m for m in found), found
    assert any("datapackage.json" in m and "double_coding" in m for m in found), found
