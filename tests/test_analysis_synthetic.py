"""On a large synthetic study the analyses recover what the generator was told (resources/synthetic_study.yaml).

What is checked: theme prevalence ordered as the topic guide's pull; sector effects where the prevalence
table puts them; alpha within the band the YAML states; codes first seen within their debut range.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peerpaper import synth
from peerpaper.analysis import alignment, cooccurrence, participants_only, reliability, saturation, themes
from peerpaper.figures import WIDTH_IN, overlapping_labels
from peerpaper.policy import load_policy
from peerpaper.study import load_study

GROUPS = 80


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return load_study(synth.generate(tmp_path_factory.mktemp("synthetic") / "study", seed=3, groups=GROUPS))


@pytest.fixture(scope="module")
def params():
    return synth.parameters()


def test_theme_prevalence_follows_the_topic_guide(study, params):
    """Themes the guide gives more time to take more of the coded turns (rank correlation over 9 themes)."""
    pull = pd.Series(params["topic_guide"])
    share = themes.prevalence(study).set_index("id")["pct_segments"].reindex(pull.index)
    assert pull.rank().corr(share.rank()) > 0.7, share.round(3).to_dict()


def test_sector_prevalence_is_recovered(study):
    """Street-based speakers raise soliciting most, indoor speakers the brothel law (resources/synthetic_study.yaml)."""
    people = participants_only(study.participants).set_index("participant_id")["sector"]
    from peerpaper.analysis import coded_talk

    rows = coded_talk(study)
    rows["sector"] = rows["speaker_id"].map(people)
    turns = study.segments[study.segments["speaker_id"].isin(people.index)]
    per_sector = turns["speaker_id"].map(people).value_counts()
    share = rows.groupby(["code_id", "sector"]).size().unstack(fill_value=0) / per_sector
    assert share.loc["law_soliciting"].idxmax() == "street"
    assert share.loc["law_brothel"].idxmax() == "indoor"


def test_saturation_where_the_debut_table_puts_it(study, params):
    by_group = saturation.codes_by_group(study)
    first_seen = {}
    for number, codes in enumerate(by_group["codes"], start=1):
        for code in codes:
            first_seen.setdefault(code, number)
    for code, (lo, hi) in params["debut"].items():
        assert lo <= first_seen[code] <= hi, code
    runs = saturation.runs(by_group, base=4, run=2, threshold=0.05, base_mode="fixed")
    assert saturation.point(runs, 2) == "4+2"


def test_agreement_is_recovered(study, params):
    coded, basis = reliability.coverage(study)
    assert basis == reliability.RECORDED
    per_code, overall = reliability.by_code(study.codings, study.codebook, coded)
    assert 0.72 <= overall["alpha"] <= 0.85  # the YAML: "lands around 0.75-0.8"
    alpha = per_code.set_index("code_id")["alpha"]
    noisy = [c for c, v in params["second_coder"]["per_code"].items() if v.get("omission", 0) >= 0.30]
    careful = [c for c, v in params["second_coder"]["per_code"].items() if v.get("omission", 1) <= 0.05]
    assert alpha[noisy].max() < overall["alpha"] < alpha[careful].min()


def test_planted_co_occurrences_stand_out(study, params):
    counts, jac = cooccurrence.cooccurrence(study, "code", window=1)
    off_diagonal = jac.to_numpy()[~np.eye(len(jac), dtype=bool)]
    for rule in params["co_occurrence"]:
        assert jac.loc[rule["if"], rule["then"]] > np.quantile(off_diagonal, 0.9), rule


def test_figures_on_real_sized_data_have_no_overlapping_labels(study):
    labels = study.codebook.set_index("code_id")["label"]
    by_group = saturation.codes_by_group(study)
    policy = load_policy(Path(__file__).resolve().parents[1] / "data" / "policy", study.codebook)
    figures = [
        themes.figure(themes.by_group(study), labels),
        themes.sector_figure(themes.by_sector(study), labels),
        cooccurrence.figure(cooccurrence.top_pairs(study, 3, null=cooccurrence.chance(study, "code", 3, 50)), labels, 3),
        saturation.figure(by_group, saturation.runs(by_group, 4, 2, 0.05), 2),
        alignment.figure(policy, alignment.figure_data(policy, alignment.talk(study, policy), alignment.experience(
            study, policy, window=3, permutations=50), labels), study.codebook),
    ]
    for fig, alt in figures:
        assert fig.get_size_inches()[0] == WIDTH_IN  # one width: the same scale on page and slide
        assert overlapping_labels(fig) == [], alt[:60]
        assert any(ch.isdigit() for ch in alt)
