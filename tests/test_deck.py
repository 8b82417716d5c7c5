"""The deck as a 15-minute talk: 16-18 slides, every one with speaker notes, about 1,900-2,300 words of
notes in all (130-150 spoken words a minute), a slide for every theme, the same "Raised by" line on every
theme slide, and a closing slide that states the argument.

Read from paper/slides.qmd (values count as one word each); tests/test_documents.py checks the rendered
PPTX has the same number of slides.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DECK = (REPO / "paper" / "slides.qmd").read_text(encoding="utf-8")
THEMES = ["value", "community", "barriers", "funding", "delegitimisation", "capacity", "needs", "rights"]


def slides() -> list[tuple[str, str]]:
    """(title, source) of every slide after the title slide."""
    body = DECK.split("\n---\n", 1)[1]
    parts = re.split(r"^## (.+)$", body, flags=re.M)
    return list(zip(parts[1::2], parts[2::2]))


def notes_of(source: str) -> str:
    """The text of a slide's `::: {.notes}` block, nested divs included."""
    lines, depth, out = source.splitlines(), 0, []
    for line in lines:
        fence = line.strip()
        if fence.startswith(":::"):
            if depth == 0 and fence.replace(" ", "") == ":::{.notes}":
                depth = 1
            elif depth:
                depth += 1 if fence.strip(":").strip() else -1
            continue
        if depth:
            out.append(line)
    return "\n".join(out)


def words(text: str) -> int:
    text = re.sub(r"\{\{<\s*var\s+[\w.-]+\s*>\}\}", "value", text)
    return len(re.findall(r"[\w'’.,;:()-]+", text))


def title_notes() -> str:
    front = yaml.safe_load(DECK.split("---", 2)[1])
    return front["title-slide-attributes"]["data-notes"]


def test_a_fifteen_minute_talk_has_sixteen_to_eighteen_slides():
    assert 16 <= 1 + len(slides()) <= 18, [t for t, _ in slides()]


def test_every_slide_has_notes_and_the_notes_fill_fifteen_minutes():
    empty = [title for title, source in slides() if not notes_of(source).strip()]
    assert not empty
    total = words(title_notes()) + sum(words(notes_of(source)) for _, source in slides())
    assert 1900 <= total <= 2300, f"{total} words of notes"


def test_every_theme_has_a_slide_with_a_quote_and_the_same_raised_by_line():
    raised = re.compile(r"^- Raised by \{\{< var theme_(\w+)_n_speakers >\}\} of \{\{< var n_participants >\}\} "
                        r"participants, in \{\{< var theme_\1_n_groups >\}\} of \{\{< var n_groups >\}\} groups: "
                        r"\{\{< var theme_\1_standing >\}\}$", re.M)
    found = {}
    for title, source in slides():
        lines = [m.group(1) for m in raised.finditer(source)]
        if lines:
            assert len(lines) == 1 and f"q-{lines[0]}-1.md" in source, title
            found[lines[0]] = title
        else:
            assert "Raised by" not in source, f"{title}: a 'Raised by' line in another form"
    assert sorted(found) == sorted(THEMES)


def test_every_results_slide_carries_the_synthetic_notice_when_the_data_are_synthetic():
    for title, source in slides():
        shows = "{{< include" in source or "Raised by" in source
        visible = re.search(r'::: \{\.content-visible when-meta="synthetic"\}\n\[Synthetic data[^\]]*\]\{\.synthetic-notice\}',
                            source)
        labelled_figure = "/figures/fig-" in source  # its caption opens with the label (tests/test_synthetic_labels.py)
        if shows:
            assert visible or labelled_figure, title


def test_the_closing_slide_states_the_argument_and_what_carries_it():
    title, source = slides()[-2]
    assert "argument" in title.lower()
    assert "**product** of the (de)criminalisation struggle" in source
    for value in ("theme_value_standing", "cooc_funding_deleg_reading", "theme_capacity_standing"):
        assert f"{{{{< var {value} >}}}}" in source
    assert slides()[-1][0].startswith("References {.smaller .scrollable}")
