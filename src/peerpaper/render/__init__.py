"""Render the Quarto sources (paper and deck) to HTML, PDF, DOCX, reveal.js and PPTX, with or without Quarto.

The built-in engine: shortcodes expanded in text (`shortcodes`), one pandoc read per document, Quarto's
cross-references on the JSON AST, citeproc once (`prepare`), then one writer per format, run in parallel
threads (each is mostly a pandoc subprocess). Every writer produces a temporary file; outputs are renamed
into place only when all formats have succeeded, so a failed render leaves the previous outputs intact.
Libraries: pandoc 3 (pypandoc-binary) for reading/citeproc/writing, the `typst` wheel for the PDF,
python-docx and python-pptx for the few things pandoc's writers cannot do, PyYAML for the project files.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..manifest import source_date_epoch
from . import docx, generated, html, pptx, revealjs, support, typst
from .output import temp_path
from .prepare import RESOURCES, bibliography_and_csl, prepare
from .project import FORMATS, RenderError, documents, load_project, refuse_profiles
from .shortcodes import expand_includes

__all__ = ["render", "inputs", "outputs", "RenderError", "FORMATS"]

WRITERS = {"html": html.write, "pdf": typst.write, "docx": docx.write, "revealjs": revealjs.write,
           "pptx": pptx.write}


def render(root: Path, out_dir: Path, formats=FORMATS, engine: str = "builtin",
           metadata: dict | None = None) -> dict[str, Path]:
    """Render every document of `_quarto.yml`'s render list in the requested formats into `out_dir`.

    `metadata` is set over every document's own, as `quarto render -M key:value` does (the build sets
    `synthetic`, which `.content-visible when-meta="synthetic"` reads). Returns {output file name: path}.
    Raises RenderError (`file:line: message`) on anything unresolved."""
    root, out_dir = Path(root).resolve(), Path(out_dir).resolve()
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise RenderError(f"unknown output format(s): {', '.join(sorted(unknown))} (known: {', '.join(FORMATS)})")
    if engine == "quarto":
        from .quarto import render_with_quarto

        project = load_project(root, metadata)
        for document in documents(project):  # the guard on generated text holds for Quarto too
            source = expand_includes(document.path, document.body, document.body_line, root=project.root)
            generated.check(source.includes, project.root, project.variables, project.variables_yml,
                            cwd=document.path.parent)
        return render_with_quarto(root, out_dir, formats, metadata or {})
    if engine != "builtin":
        raise RenderError(f"unknown render engine {engine!r} (builtin or quarto)")
    project = load_project(root, metadata)
    refuse_profiles(project)
    support.check_project(project.config, project.where)
    epoch = source_date_epoch(root)
    planned = [(d, [f for f in d.formats if f in formats]) for d in documents(project)]
    finals = [out_dir / d.output_name(f) for d, wanted in planned for f in wanted]
    if len({f.name for f in finals}) != len(finals):
        raise RenderError(f"{project.quarto_yml}: two outputs would share a name: {sorted(f.name for f in finals)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        with ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2))) as pool:
            preparing = [(pool.submit(prepare, project, d, epoch, wanted), wanted) for d, wanted in planned if wanted]
            jobs = []
            for future, wanted in preparing:
                prepared = future.result()
                for fmt in wanted:
                    final = out_dir / prepared[fmt].document.output_name(fmt)
                    jobs.append((final, pool.submit(WRITERS[fmt], prepared[fmt], final, root)))
            temps = [(final, job.result()) for final, job in jobs]
    except BaseException:
        for final in finals:  # the pool has finished every job by now: no temporary file is left behind
            temp_path(final).unlink(missing_ok=True)
        raise
    for final, temp in temps:
        os.replace(temp, final)
    return {final.name: final for final, _ in temps}


def outputs(root: Path) -> dict[str, dict[str, str]]:
    """What `render` makes, per document: {document stem: {format: output file name}} (no pandoc)."""
    project = load_project(Path(root).resolve())
    return {d.path.stem: {f: d.output_name(f) for f in d.formats} for d in documents(project)}


_INCLUDE = re.compile(r"\{\{<\s*include\s+(\S+?)\s*>\}\}")
_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")


def _scan(path: Path, found: list[Path], document_dir: Path) -> None:
    """Add `path`, its includes (recursively, existing or not yet made) and the images they name.

    Images are relative to the document, not to the included file: Quarto's include is textual."""
    if path in found:
        return
    found.append(path)
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8", errors="replace")
    for target in _INCLUDE.findall(text):
        _scan((path.parent / target.strip("\"'")).resolve(), found, document_dir)
    for url in _IMAGE.findall(text):
        if re.match(r"^[a-z]+:", url):
            continue
        image = (document_dir / url).resolve()
        candidates = [image] if image.suffix else [image.with_name(image.name + e) for e in (".svg", ".png")]
        found.extend(c for c in candidates if c not in found)


def inputs(root: Path, document_stem: str | None = None) -> list[Path]:
    """Every file a render reads (of one document, given its stem): sources, includes, images,
    bibliography, CSL, project files, templates.

    Cheap (no pandoc); includes that do not exist yet (notebook artifacts) are listed all the same."""
    root = Path(root).resolve()
    project = load_project(root)
    found: list[Path] = [project.quarto_yml]
    if project.variables_yml.exists():
        found.append(project.variables_yml)
    for document in documents(project):
        if document_stem is not None and document.path.stem != document_stem:
            continue
        for folder in [document.path.parent, *document.path.parent.parents]:
            if (folder / "_metadata.yml").exists() and (folder == root or root in folder.parents):
                found.append(folder / "_metadata.yml")
        _scan(document.path, found, document.path.parent)
        bibs, csl = bibliography_and_csl(project, document)
        found += [*bibs, csl]
    found += sorted(p for p in RESOURCES.iterdir() if p.suffix in (".typ", ".html", ".css", ".docx", ".csl"))
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique
