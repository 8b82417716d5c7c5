"""Publishing swaps `_output/` whole: readers see the old site or the new one, never a mix."""

from peerpaper import publish


def site(tmp_path, name, text):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "paper.html").write_text(text)
    return folder


def test_publish_replaces_the_whole_output(tmp_path):
    output = tmp_path / "_output"
    publish.publish(site(tmp_path, "one", "first"), output)
    (output / "stale.txt").write_text("from an older build")
    publish.publish(site(tmp_path, "two", "second"), output)
    assert (output / "paper.html").read_text() == "second"
    assert not (output / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_output", "one", "two"]


def test_recover_after_a_kill_between_the_two_renames(tmp_path):
    output = tmp_path / "_output"
    publish.publish(site(tmp_path, "one", "first"), output)
    # the state a kill leaves after `_output` -> `_output.old` and before `_output.new` -> `_output`
    output.rename(tmp_path / "_output.old")
    site(tmp_path, "_output.new", "half-copied")
    publish.recover(output)
    assert (output / "paper.html").read_text() == "first"
    assert not (tmp_path / "_output.old").exists() and not (tmp_path / "_output.new").exists()
