"""bound reviews.body to 10,000 characters

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00.000000

Written by hand. What autogenerate offers for this model change (Text -> String(10_000))
is only the alter_column() call at the end of upgrade(): it sees the type change, but it
cannot know what the rows hold.

A length limit means something different to each database:

- SQLite does not enforce VARCHAR(n) at all: a longer value is stored as it is. The type
  change rebuilds the table (batch mode) and keeps every value; the API enforces the
  limit on what it writes, from the model's String(10_000).
- PostgreSQL enforces it: its ALTER COLUMN ... TYPE VARCHAR(10000) fails with "value too
  long for type character varying(10000)" if any row is longer. The transaction rolls
  back, so nothing is lost, but the deployment stops on a database error. (A USING
  body::varchar(10000) clause would make it pass by cutting the text short without a
  word: never write that.)

So upgrade() first counts the rows longer than the limit and, if there are any, stops
with a message that says how many and what to do, before it changes anything. It never
shortens a review: deciding what to do with one is a person's job.

Offline (--sql) there are no rows to count. The script is still safe: on PostgreSQL its
ALTER fails on a longer row, and on SQLite the rebuilt table keeps the row as it is.
"""
from typing import Sequence, Union

from alembic import context, op
from alembic.util import CommandError
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BODY_MAX = 10_000


def reviews_table(body_type):
    """The reviews table as this revision finds it (or leaves it), for offline mode.

    As in 0003: on SQLite the batch rebuild copies a reflected table, and with --sql
    there is no database to reflect.
    """
    return sa.Table(
        'reviews', sa.MetaData(),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('book_id', sa.Integer(), nullable=False),
        sa.Column('reviewer', sa.String(length=80), nullable=False),
        sa.Column('rating', sa.Integer(), nullable=False),
        sa.Column('body', body_type, server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.CheckConstraint('rating BETWEEN 1 AND 5', name='ck_reviews_rating_range'),
        sa.ForeignKeyConstraint(['book_id'], ['books.id'], name='fk_reviews_book_id_books'),
        sa.PrimaryKeyConstraint('id', name='pk_reviews'),
        sa.UniqueConstraint('book_id', 'reviewer', name='uq_reviews_book_id_reviewer'),
    )


def batch_reviews(body_type):
    copy_from = reviews_table(body_type) if context.is_offline_mode() else None
    return op.batch_alter_table('reviews', schema=None, copy_from=copy_from)


def refuse_if_any_body_is_too_long():
    reviews = sa.table('reviews', sa.column('body'))
    too_long = op.get_bind().scalar(
        sa.select(sa.func.count()).select_from(reviews).where(sa.func.length(reviews.c.body) > BODY_MAX)
    )
    if too_long:
        raise CommandError(
            f"revision 0004 stopped before changing anything: {too_long} review(s) have a body longer "
            f"than {BODY_MAX} characters. Find them with SELECT id, length(body) FROM reviews "
            f"WHERE length(body) > {BODY_MAX}; shorten or move those texts yourself, then upgrade again."
        )


def upgrade() -> None:
    """Upgrade schema."""
    if not context.is_offline_mode():
        refuse_if_any_body_is_too_long()
    with batch_reviews(body_type=sa.Text()) as batch_op:
        batch_op.alter_column('body',
               existing_type=sa.Text(),
               type_=sa.String(length=BODY_MAX),
               existing_nullable=False,
               existing_server_default=sa.text("''"))


def downgrade() -> None:
    """Downgrade schema."""
    # Widening loses nothing: every VARCHAR(10000) value fits in TEXT.
    with batch_reviews(body_type=sa.String(length=BODY_MAX)) as batch_op:
        batch_op.alter_column('body',
               existing_type=sa.String(length=BODY_MAX),
               type_=sa.Text(),
               existing_nullable=False,
               existing_server_default=sa.text("''"))
