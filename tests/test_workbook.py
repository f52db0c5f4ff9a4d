"""The notebooks' helpers (notebooks/workbook.py): what they promise about outputs and folders."""
import importlib.util
import sys

import pytest

from support import REPO

_spec = importlib.util.spec_from_file_location("workbook", REPO / "notebooks" / "workbook.py")
workbook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(workbook)


def test_sh_shows_paths_relative_to_the_workspace_and_no_memory_addresses(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    script = f"print('{tmp_path}/instance/app.sqlite'); print('<SQLiteImpl object at 0x7f3a12bc4d50> detected')"
    result = workbook.sh(f'{sys.executable} -c "{script}"')
    assert result.output == "./instance/app.sqlite\n<SQLiteImpl object> detected\n"
    printed = capsys.readouterr().out.splitlines()
    assert printed[1:] == ["./instance/app.sqlite", "<SQLiteImpl object> detected"]  # after the command line


def test_sh_fails_the_cell_on_an_unexpected_exit_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(workbook.CommandFailed, match="exited with 3, expected 0"):
        workbook.sh("exit 3")
    assert workbook.sh("exit 3", expect=3).returncode == 3


def test_fresh_copy_replaces_the_folder_with_the_finished_app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ex" / "alembic").mkdir(parents=True)
    (tmp_path / "ex" / "alembic" / "leftover.py").write_text("")
    workbook.fresh_copy("ex")
    assert sorted(p.name for p in (tmp_path / "ex").iterdir()) == ["alembic", "alembic.ini", "sample_app"]
    assert not (tmp_path / "ex" / "alembic" / "leftover.py").exists()
    assert (tmp_path / "ex" / "alembic" / "env.py").read_text() == (REPO / "alembic" / "env.py").read_text()
    assert not list((tmp_path / "ex").rglob("__pycache__"))


@pytest.mark.parametrize("folder", ["../outside", "/tmp/anywhere", "ex/../../outside"])
def test_fresh_copy_stays_inside_the_workspace(tmp_path, monkeypatch, folder):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="inside the workspace"):
        workbook.fresh_copy(folder)


def test_cli_calls_are_counted_where_a_command_starts(tmp_path, monkeypatch):
    """make test's floor counts the Python tools the notebooks start; a file or folder named alembic is no call."""
    log = tmp_path / "cli.log"
    monkeypatch.setenv("WORKBOOK_CLI_LOG", str(log))
    monkeypatch.chdir(tmp_path)
    for command in [
        "true alembic",                                        # an argument, not a call
        "ls alembic 2>/dev/null; cat alembic.ini 2>/dev/null",  # files
        "alembic --version > /dev/null",
        "cd . && DATABASE_URL='sqlite:///x.sqlite' alembic --version > /dev/null",
        "echo $(python -c 'print(1)') | python -c 'import sys'",
    ]:
        workbook.run(command)
    lines = [line.split() for line in log.read_text().splitlines()]
    assert [names for names, _ in lines] == ["alembic", "alembic", "python,python"]
    assert all(float(seconds) > 0 for _, seconds in lines)


def test_run_is_silent_and_returns_the_exit_code(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    result = workbook.run("echo out; echo err >&2; exit 3")
    assert (result.returncode, result.output) == (3, "out\nerr\n")
    assert capsys.readouterr().out == ""


def test_enter_moves_into_an_existing_workspace_without_resetting_it(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "WORKSPACES", tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "01-ex1").mkdir()
    (tmp_path / "01-ex1" / "work.txt").write_text("kept")
    workbook.enter("01-ex1")
    assert workbook.Path.cwd() == tmp_path / "01-ex1"
    assert (tmp_path / "01-ex1" / "work.txt").read_text() == "kept"
    with pytest.raises(workbook.NotYet, match="run this exercise's first cell"):
        workbook.enter("01-ex2")


def test_seed_fills_a_migrated_database_and_rows_reads_it_back(migrated_db, capsys):
    workbook.seed(migrated_db)
    counts = {name: len(seeded) for name, seeded in workbook.SEED.items()}
    assert workbook.row_counts(migrated_db) == counts
    assert capsys.readouterr().out == "Seeded: " + ", ".join(f"{n} {c}" for n, c in sorted(counts.items())) + "\n"
    assert workbook.rows(migrated_db, "authors", "id", "name") == [(a["id"], a["name"]) for a in workbook.SEED["authors"]]
    assert len(workbook.rows(migrated_db, "reviews")[0]) == 6  # every column when none are named


def test_seed_on_postgresql_moves_the_id_sequences_past_the_seeded_rows(pg_url, capsys):
    from alembic import command
    from sqlalchemy import create_engine, text

    from support import alembic_config

    command.upgrade(alembic_config(pg_url), "head")
    workbook.seed(pg_url)
    engine = create_engine(pg_url)
    with engine.begin() as connection:
        new_id = connection.scalar(text("INSERT INTO authors (name) VALUES ('Nnedi Okorafor') RETURNING id"))
    engine.dispose()
    assert new_id == len(workbook.SEED["authors"]) + 1


@pytest.mark.parametrize("printed, shown", [
    ("Using postgresql+psycopg://postgres@/workbook_09_db?host=%2Ftmp%2Fworkbook-postgres-28892-7h72emtn (from x)",
     "Using postgresql+psycopg://postgres@/workbook_09_db?host=<local-server> (from x)"),
    ('connection to server on socket "/tmp/workbook-postgres-28892-7h72emtn/.s.PGSQL.5432" failed',
     'connection to server on socket "<local-server>/.s.PGSQL.5432" failed'),
])
def test_sh_shows_the_local_server_s_folder_as_a_name(tmp_path, monkeypatch, printed, shown):
    monkeypatch.chdir(tmp_path)
    assert workbook.run(f"echo '{printed}'").output == shown + "\n"


def test_postgres_url_names_the_database_after_the_workspace_and_apart_for_learner_copies(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setitem(sys.modules, "local_postgres", type(sys)("local_postgres"))
    sys.modules["local_postgres"].database_url = lambda name: calls.append(name) or f"postgresql:///{name}"
    (tmp_path / "09-ex1").mkdir()
    monkeypatch.chdir(tmp_path / "09-ex1")
    monkeypatch.delenv("WORKBOOK_WORKSPACES", raising=False)
    assert workbook.postgres_url("old") == "postgresql:///workbook_09_ex1_old"
    monkeypatch.setenv("WORKBOOK_WORKSPACES", str(tmp_path))
    monkeypatch.setattr(workbook, "WORKSPACES", tmp_path)
    workbook.postgres_url("old")
    assert calls[1].startswith("workbook_09_ex1_old_") and calls[1] != calls[0]
    with pytest.raises(ValueError, match="label"):
        workbook.postgres_url("Old; DROP")


def _revision(versions, rev, down=None, labels=None, depends=None, doc=None):
    (versions / f"{rev}.py").write_text(
        f'"""{doc or "step " + rev}"""\n'
        f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = {labels!r}\ndepends_on = {depends!r}\n"
    )


def test_show_history_draws_alembic_s_own_graph_in_a_fixed_order(tmp_path, monkeypatch):
    """Branch and merge points, heads, labels and depends_on as Alembic reads them; ids as node names."""
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\npath_separator = os\n")
    versions = tmp_path / "migrations" / "versions"
    _revision(versions, "b1")
    _revision(versions, "c2", down="b1")
    _revision(versions, "a2", down="b1", doc='the "quoted" one')
    _revision(versions, "m3", down=("c2", "a2"))
    _revision(versions, "x1", labels="audit", depends="b1")
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw: shown.append((obj, raw)))
    monkeypatch.chdir(tmp_path)
    workbook.show_history()
    [(obj, raw)] = shown
    assert raw and obj["text/markdown"] == f"```mermaid\n{obj['text/plain']}\n```"
    assert obj["text/plain"].splitlines() == [
        "flowchart TD",
        '    b1["b1: step b1<br/>(branch point)"]',
        '    a2["a2: the #quot;quoted#quot; one"]',
        '    c2["c2: step c2"]',
        '    m3["m3: step m3<br/>(merge point; head)"]',
        '    x1["x1: step x1<br/>(audit; head)"]',
        "    b1 --> a2",
        "    b1 --> c2",
        "    c2 --> m3",
        "    a2 --> m3",
        "    b1 -. depends on .-> x1",
    ]


def test_sh_background_runs_beside_the_kernel_and_finish_shows_its_output(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    job = workbook.sh_background(f"sleep 0.3; echo '{tmp_path}/x'; exit 3")
    assert job.running()
    assert capsys.readouterr().out == f"$ sleep 0.3; echo '{tmp_path}/x'; exit 3 &\n".replace(str(tmp_path), ".")
    with pytest.raises(workbook.CommandFailed, match="exited with 3, expected 0"):
        workbook.sh_background("exit 3").finish()
    result = job.finish(expect=3)
    assert not job.running() and result.output == "./x\n"
    assert capsys.readouterr().out.splitlines()[-2:] == ["./x", "(exit code 3, as expected)"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
@pytest.mark.parametrize("command", ["sleep {n}", "sleep {n} && echo done", "sleep 0.01; sleep {n}"])
def test_background_commands_die_with_the_process_that_started_them(tmp_path, command):
    """A kernel killed with kill -9 leaves no command of a notebook running, nor any process the command forked
    (bash forks for `a && b`, and a forked child does not keep the parent-death signal)."""
    import os
    import subprocess
    import time

    seconds = f"60.{os.getpid()}{len(command)}"  # a sleep no other test starts, found by its command line
    command = command.format(n=seconds)
    script = (f"import sys, time; sys.path.insert(0, {str(REPO / 'notebooks')!r}); import workbook, os; "
              f"job = workbook.sh_background({command!r}); print(job.pid, flush=True); time.sleep(0.5); os._exit(0)")
    parent = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    pids = [int(parent.stdout.split()[-1])]

    def running():  # a zombie (dead, not yet collected by its new parent) counts as gone
        found = []
        for proc in workbook.Path("/proc").iterdir():
            try:
                alive = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
                is_ours = int(proc.name) in pids or (proc / "cmdline").read_bytes() == f"sleep\0{seconds}\0".encode()
            except (OSError, ValueError):
                continue
            if alive and is_ours:
                found.append(int(proc.name))
        return found

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if not running():
            break
        time.sleep(0.05)
    else:
        left = running()
        subprocess.run(["kill", "-9", *map(str, left)])
        pytest.fail(f"processes of `{command}` outlived the process that started it: {left}")


def test_serve_app_serves_one_release_and_prints_only_status_and_json(migrated_db, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    workbook.fresh_copy("release1")
    capsys.readouterr()
    server = workbook.serve_app("release1", migrated_db, "release 1")
    try:
        assert server.post("/api/authors", {"name": "Ann Leckie"}) == (201, {"id": 1, "name": "Ann Leckie"})
        assert server.get("/api/authors/2")[0] == 404
    finally:
        server.stop()
    assert capsys.readouterr().out.splitlines() == [
        "release 1 is serving (production configuration)",
        'release 1: POST /api/authors {"name": "Ann Leckie"} -> 201 {"id": 1, "name": "Ann Leckie"}',
        'release 1: GET /api/authors/2 -> 404 {"error": "author 2 does not exist"}',
        "release 1 stopped",
    ]
    assert server.process.poll() is not None
    assert "GET /api/authors/2" in server.log()
