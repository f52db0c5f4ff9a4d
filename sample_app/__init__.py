"""The bookshelf sample application that the workbook migrates.

Run it with ``flask --app sample_app run``. The database schema comes from the Alembic
migrations in ``alembic/`` (``alembic upgrade head``), never from ``create_all()``.
"""
import json

from flask import Flask, request
from flask.helpers import get_debug_flag
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from werkzeug.exceptions import HTTPException

from .config import ConfigError, config_object
from .db import db

__all__ = ["create_app", "db", "ConfigError"]


def create_app(config=None):
    """Build the application.

    ``config`` is a configuration name ("development", "testing", "production"), a
    configuration object, or a mapping of settings laid over the selected configuration
    (as the tests do). ``None`` selects by $SAMPLE_APP_CONFIG, defaulting to development.
    """
    app = Flask(__name__, instance_relative_config=True)
    overrides = {}
    if isinstance(config, dict):
        overrides, config = config, None
    if config is None or isinstance(config, str):
        config = config_object(config)
    app.config.from_object(config)
    app.config.from_mapping(overrides)

    # Checked before db.init_app(), so that a refused configuration builds no engine.
    if app.config.get("CONFIG_NAME") == "production" and (app.debug or get_debug_flag()):
        # The debugger runs code typed into a browser. `flask run` turns it on from
        # FLASK_DEBUG (which --debug sets) whatever app.debug says, so both are checked.
        raise ConfigError("production refuses debug mode: unset FLASK_DEBUG (and DEBUG), and do not pass --debug")
    url = database_url(app)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", sqlite_engine_options())

    # A relative SQLite path resolves into the instance folder, which Flask-SQLAlchemy
    # creates when it builds that engine.
    db.init_app(app)

    # Imported here, as in flaskr: the blueprint brings in the models, and importing the
    # package alone (as `from sample_app.db import db` does) stays light.
    from . import api

    app.register_blueprint(api.bp)

    @app.errorhandler(HTTPException)
    def http_error_as_json(error):
        """Under /api, HTTP errors (404, 405, ...) answer in JSON, keeping their headers (Allow)."""
        if request.path != "/api" and not request.path.startswith("/api/"):
            return error
        response = error.get_response()
        response.data = json.dumps({"error": error.description})
        response.content_type = "application/json"
        return response

    return app


def database_url(app):
    """The configured database URL, parsed; a malformed one is refused without repeating it."""
    name = "DATABASE_URL" if app.config.get("CONFIG_NAME") == "production" else "SQLALCHEMY_DATABASE_URI"
    try:
        return make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    except (ArgumentError, ValueError):
        # ArgumentError: not a URL at all. ValueError: a "port" that is not a number, most
        # often from an unencoded "@" or ":" in the password, which the message would quote.
        # `from None` keeps that message out of the traceback too.
        raise ConfigError(
            f"{name} is not a valid database URL (not shown, as it may hold a password);"
            " characters such as @ : / in the password must be percent-encoded"
        ) from None


def sqlite_engine_options():
    """Engine settings for a SQLite file, used unless SQLALCHEMY_ENGINE_OPTIONS is configured.

    SQLite lets one connection write at a time; the others must wait for its lock. Other
    databases keep SQLAlchemy's defaults.
    """
    return {
        # Wait up to 10 s for another connection's lock before "database is locked"
        # (sqlite3 waits 5 s by default). The API answers that error with a 503 to retry.
        "connect_args": {"timeout": 10},
        # A burst of up to 20 requests gets a connection at once (SQLAlchemy's default is
        # 5 + 10 overflow). A request that finds none free waits up to 10 s, not the default
        # 30 s, and then gets a 503 to retry.
        "pool_size": 10,
        "max_overflow": 10,
        "pool_timeout": 10,
    }
