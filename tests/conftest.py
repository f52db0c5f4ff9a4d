"""Shared fixtures, in the shape of the Flask tutorial's (flaskr) conftest.

Every app under test gets a fresh SQLite file in pytest's tmp_path, and its schema is
built by running the project's own migrations, exactly as a real deployment would.
"""
import functools

import flask
import pytest
from alembic import command

import sample_app
from sample_app import create_app
from support import alembic_config


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """The developer's shell must not choose the configuration or database under test."""
    for name in ("SAMPLE_APP_CONFIG", "DATABASE_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def instance_path(tmp_path, monkeypatch):
    """Give every app that create_app() builds an instance folder in tmp_path.

    Flask-SQLAlchemy creates the instance folder for a relative SQLite URL, and it
    defaults to <repo>/instance; tests must leave the tree alone. create_app() looks up
    the name ``Flask`` in its module when called, so replacing ``sample_app.Flask`` with
    Flask plus an instance_path redirects exactly the apps create_app() builds.
    """
    path = tmp_path / "instance"
    monkeypatch.setattr(sample_app, "Flask", functools.partial(flask.Flask, instance_path=str(path)))
    return path


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture
def migrated_db(db_url):
    """A database at head, built by the migrations."""
    command.upgrade(alembic_config(db_url), "head")
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
