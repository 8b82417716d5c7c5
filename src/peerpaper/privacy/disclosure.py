"""Disclosure control over every number a reader sees: the threshold k, and what each published column
counts.

**k** is one project setting, `disclosure: k:` in `_quarto.yml` (Quarto reads the key as metadata and
ignores it). The build passes it to every notebook that has a `k` parameter and audits every published
table and figure against it (`privacy.audit`); `paper build -P k=10` overrides it for one build. Why 5 by
default: UK practice suppresses small counts; Ofqual shows 1 to 4 as "fewer than 5", and the UK
Longitudinal Linkage Collaboration (UK LLC) uses 10, with secondary suppression, for outputs from large
linked cohorts. A study of a few dozen people in groups of four to eight can report almost nothing at 10
(the paper's Methods give the numbers, from `08-disclosure`), while 5 still means no reader learns of a
set of fewer than five.

**What a column counts** (`Columns`, attached to a table with `describe` and published beside its CSV as
`<name>.schema.json`, a Frictionless Table Schema with our own properties): each column is a label, a
count of some unit (only `participants` counts are protected: they are people), a share of a count
column over a base, or a statistic that counts nothing (alpha, Jaccard). Relations a reader can use are
declared too: `nested` chains (in every row groups <= participants <= turns: a theme raised in 3 groups
was raised by at least 3 people, who took at least as many turns), and `additive` columns whose rows add
up to a total row or to a total published elsewhere (`lines_by` splits long data into such lines).
`privacy.protect` masks a described table by it; `privacy.audit` reads the published files by it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PaperError

if TYPE_CHECKING:  # pandas is imported where used: `paper build` reads k on every run, even a no-op one
    import pandas as pd

DEFAULT_K = 5
SETTING = "disclosure"  # the top-level key of _quarto.yml
PROTECTED = "participants"  # the unit whose small counts are never shown: people
SCHEMA_SUFFIX = ".schema.json"


class DisclosureError(PaperError):
    pass


# ---- k, the project setting ---------------------------------------------------------------------------

def check_k(value: object, where: str) -> int:
    """k as an int, or a one-line error naming where it was set."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 3:
        raise DisclosureError(f"{where}: k must be a whole number of at least 3 (at 2, '<2' would say 1), got {value!r}")
    return value


def project_k(root: Path) -> int:
    """The project's k: `disclosure: k:` in `_quarto.yml`, else DEFAULT_K."""
    import yaml

    path = Path(root) / "_quarto.yml"
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    except yaml.YAMLError as err:
        raise DisclosureError(f"{path}: not valid YAML ({type(err).__name__})") from None
    setting = (config or {}).get(SETTING)
    if setting is None:
        return DEFAULT_K
    if not isinstance(setting, dict) or "k" not in setting:
        raise DisclosureError(f"{path}: '{SETTING}' must be a mapping with a 'k' entry, e.g. 'disclosure: {{k: 5}}'")
    return check_k(setting["k"], f"{path}: {SETTING}.k")


def hidden_counts(table, column: str, k: int, total_row: str | None = None) -> int:
    """How many of a table's participant counts (its total row aside) threshold k would hide.

    A table that cannot be protected at k would not be published: then every count is hidden."""
    from .suppression import SECONDARY_MARK, small_mark, suppress_small_counts

    body = table.index if total_row is None else table.index[~(table == total_row).any(axis=1)]
    try:
        shown = suppress_small_counts(table, [column], k=k, total_row=total_row)
    except PaperError:
        return len(body)
    return int(shown.loc[body, column].isin([small_mark(k), SECONDARY_MARK]).sum())


# ---- what each column counts ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Share:
    """A share column: `of` a count column, over `base` (a column of the same row, a number, or unknown)."""

    of: str
    base: str | int | None = None


@dataclass(frozen=True)
class Columns:
    """What each column of a published table or figure's data is, and what relations a reader can use."""

    labels: tuple[str, ...] = ()
    counts: Mapping[str, str] = field(default_factory=dict)  # column -> unit ("participants", "turns", ...)
    shares: Mapping[str, Share] = field(default_factory=dict)
    statistics: tuple[str, ...] = ()  # numbers that count nothing: alpha, Jaccard, ratios of codes
    nested: tuple[tuple[str, ...], ...] = ()  # count chains, smallest first: in every row each <= the next
    additive: Mapping[str, int | str] = field(default_factory=dict)  # column -> its public total, or the
    # label of the total row; the rows (of one line) add up to it because each person is in one row
    lines_by: str | None = None  # rows form separate lines (for `additive`) by this label column's value

    def check(self, columns: Iterable[str], what: str) -> None:
        """Every column described exactly once, and every relation naming columns that exist."""
        named = [*self.labels, *self.counts, *self.shares, *self.statistics]
        present = list(columns)
        for column in present:
            if named.count(column) != 1:
                raise DisclosureError(f"{what}: column {column!r} must be described once (label, count, share or "
                                      f"statistic), not {named.count(column)} times")
        missing = [c for c in named if c not in present]
        for share in self.shares.values():
            missing += [c for c in (share.of, share.base) if isinstance(c, str) and c not in self.counts]
        missing += [c for chain in self.nested for c in chain if c not in self.counts]
        missing += [c for c in self.additive if c not in self.counts]
        if self.lines_by is not None and self.lines_by not in self.labels:
            missing.append(self.lines_by)
        if missing:
            raise DisclosureError(f"{what}: the description names {missing[0]!r}, which is not a column of that kind")

    def unit(self, column: str) -> str | None:
        if column in self.counts:
            return self.counts[column]
        if column in self.shares:
            return self.counts.get(self.shares[column].of)
        return None

    def to_json(self, order: Sequence[str]) -> dict:
        """A Frictionless Table Schema with our own properties (role, unit, of, base)."""
        def describe_field(name: str) -> dict:
            if name in self.counts:
                return {"name": name, "role": "count", "unit": self.counts[name]}
            if name in self.shares:
                share = self.shares[name]
                return {"name": name, "role": "share", "of": share.of, **({"base": share.base} if share.base is not None else {})}
            return {"name": name, "role": "statistic" if name in self.statistics else "label"}

        out: dict = {"fields": [describe_field(name) for name in order]}
        if self.nested:
            out["nested"] = [list(chain) for chain in self.nested]
        if self.additive:
            out["additive"] = dict(self.additive)
        if self.lines_by:
            out["linesBy"] = self.lines_by
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Columns":
        fields = data.get("fields", [])
        role = lambda r: tuple(f["name"] for f in fields if f.get("role") == r)  # noqa: E731
        return cls(
            labels=role("label"),
            counts={f["name"]: f["unit"] for f in fields if f.get("role") == "count"},
            shares={f["name"]: Share(f["of"], f.get("base")) for f in fields if f.get("role") == "share"},
            statistics=role("statistic"),
            nested=tuple(tuple(chain) for chain in data.get("nested", [])),
            additive=dict(data.get("additive", {})),
            lines_by=data.get("linesBy"),
        )


def describe(df: pd.DataFrame, **columns) -> pd.DataFrame:
    """Say what each column of `df` is (the keywords of `Columns`); returns `df` carrying it (`df.attrs`),
    for `artifacts.write_table` and `write_figure_data`, which mask by it and publish it beside the CSV."""
    if "shares" in columns:
        columns["shares"] = {c: s if isinstance(s, Share) else Share(*s) for c, s in columns["shares"].items()}
    for name in ("labels", "statistics"):
        columns[name] = tuple(columns.get(name, ()))
    columns["nested"] = tuple(tuple(chain) for chain in columns.get("nested", ()))
    description = Columns(**columns)
    description.check(df.columns, "describe")
    df.attrs["columns"] = description
    return df


def columns_of(df: pd.DataFrame) -> Columns | None:
    return df.attrs.get("columns")


def schema_path(csv: Path) -> Path:
    return csv.with_name(csv.stem + SCHEMA_SUFFIX)


def write_schema(description: Columns, order: Sequence[str]) -> str:
    return json.dumps(description.to_json(order), indent=1, ensure_ascii=False) + "\n"
