"""Publishing swaps `_output/` whole: readers see the old site or the new one, never a mix."""

from pathlib import Path

from peerpaper import publish


def site(tmp_path, name, text):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "paper.html").write_text(text)
    return folder


PAGE = [Path("paper.html")]


def test_publish_replaces_the_whole_output(tmp_path):
    output = tmp_path / "_output"
    publish.publish(site(tmp_path, "one", "first"), output, PAGE)
    (output / "stale.txt").write_text("from an older build")
    publish.publish(site(tmp_path, "two", "second"), output, PAGE)
    assert (output / "paper.html").read_text() == "second"
    assert not (output / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_output", "one", "two"]


def test_recover_after_a_kill_between_the_two_renames(tmp_path):
    output = tmp_path / "_output"
    publish.publish(site(tmp_path, "one", "first"), output, PAGE)
    # the state a kill leaves after `_output` -> `_output.old` and before `_output.new` -> `_output`
    output.rename(tmp_path / "_output.old")
    site(tmp_path, "_output.new", "half-copied")
    publish.recover(output)
    assert (output / "paper.html").read_text() == "first"
    assert not (tmp_path / "_output.old").exists() and not (tmp_path / "_output.new").exists()


def test_only_the_listed_files_are_published(tmp_path):
    folder = site(tmp_path, "one", "first")
    (folder / ".paper.html.4242.tmp").write_text("a killed render's temporary file, never scanned")
    (folder / "notes.txt").write_text("not an output")
    publish.publish(folder, tmp_path / "_output", PAGE)
    assert sorted(p.name for p in (tmp_path / "_output").iterdir()) == ["paper.html"]


def test_a_copy_the_check_refuses_publishes_nothing(tmp_path):
    output = tmp_path / "_output"
    publish.publish(site(tmp_path, "one", "first"), output, PAGE)
    refuse = lambda rel, copy: copy.read_text() == "first"  # noqa: E731  (the bytes that were scanned)
    try:
        publish.publish(site(tmp_path, "two", "changed after its scan"), output, PAGE, check=refuse)
    except publish.NotAsChecked as err:
        assert str(err) == "paper.html"
    else:
        raise AssertionError("a refused copy was published")
    assert (output / "paper.html").read_text() == "first" and not (tmp_path / "_output.new").exists()
