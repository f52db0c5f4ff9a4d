"""The bookshelf domain: authors write books, readers review them.

Every constraint gets a predictable name from the naming convention on ``Base.metadata``.
Migrations need those names: SQLite batch operations and later ``drop_constraint`` calls
can only address a constraint by name.
"""
from datetime import datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import CheckConstraint, ForeignKey, MetaData, String, Text, UniqueConstraint, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

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


class Author(db.Model):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.current_timestamp())

    books: Mapped[list["Book"]] = relationship(back_populates="author")

    def to_dict(self):
        return {"id": self.id, "name": self.name}


class Book(db.Model):
    __tablename__ = "books"
    # Table-level, not inside mapped_column(): autogenerate renders a CheckConstraint only
    # when it sits on the table (lesson 04 shows the column-level one going missing).
    __table_args__ = (CheckConstraint("published_year > 0", name="published_year_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), index=True)
    isbn: Mapped[str] = mapped_column(String(13), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"), index=True)
    published_year: Mapped[int | None]

    author: Mapped[Author] = relationship(back_populates="books")
    reviews: Mapped[list["Review"]] = relationship(back_populates="book")

    def to_dict(self):
        return {
            "id": self.id,
            "title": self.title,
            "isbn": self.isbn,
            "author_id": self.author_id,
            "published_year": self.published_year,
        }


class Review(db.Model):
    __tablename__ = "reviews"
    # One review per reader per book.
    __table_args__ = (
        UniqueConstraint("book_id", "reviewer"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"))
    reviewer: Mapped[str] = mapped_column(String(80))
    rating: Mapped[int]
    body: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.current_timestamp())

    book: Mapped[Book] = relationship(back_populates="reviews")

    def to_dict(self):
        return {
            "id": self.id,
            "book_id": self.book_id,
            "reviewer": self.reviewer,
            "rating": self.rating,
            "body": self.body,
        }
