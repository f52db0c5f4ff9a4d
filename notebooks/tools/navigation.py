"""Regenerate the navigation links and the notebook map: `make navigation`.

Each notebook ends with a Markdown cell that starts with ``<!-- NAVIGATION -->``; this
script rewrites it to "previous · index · next" links. ``00_start_here`` has a cell that
starts with ``<!-- NOTEBOOK-MAP -->``; it becomes a table of every notebook, built from
each notebook's title (its first ``# `` heading) and ``metadata.workbook``
(``summary``, ``minutes``). With ``--check`` nothing is written; the exit code is 1 when
any notebook is out of date (tests/test_notebooks.py runs it that way).
"""
import sys
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent
NAV, MAP = "<!-- NAVIGATION -->", "<!-- NOTEBOOK-MAP -->"
INDEX = "00_start_here.ipynb"


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


def main(check):
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    books = [nbformat.read(p, as_version=4) for p in paths]
    titles = [title(nb) for nb in books]
    stale = []
    for i, (path, nb) in enumerate(zip(paths, books)):
        wanted = {NAV: navigation(paths, titles, i)}
        if path.name == INDEX:
            wanted[MAP] = notebook_map(paths, books, titles)
        changed = False
        for marker, text in wanted.items():
            cell = marked_cell(nb, marker, path)
            if cell.source != text:
                cell.source, changed = text, True
        if changed:
            stale.append(path.name)
            if not check:
                nbformat.write(nb, path)
    if check and stale:
        print("navigation out of date in: " + ", ".join(stale) + " (run `make navigation`)")
        return 1
    print(("updated: " + ", ".join(stale)) if stale else "navigation up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
