"""Promises of the committed notebooks that nbval does not check (nbval checks the outputs)."""
import importlib.util
import json
import re

import nbformat
import pytest

from support import REPO

NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
IGNORED = re.compile(r"^\s*#\s*NBVAL_(IGNORE_OUTPUT|SKIP)\s*$", re.M)
MACHINE = re.compile(r"/tmp/|/root/|/home/\w|/Users/\w|/work/|ipykernel_\d+|0x[0-9a-f]{6,}")


def read(path):
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_notebooks_exist_and_are_named_for_sorting():
    assert NOTEBOOKS[0].name == "00_start_here.ipynb"
    assert not list(NOTEBOOK_DIR.glob("[Uu]ntitled*.ipynb"))
    for path in NOTEBOOK_DIR.glob("*.ipynb"):
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_executed_top_to_bottom_in_one_fresh_kernel(path):
    counts = [c.execution_count for c in code_cells(read(path))]
    assert counts == list(range(1, len(counts) + 1))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_code_cell_makes_the_workspace(path):
    first = code_cells(read(path))[0].source
    assert re.search(rf'start\("{path.name[:2]}"', first), "the first code cell must call start() for this notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_hold_no_machine_details_or_timing(path):
    nb = read(path)
    for i, cell in enumerate(code_cells(nb)):
        assert "execution" not in cell.metadata, f"cell {i} stores timing metadata"
        text = json.dumps(cell.outputs)  # tracebacks included: readers see them on a code host
        assert not MACHINE.search(text), f"cell {i}: {MACHINE.search(text).group(0)!r} in an output"
        shown = json.dumps([o for o in cell.outputs if o.output_type != "error"])
        assert "\\u001b[" not in shown, f"cell {i}: ANSI escape codes in an output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_errors_are_stored_only_where_marked_expected(path):
    for i, cell in enumerate(code_cells(read(path))):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        expected = "raises-exception" in cell.metadata.get("tags", [])
        assert bool(errors) == expected, f"cell {i}: error stored={bool(errors)}, tagged raises-exception={expected}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_the_house_shape(path):
    nb = read(path)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert nb.cells[0].source.startswith("# ")
    for heading in ("What you will learn", "Before you start", "## Summary", "## Further reading"):
        assert heading in text, f"missing {heading!r}"
    if path.name != "00_start_here.ipynb":
        assert "## Exercises" in text
    meta = nb.metadata.get("workbook", {})
    assert meta.get("summary") and isinstance(meta.get("minutes"), int), "metadata.workbook needs summary and minutes"


def test_at_most_one_code_cell_in_ten_has_its_output_ignored():
    cells = [c for p in NOTEBOOKS for c in code_cells(read(p))]
    ignored = [c for c in cells if IGNORED.search(c.source) or {"nbval-ignore-output", "nbval-skip"} & set(c.metadata.get("tags", []))]
    assert len(ignored) * 10 <= len(cells), f"{len(ignored)} of {len(cells)} code cells ignore their output"


def _navigation():
    """The code `make navigation` runs, loaded from its file (notebooks/tools is no package)."""
    spec = importlib.util.spec_from_file_location("navigation", NOTEBOOK_DIR / "tools" / "navigation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_navigation_and_map_are_generated_and_current(capsys):
    assert _navigation().main(check=True) == 0, capsys.readouterr().out


def test_navigation_links_point_at_existing_notebooks():
    names = {p.name for p in NOTEBOOKS}
    for path in NOTEBOOKS:
        for target in re.findall(r"\]\(([^)#]+\.ipynb)\)", "\n".join(c.source for c in read(path).cells)):
            assert target in names, f"{path.name} links to missing {target}"


def test_readme_lists_every_notebook_and_only_existing_ones():
    readme = (REPO / "README.md").read_text()
    linked = set(re.findall(r"\(notebooks/(\d\d_[a-z0-9_]+\.ipynb)\)", readme))
    assert linked == {p.name for p in NOTEBOOKS}


def test_every_lesson_is_in_the_task_index():
    for path in NOTEBOOKS[1:]:
        assert read(path).metadata.get("workbook", {}).get("tasks"), f"{path.name} has no tasks for the index"


@pytest.mark.parametrize("where", ["00_start_here", "README"])
def test_task_index_links_land_on_a_heading(where):
    """Each link's fragment is the id JupyterLab gives one of the target notebook's headings."""
    navigation = _navigation()
    if where == "README":
        text, prefix = (REPO / "README.md").read_text(), "notebooks/"
    else:
        text, prefix = "\n".join(c.source for c in read(NOTEBOOKS[0]).cells), ""
    index = text[text.index("<!-- TASK-INDEX -->"):]
    links = re.findall(r"\]\(([^)#]+)#([^)]+)\)", index.split("\n\n")[0])
    assert len(links) >= sum(len(read(p).metadata["workbook"].get("tasks", [])) for p in NOTEBOOKS)
    for target, fragment in links:
        assert target.startswith(prefix), target
        anchors = {navigation.anchor(h) for h in navigation.headings(read(NOTEBOOK_DIR / target[len(prefix):]))}
        assert fragment in anchors, f"{target}#{fragment} is no heading there"
