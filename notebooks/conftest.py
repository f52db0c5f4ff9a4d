"""pytest hooks for the notebooks (nbval runs them): loaded whenever notebooks/ is collected.

At the end of a run that executed notebooks, the summary prints what the run cost and what
it could cost at best:

- each notebook's time under nbval (the sum of its cells), and its learner copy's time
  (tests/test_exercises.py runs the copies' exercise sections only);
- the floor: every call of a command-line tool in the executed cells (alembic, flask,
  python: each a new Python process importing SQLAlchemy; workbook.sh() and run() count
  them into the file $WORKBOOK_CLI_LOG) times the median time of `alembic --version` here,
  divided by the number of pytest workers; and this run's wall time as a multiple of it;
- how long those calls really took: a call that runs env.py also imports the Flask app, so
  it costs more than `alembic --version`.
"""
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import defaultdict
from pathlib import Path

LEARNER_TEST = "tests/test_exercises.py::test_learner_copy_fails_every_check_with_its_hint["
_started = time.monotonic()
_cli_log = None  # set in the process that owns the file


def pytest_configure(config):
    # Set once, in the process that starts the others: xdist workers, their kernels and the
    # tools those start all inherit it and append to the same file.
    if hasattr(config, "workerinput") or "WORKBOOK_CLI_LOG" in os.environ:
        return
    handle, path = tempfile.mkstemp(prefix="workbook-cli-calls-", suffix=".log")
    os.close(handle)
    os.environ["WORKBOOK_CLI_LOG"] = path
    global _cli_log
    _cli_log = path


def pytest_unconfigure(config):
    if _cli_log:
        Path(_cli_log).unlink(missing_ok=True)
        os.environ.pop("WORKBOOK_CLI_LOG", None)
    if not hasattr(config, "workerinput"):
        # nbval kills each kernel when its notebook ends (shutdown_kernel(now=True)): the kernel's PostgreSQL
        # server stops with it (parent-death signal), but nothing removes the server's folder (~46 MB) until a
        # later start reaps it. Reap now, so that a run leaves none behind.
        import local_postgres

        local_postgres.reap()


def _median_seconds(command, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pytest_terminal_summary(terminalreporter, config):
    """Print the notebooks' durations, the learner copies' share, and the floor of the run."""
    wall = time.monotonic() - _started
    nbval, learner = defaultdict(float), defaultdict(float)
    for reports in terminalreporter.stats.values():
        for report in reports:
            nodeid = getattr(report, "nodeid", "")
            if getattr(report, "when", None) not in ("setup", "call", "teardown"):
                continue
            if ".ipynb::" in nodeid:
                nbval[nodeid.split("::", 1)[0]] += report.duration
            elif nodeid.startswith(LEARNER_TEST):
                learner[f"notebooks/{nodeid[len(LEARNER_TEST):-1]}.ipynb"] += report.duration
    if not nbval:
        return
    write = terminalreporter.write_line
    terminalreporter.section("notebook durations (nbval, all cells; learner copy, exercise sections)")
    for notebook, total in sorted(nbval.items()):
        copy = f"   learner copy {learner[notebook]:5.1f}s" if notebook in learner else ""
        write(f"{total:7.1f}s  {notebook}{copy}")
    write(f"{sum(nbval.values()):7.1f}s  all notebooks under nbval")
    same = [notebook for notebook in learner if notebook in nbval]
    if same:
        share = sum(learner[n] for n in same) / sum(nbval[n] for n in same)
        write(f"learner copies: {sum(learner[n] for n in same):.1f}s = {share:.2f} x the nbval time of the same "
              f"notebooks (target: at most 0.35)")

    alembic = shutil.which("alembic")
    if not _cli_log or not alembic:
        return
    lines = [line.split() for line in Path(_cli_log).read_text().splitlines()]
    names = [name for called, _ in lines for name in called.split(",")]
    spent = sum(float(seconds) for _, seconds in lines)
    counts = ", ".join(f"{name} {names.count(name)}" for name in sorted(set(names)))
    version = _median_seconds([alembic, "--version"])
    workers = config.getoption("numprocesses", None) or 1
    floor = len(names) * version / workers
    write(f"floor: {len(names)} CLI calls in executed cells ({counts}) x {version:.2f}s (median of 5 "
          f"`alembic --version`) / {workers} worker(s) = {floor:.1f}s")
    write(f"those calls really took {spent:.1f}s ({spent / max(len(names), 1):.2f}s each on average: most run env.py, "
          f"which imports the Flask app) = {spent / workers:.1f}s on {workers} worker(s)")
    write(f"this run: {wall:.1f}s wall until this summary = {wall / floor:.2f} x the floor (target: at most 1.3)")
