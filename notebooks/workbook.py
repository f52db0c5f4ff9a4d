"""Helpers that every notebook in the workbook uses.

Kept small on purpose. ``00_start_here.ipynb`` introduces ``start``, ``sh`` and ``show_schema``;
the lessons introduce the others as they use them.

- ``start(name)`` gives a notebook a fresh workspace of its own and moves into it;
  ``fresh_copy(folder)`` puts a fresh copy of the finished app into a folder of it.
- ``enter(name)`` moves back into a workspace that ``start(name)`` made, without resetting it.
- ``sh(command)`` runs a shell command the way you would in a terminal, shows the exact
  command and its output, and fails the cell when the exit code is not the expected one;
  ``run(command)`` does the same silently, for checks that judge the result themselves.
- ``edit(path, old, new)`` changes a file in place and prints the change as a diff.
- ``show_schema(url)`` draws the tables of a live database as an entity-relationship diagram.
- ``show_history(config_path)`` draws the revision graph of a migration environment, read by Alembic itself.
- ``expect(condition, hint)`` and ``passed(...)`` are what exercise checks are made of.
- ``seed(url)`` loads a small shelf of books into a migrated database; ``row_counts(url)`` and
  ``rows(url, table)`` are what a notebook compares before and after a migration.
- ``postgres_url(label)`` makes a fresh, empty PostgreSQL database for the workspace (notebooks 09 on).
- ``sh_background(command)`` starts a command beside the kernel, and ``serve_app(folder, url, name)`` serves one
  release of the app over HTTP (notebook 10); both die with the kernel.
"""
import difflib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The tests that run learner copies of the notebooks point this elsewhere, so that they
# never share a workspace with the same notebook running under nbval.
WORKSPACES = Path(os.environ.get("WORKBOOK_WORKSPACES", REPO / "notebooks" / "workspace"))

# Every autogenerate and check run logs one of these lines per comparison plugin; they say nothing about the
# migration itself. sh() hides them unless asked with show_all=True.
_PLUGIN_NOISE = re.compile(r"^INFO  \[alembic\.runtime\.plugins\] setting up autogenerate plugin .*\n", re.M)


FINISHED = ("sample_app", "alembic", "alembic.ini")


def _fresh_folder_with(folder, copy):
    """Make ``folder`` afresh and copy ``copy`` into it from the repository."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for item in copy:
        source = REPO / item
        if source.is_dir():
            shutil.copytree(source, folder / item, ignore=shutil.ignore_patterns("__pycache__", "instance"))
        else:
            shutil.copy2(source, folder / item)
    return folder


def start(name, copy=FINISHED):
    """Make ``notebooks/workspace/<name>/`` afresh, copy ``copy`` into it from the repository, and cd there.

    Prints the workspace and what it holds; returns nothing, so no absolute path is shown.

    Running a notebook again starts from the same state: whatever the last run left in
    its workspace is deleted first. Nothing outside the workspace is touched.
    """
    workspace = _fresh_folder_with(WORKSPACES / name, copy)
    os.chdir(workspace)
    # Imports such as `import sample_app` must find the workspace copy, not the repository's.
    for module in [m for m in sys.modules if m == "sample_app" or m.startswith("sample_app.")]:
        del sys.modules[module]
    if "" not in sys.path:
        sys.path.insert(0, "")
    _short_tracebacks_for_workbook_errors()
    print(f"Workspace: workspace/{name}")
    print("Contents:", ", ".join(sorted(p.name for p in workspace.iterdir())) or "(empty)")


def enter(name):
    """Move into the workspace ``start(name)`` made, keeping what is in it.

    Exercise checks call it first, so a check run again after a later exercise's
    ``start()`` still inspects its own exercise's workspace.
    """
    workspace = WORKSPACES / name
    if not workspace.is_dir():
        raise NotYet(f"There is no workspace/{name} yet: run this exercise's first cell, which makes it")
    os.chdir(workspace)


def _short_tracebacks_for_workbook_errors():
    """Show CommandFailed and NotYet as one line: the message is everything the learner needs,
    and the frames inside this file would only show where the repository sits on this machine."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc(
            (CommandFailed, NotYet),
            lambda shell, etype, value, tb, tb_offset=None: shell.showtraceback((etype, value, tb), exception_only=True),
        )


def fresh_copy(folder, copy=FINISHED):
    """Make ``folder`` (inside the workspace) afresh with a copy of ``copy`` from the repository.

    For an exercise that starts from the finished app and migration environment, whatever
    the lesson above it changed in the workspace.
    """
    if Path(folder).is_absolute() or ".." in Path(folder).parts:
        raise ValueError(f"{folder!r}: give a folder inside the workspace")
    _fresh_folder_with(folder, copy)
    print(f"{folder}/ holds a fresh copy of:", ", ".join(sorted(copy)))


# `make test` counts the command-line tools that the notebooks start (each one a new Python
# process that imports SQLAlchemy): the floor of the test run's time. A tool counts where it
# stands in command position: at the start, after && || ; | ( or $(, or after VAR=value.
_CLI = re.compile(r"(?:^|&&|\|\||[;|(]|\$\()\s*(?:\w+=\S*\s+)*(alembic|flask|python3?)(?=\s|$)")


def _count_cli_calls(command, seconds):
    """Append one line per command that starts tools: the tools' names, then how long the command took."""
    log = os.environ.get("WORKBOOK_CLI_LOG")
    calls = _CLI.findall(command)
    if log and calls:
        with open(log, "a", encoding="utf-8") as file:
            file.write(f"{','.join(calls)} {seconds:.3f}\n")


class CommandFailed(Exception):
    """A command exited with a code other than the one the lesson expected."""


@dataclass
class Result:
    command: str
    returncode: int
    output: str

    def _ipython_display_(self):
        # The output was printed as the command ran; echoing the object would repeat it.
        pass


# Alembic's messages describe some objects with their memory address ("<... object at 0x7f3a...>"),
# which differs on every run; sh() leaves the address out.
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")
# The folder of the kernel's own PostgreSQL server (its socket is there, so it is the URL's host): a temporary
# path with a process id in it, written plainly or URL-encoded (%2F). sh() shows it as <local-server>.
_SERVER_FOLDER = re.compile(r"[^\s'\"?=&]*(?:/|%2F)workbook-postgres-\d+-\w+")


def _tidy(text):
    """Show paths relative to the workspace, and no memory addresses, so outputs read the same on every machine."""
    text = text.replace(str(Path.cwd()), ".")
    text = text.replace(str(REPO), "<repo>")
    text = _SERVER_FOLDER.sub("<local-server>", text)
    return _ADDRESS.sub("", text)


def sh(command, expect=0, show_all=False, tail=None):
    """Run ``command`` in bash from the current workspace and print what it prints.

    stdout and stderr are merged in the order they were written, as a terminal shows
    them. Raises ``CommandFailed`` unless the exit code equals ``expect``; pass
    ``expect=1`` (or whatever code) when the failure is the point of the lesson, then
    assert on ``.output`` (always the whole output). ``tail=N`` prints only the last N
    lines, marking that earlier ones were left out: for long tracebacks.
    """
    return _show(run(command, show_all), expect, tail)


def _show(result, expect, tail):
    """Print a finished command and its output as sh() does; raise unless it exited with ``expect``."""
    command, output = result.command, result.output
    shown = output
    lines = output.splitlines(keepends=True)
    if tail is not None and len(lines) > tail:
        # No count of the hidden lines: tracebacks are laid out differently across Python versions.
        shown = "[... earlier lines not shown ...]\n" + "".join(lines[-tail:])
    # One print, so the command and its output stay together in one stored output.
    print(f"$ {command}\n{shown}", end="" if shown.endswith("\n") or not shown else "\n")
    if result.returncode != expect:
        raise CommandFailed(
            f"`{command}` exited with {result.returncode}, expected {expect} (its output is above)"
        )
    if expect:
        print(f"(exit code {result.returncode}, as expected)")
    return result


def run(command, show_all=False):
    """Run ``command`` as ``sh()`` does, but print nothing and never raise: return the ``Result``."""
    started = time.perf_counter()
    proc = subprocess.run(
        command,
        shell=True,
        executable="/bin/bash",
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _count_cli_calls(command, time.perf_counter() - started)
    output = _tidy(proc.stdout)
    if not show_all:
        output = _PLUGIN_NOISE.sub("", output)
    return Result(command, proc.returncode, output)


def edit(path, old, new, count=1):
    """Replace ``old`` with ``new`` in the file at ``path`` and print the change as a unified diff.

    ``old`` must occur exactly ``count`` times, so an edit never lands somewhere unexpected.
    """
    path = Path(path)
    before = path.read_text()
    found = before.count(old)
    if found != count:
        raise ValueError(f"{path}: expected {count} occurrence(s) of the text to replace, found {found}")
    after = before.replace(old, new)
    path.write_text(after)
    diff = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}", n=2
    )
    print("".join(diff), end="")


class NotYet(AssertionError):
    """An exercise check found the work not done yet; the message says what to look at."""


def expect(condition, hint):
    """Part of an exercise check: raise ``NotYet(hint)`` unless ``condition`` is true."""
    if not condition:
        raise NotYet(hint)


def passed(exercise, what):
    print(f"PASSED exercise {exercise}: {what}")


# A small shelf of real books (authors, titles, first-publication years; ISBNs of one edition each)
# for the notebooks from 05 on, where a migration must prove that it keeps data.
SEED = {
    "authors": [
        {"id": 1, "name": "Ursula K. Le Guin"},
        {"id": 2, "name": "Octavia E. Butler"},
        {"id": 3, "name": "Terry Pratchett"},
        {"id": 4, "name": "N. K. Jemisin"},
        {"id": 5, "name": "Ted Chiang"},
    ],
    "books": [
        {"id": 1, "title": "A Wizard of Earthsea", "isbn": "9780547773742", "author_id": 1, "published_year": 1968},
        {"id": 2, "title": "The Dispossessed", "isbn": "9780060512750", "author_id": 1, "published_year": 1974},
        {"id": 3, "title": "Kindred", "isbn": "9780807083697", "author_id": 2, "published_year": 1979},
        {"id": 4, "title": "Parable of the Sower", "isbn": "9781538732182", "author_id": 2, "published_year": 1993},
        {"id": 5, "title": "Guards! Guards!", "isbn": "9780062225757", "author_id": 3, "published_year": 1989},
        {"id": 6, "title": "Small Gods", "isbn": "9780062237378", "author_id": 3, "published_year": 1992},
        {"id": 7, "title": "The Fifth Season", "isbn": "9780316229296", "author_id": 4, "published_year": 2015},
        {"id": 8, "title": "Stories of Your Life and Others", "isbn": "9781101972120", "author_id": 5,
         "published_year": 2002},
    ],
    "reviews": [
        {"id": 1, "book_id": 1, "reviewer": "ada", "rating": 5, "body": "Names have power."},
        {"id": 2, "book_id": 1, "reviewer": "bo", "rating": 4, "body": ""},
        {"id": 3, "book_id": 2, "reviewer": "ada", "rating": 5, "body": "Still timely."},
        {"id": 4, "book_id": 3, "reviewer": "cy", "rating": 5, "body": "Hard to put down."},
        {"id": 5, "book_id": 4, "reviewer": "bo", "rating": 4, "body": "Bleak, then hopeful."},
        {"id": 6, "book_id": 5, "reviewer": "dee", "rating": 5, "body": "The footnotes alone."},
        {"id": 7, "book_id": 5, "reviewer": "ada", "rating": 3, "body": "Slow start."},
        {"id": 8, "book_id": 6, "reviewer": "cy", "rating": 4, "body": ""},
        {"id": 9, "book_id": 7, "reviewer": "dee", "rating": 5, "body": "The second person works."},
        {"id": 10, "book_id": 8, "reviewer": "bo", "rating": 5, "body": "Story of Your Life, twice."},
    ],
}


def seed(url="sqlite:///instance/sample_app.sqlite"):
    """Load ``SEED`` into the database at ``url`` (migrated to head, still empty) and print its row counts.

    Plain inserts through tables reflected from the database, not through the app's models:
    the notebooks change the models while the data stays.
    """
    from sqlalchemy import MetaData, create_engine

    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine, only=list(SEED))
    with engine.begin() as connection:
        for name, rows in SEED.items():
            connection.execute(metadata.tables[name].insert(), rows)
            if engine.dialect.name == "postgresql":
                # The ids above were given, so the sequence behind each id column never moved: move it past
                # them, or the app's first insert would be given id 1 again.
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
                )
    engine.dispose()
    print("Seeded:", ", ".join(f"{name} {n}" for name, n in row_counts(url).items()))


def row_counts(url):
    """``{table: number of rows}`` for every table at ``url`` but Alembic's own, in name order."""
    from sqlalchemy import create_engine, func, inspect, select, table

    engine = create_engine(url)
    with engine.connect() as connection:
        names = sorted(n for n in inspect(connection).get_table_names() if n != "alembic_version")
        counts = {n: connection.scalar(select(func.count()).select_from(table(n))) for n in names}
    engine.dispose()
    return counts


def rows(url, table_name, *columns):
    """The rows of ``table_name`` at ``url`` as sorted tuples: of ``columns``, or of every column.

    What a notebook compares before and after a migration, to prove that it kept the data.
    """
    from sqlalchemy import column, create_engine, inspect, select, table

    engine = create_engine(url)
    with engine.connect() as connection:
        columns = columns or [c["name"] for c in inspect(connection).get_columns(table_name)]
        target = table(table_name, *(column(c) for c in columns))
        result = [tuple(r) for r in connection.execute(select(*target.c).order_by(*target.c))]
    engine.dispose()
    return result


def show_schema(url):
    """Display the live schema at ``url`` as a Mermaid ER diagram (JupyterLab draws it).

    Reflects the database rather than reading the models, so the picture shows what the
    migrations really built. The plain-text form is the Mermaid source itself.
    """
    from IPython.display import display
    from sqlalchemy import MetaData, UniqueConstraint, create_engine

    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    engine.dispose()
    lines = ["erDiagram"]
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        if table.name == "alembic_version":
            continue
        unique = {c.name for con in table.constraints if isinstance(con, UniqueConstraint) for c in con.columns}
        lines.append(f"    {table.name} {{")
        for column in table.columns:
            keys = [k for k, on in (("PK", column.primary_key), ("FK", column.foreign_keys), ("UK", column.name in unique)) if on]
            parts = [column.type.compile(engine.dialect).replace(" ", "_"), column.name]
            parts += [",".join(keys)] if keys else []
            parts += [] if column.nullable or column.primary_key else ['"not null"']
            lines.append("        " + " ".join(parts))
        lines.append("    }")
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        for fk in sorted(table.foreign_key_constraints, key=lambda f: f.name or ""):
            optional = any(c.nullable for c in fk.columns)
            lines.append(
                f"    {fk.referred_table.name} {'|o' if optional else '||'}--o{{ {table.name} : "
                f"\"{', '.join(c.name for c in fk.columns)}\""
            )
    source = "\n".join(lines)
    display({"text/markdown": f"```mermaid\n{source}\n```", "text/plain": source}, raw=True)


def _history_source(config_path="alembic.ini"):
    """The Mermaid flowchart of the revision graph that Alembic reads from ``config_path``'s script directory.

    Oldest first; among revisions that could come next, the smaller id first, so the source is the
    same on every run. A solid arrow goes from a revision's ``down_revision`` to it; a dotted one
    from each revision named in its ``depends_on``.
    """
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import to_tuple

    script_dir = ScriptDirectory.from_config(Config(config_path))
    scripts = {s.revision: s for s in script_dir.walk_revisions()}
    parents = {rev: to_tuple(s.down_revision, default=()) for rev, s in scripts.items()}
    heads = set(script_dir.get_heads())
    ordered, placed = [], set()
    while len(ordered) < len(scripts):
        ready = sorted(r for r in scripts if r not in placed and set(parents[r]) <= placed)
        ordered.append(ready[0])
        placed.add(ready[0])
    lines = ["flowchart TD"]
    for rev in ordered:
        s = scripts[rev]
        notes = [", ".join(sorted(s.branch_labels))] if s.branch_labels else []
        notes += [name for name, on in (("branch point", s.is_branch_point), ("merge point", s.is_merge_point),
                                        ("head", rev in heads)) if on]
        label = f"{rev}: {s.doc}" + (f"<br/>({'; '.join(notes)})" if notes else "")
        lines.append(f'    {rev}["{label.replace(chr(34), "#quot;")}"]')
    for rev in ordered:
        lines += [f"    {parent} --> {rev}" for parent in parents[rev]]
        needs = to_tuple(scripts[rev].dependencies, default=())
        lines += [f"    {needed} -. depends on .-> {rev}" for needed in needs]
    return "\n".join(lines)


def show_history(config_path="alembic.ini"):
    """Display the revision graph of the migration environment at ``config_path`` as a Mermaid flowchart.

    Read with Alembic's own ``ScriptDirectory``, as ``alembic history`` reads it: branch points, merge
    points, heads, branch labels and ``depends_on`` are Alembic's answers, not guesses from file names.
    The plain-text form is the Mermaid source itself.
    """
    from IPython.display import display

    source = _history_source(config_path)
    display({"text/markdown": f"```mermaid\n{source}\n```", "text/plain": source}, raw=True)


def _local_postgres():
    """notebooks/local_postgres.py, imported once per kernel (the kernel's cwd is a workspace, not notebooks/)."""
    if "local_postgres" not in sys.modules:
        spec = importlib.util.spec_from_file_location("local_postgres", Path(__file__).with_name("local_postgres.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules["local_postgres"] = module
        spec.loader.exec_module(module)
    return sys.modules["local_postgres"]


def postgres_url(label="db"):
    """Make a fresh, empty PostgreSQL database for the current workspace and return its SQLAlchemy URL.

    The database is called ``workbook_<workspace>_<label>`` (an old one of that name is dropped first),
    on this kernel's own server, which starts on first use (about 2 s) and stops with the kernel; or on
    the learner's server named by ``WORKBOOK_POSTGRES_URL``. Learner copies run by the tests (their
    workspaces are elsewhere) get a name of their own, so they never share a database with the notebook.

    The URL holds a path of this machine (the server's socket folder): hand it to tools through
    ``DATABASE_URL`` rather than printing it; ``sh()`` shows that folder as ``<local-server>``.
    """
    if not re.fullmatch(r"[a-z0-9_]{1,10}", label):
        raise ValueError(f"label {label!r}: use up to 10 lowercase letters, digits or _")
    name = f"workbook_{Path.cwd().name.lower().replace('-', '_')}_{label}"
    if "WORKBOOK_WORKSPACES" in os.environ:
        import hashlib

        name += "_" + hashlib.sha256(str(WORKSPACES).encode()).hexdigest()[:6]
    return _local_postgres().database_url(name)


def _dies_with_kernel():
    """A ``preexec_fn`` after which the child gets SIGTERM when the kernel that started it dies, however it dies,
    as the PostgreSQL server of local_postgres.py does (on Linux). Looked up here, in the kernel: the child, between
    fork and exec, should only make the call."""
    import functools
    import signal

    return functools.partial(_local_postgres().die_with_parent, signal.SIGTERM)


# How sh_background() runs a command. The parent-death signal reaches only bash itself: a process that bash forks
# (for `a && b`, a pipe, a subshell) loses it. So the command runs as a job in a process group of its own (set -m),
# and bash, woken from `wait` by the signal, passes it on to that whole group. set +m again before waiting, or bash
# would report the job's end ("[1]+ Done ...") in the command's output.
_BACKGROUND = """set -m
trap '[ -n "$!" ] && kill -TERM -- "-$!" 2>/dev/null; exit 143' TERM
{ %s
} &
set +m
wait "$!"
"""


class Background:
    """A command started by ``sh_background()``; ``finish()`` waits for it and prints its output as ``sh()`` does."""

    def __init__(self, command):
        self.command = command
        self._started = time.perf_counter()
        self._process = subprocess.Popen(
            _BACKGROUND % command, shell=True, executable="/bin/bash", stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=_dies_with_kernel(),
        )
        self.pid = self._process.pid

    def running(self):
        return self._process.poll() is None

    def finish(self, expect=0, tail=None, timeout=60, show_all=False):
        """Wait for the command to end, then print it and its output; raise unless it exited with ``expect``."""
        try:
            output, _ = self._process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.terminate()  # bash passes it on to everything the command started
            output, _ = self._process.communicate()
        _count_cli_calls(self.command, time.perf_counter() - self._started)
        output = _tidy(output)
        if not show_all:
            output = _PLUGIN_NOISE.sub("", output)
        return _show(Result(self.command, self._process.returncode, output), expect, tail)


def sh_background(command):
    """Start ``command`` in bash beside the kernel, print it with a trailing ``&``, and return its ``Background``.

    For a command that is meant to wait (a migration queued behind a lock) while the notebook
    looks at the database. The command dies with the kernel.
    """
    print(f"$ {_tidy(command)} &")
    return Background(command)


# The app served by serve_app(): werkzeug's own server on a free port of 127.0.0.1, which it writes to a file.
_SERVE = """
import os, sys
from werkzeug.serving import make_server
from sample_app import create_app
server = make_server("127.0.0.1", 0, create_app(), threaded=True)
with open(sys.argv[1] + ".new", "w") as file:
    file.write(str(server.server_port))
os.replace(sys.argv[1] + ".new", sys.argv[1])
server.serve_forever()
"""


class AppServer:
    """One release of the sample app, served over HTTP from a folder by ``serve_app()``.

    ``get()`` and ``post()`` print only the request, the status code and the JSON body (never
    the port); ``log()`` is the server's log; ``stop()`` ends it.
    """

    def __init__(self, folder, database_url, name):
        import secrets

        self.name, self.folder = name, Path(folder).resolve()
        port_file = self.folder / "server.port"
        port_file.unlink(missing_ok=True)
        env = {**os.environ, "SAMPLE_APP_CONFIG": "production", "DATABASE_URL": database_url,
               "SECRET_KEY": secrets.token_hex(32)}
        env.pop("FLASK_DEBUG", None)
        with open(self.folder / "server.log", "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _SERVE, str(port_file)], cwd=self.folder, env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, preexec_fn=_dies_with_kernel(),
            )
        deadline = time.monotonic() + 30
        while not port_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop(quiet=True)
                raise RuntimeError(f"{name} did not start; its log ends with:\n{_tidy(self.log()[-2000:])}")
            time.sleep(0.05)
        self._base = f"http://127.0.0.1:{int(port_file.read_text())}"
        print(f"{name} is serving (production configuration)")

    def request(self, method, path, body=None):
        """Send one request; print and return ``(status, JSON body)``."""
        import json
        import urllib.error
        import urllib.request

        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self._base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"} if data else {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        answer = json.loads(text)
        sent = "" if body is None else " " + json.dumps(body, sort_keys=True)
        print(f"{self.name}: {method} {path}{sent} -> {status} {json.dumps(answer, sort_keys=True)}")
        return status, answer

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body):
        return self.request("POST", path, body)

    def log(self):
        return (self.folder / "server.log").read_text()

    def stop(self, quiet=False):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not quiet:
            print(f"{self.name} stopped")


def serve_app(folder, database_url, name):
    """Serve the app in ``folder`` (one release: its own ``sample_app``) on ``database_url``, as production would.

    Runs werkzeug's server in a process of its own with ``SAMPLE_APP_CONFIG=production``, the
    database URL in ``DATABASE_URL`` and a ``SECRET_KEY`` made afresh; the process dies with the
    kernel. Returns the ``AppServer``; call its ``stop()`` when done.
    """
    return AppServer(folder, database_url, name)
