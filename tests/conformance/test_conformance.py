"""The conformance suite: every Quarto case renders as Quarto renders it or is refused loudly, never silently;
and the table in docs/RENDERING.md is the one the suite produces now."""

from __future__ import annotations

import pytest

import quarto_suite

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def outcomes():
    return quarto_suite.run_all()


def test_no_case_is_silent_or_unclear(outcomes):
    bad = [f"{o.case} [{fmt}] {status}: {o.detail.get(fmt, '')}" for o in outcomes
           for fmt, status in o.status.items() if status in ("silent", "unclear")]
    assert not bad, "\n".join(bad)


def test_every_case_has_a_result_per_format(outcomes):
    assert all(o.status for o in outcomes)
    assert quarto_suite.counts(outcomes)["cases"] == len(quarto_suite.cases())


def test_rendering_md_shows_the_current_table(outcomes):
    assert quarto_suite.documented_table() == quarto_suite.table(outcomes), (
        "docs/RENDERING.md is out of date: run `.venv/bin/python tests/conformance/quarto_suite.py --write`")
