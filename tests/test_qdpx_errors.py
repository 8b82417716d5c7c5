"""Bad archives: one clear line naming the archive (and member and XML line where there is one), exit 1
from the CLI, and nothing written."""

import re
import zipfile
from pathlib import Path

import pytest

from peerpaper.cli import main
from peerpaper.qdpx import ImportProblems, QdpxError, import_qdpx

STANDARD = Path(__file__).parent / "fixtures" / "qdpx" / "standard.qdpx"
G01_MEMBER = "sources/5b0e2f10-1111-4c2a-8d3e-000000000001.txt"


def mutated(tmp_path: Path, change=lambda qde: qde, drop=(), replace_member=None) -> Path:
    """standard.qdpx with project.qde changed, members dropped or one member's bytes replaced."""
    out = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(STANDARD) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            if name in drop:
                continue
            data = src.read(name)
            if name == "project.qde":
                data = change(data.decode("utf-8")).encode("utf-8")
            elif replace_member and name == replace_member[0]:
                data = replace_member[1]
            dst.writestr(name, data)
    return out


CASES = {
    "not a zip": (
        lambda tmp: (tmp / "bad.qdpx").write_text("<Project/>") and tmp / "bad.qdpx",
        r"bad\.qdpx: not a \.qdpx archive \(not a zip file",
    ),
    "no project.qde": (
        lambda tmp: mutated(tmp, drop=("project.qde",)),
        r"bad\.qdpx: not a \.qdpx archive: no project\.qde",
    ),
    "malformed XML": (
        lambda tmp: mutated(tmp, lambda q: q.replace("</Users>", "</User>")),
        r"bad\.qdpx:project\.qde:6: malformed XML: ",
    ),
    "XSD-invalid": (
        lambda tmp: mutated(tmp, lambda q: q.replace('name="Belonging" ', "")),
        r"bad\.qdpx:project\.qde:\d+: not valid REFI-QDA \(XSD\): Element 'Code': The attribute 'name' is required",
    ),
}

# Problems found while reading the whole project: listed together (each one line, naming the archive, the
# member and the XML line), with a fill-in mapping beside the output, and nothing written.
PROBLEMS = {
    "unknown code GUID": (
        lambda tmp: mutated(tmp, lambda q: q.replace(
            'CodeRef targetGUID="c0de0000-0000-4000-8000-000000000004"',
            'CodeRef targetGUID="c0de0000-0000-4000-8000-0000000000ff"')),
        r"bad\.qdpx:project\.qde:\d+: Coding refers to unknown Code c0de0000-0000-4000-8000-0000000000ff",
    ),
    "selection beyond its text": (
        lambda tmp: mutated(tmp, lambda q: re.sub(r'endPosition="\d+"', 'endPosition="5000"', q, count=1)),
        r"bad\.qdpx:project\.qde:\d+: a selection \(\d+-5000\) lies beyond its text "
        r"\(\d+ code points in source 'G01\.txt'\)",
    ),
    "source file missing": (
        lambda tmp: mutated(tmp, drop=(G01_MEMBER,)),
        r"bad\.qdpx:project\.qde:\d+: source 'G01\.txt': its text file is missing from the archive "
        r"\(looked for sources/5b0e2f10-1111-4c2a-8d3e-000000000001\.txt\); it holds 5 selections with 6 codings "
        r"\(--allow-missing-sources imports the rest\)",
    ),
    "source not UTF-8": (
        lambda tmp: mutated(tmp, replace_member=(G01_MEMBER, "Amber: café".encode("latin-1"))),
        rf"bad\.qdpx:project\.qde:\d+: source 'G01\.txt': its text file {re.escape(G01_MEMBER)} is not UTF-8 \(byte 10\); it holds .*",
    ),
}


@pytest.mark.parametrize("case", PROBLEMS, ids=list(PROBLEMS))
def test_a_problem_is_listed_with_the_others_and_nothing_is_written(tmp_path, case):
    make, message = PROBLEMS[case]
    bad = make(tmp_path)
    out = tmp_path / "data"
    with pytest.raises(ImportProblems) as caught:
        import_qdpx(bad, out)
    assert any(re.fullmatch(message, p) for p in caught.value.problems), caught.value.problems
    assert all("\n" not in p for p in caught.value.problems)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.qdpx", "data.mapping.yaml"]


def test_several_problems_are_all_reported_at_once(tmp_path):
    bad = mutated(tmp_path, lambda q: re.sub(r'endPosition="\d+"', 'endPosition="5000"', q, count=1).replace(
        'CodeRef targetGUID="c0de0000-0000-4000-8000-000000000004"', 'CodeRef targetGUID="c0de0000-0000-4000-8000-0000000000ff"'))
    with pytest.raises(ImportProblems) as caught:
        import_qdpx(bad, tmp_path / "data")
    assert len(caught.value.problems) == 4  # the three Codings of Belonging, and the selection
    assert str(caught.value).startswith("bad.qdpx: 4 problems; nothing was written. Fill in ")


def test_an_unknown_user_or_variable_is_a_note_not_a_stop(tmp_path):
    bad = mutated(tmp_path, lambda q: q.replace(
        'creatingUser="8a1f0c52-3d4e-4f60-9a7b-1c2d3e4f5a02"', 'creatingUser="8a1f0c52-3d4e-4f60-9a7b-1c2d3e4f5aff"').replace(
        'VariableRef targetGUID="7a000000-0000-4000-8000-000000000003"', 'VariableRef targetGUID="7a000000-0000-4000-8000-0000000000ff"'))
    report = import_qdpx(bad, tmp_path / "data")
    assert "codings name a coder who is not among the Users: coder 'unknown'" in str(report)
    assert "values refer to no Variable: left out" in str(report)


def test_allow_missing_sources_imports_the_rest_and_says_what_went(tmp_path):
    bad = mutated(tmp_path, drop=(G01_MEMBER,))
    report = import_qdpx(bad, tmp_path / "data", allow_missing_sources=True)
    assert report.counts["groups"] == 1
    assert "source 'G01.txt' left out: its text file is missing from the archive" in str(report)
    assert "(it takes 5 selections with 6 codings with it)" in str(report)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_bad_archive_is_one_clear_line_and_writes_nothing(tmp_path, case):
    make, message = CASES[case]
    bad = make(tmp_path)
    out = tmp_path / "data"
    with pytest.raises(QdpxError) as caught:
        import_qdpx(bad, out)
    text = str(caught.value)
    assert "\n" not in text
    assert re.match(message, text), text
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.qdpx"]  # no staging folder left behind


def test_the_cli_exits_1_with_the_message_on_stderr(tmp_path, capsys):
    bad = tmp_path / "bad.qdpx"
    bad.write_text("not a zip")
    assert main(["import", "qdpx", str(bad), "--out", str(tmp_path / "data")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("paper import: ") and "not a .qdpx archive" in err
    assert not (tmp_path / "data").exists()


def test_a_missing_archive_is_named(tmp_path):
    with pytest.raises(QdpxError, match="nothere.qdpx: no such file"):
        import_qdpx(tmp_path / "nothere.qdpx", tmp_path / "data")
