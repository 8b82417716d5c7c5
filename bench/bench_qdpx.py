"""How fast is a .qdpx import of a project the size of a real study and then some?

    .venv/bin/python bench/bench_qdpx.py [--groups 50]

Makes a synthetic study (peerpaper.synth) with many groups, exports it with `export_qdpx`, then times
`import_qdpx` on it, split into its parts: reading the archive (unzip, parse, XSD validation),
converting to tables (offset detection, turns, codings) and the data-contract check of the result.
Prints sizes, best-of-3 seconds and ratios measured in this run (the target: a 2 MB project in under 2 s;
50 groups of the synthetic study make a .qdpx of about 2 MB, 10 MB of text unpacked; 11 groups make 2 MB
unpacked).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import zipfile
from pathlib import Path

from peerpaper import synth
from peerpaper.qdpx import export_qdpx, import_qdpx
from peerpaper.qdpx.importer import _Converter
from peerpaper.qdpx.mapping import Mapping
from peerpaper.qdpx.reader import read_project
from peerpaper.validate import check_data

BUDGET_S = 2.0


def timed(fn, *args, repeat: int = 3):
    """The result and the best of `repeat` wall times: the least disturbed by other work on the machine."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return result, best


def fresh(tmp: Path, fn):
    """`fn(out)` with a new output folder on every call (import refuses a non-empty one)."""
    count = iter(range(10**6))
    return lambda archive: fn(archive, tmp / f"out{next(count)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=50, help="50 groups make a .qdpx of about 2 MB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        study = synth.generate(tmp / "study", groups=args.groups)
        _, export_s = timed(export_qdpx, study, tmp / "big.qdpx")
        archive = tmp / "big.qdpx"
        packed = archive.stat().st_size
        with zipfile.ZipFile(archive) as z:
            unpacked = sum(info.file_size for info in z.infolist())
        report, import_s = timed(fresh(tmp, import_qdpx), archive)
        project, read_s = timed(read_project, archive)
        _, convert_s = timed(lambda: _Converter(project, Mapping()).tables())
        _, check_s = timed(check_data, tmp / "out0")
        selections = sum(len(s.selections) for s in project.sources)

    mb = unpacked / 1e6
    print(f"project: {args.groups} groups, {report.counts['segments']} turns, {selections} selections, "
          f"{report.counts['codings']} codings")
    print(f"size: {mb:.2f} MB unpacked (project.qde + {report.counts['groups']} sources), "
          f"{packed / 1e6:.2f} MB zipped")
    print(f"export: {export_s:.2f} s")
    print(f"import: {import_s:.2f} s = {import_s / BUDGET_S:.2f} x the {BUDGET_S:.0f} s budget, "
          f"{import_s / mb:.2f} s per MB")
    print(f"  read+parse+XSD {read_s:.2f} s ({read_s / import_s:.0%}), convert {convert_s:.2f} s "
          f"({convert_s / import_s:.0%}), contract check {check_s:.2f} s ({check_s / import_s:.0%})")
    print(f"import / export time: {import_s / export_s:.2f}")


if __name__ == "__main__":
    main()
