"""What several test modules share that is not a fixture.

Test modules import it as ``support``. They must not import from ``conftest``: there are
two conftest.py files (tests/ and notebooks/), both loaded as the module ``conftest``, and
which one a ``from conftest import ...`` finds depends on collection order.
"""
from argparse import Namespace
from pathlib import Path

from alembic.config import Config

REPO = Path(__file__).resolve().parent.parent


def alembic_config(db_url=None):
    """An Alembic Config for the repository's alembic.ini, as `alembic -x db_url=...` builds it."""
    return Config(str(REPO / "alembic.ini"), cmd_opts=Namespace(x=[f"db_url={db_url}"] if db_url else []))
