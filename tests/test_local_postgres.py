"""notebooks/local_postgres.py: fresh databases on a private server, and no server left behind."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import local_postgres
from support import REPO


@pytest.fixture(autouse=True)
def local_server_only(monkeypatch):
    """These tests are about this module's own server, even for a learner who set WORKBOOK_POSTGRES_URL."""
    monkeypatch.delenv("WORKBOOK_POSTGRES_URL", raising=False)


def scalar(url, sql):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(text(sql))
    finally:
        engine.dispose()


def test_each_name_is_a_fresh_empty_database_of_its_own(pg_url):
    engine = create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE leftover (id integer)"))
    engine.dispose()
    other = local_postgres.database_url("workbook_other")
    assert scalar(other, "SELECT count(*) FROM pg_tables WHERE tablename = 'leftover'") == 0
    name = scalar(pg_url, "SELECT current_database()")
    again = local_postgres.database_url(name)  # the same name again: dropped and made afresh
    assert scalar(again, "SELECT count(*) FROM pg_tables WHERE tablename = 'leftover'") == 0
    assert scalar(again, "SHOW server_version").startswith("18.")


def test_a_database_can_start_as_a_copy_of_another(pg_url):
    engine = create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE kept (id integer); INSERT INTO kept VALUES (7)"))
    engine.dispose()
    template = scalar(pg_url, "SELECT current_database()")
    copy = local_postgres.database_url("workbook_copy", template=template)
    assert scalar(copy, "SELECT id FROM kept") == 7
    assert scalar(copy, "SELECT current_database()") == "workbook_copy"


@pytest.mark.parametrize("name", ["postgres", "workbook_", "workbook_Upper", 'workbook_x"; DROP', "x" * 10])
def test_only_workbook_databases_are_made_or_dropped(name):
    with pytest.raises(ValueError, match="use workbook_ followed by"):
        local_postgres.database_url(name)
    with pytest.raises(ValueError, match="use workbook_ followed by"):
        local_postgres.database_url("workbook_copy", template=name)


START_AND_WAIT = (
    "import sys, time, local_postgres\n"
    "local_postgres.database_url('workbook_child')\n"
    "print(local_postgres.server().folder, flush=True)\n"
    "time.sleep(60)\n"
)


@pytest.fixture
def own_tmpdir(monkeypatch):
    """A temporary folder of the test's own, so that stopping "every server" there spares the other workers'.

    Short (a Unix socket path has a length limit), and enterable by 'nobody', as /tmp is.
    """
    folder = tempfile.mkdtemp(prefix="wbt-", dir="/tmp")
    os.chmod(folder, 0o755)
    monkeypatch.setattr(tempfile, "tempdir", folder)
    yield folder
    local_postgres.stop_all()  # whatever a failed test left running there
    shutil.rmtree(folder, ignore_errors=True)


def start_in_a_child(tmpdir):
    """A Python process that starts a server and waits; returns (process, server folder, postmaster pid)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "notebooks"), "TMPDIR": tmpdir}
    child = subprocess.Popen([sys.executable, "-c", START_AND_WAIT], stdout=subprocess.PIPE, text=True, env=env)
    folder = Path(child.stdout.readline().strip())
    pid = int((folder / "data" / "postmaster.pid").read_text().split("\n", 1)[0])
    return child, folder, pid


def gone_within(pid, seconds):
    deadline = time.monotonic() + seconds
    while local_postgres._alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_killed_owner_takes_its_server_down_and_the_next_start_removes_its_data(own_tmpdir):
    child, folder, pid = start_in_a_child(own_tmpdir)
    child.kill()  # SIGKILL: no atexit, no cleanup of any kind
    child.wait()
    child.stdout.close()
    assert gone_within(pid, 10), "the server outlived its killed parent"
    assert folder.exists()  # nobody was left to remove it ...
    local_postgres.reap()
    assert not folder.exists()  # ... until the next start


def test_a_notebook_run_under_nbval_leaves_no_server_folder(own_tmpdir, tmp_path):
    """nbval kills each kernel when its notebook ends (shutdown_kernel(now=True)), so the kernel cannot remove its
    server's folder; notebooks/conftest.py reaps such folders when the run ends."""
    import nbformat

    folder = REPO / "notebooks" / "workspace" / f"reap-check-{os.getpid()}"  # under notebooks/: its conftest applies
    folder.mkdir(parents=True)
    try:
        cell = nbformat.v4.new_code_cell("import workbook\nworkbook.start('zz')\n_ = workbook.postgres_url()")
        nbformat.write(nbformat.v4.new_notebook(cells=[cell]), folder / "uses_postgres.ipynb")
        env = {**os.environ, "TMPDIR": own_tmpdir, "WORKBOOK_WORKSPACES": str(tmp_path),
               "PYTHONPATH": str(REPO / "notebooks")}
        env.pop("PYTEST_XDIST_WORKER", None)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--nbval-lax",
             str(folder / "uses_postgres.ipynb")],
            cwd=REPO, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "1 passed" in result.stdout
        assert sorted(p.name for p in Path(own_tmpdir).iterdir()) == []
    finally:
        shutil.rmtree(folder)


def test_stop_command_stops_servers_of_other_processes(own_tmpdir):
    child, folder, pid = start_in_a_child(own_tmpdir)
    try:
        result = subprocess.run([sys.executable, str(REPO / "notebooks" / "local_postgres.py"), "stop"],
                                capture_output=True, text=True, env={**os.environ, "TMPDIR": own_tmpdir})
        assert result.returncode == 0 and "stopped and removed" in result.stdout
        assert gone_within(pid, 10) and not folder.exists()
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait()
        child.stdout.close()


def test_a_server_of_your_own_is_used_instead_when_named(pg_url, monkeypatch):
    """WORKBOOK_POSTGRES_URL: databases are made on that server (here, this process's own, reached by URL)."""
    folder = local_postgres.server().folder
    monkeypatch.setenv("WORKBOOK_POSTGRES_URL", f"postgresql://postgres@/postgres?host={folder}")
    url = make_url(local_postgres.database_url("workbook_mine"))
    assert (url.drivername, url.database, url.query["host"]) == ("postgresql+psycopg", "workbook_mine", str(folder))
    assert scalar(url, "SELECT current_database()") == "workbook_mine"


def test_on_a_server_of_your_own_the_stop_command_drops_the_workbook_databases_only(own_tmpdir, monkeypatch):
    learners = local_postgres._Server()  # a second server, in own_tmpdir, standing for the learner's own
    own = f"postgresql://postgres@/postgres?host={learners.folder}"
    monkeypatch.setenv("WORKBOOK_POSTGRES_URL", own)
    local_postgres.database_url("workbook_left_behind")
    local_postgres.database_url("workbook_dropped_by_name")
    local_postgres.drop_database("workbook_dropped_by_name")
    with psycopg.connect(**learners.connect_args("postgres"), autocommit=True) as connection:
        connection.execute("CREATE DATABASE not_the_workbooks")
    elsewhere = tempfile.mkdtemp(dir=own_tmpdir)  # no local servers there: only the databases are the point
    result = subprocess.run([sys.executable, str(REPO / "notebooks" / "local_postgres.py"), "stop"],
                            capture_output=True, text=True, env={**os.environ, "TMPDIR": elsewhere})
    assert result.returncode == 0, result.stderr
    assert "dropped 1 workbook_ database(s)" in result.stdout
    left = scalar(own, "SELECT string_agg(datname, ' ' ORDER BY datname) FROM pg_database "
                       "WHERE datname LIKE 'workbook%' OR datname = 'not_the_workbooks'")
    assert left == "not_the_workbooks"


@pytest.mark.parametrize(
    "value, message",
    [
        ("not a url", "WORKBOOK_POSTGRES_URL is not a valid database URL"),
        ("sqlite:///x.sqlite", "WORKBOOK_POSTGRES_URL must be a postgresql:// URL"),
        ("postgresql://me:s3cret@/postgres?host=/nonexistent", "cannot connect to the server named by"),
    ],
    ids=["not-a-url", "not-postgresql", "unreachable"],
)
def test_a_bad_own_server_url_is_a_clear_failure_without_the_password(monkeypatch, value, message):
    monkeypatch.setenv("WORKBOOK_POSTGRES_URL", value)
    with pytest.raises(local_postgres.PostgresUnavailable, match=message) as failure:
        local_postgres.database_url("workbook_mine")
    assert "s3cret" not in str(failure.value)


def test_a_missing_driver_is_a_clear_failure(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    with pytest.raises(local_postgres.PostgresUnavailable, match="psycopg driver is not installed: run `make setup`"):
        local_postgres.database_url("workbook_nodriver")


def test_connections_reach_the_server_only_through_its_socket():
    folder = local_postgres.server().folder
    assert scalar(local_postgres.database_url("workbook_socket"), "SHOW listen_addresses") == ""
    assert any(p.name.startswith(".s.PGSQL.") for p in folder.iterdir())
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=2)
