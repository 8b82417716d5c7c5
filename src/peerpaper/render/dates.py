"""Quarto's `date` and `date-format`: the date shown in the title block, in the document's language.

Quarto's named formats (`full`, `long` (its default), `medium`, `short`, `iso`) are the locale's own
(CLDR, as the browser's Intl that Quarto uses), taken from Babel; a custom format uses Quarto's dayjs
tokens (`YYYY`, `MMMM`, `D`, `dddd`, `[text]`, ...), turned into the CLDR pattern Babel formats with the
locale's month and day names. `today`, `now` and `last-modified` are the build's date (SOURCE_DATE_EPOCH),
never the clock; a date that is not a date (`"Thursday 4 September"`) is shown as written.
"""

from __future__ import annotations

import datetime as dt
import re

from .project import RenderError

NAMED = ("full", "long", "medium", "short")
# dayjs token -> CLDR pattern letters (longest tokens first)
_TOKENS = [("YYYY", "yyyy"), ("YY", "yy"), ("MMMM", "MMMM"), ("MMM", "MMM"), ("MM", "MM"), ("M", "M"),
           ("DD", "dd"), ("D", "d"), ("dddd", "EEEE"), ("ddd", "EEE"), ("dd", "EEEEEE"), ("HH", "HH"),
           ("H", "H"), ("hh", "hh"), ("h", "h"), ("mm", "mm"), ("m", "m"), ("ss", "ss"), ("s", "s"), ("A", "a"),
           ("a", "a")]
_DAYJS = re.compile(r"\[([^\]]*)\]|" + "|".join(re.escape(t) for t, _ in _TOKENS) + r"|[A-Za-z]+|.", re.S)


def cldr_pattern(dayjs: str, where: str) -> str:
    out = []
    tokens = dict(_TOKENS)
    for match in _DAYJS.finditer(dayjs):
        text = match.group(0)
        if match.group(1) is not None:  # [literal]
            out.append("'" + match.group(1).replace("'", "''") + "'" if match.group(1) else "")
        elif text in tokens:
            out.append(tokens[text])
        elif text.isalpha():
            raise RenderError(f"{where}: date-format token `{text}` is not one the built-in engine knows (YYYY, "
                              "MM, MMMM, D, DD, dddd, HH, mm, ...; put literal text in [brackets])")
        else:
            out.append("''" if text == "'" else text)
    return "".join(out)


def display_date(value, epoch: str, meta: dict, where: str) -> str | None:
    """The date as Quarto shows it, or None when there is none."""
    if value is None or value == "":
        return None
    if value in ("today", "now", "last-modified"):
        value = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    elif isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value  # not a date: shown as written, as in Quarto
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        return str(value)
    from babel import Locale, UnknownLocaleError
    from babel.dates import format_date

    try:
        locale = Locale.parse(str(meta.get("lang") or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise RenderError(f"{where}: no date formats for lang `{meta.get('lang')}`") from None
    spec = str(meta.get("date-format", "long"))
    if spec == "iso":
        return value.isoformat()
    return format_date(value, spec if spec in NAMED else cldr_pattern(spec, where), locale=locale)
