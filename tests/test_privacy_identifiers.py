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
    # the number in the page's script is published bytes too; the base64 image's digits are pixels
    assert sorted(h.secret for h in hits if h.segment is None) == ["07700 900999"]
    assert len(hits) == len(PLANTED) + 1
    by_segment = {h.secret.casefold(): h.segment for h in hits}
    for n, p in enumerate(PLANTED, start=1):
        assert by_segment[p["identifier"].casefold()] == f"G9-{n:03d}"


def test_check_outputs_names_file_segment_and_kind_but_never_the_identifier(tmp_path):
    files = write_outputs(tmp_path)
    with pytest.raises(PrivacyError) as caught:
        check_outputs(files, ROSTER, segments=segments())
    message = str(caught.value)
    assert "q-value.md:1 (segment G9-001): name K***" in message
    assert f"{len(PLANTED) + 1} possible identifier(s)" in message and message.count("\n") == len(PLANTED) + 1
    assert "values.json:$.quote_a (segment G9-021): url" in message
    for p in PLANTED:
        assert p["identifier"].casefold() not in message.casefold()
    hits = scan_outputs(files, ROSTER)
    assert all(p["identifier"] not in repr(h) + str(h) for h in hits for p in PLANTED)


def test_allowlisted_items_pass_only_with_a_reason(tmp_path):
    allow = tmp_path / "allowlist.csv"
    allow.write_text("text,kind,reason\nexample.org,email,project test inbox\nDev,name,also a common word here\n", encoding="utf-8")
    entries = load_allowlist(allow)
    assert scan_text("Mail peers@example.org or ask Dev.", ROSTER, entries) == []
    assert [h.kind for h in scan_text("Mail kerry.b@example.net or ask Jolene.", ROSTER, entries)] == ["email", "name"]
    # an allowed mail domain says nothing of the person before the @: a roster name there is a hit
    assert [h.kind for h in scan_text("Mail kerry.blake@example.org", ROSTER, entries)] == ["name"]
    allow.write_text("text,kind,reason\nexample.org,email,ok\nDev,name,  \n", encoding="utf-8")
    with pytest.raises(PrivacyError, match=r"allowlist.csv:3:reason: an allowlist entry needs a reason"):
        load_allowlist(allow)
    allow.write_text("text,kind,reason\nDev,nickname,why\n", encoding="utf-8")
    with pytest.raises(PrivacyError, match=r"allowlist.csv:2:kind: 'nickname' is not one of"):
        load_allowlist(allow)


def test_a_roster_without_a_name_column_is_refused(tmp_path):
    (tmp_path / "roster.csv").write_text("who\nKerry\n", encoding="utf-8")
    with pytest.raises(PrivacyError, match=r"roster.csv:1: the roster needs the column\(s\) name \(missing name\)"):
        load_roster(tmp_path / "roster.csv")
    assert load_roster(tmp_path / "missing.csv") == []


@pytest.mark.parametrize("encoding, bom, newline", [("utf-8", b"", "\n"), ("utf-8", b"\xef\xbb\xbf", "\r\n"),
                                                    ("utf-16-le", b"\xff\xfe", "\r\n"), ("utf-8", b"", "\r")])
def test_a_roster_saved_by_excel_or_a_mac_is_read(tmp_path, encoding, bom, newline):
    text = newline.join(["Name , kind", "Zoë Hart,full name", "  Anaïs ,first name", ""])
    (tmp_path / "roster.csv").write_bytes(bom + text.encode(encoding))
    assert load_roster(tmp_path / "roster.csv") == ["Zoë Hart", "Anaïs"]


@pytest.mark.parametrize("name", ["roster.csv", "allowlist.csv"])
def test_a_latin1_roster_or_allowlist_is_refused_with_one_line_saying_what_to_do(tmp_path, name):
    header = "name,kind" if name == "roster.csv" else "text,kind,reason"
    row = "Zoë Hart,full name" if name == "roster.csv" else "Zoë,name,a common word"
    (tmp_path / name).write_bytes(f"{header}\n{row}\n".encode("latin-1"))
    loader = load_roster if name == "roster.csv" else load_allowlist
    with pytest.raises(PrivacyError) as caught:
        loader(tmp_path / name)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / name}: not UTF-8 text") and "save the" in message and "UTF-8" in message
    assert "\n" not in message and "Zo" not in message


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


# ---- evasions: text that reads as an identifier but is not spelled as one --------------------------------

ZWSP, ZWJ, WJ, SHY, NBSP, NNBSP = "\u200b", "\u200d", "\u2060", "\u00ad", "\u00a0", "\u202f"
EVASIONS = [  # (what, text, kind, folded identifier)
    ("name in decomposed Unicode (e + U+0308)", "Ask Zoe\u0308 about it", "name", "zoe"),
    ("name in precomposed form, roster decomposed", "Ask Zoë about it", "name", "zoe"),
    ("name without its accent", "Ask Zoe about it", "name", "zoe"),
    ("name in capitals", "HONESTLY KERRY BLAKE KEPT IT GOING", "name", "kerry blake"),
    ("name with a zero-width space", f"Ker{ZWSP}ry Blake kept it going", "name", "kerry blake"),
    ("name with a soft hyphen", f"Jo{SHY}lene came round", "name", "jolene"),
    ("name with a word joiner", f"Tam{WJ}sin came round", "name", "tamsin"),
    ("name with a zero-width joiner", f"Mari{ZWJ}sol Ortega came", "name", "marisol ortega"),
    ("name with a Cyrillic look-alike letter", "K\u0435rry Blake kept it going", "name", "kerry blake"),
    ("name with a Greek look-alike letter", "T\u03b1msin came round", "name", "tamsin"),
    ("name in mathematical bold letters", "\U0001d40a\U0001d41e\U0001d42b\U0001d42b\U0001d432 Blake came", "name", "kerry blake"),
    ("name in fullwidth letters", "\uff2a\uff4f\uff4c\uff45\uff4e\uff45 came", "name", "jolene"),
    ("name over two lines", "it was Kerry\nBlake who rang", "name", "kerry\nblake"),
    ("name hyphenated at a line end", "it was Jo-\nlene who rang", "name", "jolene"),
    ("name with a non-breaking space", f"Kerry{NBSP}Blake rang", "name", "kerry blake"),
    ("name joined by an underscore", "as kerry_blake online", "name", "kerry_blake"),
    ("email with a zero-width space", f"mail jo.bloggs{ZWSP}@example.org", "email", "jo.bloggs@example.org"),
    ("email with a fullwidth at sign", "mail jo.bloggs\uff20example.org", "email", "jo.bloggs@example.org"),
    ("email hyphenated at a line end", "mail jo.bloggs@exam-\nple.org today", "email", "jo.bloggs@example.org"),
    ("email spelled with at and dot", "email jo dot bloggs at gmail dot com", "email", "jo dot bloggs at gmail dot com"),
    ("email with bracketed at and dot", "email jo[at]example[dot]org", "email", "jo[at]example[dot]org"),
    ("email with (at)", "email jo.bloggs (at) example.org", "email", "jo.bloggs (at) example.org"),
    ("phone with a zero-width space", f"ring 07700{ZWSP}900123", "phone", "07700900123"),
    ("phone in fullwidth digits", "ring \uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13", "phone", "07700 900123"),
    ("phone with a non-breaking space", f"ring 07700{NBSP}900123", "phone", "07700 900123"),
    ("phone with a narrow no-break space", f"ring 07700{NNBSP}900123", "phone", "07700 900123"),
    ("phone with Unicode hyphens", "ring 07700\u2010900\u2011123", "phone", "07700-900-123"),
    ("phone broken over two lines", "ring 07700\n900123 tonight", "phone", "07700\n900123"),
    ("phone with dots", "ring 07700.900.123", "phone", "07700.900.123"),
    ("phone digit by digit", "ring 0 7 7 0 0 9 0 0 1 2 3", "phone", "0 7 7 0 0 9 0 0 1 2 3"),
    ("phone with 44 and no plus", "whatsapp 447700900123", "phone", "447700900123"),
    ("phone in superscript digits", "ring 07700 \u2079\u2070\u2070\u00b9\u00b2\u00b3", "phone", "07700 900123"),
    ("postcode with a zero-width space", f"at SW1A{ZWSP} 1AA", "postcode", "sw1a 1aa"),
    ("postcode in lower case", "at sw1a 1aa on tuesdays", "postcode", "sw1a 1aa"),
    ("postcode over two lines", "at SW1A\n1AA on tuesdays", "postcode", "sw1a\n1aa"),
    ("handle with a zero-width space", f"follow @kerry{ZWSP}_sw", "handle", "@kerry_sw"),
    ("handle with a fullwidth at sign", "follow \uff20kerry_sw", "handle", "@kerry_sw"),
    ("handle named by its platform", "insta: kerry_sw99", "handle", "insta: kerry_sw99"),
    ("link-in-bio link without https", "all my links: linktr.ee/kerrysw", "url", "linktr.ee/kerrysw"),
    ("Telegram link", "join t.me/kerrysw", "url", "t.me/kerrysw"),
    ("WhatsApp link", "message wa.me/447700900123", "url", "wa.me/447700900123"),
    ("link-in-bio domain with an unusual TLD", "see beacons.ai/kerry", "url", "beacons.ai/kerry"),
    ("fan-site link in capitals", "ONLYFANS.COM/KERRYSW", "url", "onlyfans.com/kerrysw"),
    ("x.com profile", "posted on x.com/kerrysw", "url", "x.com/kerrysw"),
    ("phone inside an allowlisted DOI link", "https://doi.org/07700900123", "phone", "07700900123"),
    ("email inside an allowlisted link", "https://www.legislation.gov.uk/?from=jo@example.org", "email", "jo@example.org"),
    ("link inside an allowlisted link", "https://doi.org/?u=https://onlyfans.com/kerry", "url", "https://onlyfans.com/kerry"),
    ("allowlisted host as userinfo", "https://doi.org@evil.example.com/x", "url", "https://doi.org@evil.example.com/x"),
    ("allowlisted host as a subdomain of another", "https://doi.org.evil.example.com/x", "url", "https://doi.org.evil.example.com/x"),
    ("date of birth in fullwidth digits", "born \uff11\uff12/03/1987", "dob", "12/03/1987"),
]
EVASION_ROSTER = ROSTER + ["Zoe\u0308"]


@pytest.mark.parametrize("what, text, kind, folded", EVASIONS, ids=[e[0] for e in EVASIONS])
def test_each_evasion_reads_as_the_identifier_it_spells(what, text, kind, folded):
    allow = load_allowlist(privacy.SHIPPED_ALLOWLIST)
    hits = scan_text(text, EVASION_ROSTER, allow)
    assert [(h.kind, h.secret) for h in hits] == [(kind, folded)], what
    assert all(folded not in str(h) and folded not in repr(h) for h in hits)


BIDI_TEXTS = [
    "rang me on \u202e321009 00770\u202c",  # right-to-left override: reads 07700 900123 on the page
    "rang me on \u2067321009 00770\u2069",  # right-to-left isolate
    "rang me on 07700\u200f 900123",  # a right-to-left mark reorders the digit runs around it
    "\u202aembedded\u202c", "\u202bembedded\u202c", "\u202doverride\u202c", "\u2066isolate\u2069",
    "\u2068first strong\u2069", "\u200emark", "\u061carabic letter mark",
]


@pytest.mark.parametrize("text", BIDI_TEXTS, ids=lambda t: next(f"U+{ord(c):04X}" for c in t if not c.isascii()))
def test_bidi_controls_are_refused_wherever_they_are_and_cannot_be_allowlisted(text):
    everything = [Allowed(text, "any", "trying to allow all of it")]
    bidi = [h for h in scan_text(text, allowlist=everything) if h.kind == "bidi control"]
    assert bidi and all(h.excerpt.startswith("U+") for h in bidi)


def test_text_spelled_in_invisible_tag_characters_is_read():
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "Kerry Blake")
    (hit,) = scan_text(f"nothing to see{hidden} here", ROSTER)
    assert hit.kind == "name" and hit.secret == "kerry blake"


NOT_IDENTIFIERS = [
    "Krippendorff's α was 0.78 (95% CI 0.71–0.84) across 1,234 turns.",
    "Colours #f6f7fa and #ff80ab; sizes 12pt, 0.5em; path M 0 0 L 10 10.",
    "The Sexual Offences Act 2003, s.53A; pp. 12–14; see Figure 2.",
    "We met at noon and talked about the wait for appointments.",
    "Instagram and OnlyFans were named as platforms by several participants.",
    "Café, naïve, Zoë's café (a Zoe who is not on the roster would be a hit; this text names none).".replace("Zoë's", "the"),
]


@pytest.mark.parametrize("text", NOT_IDENTIFIERS)
def test_ordinary_prose_with_unicode_numbers_and_colours_is_not_an_identifier(text):
    assert scan_text(text, ROSTER, load_allowlist(privacy.SHIPPED_ALLOWLIST)) == []


# A small study's tables as a PDF's text runs their cells together (from real builds of imported studies),
# and the bibliography's DOIs: digits enough for a phone number, but no phone number's shape.
TABLE_TEXTS = [
    "0 0.00 2 0.50 1 0.25 3 0.75",
    "1 0.33 3 1.00\n0 0.00 2 0.67\n0 0.00 1 0.25",
    "1.3 Practical help 0 0% 0 0% 0\n0 0% 0 0% 0\n0 0% 0 0% 0\n2.3 Who belongs 0 0% 0 0% 0",
    "1 3 1.00 0.42 no different\n0 3 0.75 0.43 no different",
    "Themes 0 1 2 0 3 1 0 0 2 1 1 2 4",  # a row of single-digit counts longer than any number
    "2 0 1 0 0 3 0 1 0 0 2",  # counts after a count
    "01 02 03 04 05",
    "Available at: https://doi.org/10.1371/journal.pone.0232076.\n21",
    "PLoS ONE, 15(5), p. e0232076. Available at: https://doi.org/10.1080/09581596.2022.2096428.",
    "Focus group 3 May 2024 in person Yorkshire and The Humber <5 5 42",
    "between 01.02.2024 and 03.04.2024, 0.78 0.71 0.84",
]


@pytest.mark.parametrize("text", TABLE_TEXTS)
def test_table_cells_and_bibliography_numbers_are_not_phone_numbers(text):
    assert scan_text(text, ROSTER, load_allowlist(privacy.SHIPPED_ALLOWLIST)) == []


PHONE_SHAPES = [  # as people write them: each read whole, as what was written
    "+44 (0)20 7946 0958", "+44 (0) 7700 900123", "0044 7700 900123", "+44-7700-900123", "+447700 900123",
    "07700 900-123", "0 7700 900123", "0161 - 496 - 0000", "(020) 7946 0000", "07700/900123", "0800 123 4567",
    "0-7-7-0-0-9-0-0-1-2-3", "+33 6 12 34 56 78",  # a number from abroad, with its country code
]


@pytest.mark.parametrize("number", PHONE_SHAPES)
def test_phone_numbers_in_every_usual_shape_are_found_whole(number):
    hits = scan_text(f"ring {number} tonight")
    assert [(h.kind, h.secret) for h in hits] == [("phone", number.lower())]


def test_a_phone_number_beside_a_count_or_another_number_is_still_found():
    hits = scan_text("2 07700 900123; or 0161 496 0000 or 0161 496 0001")
    assert [h.secret for h in hits] == ["07700 900123", "0161 496 0000", "0161 496 0001"]
