"""The Quarto conformance suite: small Quarto documents, each with the checks Quarto's own tests would make.

Every case is a `.qmd` under `cases/<feature>/` (ours, from quarto.org's documentation) or `smoke/` (taken
from quarto-cli's `tests/docs/smoke-all`, source named in the file). Its front matter names the formats to
render and, under `_quarto: tests: <format>:`, the checks in Quarto's own vocabulary (`ensureHtmlElements`,
`ensureFileRegexMatches`, `ensureTypstFileRegexMatches`, `ensureDocxXpath`, `ensurePptxXpath`, ...), so a
case from Quarto keeps its checks as Quarto wrote them.

Each case is rendered by the built-in engine and every format gets one status:

- works: rendered, and every check of that format holds (or Quarto expects an error, and there is one);
- refused: the engine stopped with `file:line: ...` naming the construct and pointing to `--engine quarto`;
- silent: rendered with exit 0 but a check fails (the worst outcome), or no error where Quarto expects one;
- unclear: it stopped, but the message does not name a line or does not say how to render it instead.

`python tests/conformance/quarto_suite.py` prints the table; `--write` puts it into docs/RENDERING.md, where
`test_conformance.py` also checks it is current.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RENDERING_MD = REPO / "docs" / "RENDERING.md"
EPOCH = "1756944000"
# Our output names and the Quarto format each one is (checks are keyed by Quarto's name).
OURS = {"html": "html", "typst": "pdf", "docx": "docx", "revealjs": "revealjs", "pptx": "pptx"}
COLUMNS = ["html", "typst", "docx", "revealjs", "pptx"]
FEATURES = {  # folder under cases/ -> the feature's name in the table, in the table's order
    "document": "Document options (dates, contents, appendix, page breaks)",
    "conditional": "Conditional content",
    "callouts": "Callouts",
    "figures": "Figures, panels and sub-figures",
    "tables": "Tables",
    "crossref": "Cross-references",
    "equations": "Equations",
    "lang": "Language",
    "typst": "Typst page options",
    "shortcodes": "Shortcodes",
    "slides": "Slides (reveal.js, PowerPoint)",
    "refusals": "Constructs the engine refuses",
}
SMOKE = "Quarto's smoke-all tests"
TABLE_START, TABLE_END = "<!-- conformance table: start -->", "<!-- conformance table: end -->"
MARK = {"works": "works", "refused": "refused loudly", "silent": "SILENT", "unclear": "UNCLEAR ERROR"}


@dataclass
class Outcome:
    case: str
    feature: str
    status: dict[str, str] = field(default_factory=dict)  # Quarto format -> works/refused/silent/unclear
    detail: dict[str, str] = field(default_factory=dict)  # Quarto format -> why (failed checks, the error)


def cases() -> list[Path]:
    found = sorted((HERE / "cases").glob("*/*.qmd"), key=lambda p: (list(FEATURES).index(p.parent.name), p.name))
    return found + sorted((HERE / "smoke").glob("*.qmd"))


def feature_of(case: Path) -> str:
    return SMOKE if case.parent.name == "smoke" else FEATURES[case.parent.name]


def front_matter(case: Path) -> dict:
    text = case.read_text(encoding="utf-8")
    match = re.match(r"\A---\n(.*?\n)---\n", text, re.S)
    return yaml.safe_load(match.group(1)) if match else {}


def _project(case: Path, where: Path) -> Path:
    """A one-document Quarto project around the case, with the suite's shared files (images, bibliography).

    As Quarto's test runner renders a document to each format its tests name, the project lists those
    formats (a document's own `format:` still wins)."""
    root = where / case.stem
    shutil.copytree(HERE / "assets", root)
    shutil.copyfile(case, root / case.name)
    tested = list(((front_matter(case).get("_quarto") or {}).get("tests") or {}))
    formats = "".join(f"  {f}: default\n" for f in tested if f in OURS)
    (root / "_quarto.yml").write_text(f"project:\n  type: default\n  render: [{case.name}]\n"
                                      + (f"format:\n{formats}" if formats else ""), encoding="utf-8")
    return root


def run(case: Path, where: Path) -> Outcome:
    from peerpaper.render import RenderError
    from peerpaper.render.project import documents, load_project

    root = _project(case, where)
    meta = front_matter(case)
    tests = ((meta.get("_quarto") or {}).get("tests") or {})
    outcome = Outcome(case.relative_to(HERE).as_posix(), feature_of(case))
    try:
        wanted = list(documents(load_project(root))[0].formats)
    except RenderError as err:  # the formats themselves are refused
        wanted = [OURS.get(f, f) for f in tests if f in OURS]
        for fmt in wanted:
            _refusal(outcome, _quarto_name(fmt), str(err), root)
        return outcome
    made = _render_all(root, wanted)  # one render for every format, or one per format if that fails
    for fmt in wanted:
        quarto = _quarto_name(fmt)
        checks = tests.get(quarto) or {}
        if not checks:
            raise AssertionError(f"{case}: no checks for {quarto}: every rendered format needs some")
        result = made[fmt]
        if isinstance(result, RenderError):
            if "shouldError" in checks:
                outcome.status[quarto], outcome.detail[quarto] = "works", f"error as Quarto expects: {result}"
            else:
                _refusal(outcome, quarto, str(result), root)
            continue
        if "shouldError" in checks:
            outcome.status[quarto], outcome.detail[quarto] = "silent", "rendered, but Quarto expects an error"
            continue
        failures = verify(checks, result, root, fmt)
        outcome.status[quarto] = "silent" if failures else "works"
        outcome.detail[quarto] = "; ".join(failures)
    return outcome


def _render_all(root: Path, wanted: list[str]) -> dict:
    """{our format: output path, or the RenderError that stopped it}."""
    from peerpaper.render import RenderError, render

    try:
        made = render(root, root / "_out", formats=tuple(wanted))
        return {fmt: next(p for p in made.values() if _is_output_of(p, fmt)) for fmt in wanted}
    except RenderError:
        pass
    results: dict = {}
    for fmt in wanted:
        try:
            results[fmt] = next(iter(render(root, root / "_out" / fmt, formats=(fmt,)).values()))
        except RenderError as err:
            results[fmt] = err
    return results


def _is_output_of(path: Path, fmt: str) -> bool:
    return path.suffix == {"html": ".html", "revealjs": ".html", "pdf": ".pdf", "docx": ".docx", "pptx": ".pptx"}[fmt]


def _quarto_name(ours: str) -> str:
    return {v: k for k, v in OURS.items()}[ours]


def _refusal(outcome: Outcome, quarto: str, message: str, root: Path) -> None:
    loud = re.match(r"^\S+:\d+: ", message) and "--engine quarto" in message
    outcome.status[quarto] = "refused" if loud else "unclear"
    outcome.detail[quarto] = message.replace(str(root) + "/", "")


# --- Quarto's verification functions (tests/verify.ts), on our outputs ------------------------------------

def verify(checks: dict, output: Path, root: Path, fmt: str) -> list[str]:
    failures: list[str] = []
    for name, args in checks.items():
        if name in ("noErrors", "noErrorsOrWarnings", "printsMessage"):
            continue  # a render that returns has printed no error; warnings are not recorded
        check = VERBS.get(name)
        if check is None:
            raise AssertionError(f"{output}: check {name} is not implemented by the suite")
        failures += check(args, output, root, fmt)
    return failures


def _pairs(args) -> tuple[list, list]:
    args = list(args or [])
    return list(args[0] or []) if args else [], list(args[1] or []) if len(args) > 1 else []


def _regexes(text: str, args, what: str) -> list[str]:
    present, absent = _pairs(args)
    out = [f"{what}: missing /{r}/" for r in present if not re.search(r, text)]
    return out + [f"{what}: should not match /{r}/" for r in absent if re.search(r, text)]


def html_elements(args, output: Path, root: Path, fmt: str) -> list[str]:
    import lxml.html

    page = lxml.html.fromstring(output.read_bytes())
    present, absent = _pairs(args)
    out = [f"html: no element {s}" for s in present if not page.cssselect(s)]
    return out + [f"html: element {s} should be absent" for s in absent if page.cssselect(s)]


def file_regexes(args, output: Path, root: Path, fmt: str) -> list[str]:
    if output.suffix in (".docx", ".pptx"):
        return _regexes(_zip_xml(output, r"^(word/document|ppt/slides/slide\d+)\.xml$"), args, output.suffix)
    if output.suffix == ".pdf":
        return _regexes(_pdf_text(output), args, "pdf text")
    return _regexes(output.read_text(encoding="utf-8"), args, output.suffix)


def typst_regexes(args, output: Path, root: Path, fmt: str) -> list[str]:
    return _regexes(typst_source(root), args, "typst source")


def pdf_regexes(args, output: Path, root: Path, fmt: str) -> list[str]:
    return _regexes(_pdf_text(output), args, "pdf text")


def docx_regexes(args, output: Path, root: Path, fmt: str) -> list[str]:
    xml = _zip_xml(output, r"^word/document\.xml$")
    return [f"docx: missing /{r}/" for r in (args or []) if not re.search(r, xml)]


def docx_xpath(args, output: Path, root: Path, fmt: str) -> list[str]:
    return _xpaths(_zip_xml(output, r"^word/document\.xml$"), args, "docx")


def pptx_regexes(args, output: Path, root: Path, fmt: str) -> list[str]:
    regexes, slide = args[0], args[1]
    xml = _zip_xml(output, rf"^ppt/slides/slide{slide}\.xml$")
    if not xml:
        return [f"pptx: no slide {slide}"]
    return [f"pptx slide {slide}: missing /{r}/" for r in regexes if not re.search(r, xml)]


def pptx_xpath(args, output: Path, root: Path, fmt: str) -> list[str]:
    present, absent = _pairs(args)
    slide = args[2] if len(args) > 2 else None
    pattern = rf"^ppt/slides/slide{slide}\.xml$" if slide else r"^ppt/slides/slide\d+\.xml$"
    return _xpaths(_zip_xml(output, pattern), [present, absent], "pptx")


def _xpaths(xml: str, args, what: str) -> list[str]:
    from lxml import etree

    present, absent = _pairs(args)
    docs = [etree.fromstring(part.encode("utf-8")) for part in xml.split("\0") if part.strip()]
    namespaces = {k: v for d in docs for k, v in d.nsmap.items() if k}

    def found(path: str) -> bool:
        return any(_truthy(d.xpath(path, namespaces=namespaces)) for d in docs)

    out = [f"{what}: no match for {p}" for p in present if not found(p)]
    return out + [f"{what}: {p} should not match" for p in absent if found(p)]


def _truthy(result) -> bool:
    return bool(result) if isinstance(result, (list, bool)) else result is not None


def _zip_xml(path: Path, pattern: str) -> str:
    with zipfile.ZipFile(path) as z:
        return "\0".join(z.read(n).decode("utf-8") for n in sorted(z.namelist()) if re.search(pattern, n))


def _pdf_text(path: Path) -> str:
    """Through peerpaper.pdftext: the suite runs cases in threads, and PDFium is not thread-safe."""
    from peerpaper import pdftext

    return "\n".join(page.text for page in pdftext.read(path.read_bytes(), links=False).pages)


def typst_source(root: Path) -> str:
    """The Typst source the built-in engine compiles for the case (what Quarto keeps with `keep-typ`)."""
    from peerpaper.manifest import source_date_epoch
    from peerpaper.render import typst
    from peerpaper.render.prepare import prepare
    from peerpaper.render.project import documents, load_project

    project = load_project(root)
    document = documents(project)[0]
    return typst.source(prepare(project, document, source_date_epoch(root), ["pdf"])["pdf"], root)


VERBS = {
    "ensureHtmlElements": html_elements,
    "ensureFileRegexMatches": file_regexes,
    "ensureTypstFileRegexMatches": typst_regexes,
    "ensurePdfRegexMatches": pdf_regexes,
    "ensureDocxRegexMatches": docx_regexes,
    "ensureDocxXpath": docx_xpath,
    "ensurePptxRegexMatches": pptx_regexes,
    "ensurePptxXpath": pptx_xpath,
}


# --- the whole suite and its table ------------------------------------------------------------------------

def run_all(jobs: int = 2) -> list[Outcome]:
    import os

    os.environ.setdefault("SOURCE_DATE_EPOCH", EPOCH)
    with tempfile.TemporaryDirectory() as where, ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda c: run(c, Path(where)), cases()))


def counts(outcomes: list[Outcome]) -> dict[str, int]:
    every = [s for o in outcomes for s in o.status.values()]
    return {"cases": len(outcomes), "checks": len(every), **{k: every.count(k) for k in MARK}}


def table(outcomes: list[Outcome]) -> str:
    """The Markdown table docs/RENDERING.md shows: one row per case, one column per format."""
    total = counts(outcomes)
    lines = [f"{total['cases']} cases, {total['checks']} case × format results: {total['works']} work as in "
             f"Quarto, {total['refused']} are refused loudly, {total['silent']} silent, {total['unclear']} "
             "unclear.", "",
             "| feature | case | " + " | ".join(COLUMNS) + " |", "|---|---|" + "---|" * len(COLUMNS)]
    for outcome in outcomes:
        cells = [MARK[outcome.status[c]] if c in outcome.status else "" for c in COLUMNS]
        lines.append(f"| {outcome.feature} | `{outcome.case}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def documented_table() -> str:
    text = RENDERING_MD.read_text(encoding="utf-8")
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    return text[start:end].strip("\n") + "\n"


def write_table(rendered: str) -> None:
    text = RENDERING_MD.read_text(encoding="utf-8")
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    RENDERING_MD.write_text(text[:start] + "\n" + rendered + text[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="put the table into docs/RENDERING.md")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every refusal's message too")
    args = parser.parse_args(argv)
    outcomes = run_all()
    rendered = table(outcomes)
    print(rendered)
    for outcome in outcomes:
        for fmt, status in outcome.status.items():
            if status in ("silent", "unclear") or (status == "refused" and args.verbose):
                print(f"{outcome.case} [{fmt}] {status}: {outcome.detail.get(fmt, '')}", file=sys.stderr)
    if args.write:
        write_table(rendered)
    return 1 if counts(outcomes)["silent"] or counts(outcomes)["unclear"] else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    sys.exit(main())
