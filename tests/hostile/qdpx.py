"""Markup that arrives through a coding tool's exchange file: the study goes out as a .qdpx, a collaborator's
tool hands it back with hostile code and theme names, and `paper import qdpx` brings it in. The names must
reach the documents as the characters typed. (Archives that attack the importer itself, a zip bomb,
entry names leaving the archive, a DTD with entities, are refused by the import: tests/test_qdpx_hostile.py.)
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

from . import LITERAL, PAPER, DataFolder, Planted, attack

TABLES = ("groups", "participants", "codebook", "segments", "codings")


def _through_qdpx(folder: DataFolder, names: dict[str, str]) -> None:
    """Export the folder, rename codes (code_id -> new name) in the exchange file, import it back in place."""
    from peerpaper.qdpx import export_qdpx, import_qdpx

    labels = {r["code_id"]: r["label"] for r in folder.rows("codebook")}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        export_qdpx(folder.path, tmp / "study.qdpx")
        with zipfile.ZipFile(tmp / "study.qdpx") as src, zipfile.ZipFile(tmp / "back.qdpx", "w") as dst:
            for member in src.namelist():
                data = src.read(member)
                if member == "project.qde":
                    text = data.decode("utf-8")
                    for code_id, name in names.items():
                        old = f"name={quoteattr(labels[code_id])}"
                        assert old in text, old
                        text = text.replace(old, f"name={quoteattr(name)}", 1)
                    data = text.encode("utf-8")
                dst.writestr(member, data)
        import_qdpx(tmp / "back.qdpx", tmp / "data")
        for table in TABLES:
            shutil.copyfile(tmp / "data" / f"{table}.csv", folder.path / f"{table}.csv")
    folder.__dict__.pop("study", None)


@attack(LITERAL)
def qdpx_code_names_with_markup(folder):
    """Theme and code names from a REFI-QDA file: a shortcode, raw Typst, HTML, a pipe, XML entities."""
    book = folder.rows("codebook")
    theme = next(r["code_id"] for r in book if not r["parent_id"] and not r["label"].startswith("zq"))
    code = next(r["code_id"] for r in book if r["parent_id"] and not r["label"].startswith("zq"))
    names = {
        theme: f"{folder.tag()} {{{{< include {folder.canary()} >}}}} & <img src=x onerror=window.__hostile=1>",
        code: f"{folder.tag()} `#read('/etc/passwd')`{{=typst}} | pipe &amp; <b>bold</b>",
    }
    _through_qdpx(folder, names)
    return [Planted(names[theme], (*PAPER, "analysis/tables/tbl-themes.csv")),
            Planted(names[code], (*PAPER, "analysis/tables/tbl-codes.csv"))]
