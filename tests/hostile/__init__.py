"""The hostile corpus: data folders derived from the synthetic study, each with what a build of it must do.

An attack is a function registered with `@attack(REFUSED)` or `@attack(LITERAL)`. It receives a fresh copy
of `data/synthetic/` as a `DataFolder`, edits it in place (a planted turn, a renamed id, a roster, the
`synthetic` flag) and returns what it planted, as `Planted` texts:

- `REFUSED`: `paper build --data` must exit non-zero with a clear error, publish nothing in `_output/`, and
  never print a planted text (it may be a name) on stdout or stderr.
- `LITERAL`: the build publishes, and each planted text appears, character for character, as text in every
  output its `shows_in` names; wherever else its `tag` shows, the whole text shows with it; and nothing it
  carries acts (no file included, no script run, no citation, maths or formatting).

Attacks of one family (by default, the module that defines them) that expect `LITERAL` are planted together
in one folder and built once, so each must plant in places of its own: `DataFolder.quoted_turn()` hands out
a different quoted turn on every call, and `tag()` a different marker. `make_corpus` still writes one
folder per attack. A new family is a new module in this package: `load_all()` imports every module here.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import pkgutil
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SYNTHETIC = REPO / "data" / "synthetic"
REFUSED, LITERAL = "refused", "literal"

PAPER = ("paper.html", "paper.pdf", "paper.docx")
DECK = ("slides.html", "slides.pptx")
#: What no output may ever contain: the canary file's content (see `DataFolder.canary`) and the
#: first line of the password file, which shortcodes and raw Typst in the attacks try to read.
CANARY_TEXT = "canary-7e1f0b: this file must never be published"
FORBIDDEN = (CANARY_TEXT, "root:x:0:0")


@dataclass(frozen=True)
class Planted:
    """A text an attack put into the data, and the published files (under `_output/`) that must show it."""

    text: str
    shows_in: tuple[str, ...] = ()
    tag: str = ""  # a word of `text` that marks where it shows; defaults to its first word

    @property
    def marker(self) -> str:
        return self.tag or self.text.split()[0]


@dataclass(frozen=True)
class Attack:
    name: str
    expect: str
    plant: Callable[[DataFolder], list[Planted]]
    family: str
    doc: str = ""


ATTACKS: dict[str, Attack] = {}


def attack(expect: str, *, family: str | None = None):
    """Register the decorated function as an attack named after it (`quote_shortcode` -> quote-shortcode)."""
    if expect not in (REFUSED, LITERAL):
        raise ValueError(f"expect must be {REFUSED!r} or {LITERAL!r}")

    def register(plant):
        name = plant.__name__.replace("_", "-")
        if name in ATTACKS:
            raise ValueError(f"attack {name} is registered twice")
        ATTACKS[name] = Attack(name, expect, plant, family or plant.__module__.rsplit(".", 1)[-1],
                               (plant.__doc__ or "").strip().split("\n")[0])
        return plant

    return register


def load_all() -> dict[str, Attack]:
    """Every attack of every module in this package."""
    for module in pkgutil.iter_modules(__path__):
        if module.name != "make_corpus" and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    return ATTACKS


def derive(attacks: list[Attack], dest: Path) -> dict[str, list[Planted]]:
    """A copy of the synthetic data at `dest` with every attack in `attacks` planted; what each planted."""
    shutil.copytree(SYNTHETIC, dest)
    folder = DataFolder(dest)
    folder._chosen  # read the quotes' choice before any edit
    return {a.name: list(a.plant(folder) or []) for a in attacks}


# ---- the data folder an attack edits -----------------------------------------------------------------


@dataclass
class DataFolder:
    """A data folder being made hostile: tables read and written as lists of dicts, in the contract's shapes."""

    path: Path
    _used_turns: set = field(default_factory=set)
    _owned: set = field(default_factory=set)
    _tags: int = 0

    # tables
    def rows(self, table: str) -> list[dict[str, str]]:
        with (self.path / f"{table}.csv").open(newline="", encoding="utf-8-sig") as handle:
            return list(csv.DictReader(handle))

    def write(self, table: str, rows: list[dict[str, str]]) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        (self.path / f"{table}.csv").write_text(buffer.getvalue(), encoding="utf-8")
        self.__dict__.pop("study", None)

    def replace(self, table: str, column: str, old: str, new: str) -> None:
        """Every cell of `column` equal to `old` becomes `new`."""
        rows = self.rows(table)
        for row in rows:
            if row[column] == old:
                row[column] = new
        self.write(table, rows)

    def rename_participant(self, old: str, new: str) -> None:
        self.replace("participants", "participant_id", old, new)
        self.replace("segments", "speaker_id", old, new)

    def rename_group(self, old: str, new: str) -> None:
        """A group id everywhere it is used, its facilitator's id (FAC-<group id>) included."""
        for table, column in (("groups", "group_id"), ("participants", "group_id"), ("segments", "group_id")):
            self.replace(table, column, old, new)
        self.rename_participant(f"FAC-{old}", f"FAC-{new}")

    def set_label(self, code_id: str, label: str) -> None:
        rows = self.rows("codebook")
        next(r for r in rows if r["code_id"] == code_id)["label"] = label
        self.write("codebook", rows)

    def set_text(self, segment_id: str, text: str) -> None:
        rows = self.rows("segments")
        next(r for r in rows if r["segment_id"] == segment_id)["text"] = text
        self.write("segments", rows)

    # the folder's own files
    def set_real(self) -> None:
        """Mark the data as real (`"synthetic": false`): the build then treats it as confidential."""
        descriptor = json.loads((self.path / "datapackage.json").read_text(encoding="utf-8"))
        descriptor["synthetic"] = False
        (self.path / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")

    def plant_roster(self, names: list[str]) -> None:
        """A private roster.csv of real names (never published; the build scans every output for them)."""
        self._append("roster.csv", ["name"], [[n] for n in names])

    def allow(self, text: str, kind: str, reason: str) -> None:
        """An allowlist.csv entry: a reviewed false positive the identifier scan must let through."""
        self._append("allowlist.csv", ["text", "kind", "reason"], [[text, kind, reason]])

    def canary(self) -> Path:
        """A file holding `CANARY_TEXT` beside the data, for attacks that try to include or read a file."""
        path = self.path / "canary.txt"
        path.write_text(CANARY_TEXT + "\n", encoding="utf-8")
        return path.resolve()

    def _append(self, name: str, header: list[str], rows: list[list[str]]) -> None:
        path = self.path / name
        new = not path.exists()
        with path.open("a", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            if new:
                writer.writerow(header)
            writer.writerows(rows)

    # what reaches the documents
    def tag(self) -> str:
        """A marker word no other text has: "zqa", "zqb", ... (not a name, postcode, handle or URL)."""
        self._tags += 1
        n, letters = self._tags, ""
        while n:
            n, r = divmod(n - 1, 26)
            letters = chr(97 + r) + letters
        return f"zq{letters}"

    @cached_property
    def study(self):
        from peerpaper.study import load_study

        return load_study(self.path)

    @cached_property
    def _chosen(self):
        """The turns the quotes notebook chooses with its default parameters, read once before any edit."""
        from peerpaper.analysis import quotes
        from peerpaper.notebooks import parameters

        params = parameters(REPO / "notebooks" / "07-quotes.ipynb")
        chosen = quotes.choose(self.study, params["per_theme"], params["min_words"], params["max_words"])
        return chosen.to_dict("records")

    def quoted_turn(self, in_deck: bool = False, own: str = "") -> dict:
        """A turn the paper quotes (with `in_deck`, one the deck quotes too) that no earlier call handed out.

        The deck quotes few turns (one per theme it shows), so without `in_deck` a turn only the paper shows
        comes first. Its text may be replaced by any text of 12 to 60 words (the notebook's bounds): the
        choice depends on codes and segment ids only. With `own="speaker_id"` (or "group_id") the turn's
        speaker (group) is one no earlier `own` call claimed, for an attack that renames it; such a call
        leaves the turn's text to others."""
        def fits(turn, deck_only):
            shows = quote_outputs(turn["theme_id"], turn["rank"])
            if not shows or (deck_only and not set(DECK) <= set(shows)):
                return False
            return (own, turn[own]) not in self._owned if own else turn["segment_id"] not in self._used_turns

        in_deck_first = sorted(self._chosen, key=lambda t: set(DECK) <= set(quote_outputs(t["theme_id"], t["rank"])))
        for turn in self._chosen if in_deck else in_deck_first:
            if fits(turn, in_deck):
                if own:
                    self._owned.add((own, turn[own]))
                else:
                    self._used_turns.add(turn["segment_id"])
                return {**turn, "shows_in": quote_outputs(turn["theme_id"], turn["rank"])}
        raise LookupError("no quoted turn left: the family plants more quotes than the paper shows")


def _placed(document: str, pattern: str) -> set[str]:
    text = (REPO / "paper" / document).read_text(encoding="utf-8")
    return set(re.findall(r"\{\{<\s*include\s+\S*?/quotes/" + pattern + r"\.md\s*>\}\}", text))


def quote_outputs(theme: str, rank: int) -> tuple[str, ...]:
    """The documents that show a theme's quote of this rank: q-<theme>.md in the paper, q-<theme>-1.md in the deck."""
    shows = PAPER if theme in _placed("paper.qmd", r"q-([\w]+)") else ()
    if rank == 1 and theme in _placed("slides.qmd", r"q-([\w]+)-1"):
        shows += DECK
    return shows


def padded(text: str, words: int = 14) -> str:
    """`text` with ordinary words after it, so a quote reaches the notebook's minimum length."""
    missing = max(0, words - len(text.split()))
    filler = "and that is how it was for all of us in the group back then".split()
    return " ".join([text, *filler[:missing]]) if missing else text
