"""The application factory: configuration selection, each configuration, and what it must not do."""
import os
import subprocess
import sys
import traceback
from pathlib import Path

import flask
import pytest
from flask.cli import cli as flask_cli
from sqlalchemy import create_engine, inspect

import sample_app
import sample_app.api
from sample_app import ConfigError, create_app, db
from sample_app.config import ProductionConfig, TestingConfig
from support import REPO

# A SECRET_KEY production accepts (32 characters); the tests never need a real secret.
GOOD_KEY = "k" * 32


def table_names(url):
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


# --- choosing a configuration -------------------------------------------------------------


def test_no_argument_selects_development():
    app = create_app()
    assert app.config["CONFIG_NAME"] == "development"
    assert app.debug
    assert not app.testing


def test_testing_configuration_sets_testing():
    app = create_app("testing")
    assert app.config["CONFIG_NAME"] == "testing"
    assert app.testing
    assert not app.debug


def test_environment_variable_selects_the_configuration(monkeypatch):
    monkeypatch.setenv("SAMPLE_APP_CONFIG", "testing")
    assert create_app().config["CONFIG_NAME"] == "testing"


def test_an_explicit_name_wins_over_the_environment_variable(monkeypatch):
    # Production would refuse to start here (no DATABASE_URL, no SECRET_KEY).
    monkeypatch.setenv("SAMPLE_APP_CONFIG", "production")
    assert create_app("testing").config["CONFIG_NAME"] == "testing"


def test_a_mapping_overrides_settings_of_the_selected_configuration(db_url):
    app = create_app({"SECRET_KEY": "from-the-test", "SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True})
    assert app.config["SECRET_KEY"] == "from-the-test"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == db_url
    assert app.testing
    # Everything not overridden still comes from the default (development) configuration.
    assert app.config["CONFIG_NAME"] == "development"
    assert app.debug


def test_a_configuration_object_is_used_as_given(db_url):
    app = create_app(ProductionConfig(environ={"DATABASE_URL": db_url, "SECRET_KEY": GOOD_KEY}))
    assert app.config["CONFIG_NAME"] == "production"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == db_url
    assert create_app(TestingConfig).testing


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_unknown_configuration_name_is_refused_naming_the_choices(how, monkeypatch):
    if how == "environment":
        monkeypatch.setenv("SAMPLE_APP_CONFIG", "staging")
        args = ()
    else:
        args = ("staging",)
    with pytest.raises(ConfigError) as excinfo:
        create_app(*args)
    message = str(excinfo.value)
    assert "'staging'" in message
    assert "development, testing, production" in message


def test_every_call_builds_a_new_independent_app():
    first, second = create_app("testing"), create_app("testing")
    assert first is not second
    first.config["SECRET_KEY"] = "changed"
    assert second.config["SECRET_KEY"] != "changed"


def test_there_is_no_module_level_app():
    """An import must not build an app: the factory is the only way to get one."""
    assert not hasattr(sample_app, "app")
    for module in (sample_app, sample_app.api, sample_app.config, sample_app.models):
        assert not [name for name, value in vars(module).items() if isinstance(value, flask.Flask)]


# --- where the database lives -------------------------------------------------------------


@pytest.mark.parametrize(
    "name, filename",
    [("development", "sample_app.sqlite"), ("testing", "sample_app-test.sqlite")],
)
def test_relative_sqlite_url_resolves_into_the_instance_folder(name, filename, instance_path):
    app = create_app(name)
    assert app.instance_path == str(instance_path)
    with app.app_context():
        database = Path(db.engine.url.database)
    assert database == instance_path / filename
    # Building the engine does not connect, so no database file appears.
    assert not database.exists()


def test_a_sqlite_file_gets_a_busy_timeout_and_a_larger_pool(db_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url})
    with app.app_context():
        assert db.engine.pool.size() == 10
        assert db.engine.pool.timeout() == 10
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000


def test_engine_options_that_are_configured_win(db_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 3}})
    with app.app_context():
        assert db.engine.pool.size() == 3


def test_an_in_memory_sqlite_database_keeps_flask_sqlalchemys_single_connection():
    # A pool size would be refused by the StaticPool Flask-SQLAlchemy picks for sqlite://.
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        assert type(db.engine.pool).__name__ == "StaticPool"


# --- production ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environ, missing",
    [
        ({}, ["DATABASE_URL", "SECRET_KEY"]),
        ({"SECRET_KEY": GOOD_KEY}, ["DATABASE_URL"]),
        ({"DATABASE_URL": "sqlite:///x.sqlite"}, ["SECRET_KEY"]),
        # Set but empty is as good as missing.
        ({"DATABASE_URL": "", "SECRET_KEY": GOOD_KEY}, ["DATABASE_URL"]),
    ],
    ids=["neither", "no-DATABASE_URL", "no-SECRET_KEY", "empty-DATABASE_URL"],
)
def test_production_refuses_to_start_without_its_variables(environ, missing, monkeypatch):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as excinfo:
        create_app("production")
    message = str(excinfo.value)
    for name in ("DATABASE_URL", "SECRET_KEY"):
        assert (name in message) == (name in missing), message


def test_production_takes_database_and_secret_from_the_environment(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'production.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", "s3cret-from-env-" + GOOD_KEY)
    app = create_app("production")
    assert app.config["CONFIG_NAME"] == "production"
    assert app.config["SECRET_KEY"] == "s3cret-from-env-" + GOOD_KEY
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url
    assert not app.debug
    assert not app.testing
    with app.app_context():
        assert db.engine.url.database == str(tmp_path / "production.sqlite")


@pytest.mark.parametrize(
    "key, words",
    [
        ("dev-only-not-secret", ["SECRET_KEY", "development default"]),
        ("k" * 31, ["SECRET_KEY", "shorter than 32 characters"]),
        (" " * 40, ["SECRET_KEY", "only whitespace"]),
        ("\t\n ", ["SECRET_KEY", "only whitespace"]),
    ],
    ids=["development-key", "31-characters", "40-spaces", "tab-newline"],
)
def test_production_refuses_a_weak_secret_key(tmp_path, monkeypatch, key, words):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'production.sqlite'}")
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError) as excinfo:
        create_app("production")
    message = str(excinfo.value)
    assert "\n" not in message
    for word in words:
        assert word in message
    if key.strip():
        assert key not in message


@pytest.mark.parametrize("how", ["FLASK_DEBUG", "DEBUG-setting"])
def test_production_refuses_debug_mode(tmp_path, monkeypatch, how):
    environ = {"DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite'}", "SECRET_KEY": GOOD_KEY}
    if how == "FLASK_DEBUG":
        # What `flask run --debug` sets too, before it loads the app.
        monkeypatch.setenv("FLASK_DEBUG", "1")
        config = ProductionConfig(environ=environ)
    else:
        config = type("DebugProduction", (ProductionConfig,), {"DEBUG": True})(environ=environ)
    with pytest.raises(ConfigError, match="production refuses debug mode: unset FLASK_DEBUG"):
        create_app(config)


def test_debug_mode_is_still_fine_outside_production(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert create_app("testing").debug


# Unencoded "@" and ":" in the password: SQLAlchemy then reads "TOPSECRET@db.example" as a
# port and its ValueError quotes it.
LEAKY_URL = "postgresql://bob:p@ss:TOPSECRET@db.example/shelf"
BAD_URLS = [LEAKY_URL, "not a url p@ss:TOPSECRET", "postgresql://bob:p@ss:TOPSECRET@db.example:notaport/shelf"]
SECRET_PARTS = ("TOPSECRET", "p@ss")


def assert_no_secret(text):
    for part in SECRET_PARTS:
        assert part not in text, text


@pytest.mark.parametrize("url", BAD_URLS, ids=["unencoded-password", "not-a-url", "bad-port"])
@pytest.mark.parametrize("how", ["production", "mapping"])
def test_a_malformed_database_url_is_refused_without_showing_it(monkeypatch, how, url):
    if how == "production":
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
        args, name = ("production",), "DATABASE_URL"
    else:
        args, name = ({"SQLALCHEMY_DATABASE_URI": url},), "SQLALCHEMY_DATABASE_URI"
    with pytest.raises(ConfigError) as excinfo:
        create_app(*args)
    assert str(excinfo.value).startswith(f"{name} is not a valid database URL")
    # Nor anywhere in the traceback: the ValueError it replaces must not be chained.
    assert_no_secret("".join(traceback.format_exception(excinfo.value)))


def run_flask(tmp_path, *args, **environ):
    """Run the real `flask` command against the app, in a clean environment; return its output."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "FLASK_DEBUG")}
    env.update(PYTHONPATH=str(REPO), SAMPLE_APP_CONFIG="production", **environ)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "sample_app", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("command", [["routes"], ["run", "--port", "0"]], ids=["routes", "run"])
def test_the_flask_cli_reports_a_malformed_url_without_showing_it(tmp_path, command):
    code, output = run_flask(tmp_path, *command, DATABASE_URL=LEAKY_URL, SECRET_KEY=GOOD_KEY)
    assert code != 0
    assert "Error: DATABASE_URL is not a valid database URL" in output
    assert "Traceback" not in output
    assert_no_secret(output)


@pytest.mark.parametrize("command", [["--debug", "run", "--port", "0"], ["run", "--port", "0"]],
                         ids=["--debug", "FLASK_DEBUG=1"])
def test_flask_run_refuses_debug_mode_in_production(tmp_path, command):
    environ = {"DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite'}", "SECRET_KEY": GOOD_KEY}
    if "--debug" not in command:
        environ["FLASK_DEBUG"] = "1"
    code, output = run_flask(tmp_path, *command, **environ)
    assert code != 0
    assert "Error: production refuses debug mode" in output, output


# --- the schema belongs to the migrations -------------------------------------------------


def test_app_code_never_creates_the_schema(db_url):
    """On an empty database the app must not quietly create its tables (no create_all()).

    The request cannot succeed, since there is no authors table. It must fail cleanly:
    a JSON 503 that tells the operator to run the migrations, not a 500, and no tables.
    """
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True})
    assert table_names(db_url) == []
    response = app.test_client().get("/api/authors")
    assert response.status_code == 503
    assert "alembic upgrade head" in response.get_json()["error"]
    assert table_names(db_url) == []


# --- the command line ---------------------------------------------------------------------


def test_flask_routes_lists_the_api(runner):
    # runner.invoke() defaults to app.cli, which holds only the app's own commands;
    # `routes` belongs to the `flask` command group itself.
    result = runner.invoke(flask_cli, ["routes"])
    assert result.exit_code == 0, result.output
    for rule in (
        "/api/authors",
        "/api/authors/<int:author_id>",
        "/api/books",
        "/api/books/<int:book_id>",
        "/api/books/<int:book_id>/reviews",
        "/api/reviews/<int:review_id>",
    ):
        assert rule in result.output
    assert "api.create_review" in result.output
