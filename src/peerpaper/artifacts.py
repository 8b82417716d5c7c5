"""Write what a notebook found, in the shapes the paper includes (docs/CONTRACTS.md "Notebook artifacts").

The only way numbers reach the prose: figures (SVG + PNG + a Quarto figure snippet), tables (CSV + a
captioned pipe table), values (flat JSON per notebook) and quotes (Markdown block quotes). Every file is
written whole to a temporary name and then renamed, so a failure leaves the previous artifact intact.
Pipe tables come from pandas' `to_markdown` (tabulate) rather than a hand-rolled writer. Participant counts
are masked here, in `write_table(..., participant_counts=...)`: the one call site of
`peerpaper.privacy.suppress_small_counts`, so no notebook can forget it.
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

NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
VALUE_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
NUMBERISH = r"-?[\d,.]+%?|<\d+|\[c\]|–|n/a"  # cells a table right-aligns (counts, shares, masks)
NOTICE = "Synthetic data: illustrative only. These figures describe generated data, not real participants."


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


def _attribute(text: str) -> str:
    """Caption or alt text on one line, safe inside a Markdown attribute."""
    return " ".join(str(text).split()).replace('"', "'")


def write_figure(fig, name: str, caption: str, alt: str, out_dir) -> None:
    """fig-<name>.svg, .png (200 dpi, the figure's fixed size) and .md, the Quarto figure snippet.

    Returns nothing, so a notebook cell shows the figure and not a list of paths."""
    _check_name(name, "figure")
    if not alt.strip() or not caption.strip():
        raise PaperError(f"figure {name}: a caption and an alt text are required")
    folder = Path(out_dir) / "figures"
    stem = f"fig-{name}"
    for ext, options in (("svg", {"metadata": {"Date": None}}), ("png", {"dpi": PNG_DPI, "metadata": {"Software": None}})):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=ext, **options)
        _write(folder / f"{stem}.{ext}", buffer.getvalue())
    snippet = f'![{_attribute(caption)}](../_build/figures/{stem}){{#{stem} fig-alt="{_attribute(alt)}"}}\n'
    _write(folder / f"{stem}.md", snippet)


def write_table(
    df: pd.DataFrame,
    name: str,
    caption: str,
    out_dir,
    participant_counts: Iterable[str] = (),
    k: int = 3,
    total_row=None,
    additive: bool = True,
) -> pd.DataFrame:
    """tbl-<name>.csv and tbl-<name>.md; returns the table as written.

    Columns in `participant_counts` go through `privacy.suppress_small_counts` (1..k-1 -> "<k", plus
    secondary suppression; `additive=False` when one person may count in several rows, e.g. speakers per
    theme), and the caption then explains the marks.
    """
    _check_name(name, "table")
    shown = df.reset_index(drop=True)
    if participant_counts := list(participant_counts):
        from .privacy import suppress_small_counts, suppression_note

        shown = suppress_small_counts(shown, participant_counts, k=k, total_row=total_row, additive=additive)
        if shown[participant_counts].map(lambda cell: isinstance(cell, str)).any(axis=None):
            caption = f"{caption.rstrip()} {suppression_note(k)}"
    folder = Path(out_dir) / "tables"
    _write(folder / f"tbl-{name}.csv", shown.to_csv(index=False, lineterminator="\n"))
    numeric = [bool(shown[c].astype(str).str.fullmatch(NUMBERISH).all()) and len(shown) > 0 for c in shown.columns]
    pipe = shown.to_markdown(
        index=False, tablefmt="pipe", disable_numparse=True, colalign=["right" if n else "left" for n in numeric]
    )
    _write(folder / f"tbl-{name}.md", f"{pipe}\n\n: {_attribute(caption)} {{#tbl-{name}}}\n")
    return shown


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


def write_quote_file(name: str, quotes: Iterable[tuple[str, str, str]], out_dir) -> Path:
    """quotes/q-<name>.md: each (text, pseudonym, group id) as a block quote attributed "(pseudonym, group)"."""
    _check_name(name, "quote")
    blocks = [f"> {escape_markdown(text)}\n>\n> ({speaker}, {group})\n" for text, speaker, group in quotes]
    if not blocks:
        raise PaperError(f"quotes {name}: no quote to write")
    return _write(Path(out_dir) / "quotes" / f"q-{name}.md", "\n".join(blocks))


def write_quotes(chosen: pd.DataFrame, theme_ids: Iterable[str], out_dir) -> int:
    """q-<theme>.md (all of a theme's quotes) and q-<theme>-1.md (its best) for every theme; returns the count.

    `chosen` has theme_id, rank, text, speaker_id, group_id (as `analysis.quotes.choose` returns). A theme
    without a quote is an error: the paper includes a quote file for every theme.
    """
    by_theme = {theme: chosen[chosen["theme_id"] == theme].sort_values("rank") for theme in theme_ids}
    for theme, mine in by_theme.items():  # check all before writing any: no half-written set of quotes
        _check_name(theme, "quote")
        if mine.empty:
            raise PaperError(f"quotes for theme {theme}: no participant turn qualifies; widen the length bounds")
    for theme, mine in by_theme.items():
        rows = list(zip(mine["text"], mine["speaker_id"], mine["group_id"]))
        write_quote_file(theme, rows, out_dir)
        write_quote_file(f"{theme}-1", rows[:1], out_dir)
    return len(chosen)


def escape_markdown(text: str) -> str:
    """Participants' words on one line, with Markdown and shortcode syntax neutralised."""
    return re.sub(r"([\\`*_\[\]<>#{}|])", r"\\\1", " ".join(str(text).split()))


def show_notice(synthetic: bool) -> None:
    """In a notebook: the visible synthetic-data notice, or nothing for real data."""
    if synthetic:
        from IPython.display import Markdown, display

        display(Markdown(f"**{NOTICE}**"))
