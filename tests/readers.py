"""Open the rendered outputs as their readers do, and list what a reader would find wrong.

Every check is a function that takes an opened output and returns a list of problems (one line each, naming
the output and the place), never asserting itself: the tests assert the list is empty, and the negative tests
break an output on purpose and assert the same function reports it.

Tools, each the one made for the job: Chromium driven by Playwright (the HTML paper and the reveal.js deck as
a browser shows them, network cut off), axe-core (accessibility rules, run inside the page), poppler's
pdftoppm / pdftotext / pdffonts (what a PDF viewer draws), pypdf (the PDF's objects), python-docx and
python-pptx (what Word and PowerPoint read). When Chromium or poppler is missing the tests SKIP, saying why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 720}
BLOCKING_IMPACTS = ("serious", "critical")
IMAGE_SUFFIX = re.compile(r"\.(png|svg|jpe?g|gif|webp|pdf|emf|wmf)$", re.I)


# --- tools ------------------------------------------------------------------------------------------------

def require_tool(name: str, package: str) -> str:
    """The tool's path, or SKIP the calling test saying what to install."""
    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} not found on PATH: install {package} (apt-get install {package}) to run this check")
    return path


def chromium_path() -> str:
    """Debian's Chromium (Playwright's own browser download is not used), or $PAPER_CHROMIUM."""
    for candidate in (os.environ.get("PAPER_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("Chromium not found: install it (apt-get install chromium) or set PAPER_CHROMIUM")


@contextmanager
def chromium():
    """One headless Chromium for a whole test module."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed in this environment (pip install playwright)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def output_folder(request) -> Path:
    """The `_output/` under test: $PAPER_OUTPUTS if set (to check a build you already have, or a render of
    tests/fixtures/render-project while developing), else the `site` fixture's fresh complete build."""
    given = os.environ.get("PAPER_OUTPUTS")
    return Path(given).resolve() if given else request.getfixturevalue("site")


def placed_figures(output_dir: Path) -> list[str]:
    """The figure ids the paper's source places (`{{< include .../fig-<name>.md >}}`), in order."""
    source = Path(output_dir).parent / "paper" / "paper.qmd"
    found = re.findall(r"\{\{<\s*include\s+\S*?/(fig-[\w-]+)\.md\s*>\}\}", source.read_text(encoding="utf-8"))
    return list(dict.fromkeys(found))


def screenshot_dir(output_dir: Path) -> Path:
    """`_build/screenshots/` of the project whose `_output/` is being read."""
    folder = Path(output_dir).resolve().parent / "_build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- a page opened offline --------------------------------------------------------------------------------

@dataclass
class OpenedPage:
    """A page loaded from a file with every other request refused, and what it tried to do."""

    name: str
    page: object  # playwright.sync_api.Page
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.page.context.close()


def open_offline(browser, path: Path) -> OpenedPage:
    """Load `path` as a reader opening the file would, except that nothing beyond the file may load.

    Every request other than the document itself (the network, but also sibling files) is aborted and
    recorded: the outputs are meant to be single files that work at a venue with no network."""
    url = Path(path).resolve().as_uri()
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    opened = OpenedPage(Path(path).name, page)

    def route(request_route):
        if request_route.request.url == url:
            request_route.continue_()
        else:
            opened.blocked.append(_short(request_route.request.url))
            request_route.abort()

    context.route("**/*", route)
    page.on("console", lambda msg: msg.type == "error" and opened.console_errors.append(msg.text))
    page.on("pageerror", lambda err: opened.console_errors.append(f"uncaught: {err}"))
    page.goto(url, wait_until="load")
    page.wait_for_function("() => !window.Reveal || Reveal.isReady()", timeout=15000)
    return opened


def _short(text: str, limit: int = 90) -> str:
    text = text if not text.startswith("data:") else text.split(",", 1)[0] + ",..."
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- checks on any HTML page ------------------------------------------------------------------------------

def request_problems(opened: OpenedPage) -> list[str]:
    return [f"{opened.name}: tried to load {url} (the file must be self-contained)" for url in opened.blocked]


def console_problems(opened: OpenedPage) -> list[str]:
    return [f"{opened.name}: console error: {text}" for text in opened.console_errors]


_IMAGES_JS = """async () => {
  const describe = (img) => {
    const fig = img.closest('[id^="fig-"]') || img.closest('figure');  // Quarto puts the id on a div around the figure
    const src = img.getAttribute('src') || img.getAttribute('data-src') || '';
    return (fig && fig.id ? '#' + fig.id + ' ' : '') + (src.startsWith('data:') ? src.slice(0, 30) + '...' : src);
  };
  const decoded = (img) => Promise.race([img.decode().then(() => true, () => false),
                                         new Promise(r => setTimeout(() => r(false), 5000))]);
  const out = [];
  for (const img of document.querySelectorAll('img')) {
    img.loading = 'eager';
    const ok = await decoded(img);
    out.push({where: describe(img), ok: ok && img.naturalWidth > 0, alt: img.getAttribute('alt')});
  }
  for (const fig of document.querySelectorAll('[id^="fig-"]')) {
    const drawn = [...fig.querySelectorAll('img, svg')].some(el => el.tagName.toLowerCase() === 'svg'
        ? el.getBoundingClientRect().width > 0 || el.closest('.slides') : el.naturalWidth > 0);
    if (!drawn) out.push({where: '#' + fig.id, ok: false, alt: 'figure', nothing: true});
  }
  return out;
}"""


def image_problems(opened: OpenedPage) -> list[str]:
    """Every <img> decodes to a picture (naturalWidth > 0), and every #fig-... element shows one.

    reveal.js loads a slide's images (data-src) only when the slide comes near, so a deck is shown slide by
    slide first, as a presenter would."""
    if opened.page.evaluate("() => !!window.Reveal"):
        for _ in visit_slides(opened):
            pass
    return [f"{opened.name}: {'figure with no image' if img.get('nothing') else 'image does not load'}: "
            f"{img['where']}" for img in opened.page.evaluate(_IMAGES_JS) if not img["ok"]]


def alt_text_problems(opened: OpenedPage) -> list[str]:
    """Every image says what it shows to someone who cannot see it (not empty, not a file name)."""
    problems = []
    for img in opened.page.evaluate(_IMAGES_JS):
        alt = (img["alt"] or "").strip()
        if not alt:
            problems.append(f"{opened.name}: image without alt text: {img['where']}")
        elif IMAGE_SUFFIX.search(alt):
            problems.append(f"{opened.name}: alt text is a file name ({alt!r}): {img['where']}")
    return problems


_ANCHORS_JS = """() => [...document.querySelectorAll('a[href^="#"]')]
  .filter(a => !a.closest('aside.notes'))
  .map(a => ({href: a.getAttribute('href'), text: a.textContent.trim().slice(0, 40)}))
  .filter(a => {
    let target = decodeURIComponent(a.href.slice(1));
    if (target === '' || target === '/') return false;
    if (target.startsWith('/')) {  // a reveal.js route: #/3, #/2/1 or #/slide-id
      target = target.slice(1);
      if (/^\\d+(\\/\\d+)?$/.test(target)) return window.Reveal && +target.split('/')[0] >= Reveal.getHorizontalSlides().length;
    }
    return !document.getElementById(target);
  })"""


def anchor_problems(opened: OpenedPage) -> list[str]:
    """Every in-page link lands somewhere: the id it names exists."""
    return [f"{opened.name}: link {a['href']} ({a['text']!r}) points to no element"
            for a in opened.page.evaluate(_ANCHORS_JS)]


_HEADINGS_JS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role="heading"]')]
  .filter(h => !h.closest('aside.notes'))
  .map(h => ({level: +(h.getAttribute('aria-level') || h.tagName.slice(1)), text: h.textContent.trim().slice(0, 50)}))"""


def heading_problems(opened: OpenedPage) -> list[str]:
    """Headings form an outline: the first is h1 and none skips a level going down (h1 -> h3)."""
    problems, previous = [], 0
    for heading in opened.page.evaluate(_HEADINGS_JS):
        if heading["level"] > previous + 1:
            problems.append(f"{opened.name}: heading h{heading['level']} {heading['text']!r} follows "
                            f"{'h' + str(previous) if previous else 'the start of the page'}")
        previous = heading["level"]
    return problems


def axe_violations(opened: OpenedPage, context: str = "document") -> list[dict]:
    """axe-core's violations for `context` (a JS expression for a node), as it reports them."""
    if not AXE.exists():
        pytest.skip(f"axe-core not installed ({AXE} missing): run npm ci")
    if not opened.page.evaluate("() => !!window.axe"):
        opened.page.add_script_tag(path=str(AXE))
    return opened.page.evaluate(
        f"async () => (await axe.run({context}, {{resultTypes: ['violations']}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))")


def axe_problems(opened: OpenedPage, context: str = "document") -> list[str]:
    """axe-core finds nothing serious or critical in `context` (a JS expression for a node); in a deck each
    slide is checked while it is shown."""
    if opened.page.evaluate("() => !!window.Reveal"):
        found = {}
        for _, label in visit_slides(opened):
            for violation in axe_violations(opened, "Reveal.getCurrentSlide()"):
                found.setdefault((violation["id"], violation["impact"], violation["help"]), []).extend(
                    f"{label}: {target}" for target in violation["targets"])
        violations = [{"id": i, "impact": imp, "help": h, "targets": t} for (i, imp, h), t in found.items()]
    else:
        violations = axe_violations(opened, context)
    return [f"{opened.name}: axe {v['impact']} {v['id']} ({v['help']}) at {'; '.join(v['targets'][:5])}"
            + (f" and {len(v['targets']) - 5} more" if len(v["targets"]) > 5 else "")
            for v in violations if v["impact"] in BLOCKING_IMPACTS]


# --- the reveal.js deck -----------------------------------------------------------------------------------

def slide_count(opened: OpenedPage) -> int:
    return opened.page.evaluate("() => Reveal.getTotalSlides()")


_GO_TO_SLIDE_JS = """(i) => new Promise(done => {
  Reveal.configure({transition: 'none', backgroundTransition: 'none'});
  const slide = Reveal.getSlides()[i];
  const at = Reveal.getIndices(slide);
  const fragments = [...slide.querySelectorAll('.fragment')].map(f => +(f.dataset.fragmentIndex || 0));
  Reveal.slide(at.h, at.v || 0, fragments.length ? Math.max(...fragments) : undefined);
  const heading = slide.querySelector('h1, h2, h3');
  requestAnimationFrame(() => requestAnimationFrame(() =>
    done(heading ? heading.textContent.trim().slice(0, 40) : '')));
})"""


def visit_slides(opened: OpenedPage):
    """Show each slide in turn, every fragment revealed; yields (index, 'slide N "title"')."""
    for index in range(slide_count(opened)):
        title = opened.page.evaluate(_GO_TO_SLIDE_JS, index)
        yield index, f"slide {index + 1} {title!r}"


def notes_problems(opened: OpenedPage) -> list[str]:
    """Every slide carries speaker notes, as the speaker view shows them (aside.notes or data-notes)."""
    titles = opened.page.evaluate("""() => Reveal.getSlides().map(s => {
      const notes = document.createElement('div'); notes.innerHTML = Reveal.getSlideNotes(s) || '';
      const h = s.querySelector('h1, h2, h3');
      return notes.textContent.trim() ? null : (h ? h.textContent.trim().slice(0, 40) : '');
    })""")
    return [f"{opened.name}: slide {i + 1} {title!r} has no speaker notes"
            for i, title in enumerate(titles) if title is not None]


def navigation_problems(opened: OpenedPage) -> list[str]:
    """ArrowRight steps through the whole deck: each press moves on, and the last slide is reached."""
    page = opened.page
    page.evaluate("() => { Reveal.configure({transition: 'none'}); Reveal.slide(0, 0, -1); }")
    steps = page.evaluate("() => Reveal.getTotalSlides() + document.querySelectorAll('.reveal .fragment').length")
    state = page.evaluate("() => JSON.stringify(Reveal.getIndices())")
    for press in range(steps):
        if page.evaluate("() => Reveal.isLastSlide() && !Reveal.availableFragments().next"):
            return []
        page.keyboard.press("ArrowRight")
        moved = page.evaluate("() => JSON.stringify(Reveal.getIndices())")
        if moved == state:
            return [f"{opened.name}: ArrowRight does not move on from {state} (press {press + 1})"]
        state = moved
    if not page.evaluate("() => Reveal.isLastSlide()"):
        return [f"{opened.name}: {steps} ArrowRight presses did not reach the last slide (stopped at {state})"]
    return []


_OVERFLOW_JS = """() => {
  const slide = Reveal.getCurrentSlide(), config = Reveal.getConfig(), scale = Reveal.getScale();
  const box = document.querySelector('.reveal .slides').getBoundingClientRect();
  const out = [];
  if (slide.scrollHeight > config.height + 1)
    out.push(`content is ${slide.scrollHeight}px tall, the slide ${config.height}px`);
  if (slide.scrollWidth > config.width + 1)
    out.push(`content is ${slide.scrollWidth}px wide, the slide ${config.width}px`);
  const outside = [];
  for (const el of slide.querySelectorAll('*')) {
    if (el.closest('aside.notes') || !el.getClientRects().length || outside.some(o => o.contains(el))) continue;
    const r = el.getBoundingClientRect();
    const beyond = Math.max(r.bottom - box.bottom, r.right - box.right, box.top - r.top, box.left - r.left) / scale;
    if (beyond > 1) {
      outside.push(el);
      const text = (el.textContent || '').trim().slice(0, 30);
      out.push(`<${el.tagName.toLowerCase()}>${text ? ' ' + JSON.stringify(text) : ''} runs ${Math.round(beyond)}px outside`);
    }
  }
  return {width: config.width, height: config.height, found: out.slice(0, 4)};
}"""


def overflow_problems(opened: OpenedPage) -> list[str]:
    """Nothing on any slide falls outside the configured slide box (e.g. 1280x720), fragments shown."""
    problems = []
    for _, label in visit_slides(opened):
        measured = opened.page.evaluate(_OVERFLOW_JS)
        problems += [f"{opened.name}: {label} overflows its {measured['width']}x{measured['height']} box: {found}"
                     for found in measured["found"]]
    return problems


_SMALL_TEXT_JS = """(minimum) => {
  const slide = Reveal.getCurrentSlide(), out = [];
  for (const el of slide.querySelectorAll('*')) {
    if (el.closest('aside.notes, .slide-number, .controls') || !el.getClientRects().length) continue;
    const own = [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim()).map(n => n.textContent.trim());
    if (!own.length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minimum) out.push(`${JSON.stringify(own.join(' ').slice(0, 30))} is ${size.toFixed(1)}px`);
  }
  return out.slice(0, 3);
}"""
SMALLEST_SLIDE_TEXT_PX = 18  # on the 1280 x 720 slide: read from the back of a conference room


def small_text_problems(opened: OpenedPage, minimum: float = SMALLEST_SLIDE_TEXT_PX) -> list[str]:
    """No text on any slide is set smaller than `minimum` px of the slide (captions and references too)."""
    return [f"{opened.name}: {label}: {found}, under {minimum}px"
            for _, label in visit_slides(opened) for found in opened.page.evaluate(_SMALL_TEXT_JS, minimum)]


def screenshot_slides(opened: OpenedPage, folder: Path) -> list[Path]:
    shots = []
    for index, _ in visit_slides(opened):
        shots.append(folder / f"slide-{index + 1:02d}.png")
        opened.page.screenshot(path=str(shots[-1]))
    return shots


# --- PDF --------------------------------------------------------------------------------------------------

def _run(tool: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=300)


def pdf_render_problems(pdf: Path, folder: Path, dpi: int = 40) -> list[str]:
    """pdftoppm draws every page pypdf counts (a viewer would show them all)."""
    from pypdf import PdfReader

    tool = require_tool("pdftoppm", "poppler-utils")
    pages = len(PdfReader(pdf).pages)
    done = _run(tool, "-r", str(dpi), "-png", str(pdf), str(folder / "page"))
    drawn = [p for p in folder.glob("page*.png") if p.stat().st_size > 0]
    problems = [f"{pdf.name}: pdftoppm: {line}" for line in done.stderr.splitlines() if line.strip()]
    if done.returncode != 0 or len(drawn) != pages:
        problems.append(f"{pdf.name}: pdftoppm drew {len(drawn)} of {pages} pages (exit {done.returncode})")
    return problems


def pdf_text_outside_problems(pdf: Path, folder: Path) -> list[str]:
    """Every word's box lies inside its page.

    poppler drops text that lies off the page, so each page's boxes are first enlarged by a wide border
    (pypdf); pdftotext -bbox-layout then sees every word, and its position is measured against the real page."""
    from lxml import etree
    from pypdf import PdfReader, PdfWriter

    tool = require_tool("pdftotext", "poppler-utils")
    pad = 300.0
    writer, boxes = PdfWriter(clone_from=PdfReader(pdf)), []
    for page in writer.pages:
        box = page.mediabox
        boxes.append((float(box.width), float(box.height)))
        page.mediabox.lower_left = (float(box.left) - pad, float(box.bottom) - pad)
        page.mediabox.upper_right = (float(box.right) + pad, float(box.top) + pad)
        page.cropbox = page.mediabox
    padded = folder / "padded.pdf"
    writer.write(padded)
    done = _run(tool, "-bbox-layout", str(padded), "-")
    if done.returncode != 0:
        return [f"{pdf.name}: pdftotext failed: {done.stderr.strip()}"]
    tree = etree.fromstring(done.stdout.encode("utf-8"), etree.HTMLParser())
    problems = []
    for number, (page, (width, height)) in enumerate(zip(tree.iter("page"), boxes), start=1):
        for word in page.iter("word"):
            x0, y0, x1, y1 = (float(word.get(k)) - pad for k in ("xmin", "ymin", "xmax", "ymax"))
            if x0 < -0.5 or y0 < -0.5 or x1 > width + 0.5 or y1 > height + 0.5:
                problems.append(f"{pdf.name}: page {number}: {word.text!r} runs outside the page "
                                f"({x0:.0f},{y0:.0f})-({x1:.0f},{y1:.0f}) in {width:.0f}x{height:.0f}pt")
    return problems


def pdf_font_problems(pdf: Path) -> list[str]:
    """Every font is embedded (pdffonts' `emb` column), so the PDF looks the same on every machine."""
    tool = require_tool("pdffonts", "poppler-utils")
    done = _run(tool, str(pdf))
    if done.returncode != 0:
        return [f"{pdf.name}: pdffonts failed: {done.stderr.strip()}"]
    # name, type, encoding, emb, sub, uni, object ID; types contain spaces, so the flags are read from the right
    row = re.compile(r"^(?P<name>\S+).*?\s(?P<emb>yes|no)\s+(yes|no)\s+(yes|no)\s+(\d+\s+\d+|\[none\])\s*$")
    lines = done.stdout.splitlines()[2:]
    problems = []
    for line in lines:
        match = row.match(line)
        if not match:
            problems.append(f"{pdf.name}: unexpected pdffonts line {line!r}")
        elif match["emb"] != "yes":
            problems.append(f"{pdf.name}: font {match['name']} is not embedded")
    return problems


# Filled paths and shadings: a chart's bars and (with matplotlib's svg.fonttype "path") its lettering. Strokes
# are left out because a table's rules are strokes too; text drawn as text is not graphics.
_FILL = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"sh"}
_STRINGS = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>")


def _graphics(stream, resources, depth: int = 0) -> int:
    """Filled paths, shadings and images (an image counts 100) drawn by a content stream, forms followed.

    The operators are counted as whitespace-separated tokens once strings are blanked out: pypdf's full
    ContentStream parser takes seconds on a page holding a vector heatmap, and a count needs no operands."""
    tokens = _STRINGS.sub(b" ", stream.get_data()).split()
    xobjects = (resources or {}).get("/XObject")
    xobjects = xobjects.get_object() if xobjects else {}
    count = sum(token in _FILL for token in tokens)
    for name, operator in zip(tokens, tokens[1:]):
        xobject = xobjects.get(name.decode("latin-1")) if operator == b"Do" else None
        if xobject is None:
            continue
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Image":
            count += 100
        elif xobject.get("/Subtype") == "/Form" and depth < 5:
            count += _graphics(xobject, xobject.get("/Resources", resources), depth + 1)
    return count


def pdf_figure_problems(pdf: Path, expected_figures: int, min_graphics: int = 10) -> list[str]:
    """Each "Figure N:" caption sits on a page that draws a figure (an image, or vector paths: Typst
    draws SVG figures as paths), and there are as many numbered figures as the paper has."""
    from pypdf import PdfReader

    tool = require_tool("pdftotext", "poppler-utils")
    reader = PdfReader(pdf)
    text = _run(tool, "-layout", str(pdf), "-").stdout.split("\f")
    problems, numbers = [], set()
    for index, page_text in enumerate(text[: len(reader.pages)]):
        captions = re.findall(r"^\s*Figure\s(\d+)\s*[:.]", page_text, re.M)
        if not captions:
            continue
        numbers.update(captions)
        page = reader.pages[index]
        contents = page.get_contents()
        drawn = _graphics(contents, page.get("/Resources")) if contents is not None else 0
        if drawn < min_graphics:
            problems.append(f"{pdf.name}: page {index + 1} has the caption of Figure {', '.join(captions)} "
                            f"but draws no figure ({drawn} filled paths/images)")
    if len(numbers) != expected_figures:
        problems.append(f"{pdf.name}: {len(numbers)} figure captions found, the paper has {expected_figures}")
    return problems


# --- DOCX and PPTX ----------------------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _outline_level(style) -> int | None:
    """The outline level Word's navigation pane uses, following the style's basedOn chain."""
    while style is not None:
        level = style.element.find(f"{W}pPr/{W}outlineLvl")
        if level is not None:
            return int(level.get(f"{W}val"))
        style = style.base_style
    return None


def docx_heading_problems(docx_path: Path, expected: list[str]) -> list[str]:
    """The paper's section headings (`expected`, in order) are paragraphs in Word's Heading N styles, with
    outline levels the navigation pane shows, and no level skipped."""
    import docx

    found, problems, previous = [], [], 0
    for paragraph in docx.Document(docx_path).paragraphs:
        match = re.fullmatch(r"Heading (\d)", paragraph.style.name)
        if not match:
            continue
        level = int(match.group(1))
        found.append(_heading_key(paragraph.text))
        if _outline_level(paragraph.style) != level - 1:
            problems.append(f"{docx_path.name}: style {paragraph.style.name!r} has no outline level "
                            f"{level - 1}: {paragraph.text!r} is missing from the navigation pane")
        if level > previous + 1:
            problems.append(f"{docx_path.name}: {paragraph.style.name} {paragraph.text!r} skips a level")
        previous = level
    missing = [h for h in map(_heading_key, expected) if h not in found]
    problems += [f"{docx_path.name}: heading {h!r} is not a Heading-styled paragraph" for h in missing]
    return problems


def _heading_key(text: str) -> str:
    """A heading without its section number, so '2.1 Sample' (HTML) matches 'Sample' or '2.1 Sample'."""
    return re.sub(r"^\s*[\d.]+\s+", "", " ".join(text.split()))


def docx_figure_problems(docx_path: Path, expected_figures: int) -> list[str]:
    """Figures are embedded pictures (inline shapes whose blip points to an image part) with alt text."""
    import docx

    document = docx.Document(docx_path)
    problems, pictures = [], 0
    for shape in document.inline_shapes:
        inline = shape._inline
        blips = inline.xpath(".//a:blip/@r:embed")
        name = inline.docPr.get("name")
        if not blips or blips[0] not in document.part.related_parts:
            problems.append(f"{docx_path.name}: inline shape {name!r} has no embedded image")
            continue
        pictures += 1
        description = (inline.docPr.get("descr") or "").strip()
        if not description or IMAGE_SUFFIX.search(description):
            problems.append(f"{docx_path.name}: picture {name!r} has no alt text (descr={description!r})")
    if pictures < expected_figures:
        problems.append(f"{docx_path.name}: {pictures} embedded pictures, the paper has {expected_figures} figures")
    return problems


def docx_table_problems(docx_path: Path, expected_headers: list[list[str]]) -> list[str]:
    """Tables are Word tables, with the header rows the paper's tables have (in order)."""
    import docx

    tables = docx.Document(docx_path).tables
    found = [[" ".join(cell.text.split()) for cell in table.rows[0].cells] for table in tables if table.rows]
    problems = []
    if len(found) != len(expected_headers):
        problems.append(f"{docx_path.name}: {len(found)} tables, the paper has {len(expected_headers)}")
    for number, (got, want) in enumerate(zip(found, expected_headers), start=1):
        if got != want:
            problems.append(f"{docx_path.name}: table {number} header is {got}, expected {want}")
    return problems


def pptx_problems(pptx_path: Path) -> list[str]:
    """Every slide has speaker notes; every picture is an embedded image with alt text."""
    import pptx
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    problems = []
    for number, slide in enumerate(pptx.Presentation(pptx_path).slides, start=1):
        title = slide.shapes.title.text_frame.text.strip() if slide.shapes.title is not None else ""
        notes = slide.notes_slide.notes_text_frame.text.strip() if slide.has_notes_slide else ""
        if not notes:
            problems.append(f"{pptx_path.name}: slide {number} {title!r} has no speaker notes")
        for shape in slide.shapes:
            if shape.shape_type != MSO_SHAPE_TYPE.PICTURE:
                continue
            description = (shape._element.xpath("./p:nvPicPr/p:cNvPr/@descr") or [""])[0].strip()
            if not description or IMAGE_SUFFIX.search(description):
                problems.append(f"{pptx_path.name}: slide {number} picture {shape.name!r} has no alt text "
                                f"(descr={description!r})")
            try:
                shape.image.blob
            except (KeyError, ValueError) as err:
                problems.append(f"{pptx_path.name}: slide {number} picture {shape.name!r} has no image ({err})")
    return problems


def pptx_layout_problems(pptx_path: Path) -> list[str]:
    """What PowerPoint would show badly: a shape running off the slide, or text drawn over a picture."""
    import pptx

    deck = pptx.Presentation(str(pptx_path))
    problems = []

    def box(shape):
        return shape.left, shape.top, shape.left + shape.width, shape.top + shape.height

    for number, slide in enumerate(deck.slides, start=1):
        shapes = [s for s in slide.shapes if s.width is not None and s.top is not None]
        for shape in shapes:
            left, top, right, bottom = box(shape)
            if left < 0 or top < 0 or right > deck.slide_width or bottom > deck.slide_height:
                problems.append(f"slide {number}: {shape.name} runs off the slide")
        pictures = [s for s in shapes if s.shape_type == 13]
        texts = [s for s in shapes if s.has_text_frame and s.text_frame.text.strip()]
        for picture in pictures:
            a = box(picture)
            for text in texts:
                b = box(text)
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                    problems.append(f"slide {number}: text {text.text_frame.text[:40]!r} is drawn over a picture")
    return problems


def pptx_slide_count(pptx_path: Path) -> int:
    import pptx

    return len(pptx.Presentation(pptx_path).slides)


# --- what the HTML paper says it contains (the reference for the other formats) ---------------------------

def paper_contents(html_path: Path) -> dict:
    """Section headings, figure count and table header rows of the HTML paper, read with lxml."""
    from lxml import html

    tree = html.parse(str(html_path))
    main = tree.find(".//main")
    main = main if main is not None else tree.getroot()
    headings = [" ".join(h.text_content().split()) for h in main.iter("h1", "h2", "h3", "h4", "h5", "h6")
                if not h.xpath("ancestor::*[@id='refs' or contains(@class,'references')]")]
    figures = main.xpath(".//*[starts-with(@id,'fig-')]")
    tables = list(main.iter("table"))
    headers = [[" ".join(c.text_content().split()) for c in (t.xpath("./thead/tr[1]/*") or t.xpath(".//tr[1]/*"))]
               for t in tables]
    rows = [[" ".join(r.xpath("./*[1]")[0].text_content().split()) for r in t.xpath("./tbody/tr") if r.xpath("./*")]
            for t in tables]
    return {"headings": headings, "figures": len(figures), "table_headers": headers, "table_rows": rows}


def listed(problems: list[str]) -> str:
    """Problems one per line, for an assertion message that shows every one, untruncated."""
    return f"{len(problems)} problem(s):\n" + "\n".join(problems)


def missing_figure_problems(opened: OpenedPage, figure_ids: list[str]) -> list[str]:
    """Every figure the source places is in the page, under its id."""
    missing = opened.page.evaluate("ids => ids.filter(id => !document.getElementById(id))", figure_ids)
    return [f"{opened.name}: figure #{fid} placed by the source is not in the page" for fid in missing]
