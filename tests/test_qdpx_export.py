"""Exporting a data folder to .qdpx: valid against the REFI-QDA XSD, the same bytes every time, and read
back by the importer into the very same tables."""

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from peerpaper.cli import main
from peerpaper.errors import DataError
from peerpaper.paths import RESOURCES
from peerpaper.qdpx import export_qdpx, import_qdpx
from peerpaper.study import load_study

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "data" / "synthetic"
FIXTURES = Path(__file__).parent / "fixtures" / "qdpx"
TABLES = ("groups", "participants", "codebook", "segments", "codings")
NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "synthetic.qdpx"
    export_qdpx(SYNTHETIC, out)
    return out


def project_xml(qdpx: Path) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(qdpx).read("project.qde"))


def test_export_validates_against_the_refi_qda_schema(exported):
    schema = etree.XMLSchema(etree.parse(str(RESOURCES / "refi-qda-Project.xsd")))
    assert schema.validate(project_xml(exported)), schema.error_log


def test_export_is_the_same_bytes_every_time(exported, tmp_path):
    again = tmp_path / "again.qdpx"
    export_qdpx(SYNTHETIC, again)
    assert again.read_bytes() == exported.read_bytes()
    assert {info.date_time for info in zipfile.ZipFile(exported).infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_export_holds_coders_codebook_cases_and_one_source_per_group(exported):
    study = load_study(SYNTHETIC)
    root = project_xml(exported)
    assert sorted(u.get("name") for u in root.iterfind("q:Users/q:User", NS)) == sorted(study.codings.coder_id.unique())
    themes = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert {t.get("isCodable") for t in themes} == {"false"}
    assert [t.get("name") for t in themes] == list(study.themes.label)
    for theme in themes:
        for code in theme.iterfind("q:Code", NS):
            assert code.get("isCodable") == "true"
    nested = len(root.findall(".//q:Code/q:Code", NS))
    assert nested == len(study.codebook) - len(study.themes)
    cases = root.findall("q:Cases/q:Case", NS)
    assert [c.get("name") for c in cases] == list(study.participants.participant_id)
    assert [s.get("name") for s in root.iterfind("q:Sources/q:TextSource", NS)] == list(study.groups.group_id)


def test_every_selection_covers_exactly_its_turn_text(exported):
    """Offsets are code points into the stored text: the selected characters are the segment's text."""
    study = load_study(SYNTHETIC)
    archive = zipfile.ZipFile(exported)
    root = project_xml(exported)
    coded_texts = set(study.segments.set_index("segment_id").loc[study.codings.segment_id.unique(), "text"])
    selected = set()
    for source in root.iterfind("q:Sources/q:TextSource", NS):
        text = archive.read("sources/" + source.get("plainTextPath").removeprefix("internal://")).decode("utf-8")
        for sel in source.iterfind("q:PlainTextSelection", NS):
            selected.add(text[int(sel.get("startPosition")): int(sel.get("endPosition"))])
    assert selected == coded_texts


def test_export_then_import_gives_back_the_same_tables(exported, tmp_path):
    report = import_qdpx(exported, tmp_path / "back")
    for table in TABLES:
        assert (tmp_path / "back" / f"{table}.csv").read_bytes() == (SYNTHETIC / f"{table}.csv").read_bytes(), table
    assert load_study(tmp_path / "back").synthetic is False  # an import is never labelled synthetic by itself
    assert report.counts["codings"] == len(load_study(SYNTHETIC).codings)


def test_a_foreign_project_survives_import_export_import(tmp_path):
    """Code ids, notes, variables and the NVivo file's coding all come back the same through our export."""
    import_qdpx(FIXTURES / "nvivo.qdpx", tmp_path / "first")
    export_qdpx(tmp_path / "first", tmp_path / "again.qdpx")
    import_qdpx(tmp_path / "again.qdpx", tmp_path / "second")
    for table in TABLES:
        assert (tmp_path / "second" / f"{table}.csv").read_bytes() == (tmp_path / "first" / f"{table}.csv").read_bytes()


def test_a_bad_data_folder_is_refused_and_nothing_is_written(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in SYNTHETIC.iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    (bad / "codings.csv").write_text("segment_id,code_id,coder_id\nG01-003,no_such_code,C1\n")
    out = tmp_path / "out.qdpx"
    out.write_bytes(b"an earlier export")
    with pytest.raises(DataError, match=r"codings\.csv:2:code_id: unknown code_id: not in codebook\.csv"):
        export_qdpx(bad, out)
    assert out.read_bytes() == b"an earlier export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "out.qdpx"]


def test_cli_export(tmp_path, capsys):
    assert main(["export", "qdpx", str(SYNTHETIC), "--out", str(tmp_path / "s.qdpx")]) == 0
    assert "wrote" in capsys.readouterr().out
    assert zipfile.is_zipfile(tmp_path / "s.qdpx")
