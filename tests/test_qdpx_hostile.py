"""Hostile .qdpx archives: each is refused at once with one line, within bounded memory and time, having
read nothing outside the archive; or, for text that tries to be markup, imported as the literal text."""

import csv
import resource
import time
import zipfile
from pathlib import Path

import pytest

from peerpaper.qdpx import QdpxError, import_qdpx
from peerpaper.qdpx import archive as archive_module

STANDARD = Path(__file__).parent / "fixtures" / "qdpx" / "standard.qdpx"


def members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def write(path: Path, members: dict[str, bytes], level: int = 1) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def refused(tmp_path, bad: Path, pattern: str) -> str:
    out = tmp_path / "data"
    with pytest.raises(QdpxError, match=pattern) as caught:
        import_qdpx(bad, out)
    assert "\n" not in str(caught.value)
    assert not out.exists() and not (tmp_path / "data.mapping.yaml").exists()
    return str(caught.value)


def test_a_zip_bomb_is_refused_from_its_directory_before_inflating(tmp_path):
    members = members_of(STANDARD)
    sources = [n for n in members if n.startswith("sources/")]
    members[sources[0]] = b"\n" * (600 * 2**20)  # 600 MiB of newlines: about 600 KiB zipped
    bomb = write(tmp_path / "bomb.qdpx", members, level=6)
    assert bomb.stat().st_size < 2 * 2**20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    message = refused(tmp_path, bomb, "refused \\(a zip bomb\\?\\)")
    assert time.perf_counter() - start < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KiB: nothing inflated
    assert sources[0] in message


def test_a_member_that_inflates_far_more_than_text_does_is_refused(tmp_path):
    members = members_of(STANDARD)
    sources = [n for n in members if n.startswith("sources/")]
    members[sources[0]] = b"A" * (8 * 2**20)  # 8 MiB of one letter: ratio over 1000
    refused(tmp_path, write(tmp_path / "ratio.qdpx", members), "more than text ever is: refused")


def test_too_many_entries_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(archive_module, "MAX_ENTRIES", 50)
    members = members_of(STANDARD) | {f"sources/pad{n}.txt": b"" for n in range(60)}
    refused(tmp_path, write(tmp_path / "many.qdpx", members), "entries, over the 50 a project has: refused")


@pytest.mark.parametrize("name", ["../../etc/cron.d/evil", "/etc/passwd", "C:/Windows/evil.txt", "sources/../../x"])
def test_entry_names_that_leave_the_archive_are_refused(tmp_path, name):
    members = members_of(STANDARD) | {name: b"x"}
    message = refused(tmp_path, write(tmp_path / "climb.qdpx", members), "have names that leave the archive")
    assert name not in message


def test_a_source_path_outside_the_archive_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Amber: the private roster\n")
    members = members_of(STANDARD)
    members["project.qde"] = members["project.qde"].replace(
        b'plainTextPath="internal://5b0e2f10-1111-4c2a-8d3e-000000000001.txt"', f'plainTextPath="{secret}"'.encode())
    bad = write(tmp_path / "outside.qdpx", members)
    with pytest.raises(QdpxError) as caught:
        import_qdpx(bad, tmp_path / "data")
    assert "its file is outside the archive" in str(caught.value) and "private roster" not in str(caught.value)


XXE = b"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE Project [<!ENTITY roster SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&roster;"/>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol4;"/>"""


@pytest.mark.parametrize("xml", [XXE, LAUGHS, XXE.decode().encode("utf-16")], ids=["xxe", "billion laughs", "xxe utf-16"])
def test_a_doctype_or_entities_are_refused_before_parsing(tmp_path, xml):
    message = refused(tmp_path, write(tmp_path / "dtd.qdpx", {"project.qde": xml}), "DOCTYPE")
    assert "root:" not in message and "lol" not in message


HOSTILE_NAMES = [
    '{{&lt; include /etc/passwd &gt;}}',
    '`#read(&quot;roster.csv&quot;)`{=typst}',
    '&lt;img src=x onerror=alert(1)&gt;',
    '| pipe | table |',
    '@Armstrong2019 $x^2$',
]


def test_hostile_code_names_are_kept_as_literal_labels_with_safe_ids(tmp_path):
    members = members_of(STANDARD)
    qde = members["project.qde"].decode()
    for old, new in zip(['name="Safety"', 'name="Belonging"', 'name="Safety at work"', 'name="Funding tied to exit"',
                         'name="Funding and the exit agenda"'], HOSTILE_NAMES):
        qde = qde.replace(old, f'name="{new}"', 1)
    members["project.qde"] = qde.encode()
    out = tmp_path / "data"
    import_qdpx(write(tmp_path / "names.qdpx", members), out)
    with open(out / "codebook.csv", encoding="utf-8", newline="") as handle:
        book = list(csv.DictReader(handle))
    labels = {row["label"] for row in book}
    assert {"{{< include /etc/passwd >}}", "<img src=x onerror=alert(1)>", "| pipe | table |"} <= labels
    assert all(row["code_id"].replace("_", "").isalnum() and row["code_id"].isascii() for row in book)
