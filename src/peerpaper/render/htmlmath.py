"""Maths in HTML and reveal.js, offline: Quarto's `html-math-method` with MathJax or KaTeX from node_modules.

Quarto loads MathJax (its default) or KaTeX from a CDN; the outputs here must work with the network off,
so the pinned npm packages are inlined instead: MathJax 3's `tex-svg-full.js` (SVG output, every TeX
extension, no fonts or extensions to fetch later) or KaTeX with its stylesheet and fonts. `plain` and
`mathml` are pandoc's own and need no script. Nothing is added to a document without maths.
"""

from __future__ import annotations

import re
from pathlib import Path

from .ast import elements
from .project import RenderError

METHODS = ("mathjax", "katex", "plain", "mathml")


def method(meta: dict, where) -> str:
    value = meta.get("html-math-method", "mathjax")
    if isinstance(value, dict):
        if set(value) - {"method"}:
            raise RenderError(f"{where}: `html-math-method` with a url: the outputs work offline, with the bundled "
                              "MathJax or KaTeX (give the method alone)")
        value = value.get("method")
    if value not in METHODS:
        raise RenderError(f"{where}: html-math-method `{value}` is not implemented by the built-in engine "
                          f"({', '.join(METHODS)}; render with --engine quarto)")
    return value


def has_math(blocks: list) -> bool:
    return next(elements(blocks, "Math"), None) is not None


def package(root: Path, name: str, inner: str) -> Path:
    from .revealjs import REPO

    for base in (root, REPO):
        if (base / "node_modules" / name / inner).exists():
            return base / "node_modules" / name / inner
    raise RenderError(f"{root}: node_modules/{name} not found: run `make setup` (npm ci) first")


def pandoc_args(meta: dict, blocks: list, root: Path, where) -> list[str]:
    """The pandoc options that write maths the chosen way (with the script pandoc should include)."""
    if not has_math(blocks):
        return []
    chosen = method(meta, where)
    if chosen == "mathjax":
        return [f"--mathjax={package(root, 'mathjax', 'es5/tex-svg-full.js')}"]
    if chosen == "katex":
        return [f"--katex={package(root, 'katex', 'dist')}/"]
    return ["--mathml"] if chosen == "mathml" else []


_REVEAL_MATH_PLUGIN = re.compile(r'\s*<script src="[^"]*/plugin/math/math\.js"></script>')
_REVEAL_MATH_CONFIG = re.compile(r"\n\s*math: \{.*?\n        \},", re.S)


def reveal_mathjax(page: str, script: Path) -> str:
    """pandoc's reveal.js page loads MathJax 2 through reveal.js's math plugin, from a URL at run time: use
    MathJax 3 as a plain script instead (inlined later), which typesets every slide when the deck opens."""
    page = _REVEAL_MATH_PLUGIN.sub("", page)
    page = _REVEAL_MATH_CONFIG.sub("", page)
    page = re.sub(r"\n\s*RevealMath,", "", page)
    return page.replace("</body>", f'<script src="{script}"></script>\n</body>', 1)
