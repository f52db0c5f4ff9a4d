"""add books.published_year

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 09:20:00.000000

"""
from typing import Sequence, Union

from alembic import context, op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def books_table(with_published_year):
    """The books table as this revision finds it (or leaves it), for offline mode.

    On SQLite a batch operation rebuilds the table from a reflection of it; with --sql
    there is no database to reflect, so the definition is given here instead.
    """
    columns = [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('isbn', sa.String(length=13), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_books'),
        sa.ForeignKeyConstraint(['author_id'], ['authors.id'], name='fk_books_author_id_authors'),
        sa.UniqueConstraint('isbn', name='uq_books_isbn'),
        sa.Index('ix_books_author_id', 'author_id'),
        sa.Index('ix_books_title', 'title'),
    ]
    if with_published_year:
        columns += [
            sa.Column('published_year', sa.Integer(), nullable=True),
            sa.CheckConstraint('published_year > 0', name='ck_books_published_year_positive'),
        ]
    return sa.Table('books', sa.MetaData(), *columns)


def batch_books(with_published_year):
    copy_from = books_table(with_published_year) if context.is_offline_mode() else None
    return op.batch_alter_table('books', schema=None, copy_from=copy_from)


def upgrade() -> None:
    """Upgrade schema."""
    # Nullable, so existing books need no value. On SQLite the batch operation copies
    # the table to add the CHECK constraint (ALTER TABLE cannot add one there).
    with batch_books(with_published_year=False) as batch_op:
        batch_op.add_column(sa.Column('published_year', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_books_published_year_positive'), 'published_year > 0'
        )


def downgrade() -> None:
    """Downgrade schema."""
    with batch_books(with_published_year=True) as batch_op:
        batch_op.drop_constraint(op.f('ck_books_published_year_positive'), type_='check')
        batch_op.drop_column('published_year')
