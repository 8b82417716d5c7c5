"""The notebook rules the build relies on: dependencies, parameters, and scrubbing for identical bytes."""

import json

import nbformat

from peerpaper import notebooks


def make_notebook(path, code_cells, parameters=None):
    nb = nbformat.v4.new_notebook()
    if parameters is not None:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells.extend(nbformat.v4.new_code_cell(c) for c in code_cells)
    nbformat.write(nb, str(path))
    return path


def make_package(root):
    pkg = root / "peerpaper"
    (pkg / "analysis").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "analysis" / "__init__.py").write_text("")
    (pkg / "analysis" / "themes.py").write_text("from ..figures import style\nfrom . import common\n")
    (pkg / "analysis" / "common.py").write_text("import pandas\n")
    (pkg / "figures.py").write_text("from .errors import PaperError\n")
    (pkg / "errors.py").write_text("")
    (pkg / "render.py").write_text("import pypandoc\n")
    return pkg


def test_dependencies_are_the_import_closure_not_the_whole_package(tmp_path):
    pkg = make_package(tmp_path)
    nb = make_notebook(tmp_path / "02-themes.ipynb", ["from peerpaper.analysis import themes\nthemes.x()"])
    found = {p.relative_to(pkg).as_posix() for p in notebooks.package_dependencies(nb, pkg)}
    assert found == {"__init__.py", "analysis/__init__.py", "analysis/themes.py", "analysis/common.py",
                     "figures.py", "errors.py"}
    assert "render.py" not in found


def test_parameters_are_read_from_the_tagged_cell(tmp_path):
    nb = make_notebook(tmp_path / "04-saturation.ipynb", ["x = 1"],
                       parameters='data_dir = "../data/synthetic"\nbase = 4\nthreshold: float = 0.05\n')
    assert notebooks.parameters(nb) == {"data_dir": "../data/synthetic", "base": 4, "threshold": 0.05}


def test_discover_keeps_numbered_notebooks_in_order(tmp_path):
    for name in ["02-b.ipynb", "01-a.ipynb", "scratch.ipynb"]:
        make_notebook(tmp_path / name, [])
    assert [p.name for p in notebooks.discover(tmp_path)] == ["01-a.ipynb", "02-b.ipynb"]


def test_scrub_removes_what_differs_between_runs(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00", "duration": 1.2}
    cell = nbformat.v4.new_code_cell("1")
    cell.metadata["papermill"] = {"start_time": "x"}
    cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    nb.cells.append(cell)
    text = json.dumps(notebooks.scrub(nb))
    assert "2026-01-01" not in text and "duration" not in text
    assert nb.cells[0]["id"] == "cell-000"
