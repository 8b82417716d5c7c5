"""What `paper build` prints for a step: a project error as its own lines, a bug as one line with where it
was raised (file, line, function), so a failure seen once in CI can be found without a rerun."""

from __future__ import annotations

import io

from doit.exceptions import TaskError, TaskFailed

from peerpaper.progress import ProgressReporter


class Task:
    name = "scan:paper.html"
    actions = [object()]


def reported(fail) -> str:
    out = io.StringIO()
    ProgressReporter(out, {}).add_failure(Task(), fail)
    return out.getvalue()


def test_a_project_error_is_printed_as_it_is():
    assert reported(TaskFailed("paper.qmd:3: unknown variable `x`")) == (
        "  FAILED scan paper.html: paper.qmd:3: unknown variable `x`\n")


def test_a_bug_names_the_exception_and_where_it_was_raised():
    def decode():
        return b"\xe8".decode("utf-8")

    try:
        decode()
    except UnicodeDecodeError as err:
        fail = TaskError("Python Task error", err)
    line = reported(fail)
    assert line.startswith("  FAILED scan paper.html: UnicodeDecodeError: 'utf-8' codec can't decode")
    assert f"test_progress.py:{decode.__code__.co_firstlineno + 1} in decode" in line
    assert line.count("\n") == 1
