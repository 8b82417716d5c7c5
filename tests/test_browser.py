"""The HTML paper and the reveal.js deck as a reader opens them: in Chromium, from the file, with no network.

Checks live in tests/readers.py and return lists of problems; the last tests break a copy of an output on
purpose and show the same checks report it. Screenshots for people to look at go to `_build/screenshots/` of
the project under test. Set PAPER_OUTPUTS=<folder> to run against an `_output/` you already have.
"""

from __future__ import annotations

import re
import struct

import pytest

import readers

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE_CHECKS = [readers.request_problems, readers.console_problems, readers.image_problems,
               readers.alt_text_problems, readers.anchor_problems, readers.heading_problems, readers.axe_problems]
DECK_SLIDES = range(16, 19)  # a 15-minute talk: 16-18 slides (tests/test_deck.py)


@pytest.fixture(scope="module")
def outputs(request):
    return readers.output_folder(request)


@pytest.fixture(scope="module")
def browser():
    with readers.chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def paper(browser, outputs):
    opened = readers.open_offline(browser, outputs / "paper.html")
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def deck(browser, outputs):
    opened = readers.open_offline(browser, outputs / "slides.html")
    yield opened
    opened.close()


@pytest.mark.parametrize("check", PAGE_CHECKS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("document", ["paper", "deck"])
def test_reader_finds_nothing_wrong(request, document, check):
    problems = check(request.getfixturevalue(document))
    assert not problems, readers.listed(problems)


def test_paper_shows_every_figure_its_source_places(paper, outputs):
    figures = readers.placed_figures(outputs)
    assert figures, "the paper's source places no figure: nothing for the image checks to see"
    problems = readers.missing_figure_problems(paper, figures)
    assert not problems, readers.listed(problems)
    assert paper.page.evaluate("() => document.querySelectorAll('main img, main svg').length") >= len(figures)


def test_deck_has_a_conference_talks_number_of_slides(deck):
    assert readers.slide_count(deck) in DECK_SLIDES


def test_arrow_keys_step_through_the_deck(deck):
    problems = readers.navigation_problems(deck)
    assert not problems, readers.listed(problems)


def test_every_slide_has_speaker_notes(deck):
    problems = readers.notes_problems(deck)
    assert not problems, readers.listed(problems)


def test_no_slide_overflows(deck):
    problems = readers.overflow_problems(deck)
    assert not problems, readers.listed(problems)


def test_no_slide_text_is_too_small_to_read(deck):
    problems = readers.small_text_problems(deck)
    assert not problems, readers.listed(problems)


def _png_size(path) -> tuple[int, int]:
    with open(path, "rb") as png:
        head = png.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_screenshots_of_the_paper_and_every_slide(paper, deck, outputs):
    folder = readers.screenshot_dir(outputs)
    paper.page.evaluate("() => window.scrollTo(0, 0)")
    paper.page.screenshot(path=str(folder / "paper.png"))
    shots = readers.screenshot_slides(deck, folder)
    assert len(shots) == readers.slide_count(deck)
    for shot in [folder / "paper.png", *shots]:
        assert _png_size(shot) == (readers.VIEWPORT["width"], readers.VIEWPORT["height"])


# --- the checks can fail: break a copy on purpose ---------------------------------------------------------

def _broken_copy(outputs, tmp_path, name, breaking):
    """A copy of one output, with `breaking(text) -> text` applied (which must change it)."""
    html = (outputs / name).read_text(encoding="utf-8")
    broken = breaking(html)
    assert broken != html, "the deliberate break did not apply: adjust the test to the output's markup"
    (tmp_path / name).write_text(broken, encoding="utf-8")
    return tmp_path / name


def test_image_check_reports_a_missing_figure(browser, outputs, tmp_path):
    figure = readers.placed_figures(outputs)[0]

    def lose_figure(html):  # the first figure's <img> now points to a file that does not exist
        return re.sub(r'(id="' + figure + r'".*?<img\b[^>]*?\bsrc=")[^"]*', r"\1missing-figure.svg", html,
                      count=1, flags=re.S)

    opened = readers.open_offline(browser, _broken_copy(outputs, tmp_path, "paper.html", lose_figure))
    try:
        problems = readers.image_problems(opened)
        assert any(figure in p and "missing-figure.svg" in p for p in problems), problems
        assert any("missing-figure.svg" in p for p in readers.request_problems(opened))
    finally:
        opened.close()


def test_overflow_check_reports_a_too_long_slide(browser, deck, outputs, tmp_path):
    too_long = "<ul>" + "".join(f"<li>Point {i} of a slide that says far too much</li>" for i in range(40)) + "</ul>"

    def overfill_second_slide(html):  # before the notes of the first slide that has an <aside class="notes">
        return html.replace('<aside class="notes">', too_long + '<aside class="notes">', 1)

    opened = readers.open_offline(browser, _broken_copy(outputs, tmp_path, "slides.html", overfill_second_slide))
    try:
        new = set(readers.overflow_problems(opened)) - set(readers.overflow_problems(deck))
    finally:
        opened.close()
    assert new, "the overfilled slide was not reported"
    assert len({p.split(" overflows")[0] for p in new}) == 1, f"only the overfilled slide is newly reported: {new}"


def test_alt_text_check_reports_an_image_without_description(browser, outputs, tmp_path):
    def strip_alt(html):
        return re.sub(r'(<img\b[^>]*?)\balt="[^"]*"', r'\1alt=""', html, count=1)

    opened = readers.open_offline(browser, _broken_copy(outputs, tmp_path, "paper.html", strip_alt))
    try:
        assert any("without alt text" in p for p in readers.alt_text_problems(opened))
    finally:
        opened.close()


def test_page_checks_report_injected_faults(browser, outputs, tmp_path):
    faults = ('<div id="injected-faults"><h5 style="color:#eeeeee;background:#ffffff">A skipped, unreadable heading</h5>'
              '<p><a href="#nowhere-at-all">a dead link</a></p><script>console.error("injected failure")</script></div>')

    def inject(html):
        return html.replace("<main>", "<main>" + faults, 1)

    opened = readers.open_offline(browser, _broken_copy(outputs, tmp_path, "paper.html", inject))
    try:
        assert any("h5 'A skipped, unreadable heading'" in p for p in readers.heading_problems(opened))
        assert any("#nowhere-at-all" in p for p in readers.anchor_problems(opened))
        assert any("injected failure" in p for p in readers.console_problems(opened))
        in_faults = "document.getElementById('injected-faults')"  # axe on the whole paper takes seconds
        assert any("color-contrast" in p and "h5" in p for p in readers.axe_problems(opened, in_faults))
    finally:
        opened.close()
