"""The synthetic study: reproducible to the byte, plainly fictional, and faithful to its parameters."""

from __future__ import annotations

import filecmp
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from peerpaper import synth, synth_text
from peerpaper.analysis import themes
from peerpaper.errors import PaperError
from peerpaper.paths import SYNTHETIC_DATA
from peerpaper.study import load_study

FILES = ["datapackage.json", *(f"{t}.csv" for t in synth.TABLES)]


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A 120-group study: big enough that sample proportions sit close to the parameters."""
    return load_study(synth.generate(tmp_path_factory.mktemp("large") / "data", groups=120))


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


@pytest.fixture(scope="module")
def second(tmp_path_factory):
    """The same size, another seed: what `paper synth --seed 5` gives."""
    return load_study(synth.generate(tmp_path_factory.mktemp("second") / "data", seed=5))


@pytest.fixture(scope="module", params=["default", "second"])
def study(request, second):
    return load_study(SYNTHETIC_DATA) if request.param == "default" else second


def participant_turns(study):
    return study.segments[~study.segments.speaker_id.str.startswith("FAC-")]


def test_the_default_study_has_the_planned_size():
    study = load_study(SYNTHETIC_DATA)
    params = synth.parameters()
    assert len(study.groups) == params["groups"]
    assert 24 <= len(study.speakers) <= 42
    assert 1200 <= len(study.segments) <= 4000
    assert study.groups.date.dt.year.eq(params["year"]).all() and study.groups.date.is_monotonic_increasing
    lo, hi = params["participants_per_group"]
    assert study.speakers.groupby("group_id").size().between(lo, hi).all()
    assert (study.participants[study.participants.role == "facilitator"].groupby("group_id").size() == 1).all()


def test_every_group_speaks_at_a_focus_groups_rate(study):
    """Real focus groups run at 100-150 spoken words a minute, facilitator included."""
    words = study.segments.text.str.split().str.len().groupby(study.segments.group_id).sum()
    rate = words / study.groups.set_index("group_id").duration_min
    assert rate.between(100, 150).all(), rate.round(1).to_dict()
    assert study.groups.duration_min.between(45, 150).all()


def test_turns_are_mostly_short_with_some_long_ones(study):
    words = participant_turns(study).text.str.split().str.len()
    assert (words <= 3).mean() >= 0.15  # "Yeah.", "Mm.", "Exactly."
    assert 10 <= words.median() <= 40
    assert (words >= 100).mean() >= 0.01 and words.max() >= 150  # someone tells a story
    per_minute = study.segments.groupby("group_id").size() / study.groups.set_index("group_id").duration_min
    assert per_minute.between(2, 10).all()


def test_no_two_speakers_say_the_same_sentence(study):
    """Exact: no sentence of six words or more from two participants; near: no shared run of seven words
    and no pair of sentences sharing 50% or more of their word trigrams (peerpaper.synth_text)."""
    turns = participant_turns(study)
    said = {}
    for text, speaker in zip(turns.text, turns.speaker_id):
        for sentence in synth_text.sentences(text):
            words = tuple(synth_text.words(sentence))
            if len(words) >= synth_text.MIN_WORDS:
                assert said.setdefault(words, speaker) == speaker, (sentence, speaker, said[words])
    run, example = synth_text.longest_shared_run(turns.text, turns.speaker_id)
    assert run < synth_text.RUN, example
    closest = synth_text.closest_pairs(turns.text, turns.speaker_id, top=1)
    assert closest and closest[0][0] < 0.5, closest


def test_the_near_duplicate_measures_catch_what_they_should():
    texts = ["When a friend of mine got attacked last winter, the whole community turned out for her.",
             "When one of the regulars got attacked over the summer, the whole community turned out for her.",
             "Yeah, exactly."]
    assert synth_text.longest_shared_run(texts, ["A", "B", "C"]) == (7, "the whole community turned out for her")
    assert synth_text.longest_shared_run(texts, ["A", "A", "B"])[0] < 7  # one speaker may repeat themselves
    one_word = ["We share bad date warnings in the group and that has stopped attacks.",
                "We share bad date warnings in the chat and that has stopped attacks."]
    assert synth_text.closest_pairs(one_word, ["A", "B"])[0][0] >= 0.5
    assert synth_text.sentences("It's mad. [laughs] Right? Yeah — so I said no.") == ["It's mad. [laughs] Right?", "Yeah — so I said no."]


def test_phrases_anyone_may_repeat_are_shorter_than_six_words():
    """The exemption is only safe if minimal responses, interjections and asides really are short."""
    talk = synth.parameters()["talk"]
    for name in ("minimal", "interjections", "cutoffs", "tails", "beats", "agree", "disagree", "openers", "markers"):
        long = [x for x in talk[name] if len(synth_text.words(x)) >= synth_text.MIN_WORDS]
        assert not long, (name, long)
    for name in ("openers", "markers", "agree", "disagree"):  # lead-ins join a sentence: short, or they share runs
        assert all(len(synth_text.words(x)) <= 3 or x.endswith(". ") for x in talk[name]), name


def test_a_study_bigger_than_the_phrase_bank_says_so(tmp_path):
    stats = {}
    out = synth.generate(tmp_path / "big", groups=40, stats=stats)
    assert stats["unchecked"] > 0 and stats["sentences"] > stats["unchecked"]
    assert "written after the phrase bank ran out" in (out / "datapackage.json").read_text()
    small = {}
    synth.generate(tmp_path / "small", stats=small)
    assert small["unchecked"] == 0
    assert "is said by two speakers" in (tmp_path / "small" / "datapackage.json").read_text()


def test_turns_read_like_a_focus_group(study):
    segments = study.segments
    facilitator = segments.speaker_id.str.startswith("FAC-")
    assert facilitator[segments.position == 1].all()  # every group opens with the facilitator
    last = segments.groupby("group_id").position.transform("max") == segments.position
    assert facilitator[last].all()  # and closes with them
    assert (segments[facilitator].text.str.count(r"\?") > 0).sum() >= 6 * len(study.groups)  # the topic guide
    share = segments[facilitator].text.str.split().str.len().sum() / segments.text.str.split().str.len().sum()
    assert 0.03 <= share <= 0.2
    turns = participant_turns(study)
    assert turns.text.str.startswith("[overlapping]").any()  # cross-talk
    assert turns.text.str.endswith("—").any()  # someone is cut off
    assert (turns.speaker_id != turns.speaker_id.shift()).mean() > 0.9  # turns change hands
    assert turns.text.str.startswith(("Yeah, same here.", "I'd agree with that.", "That's exactly it.")).any()
    assert turns.text.str.startswith(("I'd push back a bit.", "Not in my experience.", "I see it differently.")).any()


def test_the_text_is_plainly_fictional():
    text = " ".join(load_study(SYNTHETIC_DATA).segments.text)
    assert not re.search(r"[\w.+-]+@[\w-]+\.\w+", text)  # email
    assert not re.search(r"https?://|www\.", text)  # URL
    assert not re.search(r"(?<!\w)@\w", text)  # handle
    assert not re.search(r"\d", text)  # no phone numbers, postcodes or any other number
    names = set(synth.parameters()["pseudonyms"])
    assert not any(name in text for name in names)  # nobody is named in a turn


def template_pattern(source: str, slots: dict) -> re.Pattern:
    """A template as a regular expression matching any of its realisations."""
    out, position = [], 0
    for m in re.finditer(r"\[\[([^\[\]]*)\]\]|\[([^\[\]]*)\]|\{(\w+)\}", source):
        out.append(re.escape(source[position:m.start()]))
        if m.group(1) is not None:
            out.append(re.escape(f"[{m.group(1)}]"))
        else:
            options = m.group(2).split("|") if m.group(2) is not None else slots[m.group(3)]
            out.append("(?:" + "|".join(re.escape(o) for o in options) + ")")
        position = m.end()
    out.append(re.escape(source[position:]))
    return re.compile(r"\s*".join("".join(out).split(r"\ ")).rstrip(".?!\\"), re.I)


def test_first_coder_codes_exactly_the_turns_written_for_each_code_and_no_facilitator_turn():
    study = load_study(SYNTHETIC_DATA)
    params = synth.parameters()
    first = study.codings[study.codings.coder_id == "C1"]
    speaker = first.segment_id.map(study.segments.set_index("segment_id").speaker_id)
    assert not speaker.str.startswith("FAC-").any()
    text = study.segments.set_index("segment_id").text
    patterns = {c: [template_pattern(t, {**params["slots"], **(v.get("slots") or {})}) for t in v["say"]]
                for c, v in params["phrases"].items()}
    for segment_id, code_id in first[["segment_id", "code_id"]].sample(150, random_state=0).itertuples(index=False):
        assert any(p.search(text[segment_id]) for p in patterns[code_id]), (segment_id, code_id, text[segment_id])
    # and a turn carries no code whose sentences it does not contain
    coded = first.groupby("segment_id").code_id.agg(set)
    for segment_id in coded.sample(60, random_state=1).index:
        said = {c for c, ps in patterns.items() if any(p.search(text[segment_id]) for p in ps)}
        assert coded[segment_id] <= said


def test_every_code_debuts_within_its_range_and_never_before(study):
    debut = synth.parameters()["debut"]
    coded = study.codings[study.codings.coder_id == "C1"].merge(study.segments, on="segment_id")
    order = {g: i + 1 for i, g in enumerate(study.groups.group_id)}
    first_group = coded.groupby("code_id").group_id.min().map(order)
    codes = study.codebook[study.codebook.parent_id != ""].code_id
    assert set(first_group.index) == set(codes)
    for code in codes:
        lo, hi = debut.get(code, [1, 1])
        assert lo <= first_group[code] <= hi, code


def test_two_seeds_give_different_studies(second):
    default = load_study(SYNTHETIC_DATA)
    shares = [themes.prevalence(s).set_index("id").pct_segments for s in (default, second)]
    assert not shares[0].round(3).equals(shares[1].round(3))
    assert set(default.segments.text) & set(second.segments.text) != set(second.segments.text)


@pytest.mark.slow
def test_sector_shapes_what_people_talk_about(large):
    turns = large.segments.merge(large.speakers[["participant_id", "sector"]], left_on="speaker_id", right_on="participant_id")
    first = large.codings[large.codings.coder_id == "C1"]
    carried = pd.crosstab(first.segment_id, first.code_id).reindex(turns.segment_id, fill_value=0).clip(0, 1)
    by_sector = carried.groupby(turns.sector.to_numpy()).mean()
    assert by_sector.loc["street", "law_soliciting"] > 3 * by_sector.loc["indoor", "law_soliciting"]
    assert by_sector.loc["indoor", "law_brothel"] > 2 * by_sector.loc["street", "law_brothel"]


@pytest.mark.slow
def test_themes_draw_talk_as_the_topic_guide_says(large):
    pull = pd.Series(synth.parameters()["topic_guide"])
    share = themes.prevalence(large).set_index("id").pct_segments.reindex(pull.index)
    assert pull.rank().corr(share.rank()) > 0.7


@pytest.mark.slow
def test_co_occurrence_lifts_show_in_a_large_study(large):
    first = large.codings[large.codings.coder_id == "C1"]
    carried = pd.crosstab(first.segment_id, first.code_id).astype(bool)
    for pair in synth.parameters()["co_occurrence"]:
        with_if = carried[carried[pair["if"]]][pair["then"]].mean()
        without = carried[~carried[pair["if"]]][pair["then"]].mean()
        assert with_if > 1.5 * without, pair


@pytest.mark.slow
def test_the_double_coded_sample_is_drawn_by_group_and_independent_of_the_codes(large):
    share = synth.parameters()["second_coder"]["share"]
    turns = large.segments[~large.segments.speaker_id.str.startswith("FAC-")]
    drawn = large.double_coded
    assert set(drawn.coder_id) == {"C1", "C2"} and (drawn.groupby("segment_id").size() == 2).all()
    inside = turns.segment_id.isin(drawn.segment_id)
    per_group = inside.groupby(turns.group_id).mean()
    assert (per_group - share).abs().max() < 0.5 / turns.groupby("group_id").size().min() + 1e-9
    # drawn before coding: the first coder codes turns inside the sample as often as outside it
    c1 = turns.segment_id.isin(large.codings[large.codings.coder_id == "C1"].segment_id)
    n_in, n_out = inside.sum(), (~inside).sum()
    p = c1.mean()
    assert abs(c1[inside].mean() - c1[~inside].mean()) < 4 * np.sqrt(p * (1 - p) * (1 / n_in + 1 / n_out))
    # C2 coded every drawn turn and nothing else, some of them with no code at all
    c2 = set(large.codings[large.codings.coder_id == "C2"].segment_id)
    assert c2 <= set(drawn.segment_id) and len(c2) < drawn.segment_id.nunique()


@pytest.mark.slow
def test_agreement_on_the_drawn_sample_lands_where_the_parameters_put_it(large):
    from peerpaper.analysis import reliability

    coded, basis = reliability.coverage(large)
    assert basis == reliability.RECORDED
    _, overall = reliability.by_code(large.codings, large.codebook, coded)
    assert 0.7 <= overall["alpha"] <= 0.85


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
