"""Shared fixtures: a local HTTP server (``http_server``) and fast fetch settings (``fetch_settings``).

Use in a test::

    def test_something(http_server, fetch_settings):
        url = http_server.url("/fetch/basic.html")  # any file under tests/fixtures/
        url = http_server.add_page("/mine", "<html>...</html>")  # or a route of your own
        page = fetch(url, fetch_settings)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from analysis.settings import Settings

try:  # tests/ itself is on sys.path while it has no __init__.py (pytest's "prepend" import mode)
    from httpserver import TestServer
except ModuleNotFoundError:  # tests/ became a package
    from tests.httpserver import TestServer


@pytest.fixture(scope="session")
def http_server() -> Iterator[TestServer]:
    """One threaded server on 127.0.0.1 for the whole session (routes in ``.routes``)."""
    with TestServer() as server:
        yield server


@pytest.fixture
def fetch_settings() -> Settings:
    """Settings for fetching from the local server: private addresses allowed, short limits.

    robots.txt is respected as by default (the shared server has none: 404 = allowed).
    """
    return Settings(
        allow_private=True,  # the test server is on 127.0.0.1
        connect_timeout=1.0,
        read_timeout=1.0,
        deadline=3.0,
        max_bytes=200_000,  # small cap: /huge and /gzip-bomb exceed it
        max_redirects=5,
        retries=2,
        backoff=0.01,
        max_retry_wait=0.5,
        workers=4,
        per_domain=2,
        domain_delay=0.0,  # politeness spacing has its own tests (test_politeness.py)
    )
