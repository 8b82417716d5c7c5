"""The identifier scan: every planted identifier is caught in every output format, none is ever echoed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from peerpaper import privacy
from peerpaper.privacy import Allowed, PrivacyError, check_outputs, load_allowlist, load_roster, scan_outputs, scan_text

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "privacy"
PLANTED = list(csv.DictReader((FIXTURES / "planted.csv").open(encoding="utf-8")))
ROSTER = load_roster(FIXTURES / "roster.csv")


def segments() -> pd.DataFrame:
    return pd.DataFrame(
        {"segment_id": [f"G9-{n:03d}" for n in range(1, len(PLANTED) + 1)], "text": [p["sentence"] for p in PLANTED]}
    )


def test_the_fixture_plants_enough_identifiers_of_every_kind():
    assert len(PLANTED) >= 30
    assert {p["kind"] for p in PLANTED} == set(privacy.KINDS)
    assert all(p["identifier"].casefold() in p["sentence"].casefold() for p in PLANTED)


@pytest.mark.parametrize("planted", PLANTED, ids=lambda p: f"{p['kind']}:{p['identifier'][:3]}")
def test_scan_text_finds_each_identifier_as_its_kind(planted):
    hits = scan_text(planted["sentence"], roster=ROSTER)
    assert [(h.kind, h.secret.casefold()) for h in hits] == [(planted["kind"], planted["identifier"].casefold())]


def write_outputs(folder: Path) -> list[Path]:
    """The planted sentences as the build would publish them: quotes, a table, values, a page, a notebook."""
    texts = [p["sentence"] for p in PLANTED]
    quotes = folder / "q-value.md"
    quotes.write_text("".join(f"> {t}\n>\n> (P{n:02d}, G9)\n\n" for n, t in enumerate(texts[:10])), encoding="utf-8")
    table = folder / "tbl-codes.csv"
    pd.DataFrame({"code": [f"c{n}" for n in range(10, 20)], "note": texts[10:20]}).to_csv(table, index=False)
    values = folder / "values.json"
    values.write_text(json.dumps({"quote_a": texts[20], "nested": {"list": texts[21:24]}}), encoding="utf-8")
    page = folder / "paper.html"
    page.write_text(
        "<html><head><style>.x{color:red}</style><script>var phone='07700 900999';</script></head><body>"
        f"<p>{texts[24]}</p><img alt=\"{texts[25]}\" src=\"data:image/png;base64,iVBORw0KGgo07700900111=\">"
        f"<aside class=\"notes\">{texts[26]}</aside><span title=\"{texts[27]}\">x</span></body></html>",
        encoding="utf-8",
    )
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(quotes)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=texts[28] + "\n"),
        nbformat.v4.new_output("display_data", data={"text/html": f"<b>{texts[29]}</b>", "text/plain": "x"}),
        nbformat.v4.new_output("execute_result", data={"text/plain": texts[30]}, execution_count=1),
    ]
    notebook.cells = [cell]
    book = folder / "01-sample.ipynb"
    nbformat.write(notebook, book)
    return [quotes, table, values, page, book]


def test_every_planted_identifier_is_caught_in_outputs_and_named_by_segment(tmp_path):
    files = write_outputs(tmp_path)
    hits = scan_outputs(files, ROSTER, segments=segments())
    caught = {h.secret.casefold() for h in hits}
    missed = [p["kind"] for p in PLANTED if p["identifier"].casefold() not in caught]
    assert missed == []
    assert len(hits) == len(PLANTED), "script code and base64 images are not text a reader sees"
    by_segment = {h.secret.casefold(): h.segment for h in hits}
    for n, p in enumerate(PLANTED, start=1):
        assert by_segment[p["identifier"].casefold()] == f"G9-{n:03d}"


def test_check_outputs_names_file_segment_and_kind_but_never_the_identifier(tmp_path):
    files = write_outputs(tmp_path)
    with pytest.raises(PrivacyError) as caught:
        check_outputs(files, ROSTER, segments=segments())
    message = str(caught.value)
    assert "q-value.md:1 (segment G9-001): name K***" in message
    assert "values.json:$.quote_a (segment G9-021): url" in message
    for p in PLANTED:
        assert p["identifier"].casefold() not in message.casefold()
    hits = scan_outputs(files, ROSTER)
    assert all(p["identifier"] not in repr(h) + str(h) for h in hits for p in PLANTED)


def test_allowlisted_items_pass_only_with_a_reason(tmp_path):
    allow = tmp_path / "allowlist.csv"
    allow.write_text("text,kind,reason\nexample.org,email,project test inbox\nDev,name,also a common word here\n", encoding="utf-8")
    entries = load_allowlist(allow)
    assert scan_text("Mail kerry.b@example.org or ask Dev.", ROSTER, entries) == []
    assert [h.kind for h in scan_text("Mail kerry.b@example.net or ask Jolene.", ROSTER, entries)] == ["email", "name"]
    allow.write_text("text,kind,reason\nexample.org,email,ok\nDev,name,  \n", encoding="utf-8")
    with pytest.raises(PrivacyError, match=r"allowlist.csv:3:reason: an allowlist entry needs a reason"):
        load_allowlist(allow)
    allow.write_text("text,kind,reason\nDev,nickname,why\n", encoding="utf-8")
    with pytest.raises(PrivacyError, match=r"allowlist.csv:2:kind: 'nickname' is not one of"):
        load_allowlist(allow)


def test_a_roster_without_a_name_column_is_refused(tmp_path):
    (tmp_path / "roster.csv").write_text("who\nKerry\n", encoding="utf-8")
    with pytest.raises(PrivacyError, match=r"roster.csv:1: roster needs a 'name' column"):
        load_roster(tmp_path / "roster.csv")
    assert load_roster(tmp_path / "missing.csv") == []


PROSE = """# Findings {#sec-findings}

Peer spaces mattered [@Armstrong2019; @Sanders2018, p. 12] and, as @Platt2018 argue, policing shaped
access (see @fig-themes and @tbl-sample-sector, and @sec-findings). In 2019, 1,234 people took part;
version 2.1.3 of the codebook, 42% of turns, alpha 0.78, group G01-004 on 2024-03-15, doi 10.1371/journal.pmed.1002680.
Sexual Offences Act 2003 s.53A; the Policing and Crime Act 2009 took effect on 1 April 2010.
See https://www.legislation.gov.uk/ukpga/2003/42 and https://doi.org/10.1136/bmj.i4459.
"""


def test_no_false_positives_on_paper_prose_with_citations_and_cross_references():
    allow = load_allowlist(privacy.SHIPPED_ALLOWLIST)
    assert scan_text(PROSE, allowlist=allow, markdown=True, citation_keys={"Platt2018"}) == []
    # rendered text has no citation syntax, so an @word there is a handle
    assert [h.kind for h in scan_text("contact @Platt2018 today", allowlist=allow)] == ["handle"]


def test_no_false_positives_on_the_committed_synthetic_study_and_the_paper_sources():
    study = ROOT / "data" / "synthetic"
    files = [study / "segments.csv", study / "codebook.csv", study / "participants.csv", study / "groups.csv"]
    files += sorted((ROOT / "paper").glob("*.qmd"))
    files = [f for f in files if f.exists()]
    assert files, "the synthetic study and paper sources are committed"
    hits = scan_outputs(
        files,
        allowlist=load_allowlist(privacy.SHIPPED_ALLOWLIST),
        citation_keys=privacy.citation_keys(ROOT / "references.bib"),
    )
    assert [str(h) for h in hits] == []


def test_hits_report_lines_in_text_files(tmp_path):
    page = tmp_path / "slides.md"
    page.write_text("# Title\n\nquiet line\nring 07700 900123\n", encoding="utf-8")
    (hit,) = scan_outputs([tmp_path])
    assert hit.where == f"{page}:4" and hit.kind == "phone" and hit.excerpt == "0*** (12 chars)"
    assert Allowed("07700 900123", "phone", "Ofcom drama number").covers("phone", "07700 900123")
