"""Write learner copies of the notebooks: `make exercises`.

In the committed notebooks each exercise's solution sits in a code cell tagged
``solution``, so nbval checks it like any other cell. A learner copy replaces every such
cell with a stub and drops all outputs, so the learner starts from a blank exercise whose
check cell then fails with its hint until the work is done. The copies go to
``notebooks/exercises/`` (ignored by git) and are rewritten on every run.
"""
import sys
from pathlib import Path

from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import ClearOutputPreprocessor, Preprocessor

STUB = "# Exercise: your code here. Then run the check cell below.\n"


class StubSolutions(Preprocessor):
    """Replace the source of every cell tagged ``solution`` with a stub."""

    def preprocess_cell(self, cell, resources, index):
        tags = cell.metadata.get("tags", [])
        if "solution" in tags:
            cell.source = STUB
            cell.metadata["tags"] = [t for t in tags if t != "solution"] + ["exercise"]
        return cell, resources


def learner_copy(notebook, out_dir):
    exporter = NotebookExporter()
    exporter.register_preprocessor(StubSolutions, enabled=True)
    exporter.register_preprocessor(ClearOutputPreprocessor, enabled=True)
    body, _ = exporter.from_filename(str(notebook))
    target = Path(out_dir) / Path(notebook).name
    target.write_text(body, encoding="utf-8")
    return target


def main(out_dir, notebooks):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for notebook in notebooks:
        print(f"wrote {learner_copy(notebook, out)}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: exercises.py OUT_DIR NOTEBOOK.ipynb [...]")
    main(sys.argv[1], sys.argv[2:])
