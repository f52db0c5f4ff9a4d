"""Configuration classes, one per environment.

Development and testing work out of the box with throwaway defaults. Production reads
its secrets and database URL from the environment and refuses to start without them,
so a missing variable is caught at start-up instead of by the first request.
"""
import os

import click


class ConfigError(click.ClickException):
    """The selected configuration cannot be used as the environment stands.

    A ClickException, so that `flask --app sample_app run` reports it as a one-line
    "Error: ..." instead of a traceback; outside the CLI it is an ordinary exception.
    """


class Config:
    SECRET_KEY = "dev-only-not-secret"
    # A relative SQLite path: Flask-SQLAlchemy resolves it against the app's instance folder.
    SQLALCHEMY_DATABASE_URI = "sqlite:///sample_app.sqlite"


class DevelopmentConfig(Config):
    CONFIG_NAME = "development"
    DEBUG = True


class TestingConfig(Config):
    CONFIG_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite:///sample_app-test.sqlite"


class ProductionConfig(Config):
    """Everything secret or site-specific comes from the environment."""

    CONFIG_NAME = "production"
    REQUIRED = ("DATABASE_URL", "SECRET_KEY")

    def __init__(self, environ=os.environ):
        missing = [name for name in self.REQUIRED if not environ.get(name)]
        if missing:
            raise ConfigError(
                "production configuration needs "
                + " and ".join(missing)
                + " set in the environment"
            )
        self.SQLALCHEMY_DATABASE_URI = environ["DATABASE_URL"]
        self.SECRET_KEY = environ["SECRET_KEY"]


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

#: Environment variable that selects a configuration by name.
CONFIG_ENV_VAR = "SAMPLE_APP_CONFIG"


def config_object(name=None):
    """Return the configuration object for ``name`` (default: $SAMPLE_APP_CONFIG, then development)."""
    name = name or os.environ.get(CONFIG_ENV_VAR) or "development"
    try:
        cls = CONFIGS[name]
    except KeyError:
        raise ConfigError(
            f"unknown configuration {name!r}; choose one of: {', '.join(CONFIGS)}"
        ) from None
    return cls()
