"""The JSON API: every endpoint's happy path, and every kind of bad input.

A refused request must answer 4xx with a JSON body {"error": "..."} that says what is
wrong, and must leave every table exactly as it was. Never a 500.
"""

import sqlite3
from contextlib import closing

import pytest
import sqlalchemy.exc
from sqlalchemy import event, func, select

from sample_app import create_app
from sample_app.db import db
from sample_app.models import Author, Book, Review

# The limits of the String(n) columns in sample_app/models.py.
NAME_MAX, TITLE_MAX, ISBN_MAX, REVIEWER_MAX, BODY_MAX = 100, 200, 13, 80, 10_000

DROP = object()  # in a table of cases: remove this field from the valid body
TOO_BIG = 10**30  # a JSON integer no SQL INTEGER column can hold
# The smallest integer that PostgreSQL's INTEGER (32 bits, as in the SQL standard) cannot hold. SQLite would
# store it; test_api_postgresql.py runs these tests on PostgreSQL, where it would reach the database as an error.
PAST_32_BITS = 2**31


@pytest.fixture
def row_counts(app):
    """A function returning {table name: number of rows} for every table of the app."""

    def count():
        with app.app_context():
            return {
                model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Author, Book, Review)
            }

    return count


def assert_error(response, status, *words):
    """``response`` is a JSON error with ``status`` whose message contains each of ``words``."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)
    message = response.get_json()["error"]
    for word in words:
        assert word in message
    return message


@pytest.fixture
def refused(client, row_counts):
    """Send a request that must be refused: check status, message, and that nothing was written."""

    def send(method, path, status, *words, **kwargs):
        before = row_counts()
        response = client.open(path, method=method, **kwargs)
        assert_error(response, status, *words)
        assert row_counts() == before
        return response

    return send


def created(response):
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture
def shelf(client):
    """One author with one book that has one review; returns their ids."""
    author = created(client.post("/api/authors", json={"name": "Ursula K. Le Guin"}))
    book = created(
        client.post(
            "/api/books",
            json={"title": "A Wizard of Earthsea", "isbn": "9780547773742",
                  "author_id": author["id"], "published_year": 1968},
        )
    )
    review = created(
        client.post(f"/api/books/{book['id']}/reviews", json={"reviewer": "ged", "rating": 5})
    )
    return {"author": author["id"], "book": book["id"], "review": review["id"]}


def with_changes(body, changes):
    """``body`` with ``changes`` laid over it; a DROP value removes the field."""
    body = {**body, **changes}
    return {name: value for name, value in body.items() if value is not DROP}


# --- happy paths --------------------------------------------------------------------------


def test_lists_start_empty(client):
    assert client.get("/api/authors").get_json() == []
    assert client.get("/api/books").get_json() == []


def test_create_list_and_get_authors(client):
    first = created(client.post("/api/authors", json={"name": "Octavia E. Butler"}))
    assert first == {"id": first["id"], "name": "Octavia E. Butler"}
    second = created(client.post("/api/authors", json={"name": "Ted Chiang"}))

    response = client.get("/api/authors")
    assert response.status_code == 200
    assert response.get_json() == [first, second]
    assert client.get(f"/api/authors/{second['id']}").get_json() == second


def test_create_list_and_get_books(client, shelf):
    body = {"title": "The Dispossessed", "isbn": "9780060512750", "author_id": shelf["author"],
            "published_year": 1974}
    book = created(client.post("/api/books", json=body))
    assert book == {"id": book["id"], **body}

    assert client.get(f"/api/books/{book['id']}").get_json() == book
    listed = client.get("/api/books").get_json()
    assert [b["id"] for b in listed] == [shelf["book"], book["id"]]


@pytest.mark.parametrize("year", [DROP, None], ids=["omitted", "null"])
def test_published_year_is_optional(client, shelf, year):
    body = with_changes(
        {"title": "Lavinia", "isbn": "9780151014248", "author_id": shelf["author"]},
        {"published_year": year},
    )
    assert created(client.post("/api/books", json=body))["published_year"] is None


def test_create_list_and_get_reviews(client, shelf):
    review = created(
        client.post(f"/api/books/{shelf['book']}/reviews",
                    json={"reviewer": "tenar", "rating": 4, "body": "Quiet and fierce."})
    )
    assert review == {"id": review["id"], "book_id": shelf["book"], "reviewer": "tenar",
                      "rating": 4, "body": "Quiet and fierce."}
    assert client.get(f"/api/reviews/{review['id']}").get_json() == review

    reviews = client.get(f"/api/books/{shelf['book']}/reviews").get_json()
    assert [(r["reviewer"], r["rating"]) for r in reviews] == [("ged", 5), ("tenar", 4)]


def test_a_review_body_defaults_to_empty(client, shelf):
    review = client.get(f"/api/reviews/{shelf['review']}").get_json()
    assert review["body"] == ""


def test_reviews_are_listed_per_book(client, shelf):
    other = created(client.post("/api/books", json={
        "title": "The Tombs of Atuan", "isbn": "9780689845369", "author_id": shelf["author"]}))
    assert client.get(f"/api/books/{other['id']}/reviews").get_json() == []
    # The same reader may review another book.
    created(client.post(f"/api/books/{other['id']}/reviews", json={"reviewer": "ged", "rating": 3}))
    assert len(client.get(f"/api/books/{other['id']}/reviews").get_json()) == 1
    assert len(client.get(f"/api/books/{shelf['book']}/reviews").get_json()) == 1


@pytest.mark.parametrize("rating", [1, 5])
def test_ratings_at_both_ends_of_the_range_are_accepted(client, shelf, rating):
    review = created(client.post(f"/api/books/{shelf['book']}/reviews",
                                 json={"reviewer": "arha", "rating": rating}))
    assert review["rating"] == rating


def test_strings_are_stored_without_surrounding_whitespace(client):
    author = created(client.post("/api/authors", json={"name": "  N. K. Jemisin\n"}))
    assert author["name"] == "N. K. Jemisin"


@pytest.mark.parametrize(
    "field, length",
    [("name", NAME_MAX), ("title", TITLE_MAX), ("isbn", ISBN_MAX), ("reviewer", REVIEWER_MAX),
     ("body", BODY_MAX)],
)
def test_strings_exactly_at_the_column_limit_are_accepted(client, shelf, field, length):
    value = "x" * length
    if field == "name":
        response = client.post("/api/authors", json={"name": value})
    elif field in ("reviewer", "body"):
        review = {"reviewer": "x", "rating": 3, field: value}
        response = client.post(f"/api/books/{shelf['book']}/reviews", json=review)
    else:
        book = {"title": "T", "isbn": "1234567890", "author_id": shelf["author"]}
        response = client.post("/api/books", json={**book, field: value})
    assert created(response)[field] == value


@pytest.mark.parametrize(
    "name",
    ["Jose\u0301 Saramago", "\U0001f469\u200d\U0001f4bb Ada", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"],
    ids=["combining-accent", "emoji-with-joiner", "persian-non-joiner"],
)
def test_invisible_characters_inside_visible_text_are_kept(client, name):
    # Joiners and combining marks are part of how many names are written.
    assert created(client.post("/api/authors", json={"name": name}))["name"] == name


def test_a_review_body_keeps_tabs_and_line_breaks(client, shelf):
    body = "First line.\r\nSecond line,\tindented.\n"
    review = created(client.post(f"/api/books/{shelf['book']}/reviews",
                                 json={"reviewer": "tenar", "rating": 4, "body": body}))
    assert review["body"] == body.strip()


def test_limits_count_the_text_after_trimming(client):
    name = " " + "x" * NAME_MAX + " "
    assert created(client.post("/api/authors", json={"name": name}))["name"] == "x" * NAME_MAX


# --- the request body as a whole ----------------------------------------------------------

CREATE_PATHS = {
    "author": "/api/authors",
    "book": "/api/books",
    "review": "/api/books/{book}/reviews",
}

BODY_CASES = [
    # (request keyword arguments, status, words the message must contain)
    pytest.param({"data": '{"name": ', "content_type": "application/json"}, 400, ["not valid JSON"],
                 id="malformed-json"),
    pytest.param({"data": "", "content_type": "application/json"}, 400, ["not valid JSON"],
                 id="empty-json-body"),
    pytest.param({"data": b'{"name": "\xff"}', "content_type": "application/json"}, 400,
                 ["not valid JSON"], id="not-utf8"),
    pytest.param({"data": "[" * 100_000, "content_type": "application/json"}, 400, ["JSON"],
                 id="nested-too-deep"),
    pytest.param({"data": {"name": "form field"}}, 415, ["application/json"], id="form-data"),
    pytest.param({"data": '{"name": "x"}', "content_type": "text/plain"}, 415, ["application/json"],
                 id="json-text-as-text-plain"),
    pytest.param({}, 415, ["application/json"], id="no-body"),
    pytest.param({"json": ["name", "x"]}, 400, ["must be a JSON object"], id="array"),
    pytest.param({"json": "name"}, 400, ["must be a JSON object"], id="string"),
    pytest.param({"json": 42}, 400, ["must be a JSON object"], id="number"),
    pytest.param({"data": "null", "content_type": "application/json"}, 400, ["must be a JSON object"],
                 id="null"),
    # json.loads() would keep the last value of a repeated key without a word.
    pytest.param({"data": '{"name": "a", "name": "b"}', "content_type": "application/json"}, 400,
                 ["not valid JSON", "'name' appears twice"], id="repeated-key"),
    pytest.param({"data": '{"x": {"a": 1, "a": 1}}', "content_type": "application/json"}, 400,
                 ["'a' appears twice"], id="repeated-key-nested"),
    pytest.param({"data": '{"rating": NaN}', "content_type": "application/json"}, 400,
                 ["not valid JSON", "NaN"], id="NaN"),
    pytest.param({"data": '{"rating": -Infinity}', "content_type": "application/json"}, 400,
                 ["-Infinity"], id="Infinity"),
    # MAX_CONTENT_LENGTH is 256 KiB.
    pytest.param({"data": '{"name": "' + "x" * 256 * 1024 + '"}', "content_type": "application/json"}, 413,
                 ["larger than 262144 bytes"], id="too-large"),
]


@pytest.mark.parametrize("kind", CREATE_PATHS)
@pytest.mark.parametrize("request_kwargs, status, words", BODY_CASES)
def test_bodies_that_are_not_a_json_object_are_refused(refused, shelf, kind, request_kwargs, status, words):
    refused("POST", CREATE_PATHS[kind].format(**shelf), status, *words, **request_kwargs)


# --- fields -------------------------------------------------------------------------------

AUTHOR_CASES = [
    # (changes to a valid body, status, words the message must contain)
    pytest.param({"name": DROP}, 400, ["missing field(s): name"], id="missing"),
    pytest.param({"name": None}, 400, ["missing field(s): name"], id="null"),
    pytest.param({"name": ""}, 400, ["name must not be empty"], id="empty"),
    pytest.param({"name": " \t\n "}, 400, ["name must not be empty"], id="whitespace"),
    pytest.param({"name": "x" * (NAME_MAX + 1)}, 400, ["name must be at most 100 characters"],
                 id="too-long"),
    pytest.param({"name": 7}, 400, ["name must be a string"], id="int"),
    pytest.param({"name": True}, 400, ["name must be a string"], id="bool"),
    pytest.param({"name": ["Le Guin"]}, 400, ["name must be a string"], id="list"),
    pytest.param({"name": {"first": "Ursula"}}, 400, ["name must be a string"], id="object"),
    pytest.param({"name": "\ud800"}, 400, ["name"], id="lone-surrogate"),
    pytest.param({"name": "Le\x00Guin"}, 400, ["name must not contain control characters"], id="NUL"),
    pytest.param({"name": "\x1b[31mred"}, 400, ["name must not contain control characters"], id="ESC"),
    pytest.param({"name": "Le\x7fGuin"}, 400, ["name must not contain control characters"], id="DEL"),
    pytest.param({"name": "Le\nGuin"}, 400, ["name must not contain control characters"], id="inner-newline"),
    pytest.param({"name": "\u200b"}, 400, ["name has only invisible characters"], id="zero-width-space"),
    pytest.param({"name": "\ufeff"}, 400, ["name has only invisible characters"], id="BOM"),
    pytest.param({"name": "\u2060\u200d\u200c"}, 400, ["name has only invisible characters"], id="joiners"),
    pytest.param({"name": "\u0301"}, 400, ["name has only invisible characters"], id="combining-mark-alone"),
    pytest.param({"name": "\u20dd"}, 400, ["name has only invisible characters"], id="enclosing-mark-alone"),
    pytest.param({"name": "\u3164\u3164"}, 400, ["name has only invisible characters"], id="hangul-filler"),
    pytest.param({"name": " \u200b \ufeff\u00a0"}, 400, ["name has only invisible characters"],
                 id="spaces-and-format-characters"),
    pytest.param({"nickname": "U"}, 400, ["unknown field(s): nickname"], id="unknown-field"),
    # The id is the server's to choose.
    pytest.param({"id": 99}, 400, ["unknown field(s): id"], id="id-given"),
]


@pytest.mark.parametrize("changes, status, words", AUTHOR_CASES)
def test_bad_author_fields_are_refused(refused, shelf, changes, status, words):
    body = with_changes({"name": "Joanna Russ"}, changes)
    refused("POST", "/api/authors", status, *words, json=body)


BOOK_CASES = [
    pytest.param({"title": DROP, "isbn": DROP, "author_id": DROP}, 400,
                 ["missing field(s): title, isbn, author_id"], id="missing-all"),
    pytest.param({"title": DROP}, 400, ["missing field(s): title"], id="missing-title"),
    pytest.param({"isbn": None}, 400, ["missing field(s): isbn"], id="null-isbn"),
    pytest.param({"author_id": DROP}, 400, ["missing field(s): author_id"], id="missing-author_id"),
    pytest.param({"title": ""}, 400, ["title must not be empty"], id="empty-title"),
    pytest.param({"isbn": "   "}, 400, ["isbn must not be empty"], id="whitespace-isbn"),
    pytest.param({"title": "x" * (TITLE_MAX + 1)}, 400, ["title must be at most 200 characters"],
                 id="title-too-long"),
    pytest.param({"isbn": "9" * (ISBN_MAX + 1)}, 400, ["isbn must be at most 13 characters"],
                 id="isbn-too-long"),
    pytest.param({"title": 1984}, 400, ["title must be a string"], id="int-title"),
    pytest.param({"isbn": 9780060512750}, 400, ["isbn must be a string"], id="int-isbn"),
    pytest.param({"author_id": "1"}, 400, ["author_id must be an integer"], id="string-author_id"),
    pytest.param({"author_id": 1.0}, 400, ["author_id must be an integer"], id="float-author_id"),
    pytest.param({"author_id": True}, 400, ["author_id must be an integer"], id="bool-author_id"),
    pytest.param({"published_year": "1974"}, 400, ["published_year must be an integer"],
                 id="string-year"),
    pytest.param({"published_year": 1974.5}, 400, ["published_year must be an integer"],
                 id="float-year"),
    pytest.param({"published_year": False}, 400, ["published_year must be an integer"],
                 id="bool-year"),
    pytest.param({"published_year": 0}, 400, ["published_year must be a positive year"], id="year-0"),
    pytest.param({"published_year": -300}, 400, ["published_year must be a positive year"],
                 id="year-negative"),
    pytest.param({"published_year": TOO_BIG}, 400, ["published_year"], id="year-too-big"),
    pytest.param({"published_year": PAST_32_BITS}, 400, ["published_year is too large"], id="year-past-32-bits"),
    pytest.param({"pages": 387, "genre": "sf"}, 400, ["unknown field(s): genre, pages"],
                 id="unknown-fields"),
    pytest.param({"author_id": 999}, 404, ["author 999 does not exist"], id="unknown-author"),
    pytest.param({"author_id": 0}, 404, ["author 0 does not exist"], id="author-0"),
    pytest.param({"author_id": -1}, 404, ["author -1 does not exist"], id="author-negative"),
    # An id no row can have names an author that does not exist either.
    pytest.param({"author_id": TOO_BIG}, 400, ["author_id is too large"], id="author-too-big"),
    pytest.param({"author_id": PAST_32_BITS}, 400, ["author_id is too large"], id="author-past-32-bits"),
]


@pytest.mark.parametrize("changes, status, words", BOOK_CASES)
def test_bad_book_fields_are_refused(refused, shelf, changes, status, words):
    body = with_changes(
        {"title": "The Dispossessed", "isbn": "9780060512750", "author_id": shelf["author"],
         "published_year": 1974},
        changes,
    )
    refused("POST", "/api/books", status, *words, json=body)


REVIEW_CASES = [
    pytest.param({"reviewer": DROP, "rating": DROP}, 400, ["missing field(s): reviewer, rating"],
                 id="missing-all"),
    pytest.param({"rating": DROP}, 400, ["missing field(s): rating"], id="missing-rating"),
    pytest.param({"reviewer": None}, 400, ["missing field(s): reviewer"], id="null-reviewer"),
    pytest.param({"reviewer": ""}, 400, ["reviewer must not be empty"], id="empty-reviewer"),
    pytest.param({"reviewer": "\n"}, 400, ["reviewer must not be empty"], id="whitespace-reviewer"),
    pytest.param({"reviewer": "x" * (REVIEWER_MAX + 1)}, 400, ["reviewer must be at most 80 characters"],
                 id="reviewer-too-long"),
    pytest.param({"reviewer": 12}, 400, ["reviewer must be a string"], id="int-reviewer"),
    pytest.param({"body": 5}, 400, ["body must be a string"], id="int-body"),
    pytest.param({"body": "x" * (BODY_MAX + 1)}, 400, ["body must be at most 10000 characters"],
                 id="body-too-long"),
    pytest.param({"body": "fine\x00"}, 400, ["body must not contain control characters other than tab"],
                 id="body-NUL"),
    pytest.param({"body": "\x1b]0;title\x07"}, 400, ["body must not contain control characters"],
                 id="body-terminal-escape"),
    pytest.param({"body": "\u200b\n\u200b"}, 400, ["body has only invisible characters"],
                 id="body-invisible"),
    pytest.param({"reviewer": "ged\tx"}, 400, ["reviewer must not contain control characters"],
                 id="reviewer-tab"),
    pytest.param({"reviewer": "\u200b"}, 400, ["reviewer has only invisible characters"],
                 id="reviewer-invisible"),
    pytest.param({"rating": "4"}, 400, ["rating must be an integer"], id="string-rating"),
    pytest.param({"rating": 4.5}, 400, ["rating must be an integer"], id="float-rating"),
    pytest.param({"rating": 4.0}, 400, ["rating must be an integer"], id="whole-float-rating"),
    pytest.param({"rating": True}, 400, ["rating must be an integer"], id="bool-rating"),
    pytest.param({"rating": 0}, 400, ["rating must be between 1 and 5"], id="rating-0"),
    pytest.param({"rating": 6}, 400, ["rating must be between 1 and 5"], id="rating-6"),
    pytest.param({"rating": -1}, 400, ["rating must be between 1 and 5"], id="rating-negative"),
    pytest.param({"rating": TOO_BIG}, 400, ["rating is too large"], id="rating-too-big"),
    pytest.param({"rating": PAST_32_BITS}, 400, ["rating is too large"], id="rating-past-32-bits"),
    # The book comes from the URL, not the body.
    pytest.param({"book_id": 1}, 400, ["unknown field(s): book_id"], id="book_id-given"),
]


@pytest.mark.parametrize("changes, status, words", REVIEW_CASES)
def test_bad_review_fields_are_refused(refused, shelf, changes, status, words):
    body = with_changes({"reviewer": "shevek", "rating": 4, "body": "Good."}, changes)
    refused("POST", f"/api/books/{shelf['book']}/reviews", status, *words, json=body)


# --- conflicts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, make_body, words",
    [
        pytest.param("/api/authors", lambda ids: {"name": "Ursula K. Le Guin"},
                     ["an author named 'Ursula K. Le Guin' already exists"], id="author-name"),
        pytest.param("/api/authors", lambda ids: {"name": " Ursula K. Le Guin "}, ["already exists"],
                     id="author-name-with-spaces"),
        pytest.param("/api/books",
                     lambda ids: {"title": "Another", "isbn": "9780547773742", "author_id": ids["author"]},
                     ["a book with ISBN '9780547773742' already exists"], id="isbn"),
        pytest.param("/api/books/{book}/reviews", lambda ids: {"reviewer": "ged", "rating": 1},
                     ["'ged' has already reviewed book"], id="same-reviewer-same-book"),
    ],
)
def test_duplicates_are_a_conflict(refused, client, shelf, path, make_body, words):
    refused("POST", path.format(**shelf), 409, *words, json=make_body(shelf))
    # The failed insert was rolled back: the next write goes through.
    created(client.post("/api/authors", json={"name": "Someone New"}))


# --- unknown ids, routes and methods ------------------------------------------------------


@pytest.mark.parametrize(
    "method, path, words",
    [
        pytest.param("GET", "/api/authors/999", ["author 999 does not exist"], id="author"),
        pytest.param("GET", "/api/books/999", ["book 999 does not exist"], id="book"),
        pytest.param("GET", "/api/reviews/999", ["review 999 does not exist"], id="review"),
        pytest.param("GET", "/api/books/999/reviews", ["book 999 does not exist"], id="list-reviews"),
        pytest.param("POST", "/api/books/999/reviews", ["book 999 does not exist"], id="create-review"),
        # An id no row can have is just as unknown.
        pytest.param("GET", f"/api/authors/{TOO_BIG}", ["does not exist"], id="author-too-big"),
        pytest.param("GET", f"/api/books/{TOO_BIG}/reviews", ["does not exist"], id="list-reviews-too-big"),
        pytest.param("GET", f"/api/books/{PAST_32_BITS}", ["does not exist"], id="book-past-32-bits"),
        pytest.param("POST", f"/api/books/{PAST_32_BITS}/reviews", ["does not exist"],
                     id="create-review-past-32-bits"),
        pytest.param("POST", f"/api/books/{TOO_BIG}/reviews", ["does not exist"],
                     id="create-review-too-big"),
    ],
)
def test_unknown_ids_in_the_url_are_not_found(refused, shelf, method, path, words):
    kwargs = {"json": {"reviewer": "shevek", "rating": 4}} if method == "POST" else {}
    refused(method, path, 404, *words, **kwargs)


@pytest.mark.parametrize(
    "path",
    ["/api/nothing-here", "/api/authors/abc", "/api/authors/-1", "/api/books/1/reviews/1", "/api/", "/api"],
)
def test_unknown_routes_under_api_answer_json(refused, path):
    refused("GET", path, 404, "not found")


WRONG_METHODS = [
    ("DELETE", "/api/authors", "GET, HEAD, OPTIONS, POST"),
    ("PUT", "/api/authors/1", "GET, HEAD, OPTIONS"),
    ("PATCH", "/api/books/1", "GET, HEAD, OPTIONS"),
    ("POST", "/api/reviews/1", "GET, HEAD, OPTIONS"),
    ("DELETE", "/api/books/1/reviews", "GET, HEAD, OPTIONS, POST"),
]


@pytest.mark.parametrize("method, path, allowed", WRONG_METHODS, ids=[f"{m}-{p}" for m, p, _ in WRONG_METHODS])
def test_wrong_methods_answer_json(refused, shelf, method, path, allowed):
    refused(method, path, 405, "method is not allowed", json={"name": "x"})


@pytest.mark.parametrize("method, path, allowed", WRONG_METHODS, ids=[f"{m}-{p}" for m, p, _ in WRONG_METHODS])
def test_wrong_methods_say_which_methods_are_allowed(client, shelf, method, path, allowed):
    # RFC 9110, 15.5.6: a 405 response MUST carry an Allow header.
    response = client.open(path, method=method)
    assert response.status_code == 405
    # Werkzeug builds the list from a set, so only its members are fixed, not their order.
    assert set(response.headers.get("Allow", "").split(", ")) == set(allowed.split(", "))


def test_errors_outside_the_api_stay_html(client):
    response = client.get("/not-the-api")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


# --- pages of lists -----------------------------------------------------------------------


@pytest.fixture
def many_authors(app):
    """120 authors, written directly: the API is not what these tests are about."""
    with app.app_context():
        db.session.add_all(Author(name=f"author {n:03}") for n in range(120))
        db.session.commit()


def test_lists_are_paged_50_at_a_time_by_default(client, many_authors):
    response = client.get("/api/authors")
    assert [a["name"] for a in response.get_json()] == [f"author {n:03}" for n in range(50)]
    assert response.headers["Link"] == '</api/authors?limit=50&offset=50>; rel="next"'


def test_following_next_links_gives_every_row_once_in_id_order(client, many_authors):
    names, url = [], "/api/authors?limit=7"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        names += [a["name"] for a in response.get_json()]
        link = response.headers.get("Link")
        url = link[1:link.index(">")] if link else None
    assert names == [f"author {n:03}" for n in range(120)]


def test_the_last_page_has_no_next_link_and_past_the_end_is_empty(client, many_authors):
    last = client.get("/api/authors?limit=20&offset=100")
    assert len(last.get_json()) == 20 and "Link" not in last.headers
    assert client.get("/api/authors?offset=120").get_json() == []
    assert len(client.get("/api/authors?limit=200").get_json()) == 120


def test_reviews_of_a_book_are_paged_too(client, shelf):
    for n in range(3):
        created(client.post(f"/api/books/{shelf['book']}/reviews", json={"reviewer": f"r{n}", "rating": 3}))
    response = client.get(f"/api/books/{shelf['book']}/reviews?limit=2&offset=1")
    assert [r["reviewer"] for r in response.get_json()] == ["r0", "r1"]
    assert response.headers["Link"] == f'</api/books/{shelf["book"]}/reviews?limit=2&offset=3>; rel="next"'


LIST_PATHS = ["/api/authors", "/api/books", "/api/books/{book}/reviews"]
PAGE_CASES = [
    pytest.param("limit=abc", ["limit must be a whole number, 1 or more"], id="limit-word"),
    pytest.param("limit=", ["limit must be a whole number"], id="limit-empty"),
    pytest.param("limit=2.5", ["limit must be a whole number"], id="limit-fraction"),
    pytest.param("limit=-1", ["limit must be a whole number, 1 or more"], id="limit-negative"),
    pytest.param("limit=0", ["limit must be a whole number, 1 or more"], id="limit-0"),
    pytest.param("limit=+5", ["limit must be a whole number"], id="limit-plus-sign"),
    pytest.param("limit=1_0", ["limit must be a whole number"], id="limit-underscore"),
    pytest.param("limit=%D9%A5", ["limit must be a whole number"], id="limit-arabic-indic-digit"),
    pytest.param("limit=201", ["limit must be at most 200"], id="limit-201"),
    pytest.param("limit=1&limit=2", ["limit is given more than once"], id="limit-twice"),
    pytest.param("offset=-5", ["offset must be a whole number, 0 or more"], id="offset-negative"),
    pytest.param("offset=x", ["offset must be a whole number, 0 or more"], id="offset-word"),
    pytest.param(f"offset={2**63}", ["offset must be at most"], id="offset-too-large"),
    pytest.param("offset=" + "9" * 5000, ["offset must be at most"], id="offset-5000-digits"),
    pytest.param("page=2", ["unknown query parameter(s): page"], id="unknown-parameter"),
]


@pytest.mark.parametrize("path", LIST_PATHS, ids=["authors", "books", "reviews"])
@pytest.mark.parametrize("query, words", PAGE_CASES)
def test_bad_page_parameters_are_refused(refused, shelf, path, query, words):
    refused("GET", f"{path.format(**shelf)}?{query}", 400, *words)


# --- the database cannot answer ----------------------------------------------------------


def assert_busy(response):
    assert_error(response, 503, "the database is busy, retry")
    assert response.headers["Retry-After"] == "1"


@pytest.fixture
def impatient_client(migrated_db):
    """A client whose app waits only 0.1 s for a lock or a pooled connection."""
    options = {"connect_args": {"timeout": 0.1}, "pool_size": 1, "max_overflow": 0, "pool_timeout": 0.1}
    app = create_app({"SQLALCHEMY_DATABASE_URI": migrated_db, "TESTING": True,
                      "SQLALCHEMY_ENGINE_OPTIONS": options})
    return app, app.test_client()


@pytest.mark.parametrize("method, path", [("POST", "/api/authors"), ("GET", "/api/authors")])
def test_a_locked_database_is_busy_not_an_error(impatient_client, migrated_db, method, path):
    _, client = impatient_client
    # Another program holds SQLite's exclusive lock: nobody else may read or write.
    with closing(sqlite3.connect(migrated_db.removeprefix("sqlite:///"))) as other:
        other.execute("BEGIN EXCLUSIVE")
        response = client.open(path, method=method, json={"name": "Waits"} if method == "POST" else None)
        other.rollback()
    assert_busy(response)
    # The busy request wrote nothing, and the next one goes through.
    assert client.get("/api/authors").get_json() == []
    assert client.post("/api/authors", json={"name": "Later"}).status_code == 201


def test_no_free_connection_is_busy_not_an_error(impatient_client):
    app, client = impatient_client
    with app.app_context(), db.engine.connect():  # the pool's only connection, held
        response = client.get("/api/authors")
    assert_busy(response)
    assert client.get("/api/authors").status_code == 200


def test_other_database_errors_are_503_without_the_database_message(tmp_path):
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"this is not a SQLite database file" * 100)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{broken}", "TESTING": True})
    response = app.test_client().get("/api/authors")
    message = assert_error(response, 503, "the database is unavailable")
    assert "file is not a database" not in message and "Retry-After" not in response.headers


@pytest.mark.parametrize("path, body", [
    ("/api/authors", {"name": "Written once"}),
    ("/api/books/{book}/reviews", {"reviewer": "once", "rating": 4}),
])
def test_a_committed_row_is_answered_201_even_if_the_database_then_gets_busy(app, client, shelf, path, body):
    """After COMMIT the row exists: answering "busy, retry" then would make a client write it twice.

    The pool hands out no further connection once the request's transaction has committed,
    as when other requests take every connection at that moment.
    """
    committed = []
    with app.app_context():
        engine = db.engine

    def after_commit(connection):
        committed.append(True)

    def checkout(dbapi_connection, record, proxy):
        if committed:
            raise sqlalchemy.exc.TimeoutError("no connection free after the commit")

    event.listen(engine, "commit", after_commit)
    event.listen(engine, "checkout", checkout)
    try:
        response = client.post(path.format(book=shelf["book"]), json=body)
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "commit", after_commit)
    assert committed, "the request never committed"
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["id"] > 0
