"""Importing REFI-QDA projects: the hand-built fixtures (tests/fixtures/qdpx/make_fixtures.py) and small
projects written here, read into data folders that pass the data contract."""

import csv
import json
import re
import sys
import zipfile
from pathlib import Path

import pytest

from peerpaper.cli import main
from peerpaper.qdpx import ImportProblems, QdpxError, import_qdpx
from peerpaper.validate import check_data

FIXTURES = Path(__file__).parent / "fixtures" / "qdpx"
sys.path.insert(0, str(FIXTURES))
import make_fixtures  # noqa: E402


def rows(folder: Path, table: str) -> list[dict]:
    with open(folder / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def standard(tmp_path_factory):
    out = tmp_path_factory.mktemp("standard") / "data"
    return out, import_qdpx(FIXTURES / "standard.qdpx", out)


def test_fixtures_are_rebuilt_byte_for_byte(tmp_path):
    for built in make_fixtures.build(tmp_path):
        assert built.read_bytes() == (FIXTURES / built.name).read_bytes(), built.name


def test_import_passes_the_data_contract_and_is_marked_real(standard):
    out, _ = standard
    assert check_data(out) == []
    assert json.loads((out / "datapackage.json").read_text())["synthetic"] is False


def test_sources_become_groups_with_variables_from_the_source_or_a_case(standard):
    out, _ = standard
    assert rows(out, "groups") == [
        # G01's variables are on its TextSource ("In person" normalised, "Duration (min)" matched)
        {"group_id": "G01", "date": "2024-03-14", "setting": "in_person", "region": "London", "duration_min": "95"},
        # G02's are on the Case "Second group", which refers to the source
        {"group_id": "G02", "date": "2024-05-02", "setting": "online", "region": "North West", "duration_min": ""},
    ]


def test_cases_become_participants_and_unknown_facilitator_labels_facilitators(standard):
    out, _ = standard
    got = {r["participant_id"]: (r["group_id"], r["role"], r["sector"]) for r in rows(out, "participants")}
    assert got == {
        "Amber": ("G01", "organiser", "street"),
        "Bea": ("G01", "both", "indoor"),
        "Facilitator": ("G01", "facilitator", ""),  # no Case: matched the facilitator pattern
        "Cleo": ("G02", "activist", "online"),
        "Dee": ("G02", "organiser", "mixed"),
        "FAC-G02": ("G02", "facilitator", ""),
    }


def test_turns_keep_emoji_and_lose_crlf_bom_and_labels(standard):
    out, _ = standard
    segments = rows(out, "segments")
    assert [(s["segment_id"], s["speaker_id"], s["position"]) for s in segments[:3]] == [
        ("G01-001", "Facilitator", "1"), ("G01-002", "Amber", "2"), ("G01-003", "Bea", "3")]
    assert segments[1]["text"] == "It keeps me safe \U0001F6E1 at work, honestly."
    assert segments[7]["text"] == "Here I belong \U0001F49C more than anywhere."
    assert not any("\r" in s["text"] or "\ufeff" in s["text"] for s in segments)
    assert len(segments) == 9


def test_nested_codes_become_themes_and_codes_with_their_notes(standard):
    out, _ = standard
    book = {r["code_id"]: r for r in rows(out, "codebook")}
    assert book["value"]["parent_id"] == ""  # non-codable top level: a theme
    assert book["safety"]["parent_id"] == "value"
    assert book["safety_at_work"]["parent_id"] == "safety"  # three deep
    assert book["safety"]["definition"] == "Being or feeling safer because of the peer space."
    assert book["safety"]["include"] == "practical safety tips shared in the group"
    assert book["safety"]["exclude"] == "safety from police (see Law)"


def test_selections_land_on_the_right_turns_for_each_coder(standard):
    out, report = standard
    got = {(r["segment_id"], r["code_id"], r["coder_id"]) for r in rows(out, "codings")}
    assert got == {
        ("G01-002", "safety_at_work", "C1"),  # the selection runs across an emoji
        ("G01-002", "safety", "C2"),
        ("G01-003", "belonging", "C1"),
        # one selection across Amber's turn, the facilitator's and Bea's: all three are coded
        ("G01-004", "funding_exit", "C1"),
        ("G01-005", "funding_exit", "C1"),
        ("G01-006", "funding_exit", "C1"),
        # the coder of these Codings is given only on their selection
        ("G01-004", "funding_exit", "C2"),
        ("G01-004", "safety", "C2"),
        ("G02-002", "belonging", "C1"),
        ("G02-002", "belonging", "C2"),
        ("G02-003", "safety", "C1"),
    }
    assert report.counts["spanning"] == 1
    assert report.counts["coders"] == 2


def test_report_names_the_counts_and_the_offset_convention(standard):
    _, report = standard
    text = str(report)
    assert "2 groups, 4 participants + 2 facilitators, 9 turns" in text
    assert "offsets: code points (the REFI-QDA standard), detected: 0 of 8 selections misplaced" in text


@pytest.mark.parametrize("name", ["nvivo.qdpx", "utf16_unlabelled.qdpx"])
def test_nvivo_utf16_offsets_give_the_same_data_as_the_standard(standard, tmp_path, name):
    out, _ = standard
    report = import_qdpx(FIXTURES / name, tmp_path / "data")
    assert report.offsets.convention.units == "UTF-16 code units"
    assert "UTF-16 code units, detected: 0 of 8" in str(report)
    for table in ("groups", "participants", "codebook", "segments", "codings"):
        assert (tmp_path / "data" / f"{table}.csv").read_bytes() == (out / f"{table}.csv").read_bytes(), table


def test_every_other_convention_would_misplace_some_nvivo_selections(tmp_path):
    """Why detection matters: read any other way, the NVivo file codes the wrong words."""
    report = import_qdpx(FIXTURES / "nvivo.qdpx", tmp_path / "data")
    assert min(report.offsets.alternatives.values()) > 0


# --- small projects written here --------------------------------------------------------------------------

def mini(path: Path, text: str, selections=None, cases=("Amber", "Bea"), origin="test") -> Path:
    """A one-source project with inline text, Cases for `cases`, one theme `t` with one code `c`, and
    `selections` coded `c` by C1 (by default the first word of the first turn)."""
    if selections is None:
        first = re.search(r"[:\]]\s*(\w+)", text)
        selections = [first.span(1)]
    case_xml = "".join(
        f'<Case guid="00000000-0000-4000-8000-0000000001{i:02d}" name="{name}"><VariableValue>'
        '<VariableRef targetGUID="00000000-0000-4000-8000-000000000301"/><TextValue>organiser</TextValue>'
        '</VariableValue><VariableValue><VariableRef targetGUID="00000000-0000-4000-8000-000000000302"/>'
        "<TextValue>indoor</TextValue></VariableValue></Case>"
        for i, name in enumerate(cases)
    )
    sel_xml = "".join(
        f'<PlainTextSelection guid="00000000-0000-4000-8000-0000000004{i:02d}" startPosition="{s}" '
        f'endPosition="{e}"><Coding guid="00000000-0000-4000-8000-0000000005{i:02d}" '
        'creatingUser="00000000-0000-4000-8000-000000000001">'
        '<CodeRef targetGUID="00000000-0000-4000-8000-000000000202"/></Coding></PlainTextSelection>'
        for i, (s, e) in enumerate(selections)
    )
    var = lambda n, v: (f'<VariableValue><VariableRef targetGUID="00000000-0000-4000-8000-00000000030{n}"/>'  # noqa
                        f"<TextValue>{v}</TextValue></VariableValue>")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="mini" origin="{origin}">
<Users><User guid="00000000-0000-4000-8000-000000000001" name="C1"/></Users>
<CodeBook><Codes><Code guid="00000000-0000-4000-8000-000000000201" name="T" isCodable="false">
<Description>A theme.</Description>
<Code guid="00000000-0000-4000-8000-000000000202" name="C" isCodable="true"><Description>A code.</Description></Code>
</Code></Codes></CodeBook>
<Variables>
<Variable guid="00000000-0000-4000-8000-000000000301" name="role" typeOfVariable="Text"/>
<Variable guid="00000000-0000-4000-8000-000000000302" name="sector" typeOfVariable="Text"/>
<Variable guid="00000000-0000-4000-8000-000000000303" name="date" typeOfVariable="Text"/>
<Variable guid="00000000-0000-4000-8000-000000000304" name="setting" typeOfVariable="Text"/>
<Variable guid="00000000-0000-4000-8000-000000000305" name="region" typeOfVariable="Text"/>
</Variables>
<Cases>{case_xml}</Cases>
<Sources><TextSource guid="00000000-0000-4000-8000-000000000101" name="G1.txt">
<PlainTextContent>{text}</PlainTextContent>{sel_xml}
{var(3, "2024-01-09")}{var(4, "online")}{var(5, "London")}
</TextSource></Sources>
</Project>"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
    return path


def test_a_configurable_speaker_pattern(tmp_path):
    text = "[Amber] We look after each other.\n[Bea] Yes.\n"
    start = text.index("look")
    file = mini(tmp_path / "m.qdpx", text, [(start, start + len("look after each other"))])
    report = import_qdpx(file, tmp_path / "data", speaker_style=r"regex: ^\[(?P<speaker>[^\]]+)\]\s*")
    segments = rows(tmp_path / "data", "segments")
    assert [(s["speaker_id"], s["text"]) for s in segments] == [("Amber", "We look after each other."), ("Bea", "Yes.")]
    assert rows(tmp_path / "data", "codings") == [{"segment_id": "G1-001", "code_id": "c", "coder_id": "C1"}]
    assert report.counts["segments"] == 2


def test_a_turn_runs_over_several_lines_until_the_next_label(tmp_path):
    file = mini(tmp_path / "m.qdpx", "Amber: First line\nsecond line.\nBea: Reply.\n")
    import_qdpx(file, tmp_path / "data")
    assert rows(tmp_path / "data", "segments")[0]["text"] == "First line\nsecond line."


def test_a_label_that_occurs_once_without_a_case_is_asked_about_not_guessed(tmp_path):
    file = mini(tmp_path / "m.qdpx", "Zed: Who am I?\nAmber: Hi.\nBea: Hello.\n")
    with pytest.raises(ImportProblems) as caught:
        import_qdpx(file, tmp_path / "data")
    assert caught.value.problems == ["m.qdpx: source 'G1.txt' line 1: a label that occurs once and matches no Case: a "
                                     "speaker or a heading? (speakers.rename or speakers.not_speakers in the mapping)"]
    assert "Zed" not in str(caught.value)  # a label may be a name: only the fill-in file, kept with the data, has it
    assert not (tmp_path / "data").exists()
    filled = (tmp_path / "data.mapping.yaml").read_text()
    assert '"Zed":    # TODO' in filled
    # answered: Zed is a speaker, with a pseudonym
    (tmp_path / "answers.yaml").write_text('speakers:\n  rename: {"Zed": "Zoe"}\n')
    import_qdpx(file, tmp_path / "data", mapping_file=tmp_path / "answers.yaml")
    assert [r["participant_id"] for r in rows(tmp_path / "data", "participants")] == ["Amber", "Bea", "Zoe"]


def test_a_label_that_occurs_once_amid_the_talk_is_a_speaker_of_unknown_attributes(tmp_path):
    file = mini(tmp_path / "m.qdpx", "Amber: Hi.\nBea: Hello.\nZed: Who am I?\n")
    report = import_qdpx(file, tmp_path / "data")
    assert {r["participant_id"]: r["role"] for r in rows(tmp_path / "data", "participants")}["Zed"] == "unknown"
    assert "1 speaker labels match no Case: participants of unknown role and sector" in str(report)


@pytest.mark.parametrize("pattern, message", [("(", "not a regular expression"), (r"^(\w+):", "named group")])
def test_a_bad_speaker_pattern_is_refused(tmp_path, pattern, message):
    file = mini(tmp_path / "m.qdpx", "Amber: Hi.\nBea: Hello.\n")
    with pytest.raises(QdpxError, match=message):
        import_qdpx(file, tmp_path / "data", speaker_style=f"regex: {pattern}")


def test_a_value_the_contract_does_not_know_is_asked_for_in_the_mapping(tmp_path):
    file = mini(tmp_path / "m.qdpx", "Amber: Hi.\nBea: Hello.\n")
    qde = zipfile.ZipFile(file).read("project.qde").replace(b">London<", b">Atlantis<")
    with zipfile.ZipFile(file, "w") as archive:
        archive.writestr("project.qde", qde)
    with pytest.raises(ImportProblems) as caught:
        import_qdpx(file, tmp_path / "data")
    assert caught.value.problems == ["m.qdpx: source 'G1.txt': a region value that is not one of North East, North West, "
                                     "Yorkshire and The Humber, East Midlands, West Midlands, East of England, London, "
                                     "South East, South West, unknown: map it under values.region"]
    assert "Atlantis" not in str(caught.value) and '"Atlantis":    # TODO' in (tmp_path / "data.mapping.yaml").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.mapping.yaml", "m.qdpx"]  # no staging folder left
    (tmp_path / "data.mapping.yaml").write_text('values:\n  region: {"Atlantis": "South West"}\n')
    import_qdpx(file, tmp_path / "data", mapping_file=tmp_path / "data.mapping.yaml")
    assert rows(tmp_path / "data", "groups")[0]["region"] == "South West"


def test_an_existing_non_empty_output_is_refused_and_kept(tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(QdpxError, match="already exists and is not empty"):
        import_qdpx(FIXTURES / "standard.qdpx", out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_an_existing_empty_output_folder_is_used(tmp_path):
    (tmp_path / "data").mkdir()
    import_qdpx(FIXTURES / "standard.qdpx", tmp_path / "data")
    assert check_data(tmp_path / "data") == []


def test_cli_prints_the_report(tmp_path, capsys):
    assert main(["import", "qdpx", str(FIXTURES / "nvivo.qdpx"), "--out", str(tmp_path / "data")]) == 0
    printed = capsys.readouterr().out
    assert "imported nvivo.qdpx" in printed and "UTF-16 code units" in printed


def edited(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """standard.qdpx with text replaced in project.qde (G02's text is inline there)."""
    out = tmp_path / "edited.qdpx"
    with zipfile.ZipFile(FIXTURES / "standard.qdpx") as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "project.qde":
                text = data.decode()
                for old, new in replacements:
                    assert old in text
                    text = text.replace(old, new)
                data = text.encode()
            dst.writestr(name, data)
    return out


G02_END = "at work.\n</PlainTextContent>"


def test_one_facilitator_label_in_several_groups_is_one_facilitator(tmp_path):
    file = edited(tmp_path, (G02_END, "at work.\nFacilitator: Thank you all.\n</PlainTextContent>"))
    import_qdpx(file, tmp_path / "data")
    facilitators = [(r["participant_id"], r["group_id"]) for r in rows(tmp_path / "data", "participants")
                    if r["role"] == "facilitator"]
    assert sorted(facilitators) == [("FAC-G02", "G02"), ("Facilitator", "G01")]
    assert ("G02", "Facilitator") in {(s["group_id"], s["speaker_id"]) for s in rows(tmp_path / "data", "segments")}


def test_a_participant_speaking_in_two_groups_is_one_participant(tmp_path):
    file = edited(tmp_path, (G02_END, "at work.\nAmber: Me too.\n</PlainTextContent>"))
    report = import_qdpx(file, tmp_path / "data")
    assert [r["group_id"] for r in rows(tmp_path / "data", "participants") if r["participant_id"] == "Amber"] == ["G01"]
    assert ("G02", "Amber") in {(s["group_id"], s["speaker_id"]) for s in rows(tmp_path / "data", "segments")}
    assert "1 participants speak in more than one group" in str(report)
    assert check_data(tmp_path / "data") == []


def test_codings_on_a_theme_go_to_a_general_code_below_it(tmp_path):
    theme = make_fixtures.CODES["Value of peer spaces"]
    dee = make_fixtures.CODES["Safety"]
    # the last selection (Dee, G02) codes Safety: point it at the theme instead
    file = edited(tmp_path, (f'<CodeRef targetGUID="{dee}"/></Coding></PlainTextSelection>\n    </TextSource>',
                             f'<CodeRef targetGUID="{theme}"/></Coding></PlainTextSelection>\n    </TextSource>'))
    report = import_qdpx(file, tmp_path / "data")
    assert ("G02-003", "value_general", "C1") in {tuple(r.values()) for r in rows(tmp_path / "data", "codings")}
    book = {r["code_id"]: r for r in rows(tmp_path / "data", "codebook")}
    assert book["value_general"]["parent_id"] == "value"
    assert "1 themes were coded directly" in str(report)
