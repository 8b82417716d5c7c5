"""The disclosure audit: every published table, figure's data and value, read as a hostile reader who
knows the rules would read them, from the published files alone (and the study's ids and attributes).

Every finding is reported, each naming the file, row, column and rule:

- `small-count`: a participant count of 1 to k-1 is shown, follows from a share and its base, or is what
  the hidden cells of a line with a known total add up to (two hidden sectors of 1 and 2: "3 people");
- `small-base`: a share is shown over fewer than k participants (20% of a 5-person sector is one person);
- `derivable`: a hidden participant count follows exactly from what is shown: other columns of its row
  (Turns 1 beside Participants <5 is one person), a share beside it, or totals (`ranges` solves it
  exactly, over the integers, so nothing a reader could pin is missed);
- `linkable`: a table pairs an id that quotes carry (a group or a pseudonym) with a group's or a
  participant's attributes (month, region, setting, role, sector), so a quoted speaker could be placed;
- `crossed`: one row crosses two attributes (region and month of a group, role and sector of people);
- `undescribed`: a table or figure without its schema or data, or a column the schema does not explain;
- `inconsistent`: no table fits what is shown (a mark or a total is wrong): a bug, never trusted.

Values for the prose are read by their names (docs/VALUES.md): `<item>_n_speakers` is a participant
count with `<item>_n_segments`, `_n_groups`, `_pct_*` nested with it, as in tbl-codes.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .disclosure import PROTECTED, Columns, DisclosureError, Share, schema_path
from .ranges import INF, integer_ranges

if TYPE_CHECKING:
    import pandas as pd


# ---- reading published cells ----------------------------------------------------------------------------

_COUNT = re.compile(r"\d{1,3}(,\d{3})*|\d+")
_SMALL = re.compile(r"<(\d+)")
_PERCENT = re.compile(r"(\d+(?:\.(\d+))?)%")
_DECIMAL = re.compile(r"(\d+(?:\.(\d+))?)")
HIDDEN_MARKS = {"[c]", "–", "-", "n/a", "*"}


@dataclass(frozen=True)
class Cell:
    """What a reader knows of one count cell: its value if shown, else the range the marks allow."""

    low: float
    high: float
    mark: str | None = None  # the text, when hidden

    @property
    def shown(self) -> bool:
        return self.mark is None


def read_count(text: str, k: int) -> Cell | None:
    """A published count cell: None when empty (nothing to read)."""
    text = text.strip().lstrip("'")
    if text == "":
        return None
    if _COUNT.fullmatch(text):
        value = int(text.replace(",", ""))
        return Cell(value, value)
    if m := _SMALL.fullmatch(text):
        return Cell(1, int(m.group(1)) - 1, text)
    if text == "[c]":
        return Cell(k, INF, text)
    if text in HIDDEN_MARKS:
        return Cell(0, INF, text)
    raise ValueError("not a count or a mark")


def read_share(text: str) -> tuple[float, float] | None:
    """A published share as the interval its rounding leaves, 0..1; None when hidden or empty."""
    text = text.strip().lstrip("'")
    if text in HIDDEN_MARKS or text == "" or text.startswith("under"):
        return None
    if m := _PERCENT.fullmatch(text):
        places = len(m.group(2) or "")
        value, half = float(m.group(1)) / 100, 0.5 * 10 ** -places / 100
    elif m := _DECIMAL.fullmatch(text):
        places = len(m.group(2) or "")
        value, half = float(m.group(1)), 0.5 * 10 ** -places
    else:
        raise ValueError("not a share or a mark")
    return max(0.0, value - half), min(1.0, value + half)


# ---- the audit ------------------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Finding:
    file: str
    row: int  # the CSV's line number (the header is line 1); 0 for the whole file
    column: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        kind = "value" if self.file.endswith(".json") else "column"
        column = f" {kind} {self.column!r}:" if self.column else ""
        return f"{where}:{column} {self.rule}: {self.message}"


@dataclass(frozen=True)
class Identifying:
    """What could place a quoted speaker: the ids quotes carry, and every published form of an attribute."""

    keys: frozenset[str] = frozenset()
    attributes: Mapping[str, frozenset[str]] = field(default_factory=dict)  # kind -> texts

    @classmethod
    def of_study(cls, study) -> "Identifying":
        import pandas as pd

        from ..analysis import participants_only

        groups, people = study.groups, participants_only(study.participants)
        dates = pd.to_datetime(groups["date"], errors="coerce").dropna()
        forms = {
            "date": {f(d) for d in dates for f in (
                lambda d: d.strftime("%Y-%m-%d"), lambda d: f"{d.month_name()} {d.year}", lambda d: d.strftime("%Y-%m"),
                lambda d: f"{d.strftime('%b')} {d.year}", lambda d: f"Q{d.quarter} {d.year}", lambda d: f"{d.year} Q{d.quarter}")},
            "region": set(groups["region"]),
            "setting": set(groups["setting"]) | {s.replace("_", " ") for s in groups["setting"]},
            "role": set(people["role"]),
            "sector": set(people["sector"]),
        }
        keys = set(groups["group_id"]) | set(study.participants["participant_id"])
        return cls(frozenset(k for k in keys if k), {kind: frozenset(t for t in texts if t) for kind, texts in forms.items()})


def audit_published(folders: Iterable[Path], k: int, identifying: Identifying = Identifying(), root: Path | None = None) -> list[Finding]:
    """Every finding in the published tables (`tables/*.csv`), figures (`figures/fig-*`) and values
    (`values/*.json`) under `folders`."""
    findings: list[Finding] = []
    for folder in folders:
        folder = Path(folder)
        for values in sorted([*folder.glob("values/*.json"), *folder.glob("values.json")]):  # built, published
            findings += audit_values(json.loads(values.read_text(encoding="utf-8")), k, _name(values, root))
        for figure in sorted(folder.glob("figures/fig-*.svg")):
            if not figure.with_suffix(".csv").exists():
                findings.append(Finding(_name(figure, root), 0, "", "undescribed",
                                        "a figure without its data (artifacts.write_figure_data)"))
        for csv in sorted([*folder.glob("tables/*.csv"), *folder.glob("figures/*.csv")]):
            findings += audit_file(csv, k, identifying, _name(csv, root))
    return sorted(findings)


def _name(path: Path, root: Path | None) -> str:
    return str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)


def audit_file(csv: Path, k: int, identifying: Identifying = Identifying(), name: str | None = None) -> list[Finding]:
    name = name or str(csv)
    schema = schema_path(csv)
    if not schema.exists():
        return [Finding(name, 0, "", "undescribed", f"no {schema.name} says what its columns count (privacy.describe)")]
    try:
        description = Columns.from_json(json.loads(schema.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as err:
        return [Finding(name, 0, "", "undescribed", f"{schema.name} cannot be read ({type(err).__name__})")]
    import pandas as pd

    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    try:
        description.check(table.columns, name)
    except DisclosureError as err:
        return [Finding(name, 0, "", "undescribed", str(err).split(": ", 1)[1])]
    return audit_table(table, description, k, identifying, name)


def audit_table(table: pd.DataFrame, columns: Columns, k: int, identifying: Identifying = Identifying(),
                name: str = "table") -> list[Finding]:
    """The findings in one published table: its cells as text, read by what `columns` says they are."""
    reader = _Reader(table.astype(str).reset_index(drop=True), columns, k, name)
    reader.read()
    reader.shares()
    reader.derivable()
    reader.linkage(identifying)
    return reader.findings


class _Reader:
    """A reader who knows the rules: what the cells say, and what follows from them."""

    def __init__(self, table: pd.DataFrame, columns: Columns, k: int, name: str):
        self.table, self.columns, self.k, self.name = table, columns, k, name
        self.cells: dict[tuple[int, str], Cell] = {}
        self.findings: list[Finding] = []
        self.share_bounds: dict[tuple[int, str], tuple[float, float]] = {}
        self.total_rows: dict[str, frozenset[int]] = {}  # a total's label -> the rows it labels (read once)

    def find(self, row: int, column: str, rule: str, message: str) -> None:
        self.findings.append(Finding(self.name, row + 2, column, rule, message))

    def read(self) -> None:
        small = f"<{self.k}"
        for column, unit in self.columns.counts.items():
            for row, text in enumerate(self.table[column]):
                try:
                    cell = read_count(text, self.k)
                except ValueError as err:
                    self.find(row, column, "undescribed", f"a count column holds {err.args[0]}")
                    continue
                if cell is None:
                    continue
                self.cells[row, column] = cell
                if unit != PROTECTED:
                    continue
                if cell.shown and 1 <= cell.low < self.k:
                    self.find(row, column, "small-count", f"a count of fewer than k={self.k} participants is shown")
                elif cell.mark and cell.mark.startswith("<") and cell.high < self.k - 1:
                    self.find(row, column, "small-count", f"{cell.mark!r} says more than {small!r}: it narrows a small count")
        for column in self.columns.shares:
            for row, text in enumerate(self.table[column]):
                try:
                    bounds = read_share(text)
                except ValueError as err:
                    self.find(row, column, "undescribed", f"a share column holds {err.args[0]}")
                    continue
                if bounds is not None:
                    self.share_bounds[row, column] = bounds

    def base(self, row: int, share: Share) -> Cell | None:
        if isinstance(share.base, int):
            return Cell(share.base, share.base)
        return self.cells.get((row, share.base)) if share.base else None

    def shares(self) -> None:
        """A share shown over a small base, or implying a small count; a share beside a hidden count with no
        base to work it out from is reported here too (with a base, `derivable` decides)."""
        for (row, column), (low, high) in sorted(self.share_bounds.items()):
            share = self.columns.shares[column]
            if self.columns.counts[share.of] != PROTECTED:
                continue
            base, count = self.base(row, share), self.cells.get((row, share.of))
            if base is not None and base.shown and 0 < base.low < self.k or base is not None and base.mark and base.high < self.k:
                self.find(row, column, "small-base", f"a share of fewer than k={self.k} participants is shown")
            elif base is not None and base.shown:
                implied = range(math.ceil(low * base.low - 1e-9), math.floor(high * base.low + 1e-9) + 1)
                if len(implied) and all(1 <= n < self.k for n in implied):
                    self.find(row, column, "small-count", f"the share of {int(base.low)} gives a count of fewer than k={self.k}")
            elif base is None and count is not None and not count.shown and not share.base:
                self.find(row, column, "derivable", f"a share is shown beside the hidden count {share.of!r}")

    def derivable(self) -> None:
        """Solve for every hidden participant count: min and max over all tables consistent with what is shown."""
        import numpy as np

        hidden = [cell for cell, value in self.cells.items() if not value.shown]
        targets = [cell for cell in hidden if self.columns.counts[cell[1]] == PROTECTED]
        if not targets:
            return
        index = {cell: n for n, cell in enumerate(hidden)}
        rows: list[tuple[dict[int, float], float, float]] = []  # coefficients, lower, upper

        def term(cell) -> tuple[dict[int, float], float]:
            """A cell as (coefficients over the unknowns, constant)."""
            if cell in index:
                return {index[cell]: 1.0}, 0.0
            return {}, float(self.cells[cell].low)

        def add(left, right, lower=-INF, upper=INF):
            """lower <= left - right <= upper, for cells or (coefficients, constant) pairs."""
            (a, ca), (b, cb) = left, right
            coefficients = dict(a)
            for j, v in b.items():
                coefficients[j] = coefficients.get(j, 0.0) - v
            if coefficients:
                rows.append((coefficients, lower - ca + cb, upper - ca + cb))

        for chain in self.columns.nested:
            for row in range(len(self.table)):
                present = [(row, c) for c in chain if (row, c) in self.cells]
                for smaller, larger in zip(present, present[1:]):
                    add(term(smaller), term(larger), upper=0)
        for (row, column), (low, high) in self.share_bounds.items():
            share = self.columns.shares[column]
            count = (row, share.of)
            if count not in index:
                continue
            if isinstance(share.base, int):
                add(term(count), ({}, 0.0), lower=low * share.base - 1e-9, upper=high * share.base + 1e-9)
            elif share.base and (row, share.base) in self.cells:
                base = term((row, share.base))
                scaled = lambda f: ({j: f * v for j, v in base[0].items()}, f * base[1])  # noqa: E731
                add(term(count), scaled(low), lower=-1e-9)
                add(term(count), scaled(high), upper=1e-9)
        for column, total in self.columns.additive.items():
            for members in self.lines():
                parts = [(r, column) for r in members if (r, column) in self.cells and not self.is_total(r, total)]
                totals = [(r, column) for r in members if (r, column) in self.cells and self.is_total(r, total)]
                coefficients, constant = {}, 0.0
                for cell in parts:
                    a, c = term(cell)
                    for j, v in a.items():
                        coefficients[j] = coefficients.get(j, 0.0) + v
                    constant += c
                known = float(total) if isinstance(total, int) else (
                    self.cells[totals[0]].low if totals and self.cells[totals[0]].shown else None)
                if isinstance(total, int):
                    add((coefficients, constant), ({}, float(total)), lower=0, upper=0)
                elif totals:
                    add((coefficients, constant), term(totals[0]), lower=0, upper=0)
                together = [cell for cell in parts if cell in index]
                if known is not None and len(together) > 1 and self.columns.counts[column] == PROTECTED and 1 <= known - constant < self.k:
                    self.find(together[0][0], column, "small-count", f"the hidden counts of this line add up to fewer "
                              f"than k={self.k}: together they name a small group")

        low = np.array([self.cells[c].low for c in hidden], dtype=float)
        high = np.array([self.cells[c].high for c in hidden], dtype=float)
        ranges = integer_ranges(low, high, rows, [index[cell] for cell in targets])
        if ranges is None:  # no table fits what is shown
            self.find(targets[0][0], targets[0][1], "inconsistent", "no table fits what is shown: a mark or a total is wrong")
            return
        for cell in targets:
            least, most = ranges[index[cell]]
            if most - least < 0.5:
                self.find(cell[0], cell[1], "derivable", "the hidden count follows exactly from what the table shows")

    def lines(self) -> list[list[int]]:
        if self.columns.lines_by is None:
            return [list(range(len(self.table)))]
        groups = self.table.groupby(self.columns.lines_by, sort=False).indices
        return [list(v) for v in groups.values()]

    def is_total(self, row: int, total: int | str) -> bool:
        if not isinstance(total, str):
            return False
        if total not in self.total_rows:  # once per table: a row-by-row lookup made a 5,000-row audit take minutes
            labels = self.table[list(self.columns.labels)].to_numpy()
            self.total_rows[total] = frozenset(int(i) for i in (labels == total).any(axis=1).nonzero()[0])
        return row in self.total_rows[total]

    def linkage(self, identifying: Identifying) -> None:
        """An id quotes carry beside an attribute; or two attributes in one row."""
        kinds: dict[str, set[str]] = {}
        key_column = None
        key = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, sorted(identifying.keys, key=len, reverse=True))) + r")(?!\w)") \
            if identifying.keys else None
        ignore = {"", "total", "all", "other", *(t for t in self.columns.additive.values() if isinstance(t, str))}
        for column in self.columns.labels:
            texts = [t.strip().lstrip("'") for t in self.table[column]]
            if key and key_column is None and any(key.search(t) for t in texts):
                key_column = column
            values = {t for t in texts if t.lower() not in ignore}
            matched = {kind for kind, forms in identifying.attributes.items() if values and values <= forms}
            if matched:
                kinds[column] = matched
        attributes = [c for c in kinds if c != key_column]
        if key_column is not None:
            for column in attributes:
                self.find(0, column, "linkable", f"{column!r} gives an attribute of the ids in {key_column!r}, "
                          "which quotes carry: a quoted speaker could be placed")
        for a, b in itertools.combinations(attributes, 2):
            if not kinds[a] & kinds[b]:
                self.find(0, b, "crossed", f"{a!r} and {b!r} cross two attributes in one row")


# ---- values for the prose --------------------------------------------------------------------------------

VALUE_FIELD = re.compile(r"^(?P<item>.+)_(?P<field>n_segments|n_speakers|n_groups|pct_segments|pct_speakers)$")
VALUE_COLUMNS = Columns(
    labels=("item",), counts={"n_segments": "turns", "n_speakers": PROTECTED, "n_groups": "groups"},
    shares={"pct_segments": Share("n_segments"), "pct_speakers": Share("n_speakers")},
    nested=(("n_groups", "n_speakers", "n_segments"),),
)
PEOPLE_VALUES = {"n_participants"}  # whole-study participant counts
RANGES = {"participants_per_group_range"}  # "5-7", "fewer than 5 to 7"


def audit_values(values: Mapping[str, object], k: int, name: str = "values.json") -> list[Finding]:
    """The prose's values read by their names (docs/VALUES.md): `<item>_n_speakers` counts participants, and
    `<item>_n_segments`, `_n_groups`, `_pct_segments`, `_pct_speakers` are nested with it, as in tbl-codes;
    whole-study counts and per-group ranges of participants must not be below k either."""
    import pandas as pd

    prose = {str(n): _as_cell(str(v)) for n, v in values.items()}
    rows: dict[str, dict[str, str]] = {}
    for value, text in prose.items():
        if m := VALUE_FIELD.match(value):
            rows.setdefault(m["item"], {})[m["field"]] = text
    findings = []
    table = pd.DataFrame([{"item": item, **fields} for item, fields in rows.items() if "n_speakers" in fields])
    if len(table):
        for column in [*VALUE_COLUMNS.counts, *VALUE_COLUMNS.shares]:
            table[column] = table.get(column, pd.Series("", index=table.index)).fillna("")
        for f in audit_table(table[["item", *VALUE_COLUMNS.counts, *VALUE_COLUMNS.shares]], VALUE_COLUMNS, k, name=name):
            item = table.loc[f.row - 2, "item"]
            findings.append(Finding(name, 0, f"{item}_{f.column}", f.rule, f.message))
    for value in sorted(PEOPLE_VALUES | RANGES):
        for part in re.split(r"\s*(?:-|to)\s*", prose.get(value, "")):
            cell = read_count(part, k) if _COUNT.fullmatch(part) or _SMALL.fullmatch(part) else None
            if cell is not None and cell.shown and 1 <= cell.low < k:
                findings.append(Finding(name, 0, value, "small-count", f"a count of fewer than k={k} participants is shown"))
    return findings


def _as_cell(text: str) -> str:
    """Prose forms as table cells: "fewer than 5" -> "<5"; "under 14%" stays a hidden share."""
    return re.sub(r"fewer than (\d+)", r"<\1", text.strip())


def findings_message(findings: Sequence[Finding], k: int) -> str:
    lines = [f"disclosure audit (k={k}): {len(findings)} problem(s); every published number must hide counts of "
             f"1 to {k - 1} participants:"]
    return "\n".join([*lines, *(f"  {f}" for f in findings)])
