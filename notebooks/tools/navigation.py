"""Regenerate the navigation links and the notebook map: `make navigation`.

Each notebook ends with a Markdown cell that starts with ``<!-- NAVIGATION -->``; this
script rewrites it to "previous · index · next" links. ``00_start_here`` has a cell that
starts with ``<!-- NOTEBOOK-MAP -->``; it becomes a table of every notebook, built from
each notebook's title (its first ``# `` heading) and ``metadata.workbook``
(``summary``, ``minutes``). It also has a cell that starts with ``<!-- TASK-INDEX -->``:
a table of tasks in a reader's words, each linked to the section that does it, built from
``metadata.workbook.tasks`` (a list of ``{"task": ..., "section": <a heading's text>}``).
README.md carries the same index between ``<!-- TASK-INDEX -->`` and ``<!-- /TASK-INDEX -->``.
With ``--check`` nothing is written; the exit code is 1 when anything is out of date
(tests/test_notebooks.py runs it that way).
"""
import re
import sys
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent
NAV, MAP, TASKS = "<!-- NAVIGATION -->", "<!-- NOTEBOOK-MAP -->", "<!-- TASK-INDEX -->"
INDEX = "00_start_here.ipynb"
README = NOTEBOOKS.parent / "README.md"
README_END = "<!-- /TASK-INDEX -->"
HEADING = re.compile(r"^#{1,6} (.+)$", re.M)
# Anchors that a Markdown link can hold as they are: no brackets, parentheses or spaces.
PLAIN_ANCHOR = re.compile(r"^[A-Za-z0-9._:,'-]+$")


def anchor(heading):
    """The id JupyterLab gives a heading: its text as rendered (no backticks), spaces as hyphens."""
    return heading.replace("`", "").strip().replace(" ", "-")


def headings(nb):
    return [h for c in nb.cells if c.cell_type == "markdown" for h in HEADING.findall(c.source)]


def title(nb):
    first = nb.cells[0].source.splitlines()[0]
    return first.lstrip("# ").strip()


def marked_cell(nb, marker, path):
    cells = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith(marker)]
    if len(cells) != 1:
        sys.exit(f"{path.name}: needs exactly one Markdown cell starting with {marker}, found {len(cells)}")
    return cells[0]


def navigation(paths, titles, i):
    parts = []
    if i > 0:
        parts.append(f"[← Previous: {titles[i - 1]}]({paths[i - 1].name})")
    parts.append("[Index](00_start_here.ipynb)" if paths[i].name != INDEX else "Index (this notebook)")
    if i + 1 < len(paths):
        parts.append(f"[Next: {titles[i + 1]} →]({paths[i + 1].name})")
    return f"{NAV}\n" + " · ".join(parts)


def notebook_map(paths, books, titles):
    rows = [f"{MAP}", "| Notebook | What you learn | Time |", "|---|---|---|"]
    for path, nb, name in zip(paths, books, titles):
        meta = nb.metadata.get("workbook", {})
        link = f"**{name}** (this notebook)" if path.name == INDEX else f"[{name}]({path.name})"
        rows.append(f"| {link} | {meta.get('summary', '')} | about {meta.get('minutes', '?')} min |")
    return "\n".join(rows)


def task_index(paths, books, folder=""):
    """The task table; links are relative to a file in ``folder`` ("" for the notebooks themselves)."""
    rows = [TASKS, "| I want to ... | Where |", "|---|---|"]
    for path, nb in zip(paths, books):
        for entry in nb.metadata.get("workbook", {}).get("tasks", []):
            section = entry["section"]
            if section not in headings(nb):
                sys.exit(f"{path.name}: task {entry['task']!r} names a section that is no heading: {section!r}")
            target = anchor(section)
            if not PLAIN_ANCHOR.match(target):
                sys.exit(f"{path.name}: the anchor of {section!r} needs escaping in a link; index a plainer heading")
            rows.append(f"| {entry['task']} | [{path.name[:2]}: {section}]({folder}{path.name}#{target}) |")
    return "\n".join(rows)


def readme_with(index):
    text = README.read_text()
    start, end = text.index(TASKS), text.index(README_END)
    return text[:start] + index + "\n" + text[end:]


def main(check):
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    books = [nbformat.read(p, as_version=4) for p in paths]
    titles = [title(nb) for nb in books]
    stale = []
    for i, (path, nb) in enumerate(zip(paths, books)):
        wanted = {NAV: navigation(paths, titles, i)}
        if path.name == INDEX:
            wanted[MAP] = notebook_map(paths, books, titles)
            wanted[TASKS] = task_index(paths, books)
        changed = False
        for marker, text in wanted.items():
            cell = marked_cell(nb, marker, path)
            if cell.source != text:
                cell.source, changed = text, True
        if changed:
            stale.append(path.name)
            if not check:
                nbformat.write(nb, path)
    readme = readme_with(task_index(paths, books, folder="notebooks/"))
    if readme != README.read_text():
        stale.append(README.name)
        if not check:
            README.write_text(readme)
    if check and stale:
        print("navigation out of date in: " + ", ".join(stale) + " (run `make navigation`)")
        return 1
    print(("updated: " + ", ".join(stale)) if stale else "navigation up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
