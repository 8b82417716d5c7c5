"""`paper preview` as an author uses it: a browser tab on the paper, edits saved to paper/paper.qmd.

The preview runs in the session's built project (`built_project`: its build is already up to date, so the
preview's first build is a no-op and the test takes seconds). `--html-only` keeps it from rebuilding the
other formats; the test restores paper.qmd byte for byte, so the build state other tests read is unchanged.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

import readers
from peerpaper import manifest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SENTENCE = "A sentence the preview test added, which the open tab shows without a reload by hand."


@pytest.fixture
def preview(built_project):
    qmd = built_project / "paper" / "paper.qmd"
    original = qmd.read_bytes()
    before = manifest.sha256(built_project / "_output" / "manifest.json")
    process = subprocess.Popen(
        [sys.executable, "-m", "peerpaper.cli", "preview", "--port", "0", "--html-only"], cwd=built_project,
        env={**os.environ, "PAPER_ROOT": str(built_project)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        url = re.search(r"(http://127\.0\.0\.1:\d+/)", process.stdout.readline()).group(1)
        yield url, qmd, process
    finally:
        qmd.write_bytes(original)
        if process.poll() is None:
            process.kill()
            process.wait(timeout=60)
    assert manifest.sha256(built_project / "_output" / "manifest.json") == before, "preview changed _output/"
    assert not (built_project / "_output.new").exists()


def stopped(process, timeout: float = 120) -> str:
    """What the preview printed once Ctrl-C ended it; if it hangs, its threads' stacks (faulthandler prints
    them on SIGABRT), so the failure says where it hangs."""
    try:
        return process.communicate(timeout=timeout)[0]  # a build it started is given 10 s, then killed
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        out, _ = process.communicate(timeout=60)
        raise AssertionError(f"paper preview did not stop {timeout:.0f} s after Ctrl-C:\n{out[-6000:]}") from None


def edit(qmd, old: str, new: str) -> None:
    text = qmd.read_text(encoding="utf-8")
    assert old in text
    qmd.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edit_a_broken_reference_and_its_fix_reach_the_open_tab(preview):
    url, qmd, process = preview
    with readers.chromium() as browser:
        page = browser.new_page()
        page.goto(url)  # the first build (a no-op here) may still be running: the page then says so
        page.get_by_role("heading", name=re.compile("Introduction")).wait_for(timeout=120_000)

        page.evaluate("window.keptSinceTheEdit = true")
        edit(qmd, "The paper proceeds as follows.", SENTENCE + " The paper proceeds as follows.")
        page.get_by_text(SENTENCE).wait_for(timeout=180_000)
        assert page.locator("#paper-preview-error").count() == 0
        assert page.evaluate("window.keptSinceTheEdit === true"), "an edit inside a section patches the tab"
        assert page.get_by_role("heading", name=re.compile("Introduction")).is_visible()

        edit(qmd, "[@Campbell2019], and it operates", "[@NoSuchWork2099], and it operates")
        banner = page.locator("#paper-preview-error")
        banner.wait_for(timeout=180_000)
        line = next(n for n, text in enumerate(qmd.read_text().splitlines(), 1) if "NoSuchWork2099" in text)
        assert f"paper/paper.qmd:{line}" in banner.inner_text()
        assert "NoSuchWork2099" in banner.inner_text()
        assert page.get_by_text(SENTENCE).is_visible(), "the last good page is not shown beneath the error"

        edit(qmd, "[@NoSuchWork2099]", "[@Campbell2019]")
        banner.wait_for(state="detached", timeout=180_000)
        assert page.get_by_text(SENTENCE).is_visible()

    process.send_signal(signal.SIGINT)
    out = stopped(process)
    assert process.returncode == 0, out
    assert "holds the last good build" in out
