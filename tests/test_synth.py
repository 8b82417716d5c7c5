"""The synthetic study: reproducible to the byte, plainly fictional, and faithful to its parameters."""

from __future__ import annotations

import filecmp
import re
import subprocess
import sys

import krippendorff
import numpy as np
import pandas as pd
import pytest

from peerpaper import synth
from peerpaper.errors import PaperError
from peerpaper.paths import SYNTHETIC_DATA
from peerpaper.study import load_study

FILES = ["datapackage.json", *(f"{t}.csv" for t in synth.TABLES)]


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A 300-group study: big enough that sample proportions sit close to the parameters."""
    return load_study(synth.generate(tmp_path_factory.mktemp("large") / "data", groups=300))


def test_paper_synth_regenerates_the_committed_study_byte_for_byte(tmp_path):
    out = tmp_path / "synthetic"
    run = subprocess.run([sys.executable, "-m", "peerpaper.cli", "synth", "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    match, mismatch, errors = filecmp.cmpfiles(SYNTHETIC_DATA, out, FILES, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)


def test_a_different_seed_gives_different_data(tmp_path):
    synth.generate(tmp_path / "a", seed=1)
    synth.generate(tmp_path / "b", seed=2)
    assert (tmp_path / "a" / "segments.csv").read_bytes() != (tmp_path / "b" / "segments.csv").read_bytes()
    assert (tmp_path / "a" / "codebook.csv").read_bytes() == (tmp_path / "b" / "codebook.csv").read_bytes()


def test_the_default_study_has_the_planned_size():
    study = load_study(SYNTHETIC_DATA)
    params = synth.parameters()
    assert len(study.groups) == params["groups"]
    assert 30 <= len(study.speakers) <= 42
    assert 250 <= len(study.segments) <= 600
    assert study.groups.date.dt.year.eq(params["year"]).all() and study.groups.date.is_monotonic_increasing
    lo, hi = params["participants_per_group"]
    assert study.speakers.groupby("group_id").size().between(lo, hi).all()
    assert (study.participants[study.participants.role == "facilitator"].groupby("group_id").size() == 1).all()


def test_turns_read_like_a_focus_group():
    study = load_study(SYNTHETIC_DATA)
    segments = study.segments
    facilitator = segments.speaker_id.str.startswith("FAC-")
    assert facilitator[segments.position == 1].all()  # every group opens with the facilitator
    assert segments[facilitator].text.str.endswith("?").any()
    replies = segments.text[~facilitator]  # facilitators may ask the same question in two groups
    long = replies[replies.str.split().str.len() >= 12]
    assert long.is_unique, long[long.duplicated()].tolist()
    assert segments.text.str.startswith(("Yeah, same here.", "I'd agree with that.", "That's exactly it.")).any()
    assert segments.text.str.startswith(("I'd push back on that a bit.", "That's not been my experience.")).any()


def test_the_text_is_plainly_fictional():
    text = " ".join(load_study(SYNTHETIC_DATA).segments.text)
    assert not re.search(r"[\w.+-]+@[\w-]+\.\w+", text)  # email
    assert not re.search(r"https?://|www\.", text)  # URL
    assert not re.search(r"(?<!\w)@\w", text)  # handle
    assert not re.search(r"\d", text)  # no phone numbers, postcodes or any other number
    names = set(synth.parameters()["pseudonyms"])
    assert not any(name in text for name in names)  # nobody is named in a turn


def test_first_coder_codes_every_participant_turn_as_written_and_no_facilitator_turn():
    study = load_study(SYNTHETIC_DATA)
    first = study.codings[study.codings.coder_id == "C1"]
    speaker = first.segment_id.map(study.segments.set_index("segment_id").speaker_id)
    assert not speaker.str.startswith("FAC-").any()
    sentences = synth.parameters()["participant"]
    text = study.segments.set_index("segment_id").text
    for segment_id, code_id in first[["segment_id", "code_id"]].sample(40, random_state=0).itertuples(index=False):
        # the text contains one of the code's sentences (slots aside)
        stems = [re.split(r"\{\w+\}", s)[-1].strip(" .") for s in sentences[code_id]]
        assert any(stem.lower() in text[segment_id].lower() for stem in stems if len(stem) > 8), (segment_id, code_id)


def test_every_code_debuts_by_group_four_and_never_before_its_debut():
    study = load_study(SYNTHETIC_DATA)
    debut = synth.parameters()["debut"]
    coded = study.codings[study.codings.coder_id == "C1"].merge(study.segments, on="segment_id")
    first_group = coded.groupby("code_id").group_id.min().map(lambda g: study.groups.group_id.tolist().index(g) + 1)
    codes = study.codebook[study.codebook.parent_id != ""].code_id
    assert set(first_group.index) == set(codes)
    assert first_group.to_dict() == {c: debut.get(c, 1) for c in codes}


@pytest.mark.slow
def test_sector_prevalence_is_recovered_on_a_large_study(large):
    params = synth.parameters()
    lifted = {pair["then"] for pair in params["co_occurrence"]}
    turns = large.segments.merge(large.speakers[["participant_id", "sector"]], left_on="speaker_id", right_on="participant_id")
    first = large.codings[large.codings.coder_id == "C1"]
    carried = pd.crosstab(first.segment_id, first.code_id).reindex(turns.segment_id, fill_value=0)
    observed = carried.groupby(turns.sector.to_numpy()).mean()
    for code, by_sector in params["prevalence"].items():
        if code in lifted:
            continue
        for sector, p in by_sector.items():
            n = (turns.sector == sector).sum()
            assert abs(observed.loc[sector, code] - p) < 4 * np.sqrt(p * (1 - p) / n) + 0.002, (code, sector)


@pytest.mark.slow
def test_co_occurrence_lifts_show_in_a_large_study(large):
    first = large.codings[large.codings.coder_id == "C1"]
    carried = pd.crosstab(first.segment_id, first.code_id).astype(bool)
    for pair in synth.parameters()["co_occurrence"]:
        with_if = carried[carried[pair["if"]]][pair["then"]].mean()
        without = carried[~carried[pair["if"]]][pair["then"]].mean()
        assert with_if > 1.5 * without, pair


@pytest.mark.slow
def test_second_coder_share_and_agreement(large):
    params = synth.parameters()["second_coder"]
    participant_turns = large.segments[~large.segments.speaker_id.str.startswith("FAC-")]
    second = large.codings[large.codings.coder_id == "C2"]
    # C2's turns are those it applied a code to: slightly fewer than its share of all participant turns
    assert 0.5 * params["share"] < second.segment_id.nunique() / len(participant_turns) < params["share"]
    double = sorted(set(second.segment_id) & set(large.codings[large.codings.coder_id == "C1"].segment_id))
    codes = large.codebook[large.codebook.parent_id != ""].code_id.tolist()
    applied = {c: set(zip(*large.codings[large.codings.coder_id == c][["segment_id", "code_id"]].to_numpy().T)) for c in ("C1", "C2")}
    data = np.array([[(s, k) in applied[c] for s in double for k in codes] for c in ("C1", "C2")], dtype=float)
    alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert 0.7 <= alpha <= 0.85


def test_a_large_study_is_valid(tmp_path):
    load_study(synth.generate(tmp_path / "data", seed=7, groups=30))


def test_it_refuses_to_overwrite_a_folder_that_is_not_synthetic(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "segments.csv").write_text("precious\n")
    with pytest.raises(PaperError, match="refusing to write"):
        synth.generate(real)
    assert (real / "segments.csv").read_text() == "precious\n"


def test_it_rejects_a_study_of_no_groups(tmp_path):
    with pytest.raises(PaperError, match="at least 1"):
        synth.generate(tmp_path / "out", groups=0)
    assert not (tmp_path / "out").exists()
