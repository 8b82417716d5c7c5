"""Write what a notebook found, in the shapes the paper includes (docs/CONTRACTS.md "Notebook artifacts").

The only way numbers reach the prose: figures (SVG + PNG + a Quarto figure snippet), tables (CSV + a
captioned pipe table), values (flat JSON per notebook) and quotes (Markdown block quotes). Every file is
written whole to a temporary name and then renamed, so a failure leaves the previous artifact intact.
Pipe tables come from pandas' `to_markdown` (tabulate) rather than a hand-rolled writer. Participant counts
are masked here, in `write_table(..., participant_counts=...)`: the one call site of
`peerpaper.privacy.suppress_small_counts`, so no notebook can forget it. Captions and alt text of a
synthetic study's figures and tables begin with `SYNTHETIC_LABEL`: a notebook says which kind of study it
describes once, with `show_notice(study.synthetic)`, before it writes any figure or table.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from .errors import PaperError
from .figures import PNG_DPI
from .literal import csv_cell, markdown_text
from .privacy.disclosure import DEFAULT_K, SCHEMA_SUFFIX, columns_of, write_schema

NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
VALUE_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
NUMBERISH = r"-?[\d,.]+%?|<\d+|\[c\]|–|n/a"  # cells a table right-aligns (counts, shares, masks)
NOTICE = "Synthetic data: illustrative only. These figures describe generated data, not real participants."
SYNTHETIC_LABEL = "Synthetic data, illustrative only."  # opens every caption and alt text of a synthetic study
_study = {"synthetic": None}  # what this kernel's artifacts describe, set by show_notice


# ---- formatting for prose -------------------------------------------------------------------------


def fmt_int(n) -> str:
    """41250 -> "41,250"."""
    return f"{int(n):,}"


def fmt_pct(share: float) -> str:
    """0.384 -> "38%"; a share, not a percentage."""
    return "n/a" if share is None or math.isnan(share) else f"{round(100 * share):d}%"


def fmt_dec(x: float, places: int = 2) -> str:
    """0.7134 -> "0.71"; "n/a" when undefined (e.g. alpha of a code nobody applied)."""
    return "n/a" if x is None or math.isnan(x) else f"{x:.{places}f}"


def fmt_count(n: int, k: int) -> str:
    """A participant count for prose: 1..k-1 become "fewer than k" (as tables show "<k")."""
    return f"fewer than {k}" if 0 < n < k else fmt_int(n)


def month(date) -> str:
    """2024-03-14 -> "March 2024" (English month names whatever the locale)."""
    return pd.Timestamp(date).month_name() + f" {pd.Timestamp(date).year}"


# ---- writing --------------------------------------------------------------------------------------


def _check_name(name: str, what: str) -> None:
    if not NAME.match(name):
        raise PaperError(f"{what} name {name!r}: use lower-case letters, digits and single hyphens")


def _write(path: Path, data: bytes | str) -> Path:
    """Write whole-or-nothing: a crash mid-write never leaves a half file where the paper looks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def labelled(text: str, what: str) -> str:
    """A caption or alt text as the reader must get it: labelled when the study is synthetic.

    Never silent: a notebook that has not said which kind of study it describes cannot write a caption."""
    synthetic = _study["synthetic"]
    if synthetic is None:
        raise PaperError(f"{what}: call artifacts.show_notice(study.synthetic) before writing figures or tables, "
                         "so that captions say whether the data are synthetic")
    return f"{SYNTHETIC_LABEL} {text}" if synthetic else text


def write_figure(fig, name: str, caption: str, alt: str, out_dir) -> None:
    """fig-<name>.svg, .png (200 dpi, the figure's fixed size) and .md, the Quarto figure snippet.

    Returns nothing, so a notebook cell shows the figure and not a list of paths."""
    _check_name(name, "figure")
    if not alt.strip() or not caption.strip():
        raise PaperError(f"figure {name}: a caption and an alt text are required")
    caption, alt = labelled(caption, f"figure {name}"), labelled(alt, f"figure {name}")
    folder = Path(out_dir) / "figures"
    stem = f"fig-{name}"
    for ext, options in (("svg", {"metadata": {"Date": None}}), ("png", {"dpi": PNG_DPI, "metadata": {"Software": None}})):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=ext, **options)
        _write(folder / f"{stem}.{ext}", buffer.getvalue())
    snippet = f'![{markdown_text(caption)}](../_build/figures/{stem}){{#{stem} fig-alt="{markdown_text(alt)}"}}\n'
    _write(folder / f"{stem}.md", snippet)


def write_table(
    df: pd.DataFrame,
    name: str,
    caption: str,
    out_dir,
    participant_counts: Iterable[str] = (),
    k: int = DEFAULT_K,
    total_row=None,
    additive: bool = True,
    widths: list[int] | None = None,
) -> pd.DataFrame:
    """tbl-<name>.csv and tbl-<name>.md; returns the table as written.

    `widths`: the columns' shares in percent, for a table whose cells are long text (Quarto's
    `tbl-colwidths`); without them each format sizes the columns to their content.

    Columns in `participant_counts` go through `privacy.suppress_small_counts` (1..k-1 -> "<k", plus
    secondary suppression; `additive=False` when one person may count in several rows, e.g. speakers per
    theme), and the caption then explains the marks.
    """
    _check_name(name, "table")
    caption = labelled(caption, f"table {name}")
    shown = df.reset_index(drop=True)
    described = columns_of(df)
    if described is not None or (participant_counts := list(participant_counts)):
        from .privacy import protect, suppress_small_counts, suppression_note

        if described is not None:  # what each column counts: masked by it, and published beside the CSV
            shown = protect(shown, k)
            participant_counts = list(described.counts)
        else:
            shown = suppress_small_counts(shown, participant_counts, k=k, total_row=total_row, additive=additive)
        if shown[participant_counts].map(lambda cell: isinstance(cell, str)).any(axis=None):
            caption = f"{caption.rstrip()} {suppression_note(k)}"
    folder = Path(out_dir) / "tables"
    _write(folder / f"tbl-{name}.csv", csv_text(shown))
    if described is not None:  # as protect left it: a total below k is not published
        _write(folder / f"tbl-{name}{SCHEMA_SUFFIX}", write_schema(columns_of(shown), list(shown.columns)))
    numeric = [bool(shown[c].astype(str).str.fullmatch(NUMBERISH).all()) and len(shown) > 0 for c in shown.columns]
    cells = shown.astype(str).map(markdown_text).rename(columns=markdown_text)
    pipe = cells.to_markdown(
        index=False, tablefmt="pipe", disable_numparse=True, colalign=["right" if n else "left" for n in numeric]
    )
    if widths is not None and len(widths) != len(shown.columns):
        raise ValueError(f"table {name}: {len(widths)} widths for {len(shown.columns)} columns")
    sized = f' tbl-colwidths="[{",".join(str(int(w)) for w in widths)}]"' if widths else ""
    _write(folder / f"tbl-{name}.md", f"{pipe}\n\n: {markdown_text(caption)} {{#tbl-{name}{sized}}}\n")
    return shown


def write_figure_data(df: pd.DataFrame, name: str, out_dir, k: int = DEFAULT_K) -> pd.DataFrame:
    """fig-<name>.csv, the data a figure shows, with fig-<name>.schema.json; returns the data as published.

    The table must be described (`privacy.describe`): it is masked like a table (`privacy.protect`), and
    the figure is then drawn from what this returns, so that image, alt text and data show the same."""
    _check_name(name, "figure")
    described = columns_of(df)
    if described is None:
        raise PaperError(f"figure {name}: describe its data first (privacy.describe), so that it can be masked and audited")
    from .privacy import protect

    shown = protect(df.reset_index(drop=True), k)
    folder = Path(out_dir) / "figures"
    _write(folder / f"fig-{name}.csv", csv_text(shown))
    _write(folder / f"fig-{name}{SCHEMA_SUFFIX}", write_schema(columns_of(shown), list(shown.columns)))
    return shown


def csv_text(df: pd.DataFrame) -> str:
    """A published CSV: every cell a spreadsheet would run as a formula shown as text instead."""
    return df.map(csv_cell).rename(columns=csv_cell).to_csv(index=False, lineterminator="\n")


def write_values(notebook: str, values: Mapping[str, object], out_dir) -> Path:
    """values/<notebook>.json; a name another notebook already wrote is an error (names are global)."""
    _check_name(notebook, "notebook")
    folder = Path(out_dir) / "values"
    for name, value in values.items():
        if not VALUE_NAME.match(name):
            raise PaperError(f"{notebook}: value name {name!r} is not snake_case")
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise PaperError(f"{notebook}: value {name} must be a string or an integer formatted for prose")
    for other in sorted(folder.glob("*.json")) if folder.exists() else ():
        if other.stem != notebook and (clash := set(values) & set(json.loads(other.read_text("utf-8")))):
            raise PaperError(f"{other}: value {sorted(clash)[0]} is also written by {notebook}")
    text = json.dumps(dict(sorted(values.items())), indent=2, ensure_ascii=False)
    return _write(folder / f"{notebook}.json", text + "\n")


def write_quote_file(name: str, quotes: Iterable[tuple[str, str, str]], out_dir, missing: str | None = None) -> Path:
    """quotes/q-<name>.md: each (text, pseudonym, group id) as a block quote attributed "(pseudonym, group)".

    Every character is the participant's own (`literal.markdown_text`): nothing in a turn or an id acts.
    No quotes is an error, unless `missing` says what the file should say instead (the paper includes it)."""
    _check_name(name, "quote")
    blocks = [f"> {markdown_text(text)}\n>\n> {markdown_text(f'({speaker}, {group})')}\n"
              for text, speaker, group in quotes]
    if not blocks and missing:
        return _write(Path(out_dir) / "quotes" / f"q-{name}.md", f"{markdown_text(missing)}\n")
    if not blocks:
        raise PaperError(f"quotes {name}: no quote to write")
    return _write(Path(out_dir) / "quotes" / f"q-{name}.md", "\n".join(blocks))


NO_QUOTE = "No participant turn coded to this theme qualifies as a quotation."


def quote_name(theme_id: str) -> str:
    """The file name part for a theme's quotes: its id with hyphens (ids use "_", file names "-")."""
    return re.sub(r"_+", "-", theme_id).strip("-")


def write_quotes(chosen: pd.DataFrame, theme_ids: Iterable[str], out_dir) -> int:
    """q-<theme>.md (all of a theme's quotes) and q-<theme>-1.md (its best) for every theme; returns the count.

    `chosen` has theme_id, rank, text, speaker_id, group_id (as `analysis.quotes.choose` returns). The paper
    includes a quote file for each of its themes, so a theme without a quote (no coded turn, or none of a
    quotable length) gets files that say so (`NO_QUOTE`) rather than none, or a stopped build.
    """
    by_theme = {theme: chosen[chosen["theme_id"] == theme].sort_values("rank") for theme in theme_ids}
    names: dict[str, str] = {}
    for theme in by_theme:  # check all before writing any: no half-written set of quotes
        name = quote_name(theme)
        _check_name(name, "quote")
        if name in names:
            raise PaperError(f"quotes for themes {names[name]} and {theme}: both would be q-{name}.md; rename one")
        names[name] = theme
    for theme, mine in by_theme.items():
        rows = list(zip(mine["text"], mine["speaker_id"], mine["group_id"]))
        if rows:
            write_quote_file(quote_name(theme), rows, out_dir)
            write_quote_file(f"{quote_name(theme)}-1", rows[:1], out_dir)
        else:
            for name in (quote_name(theme), f"{quote_name(theme)}-1"):
                _write(Path(out_dir) / "quotes" / f"q-{name}.md", f"{markdown_text(NO_QUOTE)}\n")
    return len(chosen)


def show_notice(synthetic: bool) -> None:
    """In a notebook: the visible synthetic-data notice, or nothing for real data. It also records which kind
    of study this kernel's figures and tables describe, so that their captions and alt text say so."""
    _study["synthetic"] = bool(synthetic)
    if synthetic:
        from IPython.display import Markdown, display

        display(Markdown(f"**{NOTICE}**"))
