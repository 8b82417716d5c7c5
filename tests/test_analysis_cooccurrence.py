import numpy as np
import pytest
from scipy import sparse

from analysis_study import tiny_study
from peerpaper.analysis import cooccurrence as cooc
from peerpaper.figures import overlapping_labels


def test_within_turn_counts_and_jaccard_by_hand():
    counts, jac = cooc.cooccurrence(tiny_study(), "code", window=1)
    # a1: s2 s7; a2: s4 s6; b1: s2 s3; together only a1-b1 in s2
    assert counts.loc["a1", "b1"] == 1 and counts.loc["a1", "a2"] == 0
    assert np.diag(counts).tolist() == [2, 2, 2]
    assert jac.loc["a1", "b1"] == pytest.approx(1 / 3)
    assert jac.loc["a1", "a1"] == pytest.approx(1.0)


def test_window_joins_adjacent_turns_but_not_across_groups():
    counts, jac = cooc.cooccurrence(tiny_study(), "code", window=2)
    # G1 turns s1..s4 -> windows {s1,s2} {s2,s3} {s3,s4} {s4}: a1 in 2, b1 in 3, a2 in 2; a1&b1 2, b1&a2 1
    # G2 turns s5..s7 -> {s5,s6} {s6,s7} {s7}: a2 in 2, a1 in 2, a1&a2 1 (s6-s7)
    assert counts.loc["a1", "b1"] == 2
    assert counts.loc["a2", "b1"] == 1
    assert counts.loc["a1", "a2"] == 1
    assert counts.loc["a1", "a1"] == 4
    assert counts.loc["b1", "b1"] == 3
    assert jac.loc["a1", "b1"] == pytest.approx(2 / (4 + 3 - 2))


def test_windowed_never_crosses_group_boundary():
    X = sparse.csr_matrix(np.eye(4, dtype=np.int32))
    joined = cooc.windowed(X, np.array(["g", "g", "h", "h"]), 3).toarray()
    assert joined.tolist() == [[1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]]


def test_theme_level_and_top_pairs_cross_themes_only():
    counts, _ = cooc.cooccurrence(tiny_study(), "theme", window=1)
    assert counts.loc["A", "B"] == 1 and counts.loc["A", "A"] == 4
    pairs = cooc.top_pairs(tiny_study(), window=2)
    assert pairs[["code_a", "code_b"]].values.tolist() == [["a1", "b1"], ["a2", "b1"]]


def test_cluster_order_puts_similar_items_together():
    sim = np.array([[1, 0.9, 0, 0], [0.9, 1, 0, 0.1], [0, 0, 1, 0.8], [0, 0.1, 0.8, 1]])
    import pandas as pd

    order = cooc.cluster_order(pd.DataFrame(sim, index=list("abcd"), columns=list("abcd")))
    assert abs(order.index("a") - order.index("b")) == 1 and abs(order.index("c") - order.index("d")) == 1


def test_values_and_figure():
    study = tiny_study()
    pairs = cooc.top_pairs(study, window=2)
    values = cooc.values(study, pairs, window=2)
    assert values["cooc_top_pair"] == "Code a1 & Code b1" and values["cooc_top_jaccard"] == "0.40"
    assert values["cooc_funding_deleg_jaccard"] == "n/a"
    fig, alt = cooc.figure(pairs, study.codebook.set_index("code_id")["label"], 2)
    assert overlapping_labels(fig) == [] and "Jaccard 0.40" in alt
    null = cooc.chance(study, "code", 2, permutations=50)
    fig, alt = cooc.figure(cooc.top_pairs(study, 2, null=null), study.codebook.set_index("code_id")["label"], 2)
    assert overlapping_labels(fig) == [] and "chance" in alt


def test_window_below_one_is_refused():
    from peerpaper.errors import PaperError

    with pytest.raises(PaperError, match="window must be at least 1"):
        cooc.cooccurrence(tiny_study(), "code", window=0)
