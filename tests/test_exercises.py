"""Exercises check themselves: with the solutions every check passes; in a learner copy every check fails with its hint.

The learner copies are run from their exercise sections only (the first code cell, then
everything from "## Exercises" on): each exercise's first cell builds the state it needs,
so the lesson in between would only repeat what nbval already ran.
"""
import re

import importlib.util

import nbformat
import pytest
from nbclient import NotebookClient

from support import REPO

NOTEBOOK_DIR = REPO / "notebooks"
# The same code `make exercises` runs, loaded from its file (notebooks/tools is no package).
_spec = importlib.util.spec_from_file_location("exercises", NOTEBOOK_DIR / "tools" / "exercises.py")
exercises = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(exercises)


def tagged(nb, tag):
    return [c for c in nb.cells if tag in c.metadata.get("tags", [])]


LESSONS = [p for p in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb")) if p.name != "00_start_here.ipynb"]


def stream_text(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_lesson_has_solved_exercises_whose_checks_pass(path):
    """nbval proves these stored outputs are still what the solutions produce."""
    nb = nbformat.read(path, as_version=4)
    solutions, checks = tagged(nb, "solution"), tagged(nb, "check")
    assert len(solutions) >= 2 and len(checks) >= 2
    for check in checks:
        assert "PASSED exercise" in stream_text(check), check.source
        assert "expect(" in check.source, "a check must inspect something"
    for solution in solutions:
        index = nb.cells.index(solution)
        assert any(c in checks for c in nb.cells[index + 1:]), "a solution without a check after it"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_learner_copy_fails_every_check_with_its_hint(path, tmp_path, monkeypatch):
    copy = nbformat.read(exercises.learner_copy(path, tmp_path), as_version=4)
    assert not tagged(copy, "solution")
    assert all(c.source == exercises.STUB for c in tagged(copy, "exercise"))
    assert all(not c.get("outputs") for c in copy.cells if c.cell_type == "code")
    first = next(c for c in copy.cells if c.cell_type == "code")
    assert f'start("{path.name[:2]}-exercises"' in first.source, "the learner copy must not share the workspace"

    copy = exercises.exercise_sections(copy)
    # A workspace root of its own: the same notebook may be running under nbval right now.
    monkeypatch.setenv("WORKBOOK_WORKSPACES", str(tmp_path / "workspace"))
    NotebookClient(copy, timeout=600, allow_errors=True, record_timing=False,
                   resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()
    checks = tagged(copy, "check")
    assert len(checks) >= 2 and len(checks) == len(tagged(nbformat.read(path, as_version=4), "check"))
    # Only a check may fail here: an error anywhere else (a lesson cell that no longer runs
    # without the solutions, a missing command) would make the checks fail for another reason.
    for cell in copy.cells:
        if cell.cell_type == "code" and cell not in checks and "raises-exception" not in cell.metadata.get("tags", []):
            errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
            assert not errors, f"a cell outside the checks failed in the learner copy: {errors}\n{cell.source}"
    for check in checks:
        errors = [o for o in check.outputs if o.output_type == "error"]
        assert errors, f"a check passed on an untouched exercise:\n{check.source}"
        assert errors[0].ename == "NotYet", f"{errors[0].ename}: {errors[0].evalue}"
        hint = errors[0].evalue
        assert len(hint) >= 20 and hint[:20] in check.source, f"the hint {hint!r} is not one this check gives"
        assert "PASSED" not in stream_text(check)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_each_exercise_starts_in_a_workspace_of_its_own(path):
    """Between the "## Exercises" heading and each exercise's work cell sits a cell that calls
    start(); every check enters the workspace of the start() before it."""
    cells = exercises.exercise_sections(nbformat.read(path, as_version=4)).cells[1:]
    workspace = None
    for cell in cells:
        if cell.cell_type != "code":
            continue
        started = re.search(r'^start\("([^"]+)"', cell.source, re.M)
        if started:
            workspace = started.group(1)
        elif "solution" in cell.metadata.get("tags", []):
            assert workspace, f"an exercise's work cell before any start():\n{cell.source}"
        elif "check" in cell.metadata.get("tags", []):
            assert f'enter("{workspace}")' in cell.source, f"a check that does not enter {workspace}:\n{cell.source}"
            workspace = None  # the next exercise must start its own


def test_learner_copies_link_only_to_notebooks_that_exist(tmp_path):
    """The copies live in notebooks/exercises/: a link resolves beside them or, with ../, among the lessons."""
    copies = {exercises.learner_copy(path, tmp_path).name for path in LESSONS if exercises.has_exercises(path)}
    for name in copies:
        for cell in nbformat.read(tmp_path / name, as_version=4).cells:
            for target in re.findall(r"\]\(([^)#]+\.ipynb)\)", cell.source):
                if target.startswith("../"):
                    assert (NOTEBOOK_DIR / target[3:]).exists(), f"{name} links to missing {target}"
                else:
                    assert target in copies, f"{name} links to {target}, which has no learner copy beside it"
