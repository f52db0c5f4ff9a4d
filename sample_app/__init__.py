"""The bookshelf sample application that the workbook migrates.

Run it with ``flask --app sample_app run``. The database schema comes from the Alembic
migrations in ``alembic/`` (``alembic upgrade head``), never from ``create_all()``.
"""
import json

from flask import Flask, request
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
