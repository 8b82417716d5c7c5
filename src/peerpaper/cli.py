"""The `paper` command: parse arguments, call the library, print, exit. No logic lives here."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import PaperError


def _check(args) -> int:
    from . import checks

    return checks.run(args.what, Path(args.dir) if args.dir else None, strict=args.strict)


def _synth(args) -> int:
    from . import synth

    synth.generate(Path(args.out), seed=args.seed, groups=args.groups)
    print(f"wrote synthetic study to {args.out}")
    return 0


def _import(args) -> int:
    from . import qdpx

    report = qdpx.import_qdpx(Path(args.file), Path(args.out), speaker_pattern=args.speaker_pattern)
    print(report)
    return 0


def _export(args) -> int:
    from . import qdpx

    qdpx.export_qdpx(Path(args.dir), Path(args.out))
    print(f"wrote {args.out}")
    return 0


def _build(args) -> int:
    from . import build

    return build.build(
        data=Path(args.data) if args.data else None,
        params=args.param,
        jobs=args.jobs,
        engine=args.engine,
        verbose=args.verbose,
    )


def _verify(args) -> int:
    from . import verify

    return verify.verify(data=Path(args.data) if args.data else None, verbose=args.verbose)


def _clean(args) -> int:
    from . import build

    return build.clean()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="paper", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="validate data and citations")
    c.add_argument("what", nargs="?", choices=["all", "data", "refs"], default="all")
    c.add_argument("dir", nargs="?", help="data folder (default: data/synthetic)")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.set_defaults(func=_check)

    s = sub.add_parser("synth", help="generate a synthetic study")
    s.add_argument("--seed", type=int, default=None, help="default: the committed study's seed")
    s.add_argument("--groups", type=int, default=None, help="default: the committed study's size")
    s.add_argument("--out", required=True)
    s.set_defaults(func=_synth)

    i = sub.add_parser("import", help="import coded data from a CAQDAS exchange file")
    i.add_argument("format", choices=["qdpx"])
    i.add_argument("file")
    i.add_argument("--out", required=True)
    i.add_argument("--speaker-pattern", default=None, help="regex with a named group 'speaker'")
    i.set_defaults(func=_import)

    e = sub.add_parser("export", help="export a data folder to a CAQDAS exchange file")
    e.add_argument("format", choices=["qdpx"])
    e.add_argument("dir")
    e.add_argument("--out", required=True)
    e.set_defaults(func=_export)

    b = sub.add_parser("build", help="validate, analyse, render: everything in _output/")
    b.add_argument("--data", help="data folder (default: data/synthetic)")
    b.add_argument("-P", "--param", action="append", default=[], metavar="NAME=VALUE")
    b.add_argument("--jobs", type=int, default=None, help="steps run at once (default: twice the cores)")
    b.add_argument("--engine", choices=["builtin", "quarto"], default="builtin")
    b.add_argument("-v", "--verbose", action="store_true")
    b.set_defaults(func=_build)

    v = sub.add_parser("verify", help="re-run from scratch and compare every value and table")
    v.add_argument("--data")
    v.add_argument("-v", "--verbose", action="store_true")
    v.set_defaults(func=_verify)

    k = sub.add_parser("clean", help="remove what the build made, and nothing else")
    k.set_defaults(func=_clean)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PaperError as err:
        print(f"paper {args.command}: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print(f"paper {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
