"""Every qualifier the prose may use follows its number: change the study and the word changes with it."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis_study import tiny_study
from peerpaper.analysis import cooccurrence, qualifiers, reliability, themes


def theme_values(study, k=3):
    return themes.values(study, themes.prevalence(study), k)


def test_standing_splits_themes_in_thirds():
    assert [qualifiers.standing(r, 9) for r in range(1, 10)] == [qualifiers.MOST] * 3 + [qualifiers.MIDDLE] * 3 + [
        qualifiers.LEAST] * 3
    assert [qualifiers.standing(r, 2) for r in (1, 2)] == [qualifiers.MOST, qualifiers.LEAST]
    assert qualifiers.ordinal(3) == "third" and qualifiers.ordinal(13) == "13th" and qualifiers.ordinal(22) == "22nd"


def test_theme_rank_and_standing_flip_when_the_ranking_flips():
    study = tiny_study()
    before = theme_values(study)
    assert (before["theme_A_rank"], before["theme_B_rank"]) == ("1", "2")
    assert before["theme_A_standing"] == qualifiers.MOST and before["theme_B_standing"] == qualifiers.LEAST
    assert before["top_theme"] == "Theme A" and before["least_theme"] == "Theme B"
    # b1 on three more turns: B now touches 5 coded turns, A still 4
    extra = pd.DataFrame([(s, "b1", "C1") for s in ("s4", "s6", "s7")], columns=["segment_id", "code_id", "coder_id"])
    flipped = SimpleNamespace(**{**vars(study), "codings": pd.concat([study.codings, extra], ignore_index=True)})
    after = theme_values(flipped)
    assert (after["theme_A_rank"], after["theme_B_rank"]) == ("2", "1")
    assert after["theme_A_standing"] == qualifiers.LEAST and after["theme_B_standing"] == qualifiers.MOST
    assert after["top_theme"] == "Theme B" and after["themes_least_raised"] == "Theme A"


def test_count_reading_follows_k_and_the_counts():
    study = tiny_study()
    assert theme_values(study, k=3)["theme_B_count_reading"] == qualifiers.TOO_FEW  # P1, P2
    assert theme_values(study, k=2)["theme_B_count_reading"] == qualifiers.ENOUGH
    values = theme_values(study, k=2)
    assert values["code_b1_n_speakers"] == "2" and values["code_b1_n_segments"] == "2"
    assert values["code_a2_count_reading"] == qualifiers.ENOUGH  # P1 (s4) and P3 (s6)
    assert theme_values(study, k=3)["code_a2_n_speakers"] == "fewer than 3"


def double_coded(agree: bool):
    """20 segments both coders coded; C2 applies x where C1 did (agree) or on other segments (disagree)."""
    segs = [f"s{i}" for i in range(20)]
    c1 = [(s, "x", "C1") for s in segs[:8]]
    c2 = [(s, "x", "C2") for s in (segs[:8] if agree else segs[10:18])]
    codings = pd.DataFrame(c1 + c2, columns=["segment_id", "code_id", "coder_id"])
    coded = pd.DataFrame([(s, c) for s in segs for c in ("C1", "C2")], columns=["segment_id", "coder_id"])
    codebook = pd.DataFrame({"code_id": ["X", "x"], "parent_id": ["", "X"], "label": ["Theme X", "Code x"]})
    return codings, coded, codebook


@pytest.mark.parametrize("agree, reading", [(True, qualifiers.RELIABLE), (False, qualifiers.UNRELIABLE)])
def test_alpha_reading_flips_with_agreement(agree, reading):
    codings, coded, codebook = double_coded(agree)
    per_code, overall = reliability.by_code(codings, codebook, coded)
    values = reliability.values(per_code, overall)
    assert values["alpha_x_reading"] == reading and values["alpha_overall_reading"] == reading
    assert values[f"n_codes_alpha_{'reliable' if agree else 'unreliable'}"] == "1"


def test_alpha_reading_conventions():
    assert [qualifiers.alpha_reading(a) for a in (0.81, 0.8, 0.7, 0.667, 0.66, -0.01, float("nan"))] == [
        "reliable", "reliable", "tentative", "tentative", "not reliable", "not reliable", "not computable"]


def paired_study(together: bool, turns: int = 300):
    """One group; codes a (theme A) and b (theme B) each on 60 turns, on the same turns or never together."""
    ids = [f"t{i:03d}" for i in range(turns)]
    spots = np.random.default_rng(0).permutation(turns)  # irregular spacing: no shift realigns them
    a_turns = [ids[i] for i in sorted(spots[:60])]
    b_turns = a_turns if together else [ids[i] for i in sorted(spots[60:120])]
    codings = pd.DataFrame([(s, "a", "C1") for s in a_turns] + [(s, "b", "C1") for s in b_turns],
                           columns=["segment_id", "code_id", "coder_id"])
    return SimpleNamespace(
        groups=pd.DataFrame({"group_id": ["G1"], "date": ["2024-01-01"]}),
        participants=pd.DataFrame({"participant_id": ["P1", "P2"], "group_id": ["G1", "G1"],
                                   "role": ["organiser", "activist"], "sector": ["street", "indoor"]}),
        codebook=pd.DataFrame({"code_id": ["A", "a", "B", "b"], "parent_id": ["", "A", "", "B"],
                               "label": ["Theme A", "Code a", "Theme B", "Code b"]}),
        segments=pd.DataFrame({"segment_id": ids, "group_id": "G1", "speaker_id": ["P1", "P2"] * (turns // 2),
                               "position": range(1, turns + 1), "text": "words"}),
        codings=codings,
    )


@pytest.mark.parametrize("together, reading", [(True, qualifiers.ABOVE), (False, qualifiers.BELOW)])
def test_chance_reading_flips_with_the_association(together, reading):
    study = paired_study(together)
    null = cooccurrence.chance(study, "code", window=1, permutations=400, seed=1)
    assert qualifiers.chance_reading(null["p_above"].loc["a", "b"], null["p_below"].loc["a", "b"]) == reading
    # chance gives about what independence predicts: 60 of 300 turns each -> E|a&b| = 12
    assert null["expected"].loc["a", "b"] == pytest.approx(12 / (120 - 12), abs=0.01)
    pairs = cooccurrence.top_pairs(study, 1, null=null) if together else None
    if together:
        assert pairs.loc[0, "reading"] == qualifiers.ABOVE and pairs.loc[0, "jaccard_window"] == 1.0


def test_chance_keeps_each_items_own_count():
    study = paired_study(True)
    null = cooccurrence.chance(study, "code", window=3, permutations=50, seed=2)
    assert np.allclose(np.diag(null["expected"].to_numpy()), 1.0)
    assert null["observed"].loc["a", "b"] == pytest.approx(cooccurrence.cooccurrence(study, "code", 3)[1].loc["a", "b"])
