"""The API tests whose outcome depends on the database, run again with the app on PostgreSQL.

Here the app is built as a deployment builds it: production configuration, its database named by
``DATABASE_URL`` (a fresh copy of a PostgreSQL database that the migrations built), and a
``SECRET_KEY`` from the environment. The tests are test_api.py's own, imported, so the two files
cannot drift apart; only the ``app`` fixture differs.

Why a subset: PostgreSQL is stricter than SQLite where the database itself decides the answer. It
refuses a string longer than its ``VARCHAR(n)``, a number too large for ``INTEGER``, a unique or foreign
key violation, and it gives ids from sequences. So these run again: every successful write and read,
the values at and past each column's limit, duplicates, unknown and out-of-range ids, and paging
(order by id). Left out, as they never reach the database or are about SQLite alone: malformed request
bodies, bad paging parameters, unknown routes and methods (refused before any query), and the tests of
SQLite's single writer (a locked database, a full pool, a busy commit).
"""
import pytest

from sample_app import create_app
from test_api import (  # noqa: F401  (fixtures and tests, collected here a second time)
    many_authors,
    refused,
    row_counts,
    shelf,
    test_a_review_body_defaults_to_empty,
    test_a_review_body_keeps_tabs_and_line_breaks,
    test_bad_author_fields_are_refused,
    test_bad_book_fields_are_refused,
    test_bad_review_fields_are_refused,
    test_create_list_and_get_authors,
    test_create_list_and_get_books,
    test_create_list_and_get_reviews,
    test_duplicates_are_a_conflict,
    test_following_next_links_gives_every_row_once_in_id_order,
    test_invisible_characters_inside_visible_text_are_kept,
    test_limits_count_the_text_after_trimming,
    test_lists_are_paged_50_at_a_time_by_default,
    test_lists_start_empty,
    test_published_year_is_optional,
    test_ratings_at_both_ends_of_the_range_are_accepted,
    test_reviews_are_listed_per_book,
    test_reviews_of_a_book_are_paged_too,
    test_strings_are_stored_without_surrounding_whitespace,
    test_strings_exactly_at_the_column_limit_are_accepted,
    test_the_last_page_has_no_next_link_and_past_the_end_is_empty,
    test_unknown_ids_in_the_url_are_not_found,
)


@pytest.fixture
def app(pg_migrated_url, monkeypatch):
    monkeypatch.setenv("SAMPLE_APP_CONFIG", "production")
    monkeypatch.setenv("DATABASE_URL", pg_migrated_url)
    monkeypatch.setenv("SECRET_KEY", "k" * 32)  # production's minimum length; no real secret is needed here
    app = create_app()
    assert app.config["CONFIG_NAME"] == "production"
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    return app
