"""Re-execute notebooks in place from a fresh kernel: `make record` (or NB=path).

Use it after a change that is meant to alter stored outputs, then review the output
diff like code. Each notebook runs top to bottom in a new kernel started in its own
directory, exactly as nbval runs it, and no per-cell timing metadata is written
(nbclient's record_timing=False), and split stream outputs are merged (nbconvert's
CoalesceStreamsPreprocessor), so a re-record of unchanged code changes nothing.
"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert.preprocessors import CoalesceStreamsPreprocessor


def record(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        # Keep the stored notebook as it was: a half-recorded file helps nobody.
        print(f"FAILED {path}: a cell raised unexpectedly; nothing was written.\n{error}", file=sys.stderr)
        return False
    # A cell's printed text can arrive as one stream message or several, depending on
    # timing; merging adjacent ones stores the same text the same way on every run.
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    nbformat.write(nb, path)
    print(f"recorded {path}")
    return True


def main(paths):
    if not paths:
        sys.exit("usage: record.py NOTEBOOK.ipynb [...]")
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        sys.exit(f"no such notebook: {', '.join(missing)}")
    ok = [record(Path(p)) for p in paths]
    sys.exit(0 if all(ok) else 1)


if __name__ == "__main__":
    main(sys.argv[1:])
