"""Identifiers spelled so that a plain search misses them: each quoted turn reads, to a person, as a roster
name, an email, a phone number, a postcode, a handle or a link, and the build must refuse it (naming the
segment, never printing the identifier). Invisible characters, Unicode compatibility forms, look-alike
letters, bidi controls, links inside allowlisted links, link-in-bio domains. (Each refusal is a build of its
own, so the family is kept to the five that matter most; tests/test_privacy_identifiers.py has every
evasion against the scanner directly.)"""

from __future__ import annotations

from . import REFUSED, DataFolder, Planted, attack, padded

ROSTER = ["Zoë Hartley", "Perpetua Nightingale"]


def _refused_quote(folder: DataFolder, payload: str, roster: bool = False) -> list[Planted]:
    turn = folder.quoted_turn()
    text = padded(f"{folder.tag()} said {payload}")
    folder.set_text(turn["segment_id"], text)
    folder.plant_roster(ROSTER)
    return [Planted(text), *([Planted(name) for name in ROSTER] if roster else [])]


@attack(REFUSED)
def quote_decomposed_roster_name(folder):
    """A roster name typed on a Mac: e + U+0308 (combining diaeresis) instead of ë."""
    return _refused_quote(folder, "Zoe\u0308 Hartley rang", roster=True)


@attack(REFUSED)
def quote_email_with_zero_width_space(folder):
    """An email address with a zero-width space before the @."""
    return _refused_quote(folder, "mail jo.bloggs\u200b@example.org for the rota")


@attack(REFUSED)
def quote_bidi_override_phone(folder):
    """A right-to-left override that makes a reversed string read as 07700 900123 on the page."""
    return _refused_quote(folder, "rang me on \u202e321009 00770\u202c last week")


@attack(REFUSED)
def quote_phone_inside_allowlisted_url(folder):
    """A phone number hidden in the path of a DOI link (doi.org is allowlisted)."""
    return _refused_quote(folder, "see https://doi.org/07700900123 for it")


@attack(REFUSED)
def quote_link_in_bio(folder):
    """A link-in-bio link without https:// on a top-level domain the URL pattern does not list."""
    return _refused_quote(folder, "all my links are on linktr.ee/zoeh now")
