"""Quarto's translations for `lang`: the words the engine writes itself ("Figure", "Table of contents", ...).

From Quarto's `_language-*.yml` (resources/quarto-language.yml keeps the keys the engine uses). As in
Quarto, `lang: de-CH` uses `de-CH`, else `de`, over English; `language:` adds the author's own words, as a
map of keys (or of language codes to maps of keys) or a YAML file beside the document.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from ..paths import RESOURCES
from .project import RenderError, read_yaml


@cache
def _table() -> dict:
    return yaml.safe_load((RESOURCES / "quarto-language.yml").read_text(encoding="utf-8"))


def words(meta: dict, document: Path, where: str) -> dict[str, str]:
    """{translation key: text} for the document's `lang` and `language`."""
    table = _table()
    code = str(meta.get("lang") or "en")
    base = code.split("-")[0]
    chosen = table.get(code) or table.get(base)
    if chosen is None:
        raise RenderError(f"{where}: Quarto's translations for lang `{code}` are not bundled with the built-in "
                          f"engine (it has {', '.join(sorted(table))}; render with --engine quarto, or give the "
                          "words under `language:`)")
    out = {**table["en"], **chosen}
    language = meta.get("language")
    if isinstance(language, str):
        language = read_yaml((document.parent / language).resolve())
    if isinstance(language, dict):
        out.update({k: str(v) for k, v in language.items() if not isinstance(v, dict)})
        for key in (base, code):
            if isinstance(language.get(key), dict):
                out.update({k: str(v) for k, v in language[key].items()})
    elif language is not None:
        raise RenderError(f"{where}: `language` must be a map of words or the name of a YAML file")
    return out
