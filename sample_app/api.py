"""A small JSON API: create, list and get authors, books and reviews.

Bad input is answered with a 4xx JSON body ``{"error": ...}`` that says what is wrong.
Each request writes in one transaction, so a rejected request leaves nothing behind.
"""
from flask import Blueprint, abort, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import BadRequest

from .db import db
from .models import Author, Book, Review

bp = Blueprint("api", __name__, url_prefix="/api")


class InvalidInput(Exception):
    """The request body does not describe a valid resource."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


@bp.errorhandler(InvalidInput)
def invalid_input(error):
    return jsonify(error=error.message), error.status


@bp.errorhandler(OperationalError)
def database_unavailable(error):
    # Most often the schema was never migrated ("no such table"): say how to fix it.
    db.session.rollback()
    current_app.logger.error("database error: %s", error.orig)
    return jsonify(error="the database is unavailable or not migrated: run `alembic upgrade head`"), 503


def _max_length(model, field):
    """The column's declared length, so the model stays the one place that sets limits."""
    return model.__table__.c[field].type.length


# SQLite and PostgreSQL integers are 64-bit: a larger JSON number cannot be stored or looked up.
INT_LIMIT = 2**63


def read_body(model, *, required, optional=()):
    """Parse the JSON object in the request and check it against ``model``'s columns.

    ``required`` and ``optional`` map field names to the Python type expected. Required
    strings may not be empty; optional ones may.
    """
    if not request.is_json:
        raise InvalidInput("the request body must be JSON (Content-Type: application/json)", 415)
    try:
        data = request.get_json()
    except BadRequest:
        raise InvalidInput("the request body is not valid JSON") from None
    except RecursionError:
        raise InvalidInput("the request body is not valid JSON: it is nested too deeply") from None
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object")
    fields = {**required, **dict(optional)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise InvalidInput(f"unknown field(s): {', '.join(unknown)}")
    missing = [name for name in required if data.get(name) is None]
    if missing:
        raise InvalidInput(f"missing field(s): {', '.join(missing)}")
    clean = {}
    for name, kind in fields.items():
        if data.get(name) is None:
            continue
        value = data[name]
        # bool is a subclass of int in Python; JSON true/false is not a number here.
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InvalidInput(f"{name} must be {'a string' if kind is str else 'an integer'}")
        if kind is int and not -INT_LIMIT < value < INT_LIMIT:
            raise InvalidInput(f"{name} is too large")
        if kind is str:
            value = value.strip()
            if not value and name in required:
                raise InvalidInput(f"{name} must not be empty")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidInput(f"{name} is not valid text (it contains a lone surrogate)") from None
            limit = _max_length(model, name)
            if limit and len(value) > limit:
                raise InvalidInput(f"{name} must be at most {limit} characters")
        clean[name] = value
    return clean


def save(obj, conflict_message):
    """Insert ``obj`` and commit, or roll back and report a conflict."""
    db.session.add(obj)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise InvalidInput(conflict_message, 409) from None
    return jsonify(obj.to_dict()), 201


def get_or_404(model, ident):
    obj = db.session.get(model, ident) if ident < INT_LIMIT else None
    if obj is None:
        abort(404, description=f"{model.__name__.lower()} {ident} does not exist")
    return obj


def list_of(model, *where):
    rows = db.session.scalars(select(model).where(*where).order_by(model.id))
    return jsonify([row.to_dict() for row in rows])


@bp.post("/authors")
def create_author():
    data = read_body(Author, required={"name": str})
    return save(Author(**data), f"an author named {data['name']!r} already exists")


@bp.get("/authors")
def list_authors():
    return list_of(Author)


@bp.get("/authors/<int:author_id>")
def get_author(author_id):
    return jsonify(get_or_404(Author, author_id).to_dict())


@bp.post("/books")
def create_book():
    data = read_body(
        Book,
        required={"title": str, "isbn": str, "author_id": int},
        optional={"published_year": int},
    )
    if data.get("published_year", 1) <= 0:
        raise InvalidInput("published_year must be a positive year")
    if db.session.get(Author, data["author_id"]) is None:
        raise InvalidInput(f"author {data['author_id']} does not exist", 404)
    return save(Book(**data), f"a book with ISBN {data['isbn']!r} already exists")


@bp.get("/books")
def list_books():
    return list_of(Book)


@bp.get("/books/<int:book_id>")
def get_book(book_id):
    return jsonify(get_or_404(Book, book_id).to_dict())


@bp.post("/books/<int:book_id>/reviews")
def create_review(book_id):
    book = get_or_404(Book, book_id)
    data = read_body(
        Review, required={"reviewer": str, "rating": int}, optional={"body": str}
    )
    if not 1 <= data["rating"] <= 5:
        raise InvalidInput("rating must be between 1 and 5")
    return save(
        Review(book=book, **data),
        f"{data['reviewer']!r} has already reviewed book {book_id}",
    )


@bp.get("/books/<int:book_id>/reviews")
def list_reviews(book_id):
    get_or_404(Book, book_id)
    return list_of(Review, Review.book_id == book_id)


@bp.get("/reviews/<int:review_id>")
def get_review(review_id):
    return jsonify(get_or_404(Review, review_id).to_dict())
