"""The Quarto project as data: `_quarto.yml`, `_variables.yml`, `_metadata.yml` and each document's front matter.

Metadata is merged the way Quarto merges it (project, then each `_metadata.yml` from the root down to the
document's folder, then the document's front matter; maps merge key by key, anything else is replaced), so
the same sources mean the same thing to `quarto render` and to the built-in engine. YAML is read with PyYAML.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from ..errors import PaperError

FORMATS = ("html", "pdf", "docx", "revealjs", "pptx")
# Quarto's format name for each output we make: the PDF comes from Quarto's `typst` format.
QUARTO_FORMAT = {"html": "html", "pdf": "typst", "docx": "docx", "revealjs": "revealjs", "pptx": "pptx"}
EXTENSION = {"html": ".html", "pdf": ".pdf", "docx": ".docx", "revealjs": ".html", "pptx": ".pptx"}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


class RenderError(PaperError):
    """A source cannot be rendered faithfully; the message starts `file:line:`."""


@dataclass
class Document:
    """One `.qmd` of the project's render list, with its merged metadata and the outputs it asks for."""

    path: Path
    metadata: dict
    formats: list[str]
    body: str  # the text after the front matter
    body_line: int  # line number (1-based) of the body's first line in `path`
    origins: dict = field(default_factory=dict)  # key path, e.g. ("format", "html", "toc") -> "file:line"

    def where(self, *keys: tuple) -> str:
        """`file:line` of the first of these metadata keys that is set (the document's first line else)."""
        return next((self.origins[k] for k in keys if k in self.origins), f"{self.path}:1")

    @property
    def stem(self) -> str:
        return self.path.stem

    def output_name(self, fmt: str) -> str:
        return self.stem + EXTENSION[fmt]

    def for_format(self, fmt: str) -> "Document":
        """The document as Quarto sees it when writing `fmt`: the options under `format: <name>:` merged
        into the metadata (so `toc`, `lang` or `crossref` may differ per format, as in Quarto)."""
        return replace(self, metadata=merge(self.metadata, format_options(self.metadata, fmt)))


@dataclass
class Project:
    root: Path
    config: dict
    metadata: dict = field(default_factory=dict)  # set by the caller over everything (Quarto's -M)
    variables: dict = field(default_factory=dict)

    @property
    def quarto_yml(self) -> Path:
        return self.root / "_quarto.yml"

    def where(self, keys: tuple) -> str:
        """`file:line` of a key of `_quarto.yml`."""
        lines = key_lines(self.quarto_yml, self.quarto_yml.read_text(encoding="utf-8"))
        return lines.get(keys, f"{self.quarto_yml}:1")

    @property
    def variables_yml(self) -> Path:
        return self.root / "_variables.yml"

    def render_list(self) -> list[Path]:
        """The documents `project.render` names, in order (Quarto renders every .qmd when it is absent)."""
        names = (self.config.get("project") or {}).get("render")
        if not names:
            return sorted(p for p in self.root.rglob("*.qmd") if not _ignored(p.relative_to(self.root)))
        return [self.root / name for name in names]


def _ignored(relative: Path) -> bool:
    return any(part.startswith(("_", ".")) or part == "node_modules" for part in relative.parts)


# libyaml's safe loader where PyYAML was built with it (the wheels are): the same YAML, read several times
# faster, and every render reads the project's YAML again (`_variables.yml` holds every value).
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def key_lines(path: Path, text: str, first_line: int = 1) -> dict[tuple, str]:
    """{key path: "file:line"} for every key of a YAML mapping, nested maps included (PyYAML's node marks)."""
    found: dict[tuple, str] = {}

    def visit(node, prefix: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    found[(*prefix, key.value)] = f"{path}:{first_line + key.start_mark.line}"
                    visit(value, (*prefix, key.value))

    try:
        visit(yaml.compose(text, Loader=LOADER), ())
    except yaml.YAMLError:
        pass  # read_yaml reports it
    return found


def read_yaml(path: Path, text: str | None = None, first_line: int = 1) -> dict:
    """A YAML mapping, or a RenderError naming the file and line of the syntax error."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8") if text is None else text, Loader=LOADER)
    except yaml.MarkedYAMLError as err:
        line = first_line + (err.problem_mark.line if err.problem_mark else 0)
        raise RenderError(f"{path}:{line}: invalid YAML: {err.problem}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise RenderError(f"{path}: cannot read: {err}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RenderError(f"{path}:{first_line}: expected a YAML mapping, found {type(data).__name__}")
    return data


def merge(base: dict, over: dict) -> dict:
    """Quarto's metadata merge: maps merge recursively, everything else in `over` wins."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def load_project(root: Path, metadata: dict | None = None) -> Project:
    """The project; `metadata` is set over every document's own, as `quarto render -M key:value` does."""
    root = Path(root).resolve()
    config_path = root / "_quarto.yml"
    if not config_path.exists():
        raise RenderError(f"{config_path}: no Quarto project here (missing _quarto.yml)")
    project = Project(root=root, config=read_yaml(config_path), metadata=dict(metadata or {}))
    if project.variables_yml.exists():
        project.variables = read_yaml(project.variables_yml)
    return project


def refuse_profiles(project: Project) -> None:
    """Profiles change which configuration applies; the built-in engine reads only `_quarto.yml`."""
    if project.config.get("profile") or os.environ.get("QUARTO_PROFILE"):
        raise RenderError(f"{project.quarto_yml}:1: Quarto project profiles (`profile:`, QUARTO_PROFILE) are not "
                          "implemented by the built-in engine (render with --engine quarto)")


def split_front_matter(path: Path, text: str) -> tuple[dict, str, int]:
    """(front matter, body, line of the body's first line)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, 1
    meta = read_yaml(path, match.group(1) or "", first_line=2)
    return meta, text[match.end():], text[: match.end()].count("\n") + 1


def load_document(project: Project, path: Path) -> Document:
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RenderError(f"{project.quarto_yml}: the render list names {path}, which does not exist") from None
    front, body, body_line = split_front_matter(path, text)
    levels = [{k: v for k, v in project.config.items() if k != "project"}]
    origins = {k: v for k, v in key_lines(project.quarto_yml, project.quarto_yml.read_text(encoding="utf-8")).items()
               if k[0] != "project"}
    for folder in reversed([path.parent, *path.parent.parents]):
        if (folder == project.root or project.root in folder.parents) and (folder / "_metadata.yml").exists():
            levels.append(read_yaml(folder / "_metadata.yml"))
            origins.update(key_lines(folder / "_metadata.yml", (folder / "_metadata.yml").read_text(encoding="utf-8")))
    match = _FRONT_MATTER.match(text)
    origins.update(key_lines(path, match.group(1) or "", 2) if match else {})
    levels += [front, project.metadata]
    meta: dict = {}
    for level in levels:
        meta = merge(meta, level)
    # As in Quarto, the most specific level that names formats decides which are rendered; the others
    # only contribute options for those formats.
    formats = _formats(next((lv["format"] for lv in reversed(levels) if lv.get("format")), None), path)
    return Document(path=path, metadata=meta, formats=formats, body=body, body_line=body_line, origins=origins)


def _formats(spec, path: Path) -> list[str]:
    """Our outputs from Quarto's `format:` (a name, a list, or a map of name -> options)."""
    if spec is None:
        names = ["html"]
    elif isinstance(spec, str):
        names = [spec]
    elif isinstance(spec, list):
        names = list(spec)
    elif isinstance(spec, dict):
        names = [n for n, opts in spec.items() if opts is not False]
    else:
        raise RenderError(f"{path}:1: `format` must be a name, list or map")
    ours = {quarto: ours for ours, quarto in QUARTO_FORMAT.items()}
    for name in names:
        if name == "pdf":
            raise RenderError(f"{path}:1: format `pdf` is Quarto's LaTeX PDF, which the built-in engine does not "
                              "make; its PDF comes from Quarto's `typst` format (write `typst`, or render with "
                              "--engine quarto)")
        if name not in ours:
            raise RenderError(f"{path}:1: format `{name}` is not one the built-in engine renders "
                              f"({', '.join(QUARTO_FORMAT.values())}); render it with --engine quarto")
    return [ours[n] for n in names]


def format_options(meta: dict, fmt: str) -> dict:
    """The options under `format: <quarto name>:` for one output (empty when given as a bare name)."""
    spec = meta.get("format")
    if isinstance(spec, dict) and isinstance(spec.get(QUARTO_FORMAT[fmt]), dict):
        return spec[QUARTO_FORMAT[fmt]]
    return {}


def documents(project: Project) -> list[Document]:
    return [load_document(project, p) for p in project.render_list()]
