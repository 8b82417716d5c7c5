"""Exchange files in each coding tool's own conventions (tests/fixtures/qdpx/make_tool_fixtures.py, and
the QualCoder export made by QualCoder's own code: tests/fixtures/qdpx/qualcoder/): each imports as it
is, or gives one complete report and a fill-in mapping, never a traceback nor a stop at the first problem.
One test per cause that stopped real files before (issue 14), then one per tool."""

import csv
import sys
from pathlib import Path

import pytest

from peerpaper.qdpx import ImportProblems, QdpxError, import_qdpx
from peerpaper.validate import check_data

FIXTURES = Path(__file__).parent / "fixtures" / "qdpx"
sys.path.insert(0, str(FIXTURES))
import make_tool_fixtures  # noqa: E402


def rows(folder: Path, table: str) -> list[dict]:
    with open(folder / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def imported(tmp_path, name, **options):
    out = tmp_path / "data"
    report = import_qdpx(FIXTURES / name, out, **options)
    assert check_data(out) == []
    return out, report


def problems(tmp_path, name, **options) -> tuple[list[str], str]:
    with pytest.raises(ImportProblems) as caught:
        import_qdpx(FIXTURES / name, tmp_path / "data", **options)
    assert not (tmp_path / "data").exists()
    return caught.value.problems, (tmp_path / "data.mapping.yaml").read_text(encoding="utf-8")


def test_the_tool_fixtures_are_rebuilt_byte_for_byte(tmp_path):
    for built in make_tool_fixtures.build(tmp_path):
        assert built.read_bytes() == (FIXTURES / built.name).read_bytes(), built.name


# --- the seven causes ---------------------------------------------------------------------------------------

def test_cause_1_no_variable_and_no_case_imports_with_unknown_attributes(tmp_path):
    out, report = imported(tmp_path, "nvivo12_mac.qdpx")
    assert {(g["date"], g["setting"], g["region"]) for g in rows(out, "groups")} == {("", "unknown", "unknown")}
    assert {(p["role"], p["sector"]) for p in rows(out, "participants") if p["role"] != "facilitator"} == {("unknown", "unknown")}
    assert "the analyses take groups in source order" in str(report)


def test_cause_2_speaker_labels_headings_styles_and_the_same_label_in_two_groups(tmp_path):
    found, filled = problems(tmp_path, "nvivo14_windows.qdpx")
    heading = [p for p in found if "a label that occurs once and matches no Case" in p]
    assert heading == ["nvivo14_windows.qdpx: source 'Focus group 1.docx' line 1: a label that occurs once and matches "
                       "no Case: a speaker or a heading? (speakers.rename or speakers.not_speakers in the mapping)"]
    assert '"Abstract":    # TODO' in filled
    out, report = imported(tmp_path, "nvivo14_windows.qdpx", mapping_file=FIXTURES / "nvivo14_windows.mapping.yaml")
    turns = rows(out, "segments")
    assert not any(t["text"].startswith("transcript of") for t in turns)  # the heading is not a turn
    amber = {t["group_id"] for t in turns if t["speaker_id"] == "Amber"}
    assert amber == {"Focus group 1", "Focus group 3"}  # one Case, two groups: one participant
    assert "1 participants speak in more than one group" in str(report)
    # f4's labels are numbered per group: with no Case, B1 of one group is not B1 of the next
    out, report = imported(tmp_path / "f4", "f4analyse.qdpx")
    ids = {p["participant_id"]: p["role"] for p in rows(out, "participants")}
    assert {"Gruppe 1-B1", "Gruppe 2-B1", "Gruppe 3-B1"} <= set(ids) and ids["I"] == "facilitator"
    assert "split into one participant per group" in str(report)


def test_cause_3_code_names_starting_with_digits_get_valid_stable_ids(tmp_path):
    answers = tmp_path / "answers.yaml"  # the heading and the region, but every code kept
    answers.write_text('speakers:\n  not_speakers: ["Abstract"]\nvalues:\n  region: {"Greater London": "London"}\n')
    out, _ = imported(tmp_path, "nvivo14_windows.qdpx", mapping_file=answers)
    book = rows(out, "codebook")
    assert len([c for c in book if c["label"][0].isdigit()]) == 40  # every node is numbered
    labels = {c["code_id"]: c["label"] for c in book}
    assert labels["value_safety"] == "1.1 Safety through peers"  # the study's codebook, matched by name
    assert labels["c_10_memos_and_method"] == "10. Memos and method"  # not the study's: an id from its name
    assert labels["c_10_1_interviewer_reflections"] == "10.1 Interviewer reflections"
    again, _ = imported(tmp_path / "again", "nvivo14_windows.qdpx", mapping_file=answers)
    assert (out / "codebook.csv").read_bytes() == (again / "codebook.csv").read_bytes()


def test_cause_4_a_flat_codebook_keeps_every_coding(tmp_path):
    out, report = imported(tmp_path, "atlasti23.qdpx")
    book = rows(out, "codebook")
    themes = {c["code_id"] for c in book if not c["parent_id"]}
    # one theme per code; the study's codes under the study's own themes (two codes of "value" share it)
    assert themes == {"value", "funding", "rights", "barriers", "c_20231005_police_raids_theme"} and len(book) == 12
    assert {c["code_id"]: c["parent_id"] for c in book}["value_belonging"] == "value"
    assert len(rows(out, "codings")) == 12  # as many as the project has
    assert "c_20231005_police_raids" in {c["code_id"] for c in book}  # ATLAS.ti's timestamp-like name
    assert "a flat codebook (7 codes, none nested): one theme per code (the study" in str(report)
    (tmp_path / "m.yaml").write_text("codebook:\n  flat: one_uncoded_theme\n")
    out, _ = imported(tmp_path / "b", "atlasti23.qdpx", mapping_file=tmp_path / "m.yaml")
    assert [c["code_id"] for c in rows(out, "codebook") if not c["parent_id"]] == ["uncoded"]


def test_cause_5_a_missing_source_is_reported_with_what_it_takes_and_can_be_left_out(tmp_path):
    found, _ = problems(tmp_path, "missing_source.qdpx")
    assert len(found) == 1 and "source 'FG2.txt': its text file is missing from the archive" in found[0]
    assert "it holds 4 selections with 4 codings" in found[0]
    out, report = imported(tmp_path, "missing_source.qdpx", allow_missing_sources=True)
    assert [g["group_id"] for g in rows(out, "groups")] == ["FG1", "FG3"]
    assert "(it takes 4 selections with 4 codings with it)" in str(report)


def test_cause_5_an_empty_project_is_one_sentence(tmp_path):
    with pytest.raises(QdpxError) as caught:
        import_qdpx(FIXTURES / "empty.qdpx", tmp_path / "data")
    assert str(caught.value) == "empty.qdpx: the project is empty (no sources with text and no codes): nothing to import"


def test_cause_6_atlas_sets_maxqda_nameless_cases_trial_qde_and_pdf_text(tmp_path):
    out, _ = imported(tmp_path / "a", "atlasti23.qdpx")
    assert rows(out, "groups")[0] == {"group_id": "FG1 transcript", "date": "2024-03-14", "setting": "in_person",
                                      "region": "London", "duration_min": ""}
    out, _ = imported(tmp_path / "m", "maxqda24.qdpx")
    assert [(g["group_id"], g["date"], g["duration_min"]) for g in rows(out, "groups")] == [
        ("Focus group", "2024-03-14", "95"), ("Focus group-2", "2024-04-02", "70"), ("Focus group 3", "2024-05-20", "80")]
    out, _ = imported(tmp_path / "t", "atlasti26_trial.qdpx")  # Trial.qde
    assert len(rows(out, "groups")) == 3
    found, filled = problems(tmp_path / "p", "pdf_sources.qdpx")
    assert found == ["pdf_sources.qdpx:project.qde:8: PDF source 'Focus group 3.pdf': 1 coded areas are given by page "
                     "coordinates, which have no place in its text: export the project with the PDF's text "
                     "(Representation), or list the source under sources.skip"]
    assert '"Focus group 3.pdf"' in filled
    out, _ = imported(tmp_path / "p2", "pdf_sources.qdpx", mapping_file=tmp_path / "p" / "data.mapping.yaml")
    groups = [g["group_id"] for g in rows(out, "groups")]
    assert groups == ["Focus group 1", "Focus group 2"]  # FG2's text read from the PDF itself
    assert any("Dee" == t["speaker_id"] for t in rows(out, "segments") if t["group_id"] == "Focus group 2")


def test_cause_7_whole_paragraph_codings_ending_on_crlf_are_placed(tmp_path):
    out, report = imported(tmp_path, "nvivo14_windows.qdpx", mapping_file=FIXTURES / "nvivo14_windows.mapping.yaml")
    assert report.offsets.misplaced == 0
    coded = {(c["segment_id"], c["code_id"]) for c in rows(out, "codings")}
    assert ("Focus group 1-004", "value_safety") in coded  # Amber's whole paragraph, CRLF included
    assert ("Focus group 1-005", "value_safety") not in coded  # and not the turn after it


# --- each tool ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["nvivo12_mac.qdpx", "atlasti23.qdpx", "atlasti26_trial.qdpx", "maxqda24.qdpx",
                                  "quirkos.qdpx", "transana.qdpx", "f4analyse.qdpx"])
def test_each_tool_imports_as_it_is_with_every_coding_placed(tmp_path, name):
    out, report = imported(tmp_path, name)
    assert report.counts["groups"] == 3 and report.offsets.misplaced == 0
    assert report.counts["codings"] >= 12
    texts = {t["text"] for t in rows(out, "segments")}
    assert "Decriminalise, then fund what already works." in {t.split(" #")[0] for t in texts}


def test_nvivo_after_the_mapping_has_every_attribute(tmp_path):
    out, _ = imported(tmp_path, "nvivo14_windows.qdpx", mapping_file=FIXTURES / "nvivo14_windows.mapping.yaml")
    assert rows(out, "groups")[0] == {"group_id": "Focus group 1", "date": "2024-03-14", "setting": "in_person",
                                      "region": "London", "duration_min": "95"}
    people = {p["participant_id"]: (p["role"], p["sector"]) for p in rows(out, "participants")}
    assert people["Bea"] == ("both", "indoor") and people["Interviewer"] == ("facilitator", "")


def test_transana_transcript_selections_are_placed_through_sync_points(tmp_path):
    out, _ = imported(tmp_path, "transana.qdpx")
    coded = {(c["segment_id"], c["code_id"]) for c in rows(out, "codings")}
    assert ("Focus group 2-006", "law_policing") in coded


def test_no_report_line_quotes_a_participant(tmp_path):
    for name in ["nvivo14_windows.qdpx", "pdf_sources.qdpx", "missing_source.qdpx"]:
        found, _ = problems(tmp_path / name, name)
        said = [t for g in make_tool_fixtures.GROUPS.values() for _, t in g]
        for line in found:
            assert not any(t[:20] in line for t in said), line
            assert not any(f"'{p}'" in line for p in make_tool_fixtures.PEOPLE), line


# --- QualCoder, exported by QualCoder's own code (tests/fixtures/qdpx/qualcoder/make_qualcoder_fixture.py) ---

@pytest.mark.parametrize("name, convention", [("qualcoder/qualcoder.qdpx", "code points (the REFI-QDA standard)"),
                                              ("qualcoder/qualcoder_crlf.qdpx", "code points, CRLF counted as one")])
def test_qualcoder_export_imports_as_it_is(tmp_path, name, convention):
    out, report = imported(tmp_path, name)
    assert str(report.offsets).startswith(convention) and report.offsets.misplaced == 0
    assert "speakers marked '[id]', detected" in str(report)  # QualCoder's [Name] marking
    # Cases are linked to files by name only (QualCoder writes no SourceRef for a whole-file case)
    people = {p["participant_id"]: (p["group_id"], p["role"], p["sector"]) for p in rows(out, "participants")}
    assert people["Bea"] == ("FG1", "both", "indoor") and people["Interviewer"] == ("FG1", "facilitator", "")
    assert rows(out, "groups")[1] == {"group_id": "FG2", "date": "2024-04-02", "setting": "online",
                                      "region": "North West", "duration_min": "70"}  # file attributes, Minutes a Float
    codings = rows(out, "codings")
    assert len(codings) == 7 and {c["coder_id"] for c in codings} == {"Coder A", "Coder B"}
    # the "📌 Speakers" codes (QualCoder's Mark Speakers) are not themes, and their codings are not codings
    assert not any("speaker" in c["code_id"] for c in rows(out, "codebook"))
    assert ("FG3-003", "rights_decrim") in {(c["segment_id"], c["code_id"]) for c in codings}
