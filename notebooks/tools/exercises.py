"""Write learner copies of the notebooks: `make exercises`.

In the committed notebooks each exercise's solution sits in a code cell tagged
``solution``, so nbval checks it like any other cell. A learner copy replaces every such
cell with a stub and drops all outputs, so the learner starts from a blank exercise whose
check cell then fails with its hint until the work is done. The copies go to
``notebooks/exercises/`` (ignored by git) and are rewritten on every run, so finished work
there is overwritten by the next `make exercises`. Notebooks without exercises are skipped.
"""
import re
import sys
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import ClearOutputPreprocessor, Preprocessor

STUB = "# Exercise: your code here. Then run the check cell below.\n"
EXERCISES = re.compile(r"^## Exercises", re.M)
# A link to another notebook, e.g. the navigation's "[Index](00_start_here.ipynb)".
LINK = re.compile(r"\]\(([0-9][0-9]_[a-z0-9_]+\.ipynb)\)")


# The learner copy works in workspaces of its own ("01-exercises", "01-exercises-ex2"), so
# that running the solved notebook never wipes the learner's work, and the other way round.
START = re.compile(r'\b(start|enter)\("(\d\d)')


class StubSolutions(Preprocessor):
    """Replace the source of every cell tagged ``solution`` with a stub, and rename the workspace."""

    def preprocess_cell(self, cell, resources, index):
        tags = cell.metadata.get("tags", [])
        if "solution" in tags:
            cell.source = STUB
            cell.metadata["tags"] = [t for t in tags if t != "solution"] + ["exercise"]
        if cell.cell_type == "code":
            cell.source = START.sub(r'\1("\2-exercises', cell.source)
        else:
            # The copies sit one folder down, beside the other copies. A link to a notebook
            # that has no copy (00_start_here) must climb back to the lesson.
            lessons = Path(resources["metadata"]["path"])
            cell.source = LINK.sub(
                lambda m: m.group(0) if has_exercises(lessons / m.group(1)) else f"](../{m.group(1)})", cell.source
            )
        return cell, resources


def has_exercises(notebook):
    if not Path(notebook).exists():
        return False
    return any("solution" in c.metadata.get("tags", []) for c in nbformat.read(notebook, as_version=4).cells)


def learner_copy(notebook, out_dir):
    exporter = NotebookExporter()
    exporter.register_preprocessor(StubSolutions, enabled=True)
    exporter.register_preprocessor(ClearOutputPreprocessor, enabled=True)
    body, _ = exporter.from_filename(str(notebook))
    target = Path(out_dir) / Path(notebook).name
    target.write_text(body, encoding="utf-8")
    return target


def exercise_sections(notebook):
    """Only what the exercises need: the first code cell (it makes the workspace) and every
    cell from the "## Exercises" heading on. Each exercise's first cell builds its own state,
    so the lesson cells in between are not needed to run them."""
    cells = notebook.cells
    first = next(i for i, c in enumerate(cells) if c.cell_type == "code")
    heading = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and EXERCISES.search(c.source))
    notebook.cells = [cells[first]] + cells[heading:]
    return notebook


def main(out_dir, notebooks):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for notebook in notebooks:
        if has_exercises(notebook):
            print(f"wrote {learner_copy(notebook, out)}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: exercises.py OUT_DIR NOTEBOOK.ipynb [...]")
    main(sys.argv[1], sys.argv[2:])
