"""On a large synthetic study the analyses recover what the generator was told (resources/synthetic_study.yaml).

Tolerances: shares of turns within 4 standard errors (plus 0.003 for the few turns a second coder alone
coded); alpha within the band the YAML states; saturation exactly where the YAML's debut table puts it.
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


def expected_code_shares(study, params) -> pd.Series:
    """P(turn carries code), mixed over the observed sectors of participant turns, lifts applied."""
    people = participants_only(study.participants).set_index("participant_id")["sector"]
    turns = study.segments[study.segments["speaker_id"].isin(people.index)]
    weight = turns["speaker_id"].map(people).value_counts(normalize=True)
    prevalence = pd.DataFrame(params["prevalence"]).T[weight.index]  # codes x sectors
    lifted = prevalence.copy()
    for rule in params["co_occurrence"]:
        p_if, p_then = prevalence.loc[rule["if"]], prevalence.loc[rule["then"]]
        lifted.loc[rule["then"]] = p_then + p_if * (np.minimum(1, rule["lift"] * p_then) - p_then)
    return lifted @ weight, len(turns)


def test_code_prevalence_is_recovered(study, params):
    expected, n_turns = expected_code_shares(study, params)
    found = themes.prevalence(study, "code").set_index("id")["n_segments"] / n_turns
    tolerance = 4 * np.sqrt(expected * (1 - expected) / n_turns) + 0.003
    off = (found.reindex(expected.index) - expected).abs() > tolerance
    assert not off.any(), pd.DataFrame({"expected": expected, "found": found})[off]


def test_saturation_where_the_debut_table_puts_it(study, params):
    by_group = saturation.codes_by_group(study)
    first_seen = {}
    for number, codes in enumerate(by_group["codes"], start=1):
        for code in codes:
            first_seen.setdefault(code, number)
    for code, debut in params["debut"].items():
        assert first_seen[code] == debut, code
    runs = saturation.runs(by_group, base=4, run=2, threshold=0.05, base_mode="fixed")
    assert saturation.point(runs, 2) == "4+2"


def test_agreement_is_recovered(study, params):
    per_code, overall = reliability.by_code(study.codings, study.codebook)
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
    prev = themes.prevalence(study)
    by_group = saturation.codes_by_group(study)
    policy = load_policy(Path(__file__).resolve().parents[1] / "data" / "policy", study.codebook)
    figures = [
        themes.figure(prev),
        themes.sector_figure(themes.by_sector(study), labels),
        cooccurrence.figure(cooccurrence.cooccurrence(study, "code", 3)[1], labels, 3),
        saturation.figure(by_group, saturation.runs(by_group, 4, 2, 0.05), 2),
        alignment.figure(alignment.bearing(study, policy.provisions, policy.provision_codes), policy.provisions, labels),
    ]
    for fig, alt in figures:
        assert fig.get_size_inches()[0] == WIDTH_IN  # one width: the same scale on page and slide
        assert overlapping_labels(fig) == [], alt[:60]
        assert any(ch.isdigit() for ch in alt)
