"""Write the hostile corpus: one data folder per attack, generated from data/synthetic/ (never copied by hand).

    python -m tests.hostile.make_corpus OUT [NAME ...]

Each folder OUT/<attack>/ is a data folder for `paper build --data`; OUT/corpus.json lists every attack,
what a build of it must do, and the texts it planted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from . import derive, load_all


def make_corpus(out: Path, names: list[str] | None = None) -> dict:
    attacks = load_all()
    unknown = sorted(set(names or ()) - set(attacks))
    if unknown:
        raise SystemExit(f"unknown attack(s): {', '.join(unknown)} (known: {', '.join(sorted(attacks))})")
    out.mkdir(parents=True, exist_ok=True)
    listing = {}
    for name in names or sorted(attacks):
        shutil.rmtree(out / name, ignore_errors=True)
        planted = derive([attacks[name]], out / name)[name]
        listing[name] = {"expect": attacks[name].expect, "family": attacks[name].family, "about": attacks[name].doc,
                         "planted": [{"text": p.text, "shows_in": list(p.shows_in)} for p in planted]}
    (out / "corpus.json").write_text(json.dumps(listing, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return listing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.hostile.make_corpus", description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("names", nargs="*", help="attacks to write (default: all)")
    args = parser.parse_args(argv)
    listing = make_corpus(args.out, args.names)
    print(f"{len(listing)} attack folder(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
