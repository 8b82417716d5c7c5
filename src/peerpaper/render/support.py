"""What of Quarto the built-in engine implements, and a loud refusal for everything else.

Quarto's options, per format, are the ones its reference pages list (quarto.org/docs/reference/formats:
html, typst, docx, revealjs, pptx, and the cross-reference options). Each option a document sets is, for
each format it applies to, either implemented with Quarto's meaning, inert (it has no effect on a prose-only
document: execution options, figure sizes for code cells, website listings), or refused with the file, the
line and a pointer to `--engine quarto`. A top-level key Quarto does not know is the author's own metadata
(for `{{< meta >}}` and `when-meta`), unless it is one letter or two away from a Quarto option; under
`format:`, `crossref:` and `project:` only Quarto's own keys are allowed.
"""

from __future__ import annotations

import difflib

from .project import RenderError

ENGINE = "render with --engine quarto"
FORMATS = ("html", "typst", "docx", "revealjs", "pptx")


def _names(text: str) -> set[str]:
    return set(text.split())


# Options in every format's reference page.
_COMMON = _names("""
    title subtitle date date-format author abstract abstract-title keywords order brand quarto-required
    toc toc-depth toc-title number-sections number-depth number-offset shift-heading-level-by
    cap-location fig-cap-location tbl-cap-location fig-align fig-width fig-height fig-format fig-dpi fig-asp
    tbl-colwidths df-print eval echo output warning error include cache freeze engine jupyter knitr server
    daemon debug bibliography csl citeproc citation-abbreviations citation-location reference-location crossref
    citation lang language dir include-before-body include-after-body include-in-header metadata-files from
    output-file output-ext template template-partials standalone filters shortcodes keep-md keep-ipynb
    ipynb-filters extract-media resource-path default-image-extension abbreviations dpi wrap columns tab-stop
    preserve-tabs eol link-citations highlight-style syntax-definitions syntax-highlighting indented-code-classes
    code-line-numbers code-annotations
""")
_HTML_LIKE = _names("""
    theme css section-divs identifier-prefix email-obfuscation html-q-tags html-math-method embed-resources
    self-contained self-contained-math classoption max-width margin-left margin-right margin-top margin-bottom
    code-fold code-summary code-overflow code-copy code-link code-tools code-block-border-left code-block-bg
    fig-responsive link-external-icon link-external-newwindow link-external-filter citations-hover
    footnotes-hover resources pagetitle title-prefix description-meta author-meta date-meta strip-comments
    ascii mainfont monofont fontsize linestretch fontcolor linkcolor monobackgroundcolor backgroundcolor
""")
OPTIONS: dict[str, set[str]] = {
    "html": _COMMON | _HTML_LIKE | _names("""
        date-modified doi minimal anchor-sections smooth-scroll toc-location toc-expand page-layout grid
        appendix-style appendix-cite-as title-block-style title-block-banner title-block-banner-color
        title-block-categories format-links notebook-links notebook-view copyright license search aliases
        image image-height image-width image-alt comments lightbox mermaid other-links code-links lof lot
        institute funding affiliations
    """),
    "typst": _COMMON | _names("""
        toc-indent lof lot section-numbering page-numbering margin mainfont fontsize font-paths papersize
        brand-mode grid bibliographystyle keep-typ pdf-standard ipynb-shell-interactivity plotly-connected
        html-table-processing html-pre-tag-processing css-property-processing
    """),
    "docx": _COMMON | _names("reference-doc page-width subject description category"),
    "revealjs": _COMMON | _HTML_LIKE | _names("""
        institute incremental slide-level slide-number show-slide-number title-slide-attributes
        center-title-slide show-notes rtl logo footer scrollable smaller overview menu chalkboard multiplex
        transition transition-speed background-transition fragments auto-animate auto-animate-easing
        auto-animate-duration auto-animate-unmatched auto-animate-styles progress history navigation-mode
        touch keyboard mouse-wheel hide-inactive-cursor hide-cursor-time loop shuffle controls controls-layout
        controls-tutorial controls-back-arrows auto-slide auto-slide-stoppable auto-slide-method default-timing
        pause help hash hash-type hash-one-based-index respond-to-hash-changes fragment-in-url slide-tone
        pdf-separate-fragments pdf-page-height-offset preview-links auto-play-media preload-iframes
        view-distance mobile-view-distance parallax-background-image parallax-background-size
        parallax-background-horizontal parallax-background-vertical auto-stretch width height margin
        min-scale max-scale center disable-layout reveal-js-url
    """),
    "pptx": _COMMON | _names("reference-doc incremental slide-level subject description category monofont"),
}

# reveal.js settings passed to Reveal.initialize under pandoc's template names (camelCase).
REVEAL_SETTINGS = {name: "".join(w.capitalize() if i else w for i, w in enumerate(name.split("-")))
                   for name in _names("""
    controls controls-tutorial controls-layout controls-back-arrows progress slide-number show-slide-number
    hash hash-one-based-index respond-to-hash-changes history keyboard overview disable-layout center touch
    loop rtl navigation-mode shuffle fragments fragment-in-url help pause show-notes auto-play-media
    preload-iframes auto-slide auto-slide-stoppable auto-slide-method default-timing mouse-wheel
    hide-inactive-cursor hide-cursor-time transition transition-speed background-transition view-distance
    mobile-view-distance width height margin min-scale max-scale pdf-separate-fragments
    pdf-page-height-offset parallax-background-image parallax-background-size parallax-background-horizontal
    parallax-background-vertical
""")}

_ALL = set(FORMATS)
_SLIDES = {"revealjs", "pptx"}
_PAGES = {"html", "typst", "docx"}
# option -> the formats where the built-in engine gives it Quarto's meaning
IMPLEMENTED: dict[str, set[str]] = {}
for _names_, _formats_ in [
    ("title subtitle date date-format author keywords lang language bibliography csl crossref tbl-colwidths "
     "default-image-extension toc toc-depth toc-title", _ALL),
    ("abstract abstract-title number-sections", _PAGES),
    ("fig-cap-location tbl-cap-location cap-location", {"html", "typst", "docx", "revealjs"}),
    ("fig-align", {"html", "typst", "revealjs"}),
    ("papersize margin columns fontsize section-numbering page-numbering pdf-standard", {"typst"}),
    ("slide-level incremental", _SLIDES),
    ("number-sections footer logo smaller scrollable", {"revealjs"}),
    ("html-math-method", {"html", "revealjs"}),
    (" ".join(REVEAL_SETTINGS) + " title-slide-attributes theme", {"revealjs"}),
    ("reference-doc", {"pptx"}),
]:
    for _option in _names_.split():
        IMPLEMENTED.setdefault(_option, set()).update(_formats_)
# option -> formats where it cannot change a prose-only document's output (nothing is executed here)
INERT: dict[str, set[str]] = {
    **{k: _ALL for k in _names("""
        eval echo output warning error include cache freeze engine jupyter knitr server daemon debug fig-width
        fig-height fig-format fig-dpi fig-asp df-print quarto-required order keep-md keep-ipynb ipynb-filters
        ipynb-shell-interactivity plotly-connected code-fold code-summary code-tools code-link mermaid
        notebook-links notebook-view search aliases image image-height image-width image-alt fig-responsive
        self-contained-math section-divs wrap eol columns
    """)},
}
INERT["columns"] = _ALL - {"typst"}  # in Typst, `columns` is the number of text columns
# option -> {format: allowed values}: implemented or inert only with these values
VALUES: dict[str, dict[str, tuple]] = {
    "embed-resources": {"html": (True,), "revealjs": (True,)},  # every output here is self-contained
    "self-contained": {"html": (True,), "revealjs": (True,)},
    "standalone": {f: (True,) for f in FORMATS},
    "citeproc": {f: (True,) for f in FORMATS},  # citations are always processed (when there is a bibliography)
    "link-citations": {f: (True,) for f in FORMATS},
    "reference-location": {f: ("document",) for f in FORMATS},
    "citation-location": {f: ("document",) for f in FORMATS},
    "toc-location": {"html": ("right", "left", "body")},
    "page-layout": {"html": ("article",)},
    "title-block-style": {"html": ("default",)},
    "format-links": {"html": (False,)},
    "citations-hover": {"html": (False,), "revealjs": (False,)},
    "footnotes-hover": {"html": (False,), "revealjs": (False,)},
    "anchor-sections": {"html": (False,)},
    "smooth-scroll": {"html": (False,)},
    "from": {f: ("markdown", "markdown+emoji") for f in FORMATS},
}

# Keys of the metadata that are not format options but that Quarto gives a meaning to.
DOCUMENT_KEYS = {
    "format": "implemented", "project": "implemented", "_quarto": "inert", "editor": "inert",
    "execute": "inert", "params": "inert", "validate-yaml": "inert", "nocite": "implemented",
    "authors": "implemented", "affiliations": "implemented", "synthetic_notice": "implemented",
    "references": ENGINE, "website": ENGINE, "book": ENGINE, "manuscript": ENGINE, "profile": ENGINE,
    "filters": ENGINE, "shortcodes": ENGINE, "link-bibliography": ENGINE, "suppress-bibliography": ENGINE,
    "notes-after-punctuation": ENGINE, "draft": ENGINE, "draft-mode": ENGINE, "lightbox": ENGINE,
    "callout-appearance": "implemented", "callout-icon": "implemented", "funding": ENGINE, "copyright": ENGINE,
    "license": ENGINE, "citation": ENGINE, "google-scholar": ENGINE, "categories": ENGINE,
    "description": ENGINE, "institute": ENGINE,
}
PROJECT_KEYS = {"type": ("default",), "render": None, "output-dir": None, "execute-dir": None, "lib-dir": None,
                "preview": None, "title": None, "detect": None}
CROSSREF_KEYS: set[str] = set()  # filled by crossref options as they are implemented


# Values that ask for what the engine does anyway (Quarto's default, and ours).
NO_OP = {"number-sections": (False,), "toc": (False,), "incremental": (False,), "smaller": (False,),
         "scrollable": (False,), "lof": (False,), "lot": (False,), "code-copy": (False,), "code-overflow": ("scroll",),
         "code-line-numbers": (False,), "toc-expand": (False,), "minimal": (False,), "keep-typ": (False,),
         "link-external-icon": (False,), "link-external-newwindow": (False,), "comments": (False,),
         "draft": (False,), "draft-mode": ("gone",), "lightbox": (False,), "suppress-bibliography": (False,)}


def status(option: str, fmt: str, value) -> str | None:
    """None when `option: value` means in `fmt` what Quarto means; otherwise why it is refused."""
    if option not in OPTIONS[fmt] or value in NO_OP.get(option, ()):
        return None  # not an option of this format (Quarto ignores it here too), or a no-op
    allowed = VALUES.get(option, {}).get(fmt)
    if allowed is not None:
        return None if value in allowed else (
            f"`{option}: {_show(value)}` for {fmt} is not implemented by the built-in engine "
            f"(it implements {', '.join(_show(v) for v in allowed)})")
    if fmt in IMPLEMENTED.get(option, ()) or fmt in INERT.get(option, ()):
        return None
    return f"the {fmt} option `{option}` is not implemented by the built-in engine"


def _show(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def check_metadata(document, fmt: str, quarto_format: str) -> None:
    """Refuse, naming the file and line, the first option of `document` (for one format) not implemented."""
    meta = document.metadata
    spec = meta.get("format")
    own = spec.get(quarto_format) if isinstance(spec, dict) else None
    if isinstance(own, dict):
        for key in own:
            if key not in OPTIONS[quarto_format]:
                raise RenderError(f"{document.where(('format', quarto_format, key))}: `{key}` is not a Quarto "
                                  f"option for {quarto_format}{_did_you_mean(key, OPTIONS[quarto_format])}")
    for key, value in meta.items():
        if key == "format" or key in DOCUMENT_KEYS:
            if DOCUMENT_KEYS.get(key, "implemented") not in ("implemented", "inert") and value not in NO_OP.get(key, ()):
                raise RenderError(f"{document.where((key,))}: `{key}` is not implemented by the built-in engine "
                                  f"({ENGINE})")
            continue
        if not any(key in OPTIONS[f] for f in FORMATS):
            near = _did_you_mean(key, set().union(*OPTIONS.values()))
            if near:
                raise RenderError(f"{document.where((key,))}: `{key}` is not a Quarto option{near}")
            continue  # the author's own metadata
        why = status(key, quarto_format, value)
        if why:
            where = document.where(("format", quarto_format, key), (key,))
            raise RenderError(f"{where}: {why} ({ENGINE})")


def check_project(config: dict, where) -> None:
    for key, value in (config.get("project") or {}).items():
        if key not in PROJECT_KEYS:
            raise RenderError(f"{where(('project', key))}: project option `{key}` is not implemented by the "
                              f"built-in engine ({ENGINE})")
        allowed = PROJECT_KEYS[key]
        if allowed is not None and value not in allowed:
            raise RenderError(f"{where(('project', key))}: `project: {key}: {value}` is not implemented by the "
                              f"built-in engine ({ENGINE})")


def _did_you_mean(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.85)
    return f" (did you mean `{close[0]}`?)" if close else ""
