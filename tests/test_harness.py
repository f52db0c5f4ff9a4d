"""The reference env.py driven the way migration-testing tools drive it.

pytest-alembic, and any test written after Alembic's cookbook recipe "Sharing a Connection
across one or more programmatic migration commands", open a connection themselves and hand
it over in ``config.attributes["connection"]``. env.py must migrate exactly that database:
an env.py that resolves a URL of its own instead migrates the developer's database, and
the tests pass while checking an empty scratch file against itself.
"""
import shutil
import sys

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import OperationalError

import sample_app
from support import REPO, alembic_config

# Every SQLite file opened in this process, by anyone: sqlite3.connect raises an audit event
# with the database's name (Python 3.10+). Audit hooks cannot be removed, so this one only
# records while a test has switched it on.
_opened = []
_recording = []


def _audit(event, args):
    if _recording and event == "sqlite3.connect":
        _opened.append(str(args[0]))


sys.addaudithook(_audit)


@pytest.fixture
def sqlite_files_opened():
    _opened.clear()
    _recording.append(True)
    yield _opened
    _recording.clear()


@pytest.fixture
def traps(tmp_path, monkeypatch):
    """Every other way env.py could find a database points at a file that must never be opened."""
    trap = tmp_path / "trap"
    trap.mkdir()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{trap / 'from-env.sqlite'}")

    def no_app(*args, **kwargs):
        raise AssertionError("env.py built the app although it was handed a connection")

    monkeypatch.setattr(sample_app, "create_app", no_app)
    return trap


@pytest.fixture
def scratch(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'scratch.sqlite'}")
    yield engine
    engine.dispose()


def harness_config(connection, trap, script_location=None):
    """A Config as a harness builds it; its -x db_url points at a trap as well.

    ``connection`` may be a Connection (the cookbook recipe) or an Engine (pytest-alembic).
    """
    config = alembic_config(f"sqlite:///{trap / 'from-x.sqlite'}")
    if script_location:
        config.set_main_option("script_location", str(script_location))
    config.attributes["connection"] = connection
    return config


def test_a_passed_connection_is_the_only_database_migrated(scratch, traps, tmp_path, sqlite_files_opened, capsys):
    with scratch.begin() as connection:
        command.upgrade(harness_config(connection, traps), "head")
        # The connection stays the caller's: still open, still usable.
        assert connection.execute(text("SELECT count(*) FROM authors")).scalar() == 0

    assert {"authors", "books", "reviews", "alembic_version"} <= set(inspect(scratch).get_table_names())
    assert sqlite_files_opened == [str(tmp_path / "scratch.sqlite")]
    assert list(traps.iterdir()) == []
    assert not (tmp_path / "instance").exists(), "the app was built: its instance folder was made"
    assert "(from the connection passed in config.attributes)" in capsys.readouterr().err


def test_a_passed_engine_is_migrated_as_pytest_alembic_passes_one(scratch, traps, sqlite_files_opened):
    command.upgrade(harness_config(scratch, traps), "head")
    assert {"authors", "books", "reviews", "alembic_version"} <= set(inspect(scratch).get_table_names())
    assert set(sqlite_files_opened) == {str(scratch.url.database)}
    assert list(traps.iterdir()) == []


def test_offline_mode_renders_sql_for_the_passed_connection(scratch, traps, capsys):
    with scratch.connect() as connection:
        command.upgrade(harness_config(connection, traps), "head", sql=True)
    captured = capsys.readouterr()
    assert "CREATE TABLE authors" in captured.out
    assert "(from the connection passed in config.attributes)" in captured.err
    assert list(traps.iterdir()) == []


def up_and_down_step_by_step(config):
    """What pytest-alembic's test_up_down_consistency does: every revision up, then every one down."""
    revisions = list(ScriptDirectory.from_config(config).walk_revisions())
    for revision in reversed(revisions):
        command.upgrade(config, revision.revision)
    for revision in revisions:
        command.downgrade(config, revision.down_revision or "base")


def test_every_revision_goes_up_and_down_on_the_passed_connection(scratch, traps):
    with scratch.begin() as connection:
        up_and_down_step_by_step(harness_config(connection, traps))
        assert inspect(connection).get_table_names() == ["alembic_version"]
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0
    assert list(traps.iterdir()) == []


def test_a_broken_downgrade_is_caught_on_the_passed_connection(scratch, traps, tmp_path):
    """Plant a typo in a downgrade: stepping down through it must fail."""
    copy = tmp_path / "alembic"
    shutil.copytree(REPO / "alembic", copy, ignore=shutil.ignore_patterns("__pycache__"))
    first = next(copy.glob("versions/0002_*.py"))
    source = first.read_text()
    assert source.count("op.drop_table('reviews')") == 1
    first.write_text(source.replace("op.drop_table('reviews')", "op.drop_table('review')"))

    with pytest.raises(OperationalError, match="no such table: review"), scratch.begin() as connection:
        up_and_down_step_by_step(harness_config(connection, traps, script_location=copy))
    assert list(traps.iterdir()) == []
