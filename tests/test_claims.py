"""What the paper and the deck may claim: every comparison, strength or size in the Findings, Discussion,
Conclusion and the speaker notes is governed by a value computed from the data (peerpaper.claims), every
theme's section reads its theme and codes, and every value the documents use is one docs/VALUES.md lists.

The build-level test (a study where the claims are false gives a paper whose sentences say so) is in
tests/test_claims_build.py.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from peerpaper import claims

REPO = Path(__file__).resolve().parents[1]
PAPER, DECK = REPO / "paper" / "paper.qmd", REPO / "paper" / "slides.qmd"
THEME_SECTIONS = {"value": "sec-value", "community": "sec-community", "barriers": "sec-barriers",
                  "funding": "sec-funding", "law": "sec-law-findings", "delegitimisation": "sec-deleg",
                  "capacity": "sec-capacity", "needs": "sec-needs", "rights": "sec-rights"}
VAR = re.compile(r"\{\{<\s*var\s+([\w.-]+)\s*>\}\}")


def codebook() -> dict[str, list[str]]:
    """theme id -> its code ids (docs/CONTRACTS.md's fixed ids, as the shipped codebook has them)."""
    out: dict[str, list[str]] = {}
    with open(REPO / "data" / "synthetic" / "codebook.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["parent_id"]:
                out.setdefault(row["parent_id"], []).append(row["code_id"])
    return out


def section(text: str, label: str) -> str:
    """The source of one section, from its heading to the next heading of the same or a higher level."""
    start = re.search(rf"^(#+) .*\{{#{label}\}}", text, re.M)
    assert start, f"no section {{#{label}}} in the paper"
    level = len(start.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", re.M).search(text, start.end())
    return text[start.start(): end.start() if end else len(text)]


def test_the_paper_and_the_speaker_notes_assert_nothing_no_value_governs():
    found = claims.check_project(REPO)
    assert not found, "\n".join(map(str, found))


FINDINGS = """# Methods {#sec-methods}

Most groups met in the evening, and this sentence is not in a checked section.

# Findings {#sec-findings}

## Pressure on organisers {#sec-capacity}

Most of those who run peer support are sex workers themselves.
The shape of peer support was strongly influenced by the wider legal and policy discourses.
The strongest such pair was "{{< var cooc_top_pair >}}", with a Jaccard index of {{< var cooc_top_jaccard >}}.
Pressure on organisers was {{< var theme_capacity_standing >}}, raised by {{< var theme_capacity_n_speakers >}}.
The funding and delegitimisation themes co-occurred {{< var cooc_funding_deleg_reading >}}.
Stigma, which the literature ties closely to policy [@SandersCampbell2007], bears on help-seeking.
The abstract speaks of increasingly diverse needs.
The theme "Community: strong but complex" was raised by {{< var theme_community_n_speakers >}}.

::: {.content-visible when-meta="synthetic"}
In the synthetic study many groups were online.
:::

# Discussion {#sec-discussion}

Peer spaces are valued in many ways at once.
"""


def test_the_check_finds_the_overclaims_it_exists_for_and_passes_governed_ones():
    found = {c.sentence.split()[0] + " " + c.sentence.split()[1]: c for c in claims.check_text(FINDINGS, Path("p.qmd"))}
    assert set(found) == {"Most of", "The shape", "The strongest", "In the", "Peer spaces"}, sorted(found)
    assert found["Most of"].words == ("most",) and found["Most of"].line == 9
    assert found["The shape"].words == ("strongly",)
    assert found["The strongest"].words == ("strongest",)  # a Jaccard index alone has no benchmark
    assert found["In the"].line == 19  # conditional content is prose like any other
    assert str(found["Most of"]).startswith("p.qmd:9: error: ungoverned claim (most)")


def test_speaker_notes_are_held_to_the_same_rule():
    deck = """## A slide

- Most raised: {{< var top_theme >}}

::: {.notes}
The theme was the most raised of all.

::: {.content-visible when-meta="synthetic"}
Many groups met online.
:::

It was {{< var theme_value_standing >}}, which tells us more.
:::

Text after the notes, outside them, says most things.
"""
    found = claims.check_text(deck, Path("s.qmd"), notes=True)
    assert [(c.line, c.words) for c in found] == [(6, ("most",)), (9, ("many",))]


def test_every_theme_section_reads_its_standing_and_each_code_by_its_count_and_its_agreement():
    text = PAPER.read_text(encoding="utf-8")
    book = codebook()
    for theme, label in THEME_SECTIONS.items():
        used = set(VAR.findall(section(text, label)))
        wanted = {f"theme_{theme}_standing"} | {f"code_{c}_count_reading" for c in book[theme]} | {
            f"alpha_{c}_reading" for c in book[theme]}
        assert not wanted - used, f"{label} does not read {sorted(wanted - used)}"


def test_a_jaccard_index_or_an_alpha_never_stands_without_its_reading():
    """A co-occurrence index is shown with what chance gives and its reading; a code's alpha with its reading."""
    for path in (PAPER, DECK):
        text = path.read_text(encoding="utf-8")
        for sentence in claims.sentences(text, notes=path == DECK):
            names = set(re.findall(r"⟨([\w.-]+)⟩", sentence[1]))
            for name in names:
                if m := re.fullmatch(r"(cooc_\w+)_jaccard", name):
                    assert {f"{m.group(1)}_reading", f"{m.group(1)}_chance"} <= names, f"{path.name}:{sentence[0]}"
                if name.startswith("alpha_") and not name.endswith(("_reading", "_code", "_value", "_n_applied")):
                    assert f"{name}_reading" in names, f"{path.name}:{sentence[0]}: {name} without its reading"


def listed_values() -> set[str]:
    """Every value name docs/VALUES.md lists, with <theme> and <code> expanded over the codebook and
    <practice> over data/policy's peer practices."""
    book = codebook()
    themes, codes = list(book), [c for cs in book.values() for c in cs]
    with open(REPO / "data" / "policy" / "practices.csv", encoding="utf-8", newline="") as f:
        practices = [row["practice_id"] for row in csv.DictReader(f)]
    names: set[str] = set()
    for line in (REPO / "docs" / "VALUES.md").read_text(encoding="utf-8").splitlines():
        names.update(re.findall(r"Values?: `([a-z_0-9]+)`", line))
        if not line.startswith("| ") or line.startswith("| name"):
            continue
        for raw in line.split("|")[1].split(","):
            name = raw.strip().strip("`")
            expanded = [name]
            if "<theme>" in name:
                expanded = [n.replace("<theme>", t) for n in expanded for t in themes]
            if "<code>" in name:
                expanded = [n.replace("<code>", c) for n in expanded for c in codes]
            if "<practice>" in name:
                expanded = [n.replace("<practice>", p) for n in expanded for p in practices]
            names.update(expanded)
    return names


@pytest.mark.parametrize("document", [PAPER, DECK], ids=lambda p: p.name)
def test_every_value_the_documents_use_is_listed_in_values_md(document):
    used = set(VAR.findall(document.read_text(encoding="utf-8")))
    assert not used - listed_values(), f"not in docs/VALUES.md: {sorted(used - listed_values())}"
