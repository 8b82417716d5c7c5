from analysis_study import tiny_study
from peerpaper import artifacts
from peerpaper.analysis import quotes
from peerpaper.literal import plain_text


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
    from peerpaper.literal import plain_text

    chosen = quotes.choose(tiny_study(), per_theme=1, min_words=1, max_words=100)
    row = chosen.iloc[0]
    path = artifacts.write_quote_file("a", [(row.text, row.speaker_id, row.group_id)], tmp_path)
    text = path.read_text()
    assert plain_text(text.splitlines()[-1]) == f"> ({row.speaker_id}, {row.group_id})"
    assert "organiser" not in text and "street" not in text


def test_inverted_length_bounds_are_refused():
    import pytest

    from peerpaper.errors import PaperError

    with pytest.raises(PaperError, match="min_words"):
        quotes.choose(tiny_study(), min_words=50, max_words=10)


def test_a_theme_without_quotes_says_so_and_ids_with_underscores_get_hyphens(tmp_path):
    chosen = quotes.choose(tiny_study(), per_theme=1, min_words=1, max_words=100)
    chosen["theme_id"] = chosen["theme_id"].str.lower()
    # "c" has no quote (no coded turn, or none long enough); "memos_and_method" neither, and its id has "_"
    assert artifacts.write_quotes(chosen, ["a", "b", "c", "memos_and_method"], tmp_path) == 2
    written = sorted(p.name for p in (tmp_path / "quotes").iterdir())
    assert written == ["q-a-1.md", "q-a.md", "q-b-1.md", "q-b.md", "q-c-1.md", "q-c.md",
                       "q-memos-and-method-1.md", "q-memos-and-method.md"]
    for name in ("q-c.md", "q-memos-and-method-1.md"):
        assert plain_text((tmp_path / "quotes" / name).read_text()).strip() == artifacts.NO_QUOTE


def test_two_theme_ids_that_would_share_a_file_are_refused_before_anything_is_written(tmp_path):
    import pytest

    from peerpaper.errors import PaperError

    chosen = quotes.choose(tiny_study(), per_theme=1, min_words=1, max_words=100)
    with pytest.raises(PaperError, match="both would be q-a-b.md"):
        artifacts.write_quotes(chosen, ["a_b", "a__b"], tmp_path)
    assert not (tmp_path / "quotes").exists()
