"""Law -> practice -> experience: counted by hand, never true by construction, and read against chance."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from peerpaper.analysis import alignment, qualifiers
from peerpaper.figures import SLIDE_SIZE_IN, overlapping_labels
from peerpaper.paths import POLICY_DATA, SYNTHETIC_DATA
from peerpaper.policy import load_policy
from peerpaper.study import load_study


def policy_for(markers: dict[str, list[str]]):
    """Two statutes on 'working together', a policy document on 'exit', and an uncoded practice."""
    provisions = pd.DataFrame({
        "provision_id": ["brothel", "closure", "strategy", "cards", "lawful"],
        "instrument": ["Sexual Offences Act 1956", "Sexual Offences Act 2003", "Home Office, A Strategy", "Act 2001", "Law"],
        "section": ["s.33A", "", "", "s.46", ""],
        "year": pd.array([2003, 2009, 2006, 2001, None], dtype="Int64"),
        "conduct": ["keeping a brothel", "closure orders", "exit strategy", "advertising cards", "selling sex as such"],
        "label": ["Keeping a brothel", "Closure orders", "A Strategy (2006)", "Cards", "Lawful"],
        "kind": ["offence", "order", "policy", "offence", "lawful"],
        "penalty": ["7 years", "", "", "", ""],
    })
    practices = pd.DataFrame({"practice_id": ["together", "exit", "ads"], "label": ["Working together", "Exit", "Ads"],
                              "law_label": ["Brothels", "Exit policy", "Cards"], "description": ["", "", ""]})
    links = pd.DataFrame({"provision_id": ["brothel", "closure", "strategy", "cards"],
                          "practice_id": ["together", "together", "exit", "ads"], "why": ["", "", "", ""]})
    codes = pd.DataFrame([(p, c) for p, cs in markers.items() for c in cs], columns=["practice_id", "code_id"])
    return SimpleNamespace(provisions=provisions, practices=practices, provision_practices=links, practice_codes=codes)


def study_where(together_with: str, turns: int = 240, seed: int = 0):
    """One group of 240 turns; law_brothel on 30 turns; `together_with` rides on the same turns, the other
    experience code (fear or safety) falls elsewhere; funding_exit on 20 other turns."""
    rng = np.random.default_rng(seed)
    ids = [f"t{i:03d}" for i in range(turns)]
    spots = rng.permutation(turns)
    brothel, other, exit_ = spots[:30], spots[30:60], spots[60:80]
    other_code = "safety" if together_with == "fear" else "fear"
    rows = ([(ids[i], "law_brothel") for i in brothel] + [(ids[i], together_with) for i in brothel]
            + [(ids[i], other_code) for i in other] + [(ids[i], "funding_exit") for i in exit_])
    codings = pd.DataFrame([(s, c, "C1") for s, c in rows], columns=["segment_id", "code_id", "coder_id"])
    codebook = pd.DataFrame({
        "code_id": ["law", "law_brothel", "barriers", "fear", "value", "safety", "funding", "funding_exit"],
        "parent_id": ["", "law", "", "barriers", "", "value", "", "funding"],
        "label": ["Law", "Brothel law", "Barriers", "Fear of exposure", "Value", "Safety", "Funding", "Exit funding"],
    })
    speakers = [f"P{i % 6}" for i in range(turns)]
    return SimpleNamespace(
        groups=pd.DataFrame({"group_id": ["G1"], "date": ["2024-01-01"]}),
        participants=pd.DataFrame({"participant_id": [f"P{i}" for i in range(6)], "group_id": "G1",
                                   "role": "organiser", "sector": "indoor"}),
        codebook=codebook,
        segments=pd.DataFrame({"segment_id": ids, "group_id": "G1", "speaker_id": speakers,
                               "position": range(1, turns + 1),
                               "text": ["We were told sharing the flat was a brothel and the fear stopped us asking."] * turns}),
        codings=codings,
    )


MARKERS = {"together": ["law_brothel"], "exit": ["funding_exit"]}


def test_talk_per_practice_by_hand():
    study, policy = study_where("fear"), policy_for(MARKERS)
    talk = alignment.talk(study, policy)
    assert talk.loc["together", "n_segments"] == 30 and talk.loc["exit", "n_segments"] == 20
    assert talk.loc["ads", "n_segments"] == 0 and talk.loc["together", "n_speakers"] == 6


def test_law_codes_never_count_as_experience():
    """The circular reading ("law talk meets the law") is impossible: law codes and a practice's own markers
    are not codes of experience."""
    study, policy = study_where("fear"), policy_for(MARKERS)
    links = alignment.experience(study, policy, window=1, permutations=200)
    assert not links["code_id"].isin(["law_brothel"]).any()
    assert not ((links["practice_id"] == "exit") & (links["code_id"] == "funding_exit")).any()


@pytest.mark.parametrize("together_with", ["fear", "safety"])
def test_the_experience_follows_the_data(together_with):
    study, policy = study_where(together_with), policy_for(MARKERS)
    links = alignment.experience(study, policy, window=1, permutations=400)
    best = alignment.above_chance(links)
    assert best["together"]["code_id"].iloc[0] == together_with
    assert best["together"]["reading"].iloc[0] == qualifiers.ABOVE
    values = alignment.values(study, policy, alignment.talk(study, policy), links, k=3)
    label = {"fear": "Fear of exposure", "safety": "Safety"}[together_with]
    assert values["practice_together_top_code"] == label
    assert values["practice_together_top_jaccard"] == "1.00"  # on exactly the same turns
    assert values["practice_ads_codes_above_chance"] == "none" and values["practices_not_coded"] == "Ads"
    assert values["n_provisions"] == "3" and values["n_policy_documents"] == "1"  # statutes only; lawful not counted


def test_quotes_carry_the_practice_and_its_experience():
    study, policy = study_where("fear"), policy_for(MARKERS)
    links = alignment.experience(study, policy, window=1, permutations=200)
    chosen = alignment.quotes(study, policy, links).set_index("practice_id")
    assert chosen.loc["together", "code_id"] == "fear"
    both = study.codings.groupby("segment_id")["code_id"].agg(set)[chosen.loc["together", "segment_id"]]
    assert {"law_brothel", "fear"} <= both
    assert "ads" not in chosen.index


def test_tables_keep_statutes_apart_from_documents():
    study, policy = study_where("fear"), policy_for(MARKERS)
    law = alignment.law_table(policy).set_index("Provision or document")
    assert law.loc["A Strategy (2006)", "Kind"] == "policy document"
    assert law.loc["Lawful", "Kind"] == "lawful (context)" and law.loc["Lawful", "Peer practice it bears on"] == "–"
    links = alignment.experience(study, policy, window=1, permutations=100)
    labels = study.codebook.set_index("code_id")["label"]
    table = alignment.table(policy, alignment.talk(study, policy), links, labels, k=3).set_index("Peer practice")
    assert table.loc["Working together", "Statutes"] == "Keeping a brothel; Closure orders"
    assert table.loc["Exit", "Statutes"] == "–" and table.loc["Exit", "Policy documents and recommendations"] == "A Strategy (2006)"
    assert table.loc["Ads", "Talked about with it, above chance (Jaccard)"] == "no code marks this practice"


def test_the_committed_alignment_reads_at_a_glance():
    study = load_study(SYNTHETIC_DATA)
    policy = load_policy(POLICY_DATA, study.codebook)
    talk = alignment.talk(study, policy)
    links = alignment.experience(study, policy, window=3, permutations=200)
    best = alignment.above_chance(links)
    assert len(best.get("exit_routes", [])) >= 2  # exit policy lines up through more than one code
    assert "soa2003_closure_orders" in set(policy.provision_practices.loc[
        policy.provision_practices.practice_id == "working_together", "provision_id"])  # closure orders analysable
    data = alignment.figure_data(policy, talk, links, study.codebook.set_index("code_id")["label"])
    for slide in (False, True):
        fig, alt = alignment.figure(policy, data, study.codebook, slide=slide)
        assert overlapping_labels(fig) == [], slide
        assert "Working together" in alt
    assert tuple(fig.get_size_inches()) == pytest.approx(SLIDE_SIZE_IN)


def test_the_sentences_change_when_no_experience_goes_with_a_practice():
    """The links clause and the quotation's lead say what the analysis found: a link and its strength, or
    none; the code the quoted turn carries, or that none qualifies (never "none" or "n/a" in a sentence)."""
    study, policy = study_where("fear"), policy_for(MARKERS)
    links = alignment.experience(study, policy, window=1, permutations=400)
    linked = alignment.values(study, policy, alignment.talk(study, policy), links, k=3)
    assert linked["practice_together_links"].startswith("the codes of experience above chance with it were \u201cFear")
    assert "Jaccard index of 1.00 against" in linked["practice_together_links"]
    assert linked["practice_together_quote_lead"].endswith("\u201cFear of exposure\u201d, its strongest link")
    assert linked["practice_ads_quote_lead"] == "No participant turn about this practice qualifies as a quotation"

    study.codings = study.codings[~study.codings["code_id"].isin(["fear", "safety"])]
    links = alignment.experience(study, policy, window=1, permutations=400)
    unlinked = alignment.values(study, policy, alignment.talk(study, policy), links, k=3)
    assert unlinked["practice_together_links"] == "no code of experience was above chance with it"
    assert unlinked["practice_together_quote_lead"].startswith("The quotation is a turn about this practice; no turn")
    for name in ("practice_together_links", "practice_together_quote_lead"):
        assert "none" not in unlinked[name].split() and "n/a" not in unlinked[name]
