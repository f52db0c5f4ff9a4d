"""The API under a burst of concurrent requests: no 500s, and nothing half-written.

A real threaded Werkzeug server (what `flask run` uses) on a loopback port, not the test
client: requests then arrive on real sockets, each in its own server thread with its own
database connection, as they do in use. 100 client threads start together behind a barrier.

It runs twice: with the app's own SQLite settings, and with a starved engine (a pool of
two connections, 50 ms to wait for a lock or a connection) that forces the busy paths,
so that they are proven to answer 503 with Retry-After rather than 500.
"""
import http.client
import json
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from sample_app import create_app
from sample_app.db import db
from sample_app.models import Author, Review

THREADS = 100
BIG = "x" * 10_000  # the longest body a review may have
ALLOWED = {200, 201, 409, 503}


STARVED = {"connect_args": {"timeout": 0.05}, "pool_size": 2, "max_overflow": 0, "pool_timeout": 0.05}


@pytest.fixture(params=[None, STARVED], ids=["app-settings", "starved-engine"])
def server(migrated_db, request):
    """The app served on 127.0.0.1 in a background thread; yields (app, port)."""
    settings = {"SQLALCHEMY_DATABASE_URI": migrated_db, "TESTING": True}
    if request.param:
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = request.param
    app = create_app(settings)
    with app.app_context():  # a shelf whose review list is large: 20 bodies of 10,000 characters
        author = Author(name="Le Guin")
        db.session.add(author)
        db.session.flush()
        db.session.execute(db.text("INSERT INTO books (id, title, isbn, author_id) VALUES (1, 't', '1', :a)"),
                           {"a": author.id})
        db.session.add_all(Review(book_id=1, reviewer=f"seed{n}", rating=3, body=BIG) for n in range(20))
        db.session.commit()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield app, httpd.server_port
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def request_for(n):
    """The n-th client's request: 40 list reads, 40 author creates (some repeated), 20 big reviews."""
    if n % 5 in (0, 1):
        path = ["/api/authors?limit=200", "/api/books", "/api/books/1/reviews?limit=200"][n % 3]
        return "GET", path, None
    if n % 5 in (2, 3):
        # Clients 2 and 3 send the same name (7 and 8 too, ...): one of each pair gets 409.
        return "POST", "/api/authors", {"name": f"author {n - n % 5}"}
    return "POST", "/api/books/1/reviews", {"reviewer": f"reader {n}", "rating": 4, "body": BIG}


def send(port, method, path, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        return response.status, response.getheader("Retry-After"), payload
    finally:
        connection.close()


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_burst_of_mixed_requests_gets_no_500_and_writes_whole_rows(server):
    app, port = server
    authors_before, reviews_before = count(app, Author), count(app, Review)
    start = threading.Barrier(THREADS)
    results = [None] * THREADS

    def client(n):
        method, path, body = request_for(n)
        start.wait()
        results[n] = (method, path, *send(port, method, path, body))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert None not in results, "a client thread did not finish"

    statuses = Counter(status for _, _, status, _, _ in results)
    print(f"\nstatus counts of a {THREADS}-thread mixed run:", dict(sorted(statuses.items())), end=" ")
    unexpected = [(m, p, s, body[:200]) for m, p, s, _, body in results if s not in ALLOWED]
    assert not unexpected
    for method, path, status, retry_after, body in results:
        if status == 503:
            assert retry_after and "busy" in json.loads(body)["error"], (method, path, body)
        if status == 200:
            assert isinstance(json.loads(body), list)

    # Every 201 is one whole row, and no refused or failed request left one behind.
    created = Counter(path for _, path, status, _, _ in results if status == 201)
    assert count(app, Author) == authors_before + created["/api/authors"]
    assert count(app, Review) == reviews_before + created["/api/books/1/reviews"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(func.length(Review.body) != len(BIG))) == 0
