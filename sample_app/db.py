"""The database extension and the declarative base every model inherits.

Kept apart from the models, as most Flask projects do, so that importing ``db`` does not
import the models. Code that needs every table on ``db.metadata`` (Alembic's env.py)
must import ``sample_app.models`` itself: notebook 03 shows what happens when it does not.
"""
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Every constraint gets a predictable name. Migrations need those names: SQLite batch
# operations and later drop_constraint() calls can only address a constraint by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
