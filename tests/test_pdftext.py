"""PDFium is not thread-safe: every use goes through `pdftext.read`, under one lock, and leaves nothing open."""

from __future__ import annotations

import ast
import subprocess
import sys
import threading
from pathlib import Path

import typst

from peerpaper import pdftext

SRC = Path(__file__).resolve().parents[1] / "src" / "peerpaper"
SOURCE = (b'#set document(title: "Minutes")\n= Peer support\n\nWe met on Tuesday. '
          b'#link("https://example.org/rota")[The rota]\n#pagebreak()\nPage two.')


def test_text_metadata_and_link_targets_page_by_page():
    pdf = pdftext.read(typst.compile(SOURCE))
    assert [("Peer support" in p.text, "Page two." in p.text) for p in pdf.pages] == [(True, False), (False, True)]
    assert pdf.pages[0].links == ("https://example.org/rota",) and pdf.metadata["Title"] == "Minutes"
    assert "\r" not in pdf.pages[0].text


def test_a_read_waits_while_another_thread_holds_the_lock():
    data = typst.compile(SOURCE)
    done = threading.Event()
    with pdftext.LOCK:
        reader = threading.Thread(target=lambda: (pdftext.read(data), done.set()))
        reader.start()
        assert not done.wait(0.5)  # PDFium is in use elsewhere: the read has not started
    reader.join(30)
    assert done.is_set()


def test_many_threads_reading_at_once_neither_crash_nor_mix_their_text(tmp_path):
    """In a child process, so a corrupted heap fails this test instead of killing the test run."""
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(typst.compile(SOURCE * 10))
    script = (
        "import sys, threading\nfrom peerpaper import pdftext\n"
        f"data = open({str(pdf)!r}, 'rb').read()\nexpected = pdftext.read(data)\nbad = []\n"
        "def work():\n    for _ in range(25):\n        try:\n            bad.extend([] if pdftext.read(data) == expected else ['mixed'])\n"
        "        except Exception as err:\n            bad.append(repr(err))\n"
        "threads = [threading.Thread(target=work) for _ in range(8)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\nsys.exit(str(bad[:3]) if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def test_nothing_else_in_the_package_calls_pdfium():
    users = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(name.split(".")[0] in ("pypdfium2", "pypdfium2_raw") for name in names):
                users.append(path.relative_to(SRC).as_posix())
    assert sorted(set(users)) == ["pdftext.py"]
