"""A small JSON API: create, list and get authors, books and reviews.

Bad input is answered with a 4xx JSON body ``{"error": ...}`` that says what is wrong.
Each request writes in one transaction, so a rejected request leaves nothing behind.
Lists come a page at a time: ``?limit=`` (1 to 200, default 50) and ``?offset=``.
"""
import json
import unicodedata

from flask import Blueprint, abort, current_app, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import RequestEntityTooLarge

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


def database_busy():
    """503 with Retry-After: the request was fine, the database had no time for it."""
    response = jsonify(error="the database is busy, retry in a moment")
    response.headers["Retry-After"] = "1"
    return response, 503


# SQLite's result codes for "another connection holds the lock" (SQLITE_BUSY, SQLITE_LOCKED);
# extended codes such as SQLITE_BUSY_SNAPSHOT keep the primary code in their low byte.
SQLITE_BUSY_CODES = {5, 6}


@bp.errorhandler(DatabaseError)
def database_unavailable(error):
    """Name the cause when it is known; never show the database's own message to the client.

    DatabaseError covers OperationalError (locked, no such table, disk full...) and the
    rest, such as a file that is not a SQLite database.
    """
    db.session.rollback()
    code = getattr(error.orig, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in SQLITE_BUSY_CODES:
        current_app.logger.warning("database busy: %s", error.orig)
        return database_busy()
    current_app.logger.error("database error: %s", error.orig)
    if "no such table" in str(error.orig):
        return jsonify(error="the database is unavailable or not migrated: run `alembic upgrade head`"), 503
    return jsonify(error="the database is unavailable; the server log says why"), 503


@bp.errorhandler(PoolTimeout)
def no_connection_free(error):
    # Every pooled connection stayed in use for pool_timeout seconds: a burst of requests.
    current_app.logger.warning("no database connection free: %s", error)
    return database_busy()


def begin_writing():
    """On SQLite, start this request's transaction with BEGIN IMMEDIATE: take the write lock now.

    Left to itself, the sqlite3 driver begins a transaction only at the first INSERT, so
    the checks a request makes before it (does the author exist?) run outside it. A
    transaction that has read and then wants to write can fail at once with "database is
    locked", without waiting, when another connection is writing (waiting there could
    deadlock). BEGIN IMMEDIATE waits for the lock (up to the busy timeout) before anything
    is read, so checks and insert see one state of the database. Called after the request
    body is parsed, so the lock is never held while a slow client is still sending.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.connection().exec_driver_sql("BEGIN IMMEDIATE")


def _max_length(model, field):
    """The column's declared length, so the model stays the one place that sets limits."""
    return model.__table__.c[field].type.length


# The models' integer columns are INTEGER: 32 bits on PostgreSQL (and in the SQL standard), though SQLite
# would take 64. A larger JSON number cannot be stored or looked up there: the query would fail as a
# database error (a 503) instead of a 400 or 404 that says what is wrong.
INT_LIMIT = 2**31
# OFFSET takes a BIGINT on PostgreSQL and a 64-bit integer on SQLite.
OFFSET_LIMIT = 2**63


def _object_without_repeated_keys(pairs):
    """json.loads() keeps the last of two equal keys without a word; refuse them instead."""
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise InvalidInput(f"the request body is not valid JSON: the key {key!r} appears twice")
        obj[key] = value
    return obj


def _no_constant(name):
    # Python's json module accepts NaN and Infinity, which JSON does not have.
    raise InvalidInput(f"the request body is not valid JSON: {name} is not a JSON value")


def parse_json():
    """The request body as JSON."""
    if not request.is_json:
        raise InvalidInput("the request body must be JSON (Content-Type: application/json)", 415)
    try:
        # Werkzeug stops reading at MAX_CONTENT_LENGTH, also when no Content-Length was sent.
        body = request.get_data()
    except RequestEntityTooLarge:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        raise InvalidInput(f"the request body is larger than {limit} bytes", 413) from None
    try:
        return json.loads(body, object_pairs_hook=_object_without_repeated_keys, parse_constant=_no_constant)
    except ValueError:  # also bytes that are not UTF-8 (UnicodeDecodeError)
        raise InvalidInput("the request body is not valid JSON") from None
    except RecursionError:
        raise InvalidInput("the request body is not valid JSON: it is nested too deeply") from None


# Characters that show nothing: letters and symbols drawn as blank space (Hangul fillers,
# the blank Braille pattern), besides whitespace, format characters (Cf: zero-width
# space, BOM, word joiner...) and combining marks (Mn, Me), which show only on a letter.
BLANK_LOOKING = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def _invisible(char):
    return char.isspace() or char in BLANK_LOOKING or unicodedata.category(char) in ("Cf", "Mn", "Me")


def check_text(name, value, *, multiline):
    """Refuse control characters and text that shows nothing; ``value`` is already stripped.

    Control characters (category Cc: NUL, ESC, DEL, ...) are refused everywhere: they mean
    nothing in a name and can break terminals, logs and other programs. A multi-line
    field keeps tab and line breaks; "\r" too, since browsers send form text with CRLF.
    """
    allowed = "\t\n\r" if multiline else ""
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in value):
        kind = "control characters other than tab and line breaks" if multiline else "control characters"
        raise InvalidInput(f"{name} must not contain {kind} (such as NUL)")
    if value and all(_invisible(c) for c in value):
        raise InvalidInput(f"{name} has only invisible characters (such as zero-width spaces)")


def read_body(model, *, required, optional=(), multiline=()):
    """Parse the JSON object in the request and check it against ``model``'s columns.

    ``required`` and ``optional`` map field names to the Python type expected. Required
    strings may not be empty; optional ones may. Fields named in ``multiline`` may hold
    line breaks.
    """
    data = parse_json()
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
        if kind is int and not -INT_LIMIT <= value < INT_LIMIT:
            raise InvalidInput(f"{name} is too large")
        if kind is str:
            value = value.strip()
            if not value and name in required:
                raise InvalidInput(f"{name} must not be empty")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidInput(f"{name} is not valid text (it contains a lone surrogate)") from None
            check_text(name, value, multiline=name in multiline)
            limit = _max_length(model, name)
            if limit and len(value) > limit:
                raise InvalidInput(f"{name} must be at most {limit} characters")
        clean[name] = value
    return clean


def save(obj, conflict_message):
    """Insert ``obj`` and commit, or roll back and report a conflict.

    The answer is built before the commit, inside the transaction: a commit expires the
    object's attributes, and reading them back afterwards needs the database again. If it
    were busy by then, the client would be told to retry a row that already exists.
    """
    db.session.add(obj)
    try:
        db.session.flush()
        created = obj.to_dict()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise InvalidInput(conflict_message, 409) from None
    return jsonify(created), 201


def get_or_404(model, ident):
    obj = db.session.get(model, ident) if ident < INT_LIMIT else None
    if obj is None:
        abort(404, description=f"{model.__name__.lower()} {ident} does not exist")
    return obj


DEFAULT_LIMIT, MAX_LIMIT = 50, 200


def query_number(name, default, low, high):
    """The whole number in query parameter ``name``, from ``low`` to ``high``."""
    values = request.args.getlist(name)
    if not values:
        return default
    if len(values) > 1:
        raise InvalidInput(f"{name} is given more than once")
    text = values[0]
    # int() would also take " 7", "+7", "7_000" and digits of other scripts: accept only 0-9.
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput(f"{name} must be a whole number, {low} or more")
    # Python refuses to convert a str of more than 4300 digits; 20 are already too many.
    number = int(text) if len(text) <= 20 else high + 1
    if number < low:
        raise InvalidInput(f"{name} must be a whole number, {low} or more")
    if number > high:
        raise InvalidInput(f"{name} must be at most {high}")
    return number


def page_of(model, *where):
    """One page of ``model`` rows in id order, as a JSON list (the shape lists always had).

    When more rows follow, a ``Link: <...>; rel="next"`` header (RFC 8288) gives the
    address of the next page. One row more than asked for is read to know that.
    """
    unknown = sorted(set(request.args) - {"limit", "offset"})
    if unknown:
        raise InvalidInput(f"unknown query parameter(s): {', '.join(unknown)}")
    limit = query_number("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = query_number("offset", 0, 0, OFFSET_LIMIT - 1)
    rows = db.session.scalars(
        select(model).where(*where).order_by(model.id).limit(limit + 1).offset(offset)
    ).all()
    response = jsonify([row.to_dict() for row in rows[:limit]])
    if len(rows) > limit:
        next_page = url_for(request.endpoint, **request.view_args, limit=limit, offset=offset + limit)
        response.headers["Link"] = f'<{next_page}>; rel="next"'
    return response


@bp.post("/authors")
def create_author():
    data = read_body(Author, required={"name": str})
    begin_writing()
    return save(Author(**data), f"an author named {data['name']!r} already exists")


@bp.get("/authors")
def list_authors():
    return page_of(Author)


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
    begin_writing()
    if db.session.get(Author, data["author_id"]) is None:
        raise InvalidInput(f"author {data['author_id']} does not exist", 404)
    return save(Book(**data), f"a book with ISBN {data['isbn']!r} already exists")


@bp.get("/books")
def list_books():
    return page_of(Book)


@bp.get("/books/<int:book_id>")
def get_book(book_id):
    return jsonify(get_or_404(Book, book_id).to_dict())


@bp.post("/books/<int:book_id>/reviews")
def create_review(book_id):
    data = read_body(
        Review, required={"reviewer": str, "rating": int}, optional={"body": str}, multiline={"body"}
    )
    if not 1 <= data["rating"] <= 5:
        raise InvalidInput("rating must be between 1 and 5")
    begin_writing()
    book = get_or_404(Book, book_id)
    return save(
        Review(book=book, **data),
        f"{data['reviewer']!r} has already reviewed book {book_id}",
    )


@bp.get("/books/<int:book_id>/reviews")
def list_reviews(book_id):
    get_or_404(Book, book_id)
    return page_of(Review, Review.book_id == book_id)


@bp.get("/reviews/<int:review_id>")
def get_review(review_id):
    return jsonify(get_or_404(Review, review_id).to_dict())
