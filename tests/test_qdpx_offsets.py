"""Offsets: converting each exporter's count to string indices, and telling which count a file uses."""

import pytest

from peerpaper.qdpx.offsets import (
    CRLF_AS_ONE,
    LF_AS_TWO,
    STANDARD,
    UTF16,
    Convention,
    OffsetMap,
    candidates,
    detect,
)

TEXT = "A: safe \U0001F6E1 here\r\nB: money \U0001F4B8 for exit\r\nC: done"


def utf16(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


def test_utf16_offsets_round_trip_through_every_character_boundary():
    offsets = OffsetMap(TEXT, Convention(UTF16))
    for i in range(len(TEXT) + 1):
        assert offsets.offset_of(i) == utf16(TEXT, i)
        assert offsets.index_of(utf16(TEXT, i)) == i
    assert offsets.length == len(TEXT.encode("utf-16-le")) // 2


def test_an_offset_between_the_halves_of_a_surrogate_pair_or_beyond_the_text_is_refused():
    offsets = OffsetMap(TEXT, Convention(UTF16))
    shield = TEXT.index("\U0001F6E1")
    assert offsets.index_of(utf16(TEXT, shield) + 1) is None
    assert offsets.index_of(offsets.length + 1) is None
    assert offsets.index_of(-1) is None


def test_crlf_counted_as_one_and_lf_counted_as_two():
    crlf = OffsetMap("ab\r\ncd", Convention(newlines=CRLF_AS_ONE))
    # counting CRLF as one, the line break is 2 (we place it on the LF), "c" is 3 and the end is 5
    assert [crlf.index_of(x) for x in range(7)] == [0, 1, 3, 4, 5, 6, None]
    lf = OffsetMap("ab\ncd", Convention(newlines=LF_AS_TWO))
    assert lf.index_of(4) == 3 and lf.index_of(3) is None  # there is no character between CR and LF here


def test_only_conventions_that_make_a_difference_are_tried():
    assert candidates(["plain text"]) == [STANDARD]
    assert set(candidates(["emoji \U0001F600"])) == {STANDARD, Convention(UTF16)}
    assert len(candidates(["a\r\nb", "c\nd \U0001F600"])) == 6


def _spans(text, phrases, count):
    out = []
    for phrase in phrases:
        start = text.index(phrase)
        out.append((count(text, start), count(text, start + len(phrase))))
    return out


PHRASES = ["money", "for exit", "done", "here"]


def test_detects_utf16_from_the_selections_alone():
    spans = _spans(TEXT, PHRASES, utf16)
    found = detect([(TEXT, spans)], origin="some tool")
    assert found.convention == Convention(UTF16)
    assert found.misplaced == 0 and found.selections == 4
    assert "UTF-16 code units" in str(found)


def test_detects_code_points_even_when_origin_says_nvivo():
    spans = _spans(TEXT, PHRASES, lambda text, i: i)
    assert detect([(TEXT, spans)], origin="NVivo 14").convention == STANDARD


def test_origin_breaks_a_tie_when_the_text_cannot():
    # every selection lies before the first emoji and CRLF: both counts agree, so the evidence is silent
    text = "A: safe here \U0001F6E1\r\nB: end"
    spans = [(3, 7), (8, 12)]
    assert detect([(text, spans)], origin="NVivo 14").convention == Convention(UTF16)
    assert detect([(text, spans)], origin="MAXQDA").convention == STANDARD


def test_detects_crlf_counted_as_one():
    spans = _spans(TEXT, PHRASES, lambda text, i: i - text.count("\r\n", 0, i))
    assert detect([(TEXT, spans)]).convention == Convention(newlines=CRLF_AS_ONE)


@pytest.mark.parametrize("text", ["no selections at all"])
def test_no_selections_gives_the_standard(text):
    assert detect([(text, [])]).convention == STANDARD


def test_whole_line_selections_ending_on_a_line_break_are_placed_not_misplaced():
    """NVivo selects a paragraph with its CRLF; other tools a line with its LF, or stop between CR and LF."""
    text = "Amber: We keep each other safe.\r\nBea: And we share what we know.\r\nCleo: Always.\r\n"
    lines = [(0, 33), (33, 66), (66, 81)]  # each line with its CRLF, in code points as stored
    assert all(text[s:e].endswith("\r\n") for s, e in lines)
    result = detect([(text, lines)], "NVivo 14")
    assert result.misplaced == 0 and result.convention == STANDARD
    up_to_cr = [(s, e - 1) for s, e in lines]
    assert detect([(text, up_to_cr)]).misplaced == 0
    lf = text.replace("\r\n", "\n")
    assert detect([(lf, [(0, 32), (32, 64)])]).misplaced == 0
    assert detect([(text, [(3, 10)])]).misplaced == 1  # still: starting inside "Amber" is misplaced
