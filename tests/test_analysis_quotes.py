from analysis_study import tiny_study
from peerpaper import artifacts
from peerpaper.analysis import quotes


def test_participant_turns_only_no_repeats_no_turn_for_two_themes():
    chosen = quotes.choose(tiny_study(), per_theme=3, min_words=1, max_words=100)
    assert "s1" not in set(chosen["segment_id"])  # the facilitator's coded turn
    assert chosen["segment_id"].is_unique  # s2 carries A and B but serves one theme only
    assert set(chosen["theme_id"]) == {"A", "B"}
    # B has the fewest candidates (s2, s3), so it chooses first and takes s3 (all its codes are B) ...
    b = chosen[chosen["theme_id"] == "B"]
    assert b["segment_id"].tolist()[0] == "s3"


def test_spread_across_speakers_and_groups_first():
    chosen = quotes.choose(tiny_study(), per_theme=2, min_words=1, max_words=100)
    a = chosen[chosen["theme_id"] == "A"]
    assert a["speaker_id"].nunique() == 2 and a["group_id"].nunique() == 2


def test_length_bounds_and_determinism():
    chosen = quotes.choose(tiny_study(), per_theme=3, min_words=5, max_words=5)
    assert set(chosen["segment_id"]) <= {"s3", "s6"}  # the five-word turns
    assert quotes.choose(tiny_study()).equals(quotes.choose(tiny_study()))


def test_written_quotes_attribute_pseudonym_and_group_only(tmp_path):
    chosen = quotes.choose(tiny_study(), per_theme=1, min_words=1, max_words=100)
    row = chosen.iloc[0]
    path = artifacts.write_quote_file("a", [(row.text, row.speaker_id, row.group_id)], tmp_path)
    text = path.read_text()
    assert text.endswith(f"> ({row.speaker_id}, {row.group_id})\n")
    assert "organiser" not in text and "street" not in text


def test_inverted_length_bounds_are_refused():
    import pytest

    from peerpaper.errors import PaperError

    with pytest.raises(PaperError, match="min_words"):
        quotes.choose(tiny_study(), min_words=50, max_words=10)


def test_a_theme_without_quotes_is_an_error_not_a_missing_file(tmp_path):
    import pytest

    from peerpaper.errors import PaperError

    chosen = quotes.choose(tiny_study(), per_theme=1, min_words=1, max_words=100)
    chosen["theme_id"] = chosen["theme_id"].str.lower()
    with pytest.raises(PaperError, match="theme c: no participant turn qualifies"):
        artifacts.write_quotes(chosen, ["a", "b", "c"], tmp_path)
    assert not (tmp_path / "quotes").exists()  # nothing half-written
    assert artifacts.write_quotes(chosen, ["a", "b"], tmp_path) == 2
    assert sorted(p.name for p in (tmp_path / "quotes").iterdir()) == ["q-a-1.md", "q-a.md", "q-b-1.md", "q-b.md"]
