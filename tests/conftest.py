"""Shared fixtures, in the shape of the Flask tutorial's (flaskr) conftest.

Every app under test gets a fresh SQLite file in pytest's tmp_path, and its schema is
built by running the project's own migrations, exactly as a real deployment would (once
per test process; each test gets a copy of that file).
"""
import itertools
import os
import shutil

import flask
import pytest
from alembic import command
from sqlalchemy.engine import make_url

import sample_app
from sample_app import create_app, db
from support import alembic_config


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """The developer's shell must not choose the configuration or database under test."""
    for name in ("SAMPLE_APP_CONFIG", "DATABASE_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def instance_path(tmp_path, monkeypatch):
    """Give every app that create_app() builds an instance folder in tmp_path, and close its
    database connections when the test ends.

    Flask-SQLAlchemy creates the instance folder for a relative SQLite URL, and it
    defaults to <repo>/instance; tests must leave the tree alone. create_app() looks up
    the name ``Flask`` in its module when called, so replacing ``sample_app.Flask``
    redirects exactly the apps create_app() builds, and lets this fixture keep a list of them.

    An engine's pool keeps connections open after a request. Left to the garbage collector,
    each one raises "ResourceWarning: unclosed database" on Python 3.13 (an error here, in
    whichever later test the collection happens), so every engine is disposed at teardown.
    """
    path = tmp_path / "instance"
    apps = []

    def make_flask(*args, **kwargs):
        app = flask.Flask(*args, instance_path=str(path), **kwargs)
        apps.append(app)
        return app

    monkeypatch.setattr(sample_app, "Flask", make_flask)
    yield path
    for app in apps:
        dispose_engines(app)


def dispose_engines(app):
    """Close the pooled connections of every engine Flask-SQLAlchemy made for ``app``."""
    if "sqlalchemy" not in app.extensions:  # create_app() failed before db.init_app()
        return
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture(scope="session")
def database_at_head(tmp_path_factory):
    """A SQLite file that the project's migrations built, once per test process."""
    path = tmp_path_factory.mktemp("head") / "head.sqlite"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "head")
    return path


@pytest.fixture
def migrated_db(db_url, database_at_head, tmp_path):
    """A database at head, built by the migrations: a copy of the one built for the session.

    Running every migration again for each of a few hundred API tests took most of their
    time; a copy of the file is the same database. tests/test_migrations.py and
    tests/test_harness.py run the migrations themselves.
    """
    shutil.copyfile(database_at_head, tmp_path / "test.sqlite")
    return db_url


@pytest.fixture
def app(migrated_db):
    return create_app({"SQLALCHEMY_DATABASE_URI": migrated_db, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_pg_databases = itertools.count()


def _pg_database(template=None):
    """Yield the URL of a fresh database named for this worker; on a learner's own server, drop it afterwards."""
    import local_postgres

    # The worker's name too: with WORKBOOK_POSTGRES_URL set, every worker makes its databases on one server.
    name = f"workbook_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{next(_pg_databases)}"
    yield local_postgres.database_url(name, template=template)
    if os.environ.get(local_postgres.OWN_SERVER_VARIABLE):
        local_postgres.drop_database(name)


@pytest.fixture
def pg_url():
    """A fresh, empty database on this test process's own PostgreSQL server.

    notebooks/local_postgres.py starts the server on first use (about 2 s) and stops it when the
    process ends; each pytest-xdist worker has its own, so tests never share a database.
    """
    yield from _pg_database()


@pytest.fixture(scope="session")
def pg_database_at_head():
    """The name of a PostgreSQL database that the project's migrations built, once per test process."""
    database = _pg_database()
    url = next(database)
    command.upgrade(alembic_config(url), "head")  # env.py's NullPool: nobody stays connected afterwards
    yield make_url(url).database
    next(database, None)  # the end of _pg_database(): drops it on a learner's own server


@pytest.fixture
def pg_migrated_url(pg_database_at_head):
    """A fresh PostgreSQL database at head: a copy of the one built for the session (as migrated_db is for SQLite)."""
    yield from _pg_database(template=pg_database_at_head)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request, db_url):
    """The migration tests' database: a SQLite file, then a PostgreSQL database."""
    return db_url if request.param == "sqlite" else request.getfixturevalue("pg_url")
