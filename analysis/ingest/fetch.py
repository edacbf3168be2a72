"""URL -> :class:`~analysis.models.Page`.  The only module that touches the network, with its
parts :mod:`~analysis.ingest.client` (request loop), :mod:`~analysis.ingest.connection` (pinned
sessions) and :mod:`~analysis.ingest.url_safety` (address checks).

Every problem a user can meet on the web (bad URL, private address, bot wall, slow or
huge page, PDF, broken charset, redirect loop, reset connection ...) comes back as a
``Page`` with a ``health`` from :data:`analysis.models.HEALTH_ORDER` and a one-line
``reason``; :func:`fetch` does not raise for them.

Safety (server-side request forgery): a URL is fetched only when its scheme is http(s) and
every address its host resolves to is public (:func:`check_url`), on the first request and
again on every redirect hop.  The time-of-check/time-of-use gap between resolving a name
and connecting to it (DNS rebinding) is closed for sessions made by :func:`make_session`
(the default): their connections go to the address that was checked, never to a fresh
lookup.  A caller-supplied session without that adapter keeps the gap: the check still
runs, but its connection resolves the name again.  Environment proxies are ignored by
:func:`make_session` for the same reason (a proxy would resolve and connect for us).

URLs refused before any lookup ("invalid-url"): other schemes than http(s), more than
``MAX_URL_CHARS`` characters, whitespace, control or invisible characters or a backslash
anywhere, port 0.  Any port 1-65535 is accepted on public addresses.

Limits: ``Settings.connect_timeout``/``read_timeout`` per request, ``deadline`` per URL
(wall clock: robots.txt, retries and redirects included, enforced between body chunks and by
shrinking the socket timeout; only the wait for a politeness slot is not counted),
``max_bytes`` on the decoded body (so a gzip bomb stops at the cap), ``max_redirects``,
``retries`` on 429/503 with exponential ``backoff`` and ``Retry-After``.

Politeness (see :func:`fetch`): robots.txt is obeyed when ``Settings.respect_robots`` is on
(:mod:`analysis.ingest.robots`, fetched through this same safe path); requests to one registered
domain start ``Settings.domain_delay`` seconds apart (or the site's Crawl-delay) and at most
``Settings.per_domain`` run at once in :func:`fetch_many`; our user agent names the tool.
An optional :class:`~analysis.ingest.pagecache.PageCache` saves refetching unchanged pages.

Decoded pages lose the characters no XML tree can hold (:func:`clean_markup`), so hostile
bytes in a page cannot make extraction raise.
"""

from __future__ import annotations

import heapq
import socket
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import Any

import requests

from analysis.ingest import robots as robots_mod
from analysis.ingest.canonical import TRACKING_PARAMS, TRACKING_PREFIXES, canonical_url
from analysis.ingest.client import (
    CHUNK_BYTES,
    FEED_ACCEPT,
    REDIRECT_STATUSES,
    RETRY_STATUSES,
    _Fetcher,
    human_size,
    load_robots,
)
from analysis.ingest.connection import ACCEPT, ACCEPT_ENCODING, ROBOTS_ACCEPT, PinningAdapter, make_session
from analysis.ingest.decoding import (
    DECLARED_CHARSET_MAX_INVALID,
    HTML_TYPES,
    clean_markup,
    decode_html,
    decode_html_bytes,
    detect_charset,
    invalid_share,
    looks_like_html,
    media_type,
)
from analysis.ingest.outlets import registered_domain
from analysis.ingest.pagecache import PageCache
from analysis.ingest.throttle import DEFAULT_THROTTLE, DomainThrottle, _domain_key, parse_retry_after
from analysis.ingest.url_safety import (
    ALLOWED_SCHEMES,
    DEFAULT_ALLOWED_HOSTS,
    DEFAULT_PORTS,
    MAX_URL_CHARS,
    Resolver,
    UrlCheck,
    _one_line,
    address_problem,
    check_url,
    inspect_url,
)
from analysis.models import Page
from analysis.settings import Settings

# Re-exported: callers and tests import these from here (they live in the modules named above).
__all__ = [
    "ACCEPT", "ACCEPT_ENCODING", "ALLOWED_SCHEMES", "CHUNK_BYTES", "DECLARED_CHARSET_MAX_INVALID",
    "DEFAULT_ALLOWED_HOSTS", "DEFAULT_PORTS", "DEFAULT_THROTTLE", "FEED_ACCEPT", "HTML_TYPES",
    "MAX_URL_CHARS", "REDIRECT_STATUSES", "RETRY_STATUSES", "ROBOTS_ACCEPT", "TRACKING_PARAMS",
    "TRACKING_PREFIXES", "BatchTooLarge", "DomainThrottle", "PinningAdapter", "Resolver", "UrlCheck",
    "address_problem", "canonical_url", "check_batch_size", "check_url", "clean_markup", "decode_html",
    "decode_html_bytes", "detect_charset", "fetch", "fetch_many", "human_size", "inspect_url",
    "invalid_share", "load_robots", "looks_like_html", "make_session", "media_type", "parse_retry_after",
    "registered_domain",
]  # fmt: skip


def fetch(
    url: str,
    settings: Settings,
    session: requests.Session | None = None,
    *,
    resolver: Resolver = socket.getaddrinfo,
    allowed_hosts: Collection[str] | None = None,
    robots: robots_mod.RobotsCache | None = None,
    throttle: DomainThrottle | None = None,
    cache: PageCache | None = None,
    accept: Collection[str] | None = None,
) -> Page:
    """Fetch one URL.  Never raises for network or HTTP problems: they are in ``Page.health``.

    ``accept``: media types read besides refusing as "not-html" (default: HTML only;
    ``analysis.ingest.discover`` adds the feed types).

    ``session`` defaults to a fresh :func:`make_session` (closed afterwards).  ``resolver`` and
    ``allowed_hosts`` are passed to :func:`inspect_url` for every hop (tests use them).

    Politeness: when ``settings.respect_robots`` is on, robots.txt is consulted for every host
    the request goes to (``robots``: the cache to use, default the process-wide one), and a
    disallowed page comes back "blocked" without being requested.  Requests to one registered
    domain start at least ``settings.domain_delay`` seconds apart (or the site's Crawl-delay,
    up to ``robots.MAX_CRAWL_DELAY``), through ``throttle`` (default: process-wide).

    ``cache``: a :class:`~analysis.ingest.pagecache.PageCache`; pages younger than
    ``settings.cache_ttl`` come from it without a request (``Page.attempts == 0``), older ones
    are revalidated (``If-None-Match``/``If-Modified-Since``; a 304 gives ``status == 304``).
    """
    own = session is None
    sess = make_session(settings) if session is None else session
    robots_cache = (
        (robots if robots is not None else robots_mod.DEFAULT_CACHE) if settings.respect_robots else None
    )
    try:
        return _Fetcher(
            url,
            settings,
            sess,
            resolver=resolver,
            allowed_hosts=allowed_hosts,
            robots=robots_cache,
            throttle=throttle if throttle is not None else DEFAULT_THROTTLE,
            cache=cache,
            accept=accept,
        ).run()
    finally:
        if own:
            sess.close()


# --- many URLs -----------------------------------------------------------------------------


def _error_page(url: str, exc: BaseException) -> Page:
    return Page(
        url=url,
        final_url=url,
        status=None,
        content_type="",
        html=None,
        health="network-error",
        reason=f"unexpected error: {type(exc).__name__}: {_one_line(exc)}",
        attempts=0,
        fetched_at=datetime.now(UTC),
    )


class BatchTooLarge(ValueError):
    """More URLs in one batch than ``Settings.max_batch_urls``."""


def check_batch_size(n: int, settings: Settings) -> str | None:
    """Why a batch of ``n`` URLs is refused (more than ``settings.max_batch_urls``), or None."""
    limit = settings.max_batch_urls
    if limit > 0 and n > limit:
        return (
            f"{n:,} URLs in one batch; the limit is {limit:,} (split the list, or raise "
            "ANALYSIS_MAX_BATCH_URLS)"
        )
    return None


def fetch_many(
    urls: Iterable[str],
    settings: Settings,
    on_result: Callable[[Page], None] | None = None,
    *,
    resolver: Resolver = socket.getaddrinfo,
    allowed_hosts: Collection[str] | None = None,
    robots: robots_mod.RobotsCache | None = None,
    throttle: DomainThrottle | None = None,
    cache: PageCache | None = None,
) -> list[Page]:
    """Fetch ``urls`` concurrently; pages come back in input order.

    At most ``settings.workers`` requests run at once, and at most ``settings.per_domain`` to
    one registered domain (whose request starts are also spaced by ``settings.domain_delay``,
    see :func:`fetch`).  ``on_result`` is called in the calling thread as each page is ready
    (for progress bars).  An unexpected error for one URL becomes a "network-error" page.
    The keyword arguments are passed to :func:`fetch`.  Raises :class:`BatchTooLarge` for more
    than ``settings.max_batch_urls`` URLs (callers should check first: :func:`check_batch_size`).
    """
    items = list(urls)
    too_many = check_batch_size(len(items), settings)
    if too_many:
        raise BatchTooLarge(too_many)
    results: list[Page | None] = [None] * len(items)
    workers = max(1, settings.workers)
    per_domain = max(1, settings.per_domain)
    options: dict[str, Any] = {
        "robots": robots,
        "throttle": throttle,
        "cache": cache,
        "resolver": resolver,
        "allowed_hosts": allowed_hosts,
    }

    queues: dict[str, deque[int]] = defaultdict(deque)
    for i, u in enumerate(items):
        queues[_domain_key(u)].append(i)
    running: dict[str, int] = defaultdict(int)
    # Domains with pending URLs and spare capacity, by their earliest pending index.
    ready: list[tuple[int, str]] = [(q[0], d) for d, q in queues.items()]
    heapq.heapify(ready)

    local = threading.local()
    sessions: list[requests.Session] = []
    lock = threading.Lock()

    def work(url: str) -> Page:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = make_session(settings)
            with lock:
                sessions.append(session)
        try:
            return fetch(url, settings, session, **options)
        except Exception as exc:  # worker boundary: one bad URL must not lose the batch; recorded below
            return _error_page(url, exc)

    futures: dict[Future[Page], tuple[int, str]] = {}
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            while ready or futures:
                while ready and len(futures) < workers:
                    _, domain = heapq.heappop(ready)
                    i = queues[domain].popleft()
                    running[domain] += 1
                    futures[pool.submit(work, items[i])] = (i, domain)
                    if queues[domain] and running[domain] < per_domain:
                        heapq.heappush(ready, (queues[domain][0], domain))
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for fut in done:
                    i, domain = futures.pop(fut)
                    was_full = running[domain] >= per_domain
                    running[domain] -= 1
                    if was_full and queues[domain]:
                        heapq.heappush(ready, (queues[domain][0], domain))
                    page = fut.result()
                    results[i] = page
                    if on_result is not None:
                        on_result(page)
    finally:
        for s in sessions:
            s.close()
    return [
        p if p is not None else _error_page(items[i], RuntimeError("not fetched"))
        for i, p in enumerate(results)
    ]
