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


#: The development key; anyone who reads this file knows it, so production refuses it.
DEV_SECRET_KEY = "dev-only-not-secret"


class Config:
    SECRET_KEY = DEV_SECRET_KEY
    # A relative SQLite path: Flask-SQLAlchemy resolves it against the app's instance folder.
    SQLALCHEMY_DATABASE_URI = "sqlite:///sample_app.sqlite"
    # Larger request bodies are refused with 413 before they are read. The largest valid one
    # is a review: a 10,000-character body, even written entirely as JSON escapes of
    # characters outside the BMP (12 bytes each), is about 120 KB; 256 KiB leaves room.
    MAX_CONTENT_LENGTH = 256 * 1024


class DevelopmentConfig(Config):
    CONFIG_NAME = "development"
    DEBUG = True


class TestingConfig(Config):
    CONFIG_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite:///sample_app-test.sqlite"


class ProductionConfig(Config):
    """Everything secret or site-specific comes from the environment.

    Debug mode is refused too, but by create_app(): FLASK_DEBUG and `flask run --debug`
    act on the app and the CLI, not on this class.
    """

    CONFIG_NAME = "production"
    REQUIRED = ("DATABASE_URL", "SECRET_KEY")
    # Flask signs session cookies with SECRET_KEY: a short key can be guessed offline
    # from one cookie. 32 characters is what secrets.token_hex(16) gives, the least we accept.
    MIN_SECRET_KEY_LENGTH = 32

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
        check_secret_key(self.SECRET_KEY, self.MIN_SECRET_KEY_LENGTH)


def check_secret_key(key, min_length):
    """Refuse a SECRET_KEY that is no secret. The messages never repeat the key."""
    advice = "generate one with: python -c 'import secrets; print(secrets.token_hex(32))'"
    if not key.strip():
        raise ConfigError(f"SECRET_KEY is only whitespace; {advice}")
    if key == DEV_SECRET_KEY:
        raise ConfigError(f"SECRET_KEY is the development default, which is public; {advice}")
    if len(key) < min_length:
        raise ConfigError(f"SECRET_KEY is shorter than {min_length} characters; {advice}")


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
