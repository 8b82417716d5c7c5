"""Small numbers: studies whose counts would single people out, as real studies of small groups do.

A sector of two people, a group in a region no other group is in, a code one person used once, a role
only one person holds, and a study too small to report anything about. Each build must either refuse with
one line or publish outputs that pass the disclosure audit (`tests/test_hostile.py` audits every published
build); what each attack plants (a tagged quote, a tagged code label) shows that the build did publish the
rows concerned, masked, rather than dropping them.
"""

from __future__ import annotations

from . import LITERAL, PAPER, REFUSED, DataFolder, Planted, attack, padded


def _tagged_quote(folder: DataFolder, turn: dict, what: str) -> Planted:
    text = padded(f"{folder.tag()} {what}")
    folder.set_text(turn["segment_id"], text)
    return Planted(text, turn["shows_in"])


def _participants(folder: DataFolder) -> list[dict]:
    return [p for p in folder.rows("participants") if p["role"] != "facilitator"]


@attack(LITERAL)
def sector_of_two(folder):
    """Exactly two participants work online, one of them quoted: the sector table, the themes-by-sector
    figure and its data must not show a count or a share of them (20% of a five-person sector is one person)."""
    turn = folder.quoted_turn()
    rows = folder.rows("participants")
    others = [p for p in rows if p["role"] != "facilitator" and p["participant_id"] != turn["speaker_id"]]
    second = others[0]["participant_id"]
    for person in rows:
        if person["role"] == "facilitator":
            continue
        if person["participant_id"] in (turn["speaker_id"], second):
            person["sector"] = "online"
        elif person["sector"] == "online":
            person["sector"] = "street"
    folder.write("participants", rows)
    return [_tagged_quote(folder, turn, "said this as one of two who work online")]


@attack(LITERAL)
def group_alone_in_its_region(folder):
    """A quoted speaker's group is the only one in its region: no table may give that group's region (or
    month, or setting) beside its id, which the quote's attribution carries."""
    turn = folder.quoted_turn()
    rows = folder.rows("groups")
    regions = {g["region"] for g in rows}
    alone = next(r for r in ("North East", "South West", "East Midlands", "West Midlands") if r not in regions)
    next(g for g in rows if g["group_id"] == turn["group_id"])["region"] = alone
    folder.write("groups", rows)
    return [_tagged_quote(folder, turn, "said this in the only group of its region")]


@attack(LITERAL)
def code_used_once(folder):
    """A code applied to one turn only: its row of tbl-codes (and the values for the prose) must not let
    "1 turn" give away "1 participant in 1 group". The turn is too short to be quoted, so no quote moves."""
    book = folder.rows("codebook")
    label = f"{folder.tag()} once-used code"
    book.append({**{k: "" for k in book[0]}, "code_id": "capacity_once", "parent_id": "capacity", "label": label,
                 "definition": "A code one participant used once."})
    folder.write("codebook", book)
    people = {p["participant_id"] for p in _participants(folder)}
    short = next(s for s in folder.rows("segments") if s["speaker_id"] in people and len(s["text"].split()) < 8)
    codings = folder.rows("codings")
    coder = min((c["coder_id"] for c in codings if c["segment_id"] == short["segment_id"]), default="C1")
    codings.append({"segment_id": short["segment_id"], "code_id": "capacity_once", "coder_id": coder})
    folder.write("codings", codings)
    return [Planted(label, PAPER)]


@attack(LITERAL)
def role_of_one(folder):
    """One participant only is an activist: the role table must hide that count and whatever gives it away."""
    turn = folder.quoted_turn()
    rows = folder.rows("participants")
    for person in rows:
        if person["role"] == "activist" and person["participant_id"] != turn["speaker_id"]:
            person["role"] = "organiser"
        elif person["participant_id"] == turn["speaker_id"]:
            person["role"] = "activist"
    folder.write("participants", rows)
    return [_tagged_quote(folder, turn, "said this as the only activist")]


@attack(REFUSED)
def study_of_four(folder):
    """One group of four participants: fewer than k people in all, too few to report anything about; the
    build refuses with one line rather than publish a paper of hidden counts."""
    keep = folder.rows("groups")[0]["group_id"]
    folder.write("groups", [g for g in folder.rows("groups") if g["group_id"] == keep])
    people = [p for p in folder.rows("participants") if p["group_id"] == keep]
    speakers = [p for p in people if p["role"] != "facilitator"][:4]
    kept = {p["participant_id"] for p in people if p["role"] == "facilitator"} | {p["participant_id"] for p in speakers}
    folder.write("participants", [p for p in people if p["participant_id"] in kept])
    segments = [s for s in folder.rows("segments") if s["speaker_id"] in kept]
    folder.write("segments", segments)
    ids = {s["segment_id"] for s in segments}
    folder.write("codings", [c for c in folder.rows("codings") if c["segment_id"] in ids])
    if (folder.path / "double_coded.csv").exists():
        folder.write("double_coded", [d for d in folder.rows("double_coded") if d["segment_id"] in ids])
    return [Planted(p["participant_id"]) for p in speakers]
