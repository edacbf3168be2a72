"""Shared fixtures: a local HTTP server (``http_server``), fast fetch settings (``fetch_settings``) and,
for tests marked ``browser``, headless Chromium (``browser``; the tests are skipped with the reason
where Playwright or a Chromium binary is missing).

Use in a test::

    def test_something(http_server, fetch_settings):
        url = http_server.url("/fetch/basic.html")  # any file under tests/fixtures/
        url = http_server.add_page("/mine", "<html>...</html>")  # or a route of your own
        page = fetch(url, fetch_settings)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``browser`` are skipped, with the reason, where they cannot run."""
    from analysis.bench.browser import browser_unavailable

    reason = browser_unavailable()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's binary through Playwright), one per test module."""
    from analysis.bench.browser import launched

    with launched() as b:
        yield b
