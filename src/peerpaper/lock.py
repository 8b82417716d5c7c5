"""One build at a time in a checkout, and SIGTERM or SIGHUP handled as Ctrl-C is.

Two builds in one checkout share `_build/` and `_output/`; run together they mix each other's files, so
the second waits for the first (saying so), and gives up after a while with one line. The lock is an
advisory `fcntl.flock` on `_build/.lock`: the kernel drops it when the process ends however it ends, so a
killed build can never leave the checkout locked. `paper clean` takes it too, and may delete the file
while holding it; a waiting build then finds its lock file gone and locks the new one.

A cancelled CI job sends SIGTERM, a closed terminal SIGHUP: both become KeyboardInterrupt, the path doit
and the build already take for Ctrl-C (the finished steps are recorded, nothing is published).
"""

from __future__ import annotations

import fcntl
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import PaperError

WAIT = 600.0  # seconds a build waits for another one in the same checkout


class Interrupted(KeyboardInterrupt):
    """A signal that asks the build to stop (SIGTERM, SIGHUP), taken as Ctrl-C."""


@contextmanager
def checkout_lock(build_dir: Path, wait: float = WAIT, what: str = "paper build") -> Iterator[None]:
    path = Path(build_dir) / ".lock"
    deadline = time.monotonic() + wait
    said = False
    while True:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = _holder(path)
            if time.monotonic() >= deadline:
                raise PaperError(f"{path.parent.parent}: another `paper` command{holder} is still running in this "
                                 f"checkout after {wait:.0f} s; wait for it to finish, or stop it, then run again") from None
            if not said:
                print(f"{what}: another `paper` command{holder} is running in this checkout; waiting for it "
                      f"(up to {wait:.0f} s)...", file=sys.stderr, flush=True)
                said = True
            time.sleep(0.2)
            continue
        if _same_file(fd, path):
            break
        os.close(fd)  # removed (by `paper clean`) while we waited: lock the file that is there now
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _holder(path: Path) -> str:
    try:
        pid = path.read_text().strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


@contextmanager
def signals_as_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP raise `Interrupted` in the main thread while the block runs."""
    def interrupt(signum, frame):
        raise Interrupted(signal.Signals(signum).name)

    wanted = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, interrupt) for s in wanted}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
