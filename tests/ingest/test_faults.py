"""Faults: a misbehaving web does not hang, exhaust or break a batch.

Every fault the local servers can produce ends as a Page with the right health and a reason;
the wall-clock deadline (not only socket timeouts) stops servers that never answer or trickle;
and a batch of 200 URLs, 30% of them faulty, goes through the real path (``ingest_urls`` into a
temporary SQLite store) in bounded time and memory, storing every good article and recording
every bad one with its reason.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from analysis.ingest.extract import extract_article
from analysis.ingest.fetch import fetch
from analysis.models import FAILED_HEALTH, HEALTH_ORDER
from analysis.pipeline import ingest_urls
from analysis.scoring.scorer import score_text
from analysis.settings import Settings
from analysis.store import Store

try:
    from httpserver import DEFAULT_ROUTES, SilentServer, TestServer, article_html
except ModuleNotFoundError:
    from tests.httpserver import DEFAULT_ROUTES, SilentServer, TestServer, article_html

# Socket timeouts far above the deadline: only the wall-clock deadline can stop the slow faults.
FAULT_SETTINGS = Settings(
    allow_private=True,
    connect_timeout=5.0,
    read_timeout=5.0,
    deadline=0.5,
    max_bytes=1_000_000,
    retries=1,
    backoff=0.05,
    max_retry_wait=0.5,
    domain_delay=0.0,
)


@pytest.fixture(scope="module")
def silent() -> Iterator[SilentServer]:
    with SilentServer() as server:
        yield server


# (path, expected health, fragment of the reason)
FAULTS: list[tuple[str, str, str]] = [
    ("/trickle?interval=1&limit=120", "timeout", "overall deadline of 0.5 s passed while reading the body"),
    ("/trickle?interval=0.2&limit=120", "timeout", "overall deadline of 0.5 s passed while reading the body"),
    ("/silent?limit=120", "timeout", "overall deadline of 0.5 s passed waiting for 127.0.0.1"),
    ("/chunked/endless", "too-large", "Body exceeds the 1.0 MB cap"),
    ("/chunked/endless?interval=0.3", "timeout", "overall deadline of 0.5 s passed while reading the body"),
    ("/huge?mb=20", "too-large", "(Content-Length 20.0 MB)"),
    ("/huge?mb=20&length=0", "too-large", "Body exceeds the 1.0 MB cap"),
    ("/gzip-bomb", "too-large", "cap after gzip decompression"),
    ("/redirect/loop", "network-error", "redirect loop"),
    ("/reset", "network-error", "connection reset by 127.0.0.1"),
    ("/reset-mid-body", "network-error", "connection reset while reading the body"),
    ("/reset-after?s=0.2", "network-error", "connection reset by 127.0.0.1"),
    ("/reset-mid-headers", "network-error", "connection reset by 127.0.0.1"),
    ("/reset-chunked", "network-error", "connection reset while reading the body"),
    ("/half-close", "network-error", "closed the connection without answering"),
    ("/garbage", "network-error", "did not answer in HTTP"),
    ("/status/500", "http-error", "HTTP 500 Internal Server Error"),
    ("/status/404", "http-error", "HTTP 404 Not Found"),
    ("/always/429?after=1", "blocked", "asked to wait 1 s, longer than the 0.5 s retry limit"),
    ("/always/429?after=0", "blocked", "rate-limiting requests (gave up after 2 attempts)"),
    ("/wrong-type/html-as-png", "not-html", "image/png is not an HTML page"),
    ("/pdf", "not-html", "application/pdf is not an HTML page"),
]

# Served with status 200 but wrong inside: fetched, then extraction judges them.
ODD_PAGES: list[str] = [
    "/wrong-type/binary-as-html",
    "/wrong-type/json-as-html",
    "/bad-header",
    "/charset/undeclared-cp1252",
    "/charset/lying-meta",
]


@pytest.mark.parametrize(("path", "health", "fragment"), FAULTS, ids=[f[0] for f in FAULTS])
def test_each_fault_ends_with_a_health_and_a_reason(
    http_server, path: str, health: str, fragment: str
) -> None:
    page = fetch(http_server.url(path), FAULT_SETTINGS)
    assert page.health == health, page.reason
    assert fragment in page.reason
    assert page.html is None
    assert page.elapsed < FAULT_SETTINGS.read_timeout  # the deadline stopped it, not a socket timeout


def test_odd_pages_are_decoded_and_extraction_survives_them(http_server) -> None:
    for path in ODD_PAGES:
        page = fetch(http_server.url(path), FAULT_SETTINGS)
        assert page.ok, (path, page.reason)
        article = extract_article(page.html, page.final_url, FAULT_SETTINGS)
        assert article.health in HEALTH_ORDER


def test_charsets_that_are_missing_or_lie_are_detected(http_server) -> None:
    undeclared = fetch(http_server.url("/charset/undeclared-cp1252"), FAULT_SETTINGS)
    assert "café’s “naïve” façade — a résumé of crème brûlée" in undeclared.html
    lying = fetch(http_server.url("/charset/lying-meta"), FAULT_SETTINGS)
    assert "Правительство объявило о новых мерах" in lying.html and lying.charset_source == "detected"


# --- the deadline is wall-clock, not a socket timeout ------------------------------------------

DEADLINE_ONLY = replace(FAULT_SETTINGS, connect_timeout=10.0, read_timeout=10.0)


def test_deadline_stops_a_server_that_accepts_and_never_answers(silent) -> None:
    settings = replace(DEADLINE_ONLY, respect_robots=False)  # its robots.txt would never answer either
    page = fetch(silent.url("/article"), settings)
    assert page.health == "timeout" and page.reason.startswith("overall deadline of 0.5 s passed waiting")
    assert page.elapsed < DEADLINE_ONLY.read_timeout and silent.accepted >= 1


def test_robots_txt_on_a_silent_server_blocks_in_bounded_time(silent) -> None:
    from analysis.ingest.robots import RobotsCache

    page = fetch(silent.url("/article"), DEADLINE_ONLY, robots=RobotsCache())
    assert page.health == "blocked" and "could not be read" in page.reason and "deadline" in page.reason
    assert page.elapsed < DEADLINE_ONLY.read_timeout


@pytest.mark.parametrize("interval", ["1", "0.2", "0.05"])
def test_deadline_stops_a_trickling_body(http_server, interval: str) -> None:
    # A byte every `interval` seconds keeps every socket read under its 10 s timeout forever.
    page = fetch(http_server.url(f"/trickle?interval={interval}&limit=120"), DEADLINE_ONLY)
    assert page.health == "timeout"
    assert page.reason.startswith("overall deadline of 0.5 s passed while reading the body")
    assert page.elapsed < DEADLINE_ONLY.read_timeout


def test_deadline_stops_a_slow_endless_chunked_stream(http_server) -> None:
    page = fetch(http_server.url("/chunked/endless?interval=0.1"), DEADLINE_ONLY)
    assert page.health == "timeout" and "overall deadline" in page.reason


# --- a 200-URL batch through the real path ------------------------------------------------------


class RssSampler(threading.Thread):
    """Samples this process's resident memory every few milliseconds (Linux /proc)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.start_rss = self.rss()
        self.peak = self.start_rss
        self._halt = threading.Event()

    def rss(self) -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * self.page

    def run(self) -> None:
        while not self._halt.wait(0.005):
            self.peak = max(self.peak, self.rss())

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak - self.start_rss


BATCH_SIZE = 200
FAULTY_SHARE = 0.3
WORKERS = 16
# Processing allowance on top of the fetch bound: extracting and scoring the good pages and
# committing them (about 50 ms a page here; this allows ten times that).  A broken deadline
# would leave the 120 s tricklers and silent servers running far past the bound.
PROCESSING_SLACK = 0.5 * BATCH_SIZE * (1 - FAULTY_SHARE)
# RSS growth allowed during the batch.  Without the size cap one endless stream alone grows
# without limit (loopback delivers hundreds of MB a second) and the 20 MB bodies add up.
MEMORY_CAP = 300_000_000


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="RSS sampling needs Linux /proc")
def test_batch_with_30_percent_faulty_urls_is_bounded_and_loses_nothing(
    http_server, silent, tmp_path
) -> None:
    n_faulty = int(BATCH_SIZE * FAULTY_SHARE)
    n_good = BATCH_SIZE - n_faulty
    fault_paths = [f[0] for f in FAULTS] + ODD_PAGES
    faulty: list[tuple[str, str | None]] = []  # (url, expected fetch health or None for odd pages)
    expected = {f[0]: f[1] for f in FAULTS}
    for i in range(n_faulty - 3):
        path = fault_paths[i % len(fault_paths)]
        sep = "&" if "?" in path else "?"
        faulty.append((http_server.url(f"{path}{sep}batch={i}"), expected.get(path)))
    for i in range(3):  # a server that accepts and never answers (its robots.txt neither)
        faulty.append((silent.url(f"/never/{i}"), "timeout|blocked"))
    good = [http_server.url(f"/gen/article/{n}") for n in range(1000, 1000 + n_good)]
    # interleave: every third or so URL is faulty
    urls: list[str] = []
    fault_iter = iter(faulty)
    for i, url in enumerate(good):
        urls.append(url)
        if i % 7 in (0, 3, 5):
            nxt = next(fault_iter, None)
            if nxt:
                urls.append(nxt[0])
    urls.extend(u for u, _ in fault_iter)
    assert len(urls) == BATCH_SIZE and len(set(urls)) == BATCH_SIZE

    settings = replace(FAULT_SETTINGS, workers=WORKERS, per_domain=WORKERS)
    store = Store(f"sqlite:///{tmp_path / 'faults.db'}")
    bound = settings.deadline * math.ceil(n_faulty / WORKERS) + settings.deadline + PROCESSING_SLACK

    # Load the extraction and scoring libraries first: their import is not the batch's memory.
    score_text(extract_article(article_html(1), "https://warm.example/a").text)
    sampler = RssSampler()
    sampler.start()
    started = time.monotonic()
    results = ingest_urls(store, urls, event="Fault drill", settings=settings)
    took = time.monotonic() - started
    grew = sampler.stop()

    print(f"\nbatch: {took:.1f} s (bound {bound:.1f} s), RSS +{grew / 1e6:.0f} MB")
    assert took < bound, f"batch took {took:.1f} s, bound {bound:.1f} s"
    assert grew < MEMORY_CAP, f"RSS grew {grew / 1e6:.0f} MB"
    assert [r.source for r in results] == urls

    by_url = {r.source: r for r in results}
    for url in good:  # every good article stored, with usable text
        res = by_url[url]
        assert res.article_id is not None and res.health not in FAILED_HEALTH, (url, res.health, res.reason)
    stored = store.event_articles(store.get_or_create_event("Fault drill"), with_text=False)
    stored_urls = [a["url"] for a in stored]
    assert set(good) <= set(stored_urls) and len(stored_urls) == len(set(stored_urls))

    attempts = {a["url"]: a for a in store.attempts()}
    assert set(attempts) == set(urls)  # every URL's attempt is recorded, good or bad
    for url, health in faulty:
        res, attempt = by_url[url], attempts[url]
        if health is None:  # an odd page: fetched; extraction decided what it is worth
            assert attempt["health"] == "ok"
            continue
        assert res.article_id is None and attempt["article_id"] is None
        assert attempt["health"] in health.split("|"), (url, attempt)
        assert attempt["reason"] and res.reason == attempt["reason"]


# --- hostile content is stored as text, faithfully ------------------------------------------------

# What the page shows as text (escaped in its HTML): markup, a script, markdown, a javascript: link.
HOSTILE_TITLE = '<script>alert("t")</script> **Bold** _it_ [x](javascript:alert(1)) # H1 `code`'
HOSTILE_AUTHOR = "Rita <script>alert('a')</script> **Jones**"
HOSTILE_SENTENCES = [
    "The council said the text <iframe src=javascript:alert(1)> was found in a comment box.",
    'A resident typed <img src=x onerror="alert(2)"> and **bold claims** into the form.',
    "Engineers quoted the [link](javascript:alert(3)) and a `rm -rf /` joke in their report.",
    "The minister wrote <b>not bold</b> &amp; <i>not italic</i> in the draft, on purpose.",
    "Protesters held signs reading # Heading and > quote and | table | cells outside.",
    "Officials said the page showed {{template}} and ${variable} and <%= ruby %> fragments.",
]
CONTROL_NOISE = ["\x07", "&#1;", "\x0b", "&#x0C;", "\x1b[31m", "\ufffe", "&#xFFFF;"]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def hostile_page() -> str:
    noise = iter(CONTROL_NOISE * 10)
    paragraphs = "".join(
        f"<p>{_escape(s)}{next(noise)} Paragraph {word} follows with more ordinary words about the town "
        f"council meeting, the budget, the harbour repairs and the new bus routes.</p>"
        "<script>document.write('INJECTED')</script><style>p{color:red}</style>"
        for s, word in zip(HOSTILE_SENTENCES * 3, ["one", "two", "three"] * 6, strict=False)
    )
    title = _escape(HOSTILE_TITLE)
    return (
        "<!DOCTYPE html><html><head>"
        f"<title>{title}{CONTROL_NOISE[0]}</title><meta name='author' content=\"{_escape(HOSTILE_AUTHOR)}\">"
        "<meta property='article:published_time' content='2026-10-01T09:00:00Z'></head>"
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    )


def test_hostile_titles_authors_and_text_are_stored_as_text(http_server, fetch_settings, tmp_path) -> None:
    url = http_server.add_page("/hostile/article", hostile_page())
    store = Store(f"sqlite:///{tmp_path / 'hostile.db'}")
    [res] = ingest_urls(store, [url], event="Hostile", settings=fetch_settings)
    assert res.article_id is not None and res.health not in FAILED_HEALTH, res.reason

    [row] = store.event_articles(with_text=True)
    assert row["title"] == HOSTILE_TITLE  # exactly the text the page shows, control characters dropped
    assert row["authors"] == [HOSTILE_AUTHOR]
    text = row["text"]
    for sentence in HOSTILE_SENTENCES:  # markup-looking text and markdown kept verbatim ...
        assert sentence.replace("&amp;", "&") in text
    assert "INJECTED" not in text and "color:red" not in text  # ... real scripts and styles dropped
    stored = "".join([row["title"], text, *row["authors"]])
    assert not [c for c in stored if (ord(c) < 0x20 and c not in "\t\n") or c in "\ufffe\uffff"]
    # the raw page is kept as fetched (decoded, minus the characters no parser can hold)
    [(_, _, raw)] = list(store.raw_pages())
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in raw and "<script>document.write" in raw


# --- resets are named as resets, with the default socket timeouts -----------------------------


@pytest.mark.parametrize("path", ["/reset", "/reset-after?s=0.3", "/reset-mid-headers", "/reset-mid-body"])
def test_a_reset_is_a_reset_not_a_timeout_with_default_timeouts(http_server, path: str) -> None:
    """With the default 15 s read timeout a reset must end at once as "network-error", its reason
    naming the reset, never as a (15 s) timeout."""
    settings = Settings(allow_private=True, respect_robots=False, domain_delay=0.0, retries=0)
    assert settings.read_timeout == 15.0
    page = fetch(http_server.url(path), settings)
    assert page.health == "network-error" and "connection reset" in page.reason, page.reason
    assert page.elapsed < 3


def test_a_reset_while_reading_robots_txt_is_named() -> None:
    """A site that resets every connection, robots.txt included: the page is not fetched (RFC 9309:
    an unreachable robots.txt disallows) and the reason says the connection was reset."""
    from analysis.ingest.robots import RobotsCache

    with TestServer() as server:
        server.add_route("/robots.txt", DEFAULT_ROUTES["/reset"])
        settings = Settings(allow_private=True, domain_delay=0.0, retries=0)
        page = fetch(server.url("/reset"), settings, robots=RobotsCache())
    assert page.health == "blocked" and "could not be read (connection reset by 127.0.0.1)" in page.reason
    assert page.elapsed < 3
