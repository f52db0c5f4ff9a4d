"""The bookshelf domain: authors write books, readers review them."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import db


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
    # when it sits on the table (notebook 04 shows the column-level one going missing).
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
    body: Mapped[str] = mapped_column(String(10_000), server_default="")
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
