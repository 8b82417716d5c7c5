"""The `paper` command: parse arguments, call the library, print, exit. No logic lives here."""

from __future__ import annotations

import argparse
import faulthandler
import sys
from pathlib import Path

from .errors import PaperError


def _check(args) -> int:
    from . import checks

    return checks.run(args.what, Path(args.dir) if args.dir else None, strict=args.strict)


def _synth(args) -> int:
    from . import privacy, synth

    privacy.check_output_location(Path(args.out), synthetic=True)
    synth.generate(Path(args.out), seed=args.seed, groups=args.groups)
    print(f"wrote synthetic study to {args.out}")
    return 0


def _import(args) -> int:
    if args.format == "docx":
        return _import_docx(args)
    from . import privacy, qdpx

    if not args.out:
        raise PaperError("import qdpx: --out DIR is required (a folder outside the repository)")
    privacy.check_output_location(Path(args.out))
    style = f"regex: {args.speaker_pattern}" if args.speaker_pattern else None
    report = qdpx.import_qdpx(Path(args.file), Path(args.out), mapping_file=Path(args.map) if args.map else None,
                              allow_missing_sources=args.allow_missing_sources, speaker_style=style)
    print(report)
    return 0


def _import_docx(args) -> int:
    from . import build, docx_import
    from .manifest import source_date_epoch

    plan = build.make_plan(Path(args.data) if args.data else None)
    result = docx_import.import_docx(Path(args.file), plan.root, source_date_epoch(plan.root),
                                     build.render_metadata(plan))
    for finding in result.findings:
        print(finding)
    for comment in result.comments:
        print(comment)
    sys.stdout.write(result.diff)
    applied = sum(f.applied for f in result.findings)
    if args.apply and result.after != result.before:
        result.path.write_text(result.after, encoding="utf-8")
        print(f"applied {applied} change(s) to {result.path.relative_to(plan.root)}")
    elif result.after != result.before:
        print(f"{applied} change(s) can be applied: `paper import docx {args.file} --apply` writes them")
    if result.unplaced:
        print(f"paper import: {len(result.unplaced)} change(s) could not be placed (listed above)", file=sys.stderr)
        return 1
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
        wait=args.wait,
    )


def _verify(args) -> int:
    from . import verify

    return verify.verify(data=Path(args.data) if args.data else None, verbose=args.verbose)


def _preview(args) -> int:
    from . import preview

    return preview.preview(data=Path(args.data) if args.data else None, host=args.host, port=args.port,
                           html_only=args.html_only)


def _clean(args) -> int:
    from . import build

    return build.clean()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="paper", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="validate data, citations and the findings' claims")
    c.add_argument("what", nargs="?", choices=["all", "data", "refs", "claims"], default="all")
    c.add_argument("dir", nargs="?", help="data folder (default: data/synthetic)")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.set_defaults(func=_check)

    s = sub.add_parser("synth", help="generate a synthetic study")
    s.add_argument("--seed", type=int, default=None, help="default: the committed study's seed")
    s.add_argument("--groups", type=int, default=None, help="default: the committed study's size")
    s.add_argument("--out", required=True)
    s.set_defaults(func=_synth)

    i = sub.add_parser("import", help="import coded data (qdpx) or a co-author's tracked changes (docx)")
    i.add_argument("format", choices=["qdpx", "docx"])
    i.add_argument("file")
    i.add_argument("--out", help="qdpx: the data folder to write")
    i.add_argument("--map", default=None, metavar="FILE",
                   help="qdpx: the import mapping (YAML); written as a fill-in template when the import needs answers")
    i.add_argument("--allow-missing-sources", action="store_true",
                   help="qdpx: import the rest when a source's text is missing from the archive (reported)")
    i.add_argument("--speaker-pattern", default=None,
                   help="qdpx: regex with a named group 'speaker' (speakers.style in the map)")
    i.add_argument("--apply", action="store_true", help="docx: write the changes into paper/paper.qmd")
    i.add_argument("--data", help="docx: the data folder the DOCX was built from (default: data/synthetic)")
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
    b.add_argument("--wait", type=float, default=None, metavar="SECONDS",
                   help="how long to wait for another build in this checkout (default: 600)")
    b.add_argument("-v", "--verbose", action="store_true")
    b.set_defaults(func=_build)

    v = sub.add_parser("verify", help="re-run from scratch and compare every value and table")
    v.add_argument("--data")
    v.add_argument("-v", "--verbose", action="store_true")
    v.set_defaults(func=_verify)

    w = sub.add_parser("preview", help="serve the HTML paper and the deck, re-rendered and reloaded on every edit")
    w.add_argument("--data", help="data folder (default: data/synthetic)")
    w.add_argument("--port", type=int, default=8642, help="default 8642 (a free one if taken); 0: any free port")
    w.add_argument("--host", default="127.0.0.1", help="address to listen on (real data: 127.0.0.1 only)")
    w.add_argument("--html-only", action="store_true",
                   help="on a prose edit re-render only the HTML paper and the deck (run `paper build` for the rest)")
    w.set_defaults(func=_preview)

    k = sub.add_parser("clean", help="remove what the build made, and nothing else")
    k.set_defaults(func=_clean)
    return p


def main(argv: list[str] | None = None) -> int:
    try:  # a crash in a C library prints every thread's Python stack
        faulthandler.enable(all_threads=True)
    except (OSError, ValueError, AttributeError):  # stderr is not a file (captured, in tests)
        pass
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
