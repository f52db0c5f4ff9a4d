"""Alembic environment for sample_app.

Started from Alembic's generic template (``alembic init``). Every change is marked
"Changed:" below; there are six kinds:

1. the database URL comes from the Flask app's configuration, with overrides;
2. ``target_metadata`` is the app's metadata, so autogenerate can see the models;
3. on SQLite, autogenerate writes batch operations, because SQLite can alter
   little of a table in place;
4. a connection handed over by the caller (a test harness) is used as it is;
5. autogenerate also compares named CHECK constraints (an opt-in Alembic plugin);
6. on SQLite, migrations run with foreign keys unenforced, because batch mode
   rebuilds a table by dropping it.
"""
import logging
import os
from contextlib import nullcontext
from logging.config import fileConfig

from sqlalchemy import engine_from_config, event, pool
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError

from alembic import context
from alembic.util import CommandError

from sample_app import ConfigError, create_app
from sample_app.db import db
# Changed: importing the models registers their tables on db.metadata. Without this
# line autogenerate sees no tables whenever the app is not built (notebook 03).
import sample_app.models  # noqa: F401

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

log = logging.getLogger("alembic.env")

# Changed: the app's metadata; the naming convention on sample_app.db.Base gives
# its constraints predictable names.
target_metadata = db.metadata


def database_url():
    """Return ``(url, where_it_came_from)``.

    Changed: the first of these that is set wins.

    1. ``alembic -x db_url=...``: one command against another database (a scratch copy);
    2. ``$DATABASE_URL``: the deployment's database, without building the app;
    3. the Flask app's own configuration, selected by ``$SAMPLE_APP_CONFIG``
       (development by default).

    Steps 1 and 2 never build the app, so offline mode (``--sql``) needs no driver.
    """
    x_url = context.get_x_argument(as_dictionary=True).get("db_url")
    env_url = os.environ.get("DATABASE_URL")
    for raw, source in ((x_url, "-x db_url"), (env_url, "DATABASE_URL")):
        if raw:
            try:
                return make_url(raw), source
            except (ArgumentError, ValueError):
                # ArgumentError: not a URL at all. ValueError: a "port" that is no number,
                # usually from an unencoded "@" or ":" in the password, which its message
                # would partly repeat.
                raise CommandError(f"the URL given by {source} is not a valid database URL") from None
    try:
        app = create_app()
    except ConfigError as error:
        raise CommandError(f"cannot build the app to find its database: {error}") from None
    # Flask-SQLAlchemy resolves a relative SQLite path against the instance folder;
    # reading the URL back from its engine gives the file the app really uses.
    with app.app_context():
        url = db.engine.url
        db.engine.dispose()
    return url, f"the app's {app.config['CONFIG_NAME']} configuration"


# Changed: a caller may hand over a connection of its own in config.attributes, as
# Alembic's cookbook recipe "Sharing a Connection across one or more programmatic
# migration commands" does (pytest-alembic puts an Engine there). Then that is the
# database: resolving a URL as well would migrate another one, by default the developer's.
passed_connection = config.attributes.get("connection")

# Changed: the URL is decided here, before either mode runs.
if passed_connection is not None:
    url, source = passed_connection.engine.url, "the connection passed in config.attributes"
else:
    url, source = database_url()
# The password is masked in the log line; the real one goes only to the config.
log.info("Using %s (from %s)", url.render_as_string(hide_password=True), source)
# ConfigParser treats "%" as interpolation, so every "%" in the URL is doubled.
config.set_main_option("sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%"))
# Changed: on SQLite, autogenerate writes changes to existing tables inside
# op.batch_alter_table(). This only shapes the revisions it writes. When a batch block
# runs on SQLite, Alembic rebuilds the table (copy, drop, rename) unless the block holds
# nothing but added columns (without a SQL-expression default) and created or dropped
# indexes.
render_as_batch = url.get_backend_name() == "sqlite"

# Changed: autogenerate compares the CHECK constraints of existing tables only with this
# plugin (opt-in since Alembic 1.19.2). It matches them by name, and the naming
# convention names every one here: an added or dropped CHECK is detected, a changed
# condition under the same name is not.
autogenerate_plugins = ["alembic.autogenerate.*", "alembic.ext.checkconstraint_byname"]


def without_foreign_keys(dbapi_connection, connection_record):
    """Changed: turn off foreign-key enforcement on a SQLite connection that migrates.

    Many apps turn it on for every connection (a "connect" listener on SQLAlchemy's
    Engine class), and env.py imports the app. With it on, the DROP TABLE of a batch
    rebuild deletes the rows of ON DELETE CASCADE children, or fails (notebook 07).
    Registered on env.py's own engine, this listener runs after the app's.
    """
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")


def run_migrations_offline() -> None:
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=render_as_batch,  # Changed
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """
    # Changed: a passed connection is used as it is, and stays the caller's to close;
    # from a passed Engine, env.py opens (and closes) a connection of its own.
    if isinstance(passed_connection, Engine):
        connecting = passed_connection.connect()
    elif passed_connection is not None:
        connecting = nullcontext(passed_connection)
    else:
        connectable = engine_from_config(
            config.get_section(config.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        if url.get_backend_name() == "sqlite":
            event.listen(connectable, "connect", without_foreign_keys)  # Changed
        connecting = connectable.connect()

    with connecting as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=render_as_batch,  # Changed
            autogenerate_plugins=autogenerate_plugins,  # Changed: autogenerate runs online only
        )

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
