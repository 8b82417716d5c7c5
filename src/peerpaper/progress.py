"""What a person sees while `paper build` runs: each step as it starts and ends, with its time.

A doit reporter, so the task runner keeps deciding what runs and this only decides what is said.
"""

from __future__ import annotations

import re
import sys
import time


def describe(task_name: str) -> str:
    kind, _, what = task_name.partition(":")
    return f"{kind.replace('-', ' ').replace('_', ' ')} {what}".strip()


_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)')


def raised_at(traceback_lines) -> str:
    """" (raised at file:line in function)" for the innermost frame of a traceback, and the innermost of this
    package's own frames when that is another: a failure that is a bug still names its file and line."""
    frames = _FRAME.findall("".join(traceback_lines or []))
    if not frames:
        return ""
    own = [f for f in frames if "/peerpaper/" in f[0].replace("\\", "/")]
    shown = [frames[-1]] + ([own[-1]] if own and own[-1] != frames[-1] else [])
    return " (raised at " + ", from ".join(f"{_short(path)}:{line} in {name}" for path, line, name in shown) + ")"


def _short(path: str) -> str:
    """A path from the package or the library's folder on: the rest is this machine's."""
    for marker in ("/site-packages/", "/src/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


class ProgressReporter:
    desc = "steps with times"

    def __init__(self, outstream, options):
        self.out = outstream
        self.started: dict[str, float] = {}
        self.total = 0
        self.executed: list[str] = []
        self.skipped: list[str] = []
        self.failures: list[tuple[str, str]] = []
        self.runtime_errors: list[str] = []
        self.clock = time.perf_counter()

    def write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def initialize(self, tasks, selected_tasks):
        self.total = sum(1 for t in tasks.values() if t.actions)

    def get_status(self, task):
        pass

    def execute_task(self, task):
        if task.actions:
            self.started[task.name] = time.perf_counter()
            self.write(f"  ... {describe(task.name)}\n")

    def add_success(self, task):
        if task.name in self.started:
            self.executed.append(task.name)
            took = time.perf_counter() - self.started[task.name]
            self.write(f"  ok  {describe(task.name)} ({took:.1f} s) [{self.progress()}]\n")

    def add_failure(self, task, fail):
        if not fail.traceback and fail.message.strip():
            # a PaperError comes back as TaskFailed(message): all of it is for the person (every hit
            # of a privacy scan, one a line), and nothing else is
            lines = fail.message.strip().splitlines()
        else:  # an unexpected exception (a bug): what it was, and where it was raised
            lines = [(fail.get_msg().strip().splitlines()[-1:] or [fail.get_name()])[0] + raised_at(fail.traceback)]
        self.failures.append((task.name, lines[0]))
        self.write(f"  FAILED {describe(task.name)}: " + "\n".join(lines) + "\n")

    def skip_uptodate(self, task):
        if task.actions:
            self.skipped.append(task.name)

    def progress(self) -> str:
        """Steps settled (run or found up to date) out of all steps in the graph."""
        return f"{len(self.executed) + len(self.skipped)}/{self.total}"

    def skip_ignore(self, task):
        pass

    def cleanup_error(self, exception):
        sys.stderr.write(exception.get_msg())

    def runtime_error(self, msg):
        self.runtime_errors.append(msg)

    def teardown_task(self, task):
        pass

    def complete_run(self):
        took = time.perf_counter() - self.clock
        for msg in self.runtime_errors:
            self.write(f"error: {msg.strip()}\n")
        if self.failures:
            self.write(f"build failed in {len(self.failures)} step(s); earlier outputs are untouched.\n")
        elif not self.executed:
            self.write(f"Nothing to do: all {len(self.skipped)} steps are up to date ({took:.1f} s).\n")
        else:
            self.write(
                f"Built: {len(self.executed)} step(s) run, {len(self.skipped)} up to date ({took:.1f} s).\n"
            )
