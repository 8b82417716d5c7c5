"""Run the analysis notebooks reproducibly: papermill to execute, nbconvert to publish.

Why here and not in the build: these are the notebook-specific rules (which package modules a notebook
depends on, how parameters are injected, which metadata would make two runs differ) and each is tested
on its own.
"""

from __future__ import annotations

import ast
import functools
import os
import re
from pathlib import Path

NOTEBOOK_NAME = re.compile(r"^\d\d-[\w-]+\.ipynb$")
PACKAGE = "peerpaper"


def discover(folder: Path) -> list[Path]:
    """The analysis notebooks, `NN-name.ipynb`, in the order their numbers give."""
    return sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))


def parameters(notebook: Path) -> dict[str, object]:
    """The notebook's `parameters` cell, name -> default, read without starting Jupyter (it is cheap)."""
    import json

    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            out = {}
            for node in ast.parse("".join(cell["source"])).body:
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        if isinstance(target, ast.Name):
                            out[target.id] = ast.literal_eval(node.value)
            return out
    return {}


def _code_of_notebook(notebook: Path) -> str:
    import json

    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "\n".join(
        "".join(c["source"]) for c in cells if c.get("cell_type") == "code"
    )


def _module_file(package_dir: Path, dotted: str) -> Path | None:
    parts = dotted.split(".")[1:]  # drop the package name itself
    base = package_dir.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(source: str, current: str) -> set[str]:
    """Dotted names of package modules imported by `source`, whose own module is `current`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == PACKAGE)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the current module's package
                anchor = current.split(".")[: -node.level] if current else [PACKAGE]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base.split(".")[0] != PACKAGE:
                continue
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)  # `from pkg import module`
    return found


@functools.lru_cache(maxsize=None)
def _module_imports(path: Path, module: str) -> frozenset[str]:
    """One parse per module file per process: every notebook shares most of the package."""
    return frozenset(_imports(path.read_text(encoding="utf-8"), module))


def import_closure(modules, package_dir: Path) -> list[Path]:
    """The files of the package behind dotted module names, and of every package module they import."""
    todo = list(modules)
    seen: dict[str, Path] = {}
    while todo:
        dotted = todo.pop()
        for i in range(1, dotted.count(".") + 2):  # the module and every package above it
            name = ".".join(dotted.split(".")[:i])
            if name in seen:
                continue
            path = _module_file(package_dir, name)
            if path is None:
                continue  # an attribute imported from a module, not a module
            seen[name] = path
            module = name if path.name != "__init__.py" else name + ".__init__"
            todo.extend(_module_imports(path, module))  # imports under `if TYPE_CHECKING:` count too
    return sorted(set(seen.values()))


def package_dependencies(notebook: Path, package_dir: Path) -> list[Path]:
    """Every file of the package a notebook imports, directly or through other package modules.

    A change to rendering code must not re-run the analysis, and a change to the analysis must: so the
    dependency is the import closure, read statically with `ast`, not the whole package.
    """
    return import_closure(_imports(_code_of_notebook(notebook), ""), package_dir)


def kernel_log(executed: Path) -> Path:
    """Where the kernel process's own stdout and stderr go: next to the executed notebook, never
    published. What the notebook's code prints reaches the notebook through the kernel's messages; this
    file gets only the kernel's internals, such as ipykernel's harmless shutdown race ("Socket operation
    on non-socket"), which would otherwise print a traceback into a build that succeeded."""
    return executed.with_suffix(".kernel.log")


def _kernel_manager_writing_to(log):
    from jupyter_client import AsyncKernelManager

    class KernelManagerWithLog(AsyncKernelManager):
        async def start_kernel(self, **kw):
            return await super().start_kernel(stdout=log, stderr=log, **kw)

    return KernelManagerWithLog


def execute(notebook: Path, executed: Path, params: dict, cwd: Path) -> None:
    """Execute with papermill into `executed`, then strip what differs between identical runs."""
    import nbformat
    import papermill

    executed.parent.mkdir(parents=True, exist_ok=True)
    with kernel_log(executed).open("wb") as log:
        _execute(notebook, executed, params, cwd, log)
    nb = nbformat.read(str(executed), as_version=4)
    nbformat.write(scrub(nb), str(executed))


def _execute(notebook: Path, executed: Path, params: dict, cwd: Path, log) -> None:
    import papermill

    papermill.execute_notebook(
        str(notebook),
        str(executed),
        parameters=params,
        # the kernel's working folder, given to the kernel alone: papermill's own `cwd` would chdir
        # this whole process, which races with the other notebooks running in parallel threads
        resources={"metadata": {"path": str(cwd)}},
        kernel_name="python3",
        progress_bar=False,
        log_output=False,
        request_save_on_cell_execute=False,
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],  # kernel chatter is not the build's output
        kernel_manager_class=_kernel_manager_writing_to(log),
    )


def scrub(nb):
    """Remove timings, durations and kernel-session details: same inputs must give the same bytes."""
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell["id"] = f"cell-{index:03d}"  # nbformat 4.5 ids are random per run
    return nb


# JupyterLab's page without the scripts it loads from the network: MathJax would typeset "$x^2$" that a
# participant typed (notebook outputs show data), and require.js and mermaid are not needed offline.
PAGE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock -%}
{%- block html_head_js_mathjax -%}{%- endblock -%}
{%- block html_head_js_mermaidjs -%}{%- endblock -%}
"""


def export_html(executed: Path, html: Path, title: str, replace: dict[str, str] | None = None) -> None:
    """One self-contained HTML page per executed notebook, for reviewers without Jupyter. `replace`: text
    swapped in the parameters papermill injected (the build hides the data folder's path)."""
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata["title"] = title
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            for old, new in (replace or {}).items():
                cell.source = cell.source.replace(repr(old), repr(new)).replace(f'"{old}"', f'"{new}"')
    exporter = HTMLExporter(template_name="lab", embed_images=True,
                            extra_loaders=[jinja2.DictLoader({"peerpaper-page.html.j2": PAGE_TEMPLATE})])
    exporter.template_file = "peerpaper-page.html.j2"
    body, _ = exporter.from_notebook_node(nb)
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(body, encoding="utf-8")
