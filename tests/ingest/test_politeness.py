"""Politeness: robots.txt (RFC 9309), per-domain spacing of requests, and the page cache.

robots.txt tests run against their own servers (``site``, ``other_site``): robots verdicts are
cached per origin, and the shared ``http_server`` must keep serving no robots.txt (404).
Timing is never measured on the wall clock: the throttle and the cache take injectable clocks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from itertools import count

import pytest

from analysis.ingest.fetch import DomainThrottle, fetch, fetch_many
from analysis.ingest.pagecache import MEMORY, CachedPage, PageCache, keep_headers, open_page_cache, storable
from analysis.ingest.robots import (
    ALLOW_ALL,
    DISALLOW_ALL,
    MAX_CRAWL_DELAY,
    ROBOTS_ERROR_TTL,
    ROBOTS_MAX_BYTES,
    ROBOTS_TTL,
    RobotsCache,
    from_status,
    from_text,
    parse_robots,
    product_token,
    robots_url,
)
from analysis.settings import Settings

try:
    from httpserver import TestServer, article_html
except ModuleNotFoundError:
    from tests.httpserver import TestServer, article_html

UA = "media-bias-dashboard/0.1 (test)"
_n = count()


def fresh(prefix: str) -> str:
    """A path no other test uses ("/cached" -> "/cached-7")."""
    return f"{prefix}-{next(_n)}"


# --- robots.txt: parsing and matching (pure) ----------------------------------------------------

ROBOTS = """\ufeff# a comment line
User-agent: *
Disallow: /private/
Allow: /private/press-releases/
Disallow: /*.pdf$
Disallow: /search?

User-agent: Media-Bias-Dashboard

Disallow: /members/
Allow: /members/free
Crawl-delay: 2

User-agent: *
Disallow: /drafts/
"""


def decide(text: str, path: str, agent: str = UA) -> bool:
    return (
        from_text("http://site.example/robots.txt", text).decide("http://site.example" + path, agent).allowed
    )


@pytest.mark.parametrize(
    ("path", "agent", "allowed"),
    [
        ("/news/story", "OtherBot/1.0", True),
        ("/private/x", "OtherBot/1.0", False),
        ("/private/press-releases/1", "OtherBot/1.0", True),  # longer Allow wins
        ("/report.pdf", "OtherBot/1.0", False),  # * wildcard and $ anchor
        ("/report.pdf?page=2", "OtherBot/1.0", True),  # $ really anchors
        ("/search?q=x", "OtherBot/1.0", False),
        ("/search", "OtherBot/1.0", True),
        ("/drafts/1", "OtherBot/1.0", False),  # the second "*" group is merged, not dropped
        ("/robots.txt", "OtherBot/1.0", True),  # always allowed
        # our own group replaces the "*" groups entirely (RFC 9309 2.2.1)
        ("/private/x", UA, True),
        ("/drafts/1", UA, True),
        ("/members/x", UA, False),
        ("/members/free/article", UA, True),
        ("/members/x", "MEDIA-BIAS-DASHBOARD/9", False),  # the product token matches case-insensitively
    ],
)
def test_rfc9309_matching(path: str, agent: str, allowed: bool) -> None:
    assert decide(ROBOTS, path, agent) is allowed


def test_longest_match_wins_and_allow_wins_a_tie() -> None:
    text = "User-agent: *\nDisallow: /a\nAllow: /a\nDisallow: /b/\nAllow: /b\n"
    assert decide(text, "/a/1") is True  # same length: Allow
    assert decide(text, "/b/1") is False  # "/b/" is longer than "/b"


def test_empty_disallow_and_empty_file_allow_everything() -> None:
    assert decide("User-agent: *\nDisallow:\n", "/anything") is True
    assert decide("", "/anything") is True
    assert decide("Disallow: /\n", "/x") is True  # a rule outside any group is ignored


@pytest.mark.parametrize(
    ("text", "path", "allowed"),
    [
        # cases the robotparser-based matcher got wrong (it read "//" as a network location,
        # counted "*" as the three characters of "%2A", and decoded "%2F")
        ("User-agent: *\nDisallow: //\n", "/news/1", True),
        ("User-agent: *\nDisallow: /a/\nAllow: /*\n", "/a/x", False),  # the longer rule wins
        ("User-agent: *\nDisallow: /a%2Fb\n", "/a/b", True),  # an encoded "/" is no "/" (2.2.2)
        ("User-agent: *\nDisallow: /a%2Fb\n", "/a%2fb", False),
        # a group named by a prefix of our product token is not ours (2.2.1)
        ("User-agent: media\nDisallow: /\n", "/x", True),
        ("User-agent: media\nDisallow: /\n\nUser-agent: *\nDisallow: /y\n", "/y", False),
    ],
)
def test_rfc9309_edge_cases(text: str, path: str, allowed: bool) -> None:
    assert decide(text, path) is allowed


def test_fractional_crawl_delay() -> None:
    decision = from_text("http://s/robots.txt", "User-agent: *\nCrawl-delay: 0.5\n").decide("http://s/", UA)
    assert decision.allowed and decision.crawl_delay == 0.5


def test_parse_keeps_every_group_and_crawl_delay() -> None:
    groups = parse_robots(ROBOTS)
    assert [g.agents for g in groups] == [("*",), ("media-bias-dashboard",), ("*",)]
    assert groups[1].crawl_delay == 2.0
    decision = from_text("http://s/robots.txt", "User-agent: *\nCrawl-delay: 3600\n").decide("http://s/", UA)
    assert decision.allowed and decision.crawl_delay == MAX_CRAWL_DELAY


def test_disallow_reason_names_the_rule() -> None:
    decision = from_text("http://s.example/robots.txt", ROBOTS).decide("http://s.example/members/x", UA)
    assert decision.reason == (
        "robots.txt disallows /members/x for media-bias-dashboard "
        "(rule 'Disallow: /members/' in http://s.example/robots.txt)"
    )


def test_product_token_and_robots_url() -> None:
    assert product_token(UA) == "media-bias-dashboard"
    assert product_token("") == ""
    assert robots_url("https://News.Example:8443/a/b?c#d") == "https://news.example:8443/robots.txt"
    assert robots_url("http://[::1]:80/x") == "http://[::1]:80/robots.txt"
    assert robots_url("not a url") is None


@pytest.mark.parametrize(
    ("status", "verdict", "ttl"),
    [
        (404, ALLOW_ALL, ROBOTS_TTL),
        (410, ALLOW_ALL, ROBOTS_TTL),
        (401, DISALLOW_ALL, ROBOTS_TTL),
        (403, DISALLOW_ALL, ROBOTS_TTL),
        (429, DISALLOW_ALL, ROBOTS_ERROR_TTL),
        (500, DISALLOW_ALL, ROBOTS_ERROR_TTL),
        (503, DISALLOW_ALL, ROBOTS_ERROR_TTL),
    ],
)
def test_status_verdicts(status: int, verdict: str, ttl: float) -> None:
    found = from_status("http://s/robots.txt", status)
    assert (found.verdict, found.ttl) == (verdict, ttl)
    decision = found.decide("http://s/page", UA)
    assert decision.allowed is (verdict == ALLOW_ALL)
    if not decision.allowed:
        assert (
            decision.reason.startswith("robots.txt disallows every page")
            and f"HTTP {status}" in decision.reason
        )


def test_cache_loads_once_and_expires_with_its_clock() -> None:
    now = [0.0]
    cache = RobotsCache(clock=lambda: now[0])
    calls: list[int] = []

    def loader():
        calls.append(1)
        return from_status("http://s/robots.txt", 404), True

    for _ in range(3):
        cache.get("k", loader)
    assert len(calls) == 1
    now[0] = ROBOTS_TTL + 1
    cache.get("k", loader)
    assert len(calls) == 2 and cache.loads == 2


def test_cache_loads_once_under_concurrency() -> None:
    cache = RobotsCache()
    started = threading.Event()
    release = threading.Event()
    calls: list[int] = []

    def loader():
        calls.append(1)
        started.set()
        release.wait(5)
        return from_status("http://s/robots.txt", 404), True

    threads = [threading.Thread(target=cache.get, args=("k", loader)) for _ in range(6)]
    for t in threads:
        t.start()
    started.wait(5)
    release.set()
    for t in threads:
        t.join(5)
    assert calls == [1]


# --- robots.txt through the fetcher -------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[TestServer]:
    with TestServer() as server:
        yield server


@pytest.fixture(scope="module")
def other_site() -> Iterator[TestServer]:
    with TestServer() as server:
        yield server


@pytest.fixture
def robots() -> RobotsCache:
    return RobotsCache()


def serve_robots(server: TestServer, body: str | bytes, status: int = 200, ctype: str = "text/plain") -> None:
    server.add_page("/robots.txt", body, content_type=ctype, status=status)


def test_disallowed_page_is_blocked_without_being_requested(site, fetch_settings, robots) -> None:
    serve_robots(site, "User-agent: *\nDisallow: /private/\n")
    path = fresh("/private/page")
    site.add_page(path, article_html(1))
    page = fetch(site.url(path), fetch_settings, robots=robots)
    assert page.health == "blocked" and page.attempts == 0
    assert page.reason.startswith(f"robots.txt disallows {path} for all robots (rule 'Disallow: /private/'")
    assert site.hits(path) == 0


def test_allowed_pages_share_one_robots_request(site, fetch_settings, robots) -> None:
    serve_robots(site, "User-agent: *\nDisallow: /private/\n")
    before = site.hits("/robots.txt")
    path = fresh("/open")
    site.add_page(path, article_html(2))
    pages = fetch_many([site.url(f"{path}?i={i}") for i in range(8)], fetch_settings, robots=robots)
    assert all(p.ok for p in pages)
    assert site.hits("/robots.txt") - before == 1 and robots.loads == 1


def test_robots_is_requested_with_our_user_agent(site, fetch_settings, robots) -> None:
    seen: list[str] = []

    def handler(req) -> None:
        seen.append(req.headers.get("User-Agent", ""))
        req.send(200, "User-agent: *\nAllow: /\n", "text/plain")

    site.add_route("/robots.txt", handler)
    settings = replace(fetch_settings, user_agent="polite-tester/2.0 (+contact)")
    assert fetch(site.url("/ok"), settings, robots=robots).ok
    assert seen == ["polite-tester/2.0 (+contact)"]


def test_our_group_is_obeyed(site, fetch_settings, robots) -> None:
    serve_robots(site, "User-agent: *\nDisallow: /\n\nUser-agent: media-bias-dashboard\nAllow: /\n")
    assert fetch(site.url("/ok"), fetch_settings, robots=robots).ok
    other = replace(fetch_settings, user_agent="SomeOtherBot/1.0")
    assert fetch(site.url("/ok"), other, robots=RobotsCache()).health == "blocked"


@pytest.mark.parametrize(
    ("status", "health", "fragment"),
    [
        (404, "ok", ""),
        (410, "ok", ""),
        (401, "blocked", "answered HTTP 401 (access to it is refused)"),
        (403, "blocked", "answered HTTP 403 (access to it is refused)"),
        (500, "blocked", "could not be read (HTTP 500)"),
        (503, "blocked", "could not be read (HTTP 503)"),
        (429, "blocked", "could not be read (HTTP 429)"),
    ],
)
def test_robots_status_decides_for_the_whole_site(
    site, fetch_settings, robots, status, health, fragment
) -> None:
    serve_robots(site, "<h1>whatever</h1>", status=status, ctype="text/html")
    settings = replace(fetch_settings, retries=0)
    page = fetch(site.url("/ok"), settings, robots=robots)
    assert page.health == health, page.reason
    assert fragment in page.reason
    if health == "blocked":
        assert page.reason.startswith("robots.txt disallows every page of this site for now")


def test_unreachable_robots_is_remembered_for_the_run(site, fetch_settings, robots) -> None:
    serve_robots(site, "oops", status=500)
    before = site.hits("/robots.txt")
    settings = replace(fetch_settings, retries=0)
    pages = [fetch(site.url(f"/ok?i={i}"), settings, robots=robots) for i in range(3)]
    assert [p.health for p in pages] == ["blocked"] * 3
    assert site.hits("/robots.txt") - before == 1  # not asked again for every page


def test_robots_that_never_answers_blocks_the_site(site, fetch_settings, robots) -> None:
    def never_in_time(req) -> None:
        time.sleep(1.0)
        req.send(200, "", "text/plain")

    site.add_route("/robots.txt", never_in_time)
    settings = replace(fetch_settings, deadline=0.3, retries=0)
    page = fetch(site.url("/ok"), settings, robots=robots)
    assert page.health == "blocked" and "could not be read" in page.reason and "deadline" in page.reason


def test_robots_redirect_problems_mean_no_robots(site, fetch_settings, robots) -> None:
    site.add_route("/robots.txt", lambda req: req.redirect("/robots.txt"))  # a loop
    assert fetch(site.url("/ok"), fetch_settings, robots=robots).ok


def test_robots_redirect_into_private_space_is_not_followed(site, fetch_settings, robots) -> None:
    site.add_route("/robots.txt", lambda req: req.redirect("http://10.0.0.1/robots.txt"))
    settings = replace(fetch_settings, allow_private=False, allowed_hosts="127.0.0.1")
    page = fetch(site.url("/ok"), settings, robots=robots)
    assert page.ok  # unavailable robots.txt: allowed; 10.0.0.1 was refused before any connection


def test_robots_redirect_to_a_real_file_is_followed(site, fetch_settings, robots) -> None:
    site.add_route("/robots.txt", lambda req: req.redirect("/robots-real.txt", 301))
    site.add_page("/robots-real.txt", "User-agent: *\nDisallow: /ok\n", content_type="text/plain")
    assert fetch(site.url("/ok"), fetch_settings, robots=robots).health == "blocked"


def test_huge_robots_is_cut_at_the_rfc_limit_not_refused(site, fetch_settings, robots) -> None:
    head = "User-agent: *\nDisallow: /early\n"
    filler = "# " + "x" * 98 + "\n"
    body = head + filler * (ROBOTS_MAX_BYTES // len(filler) + 10) + "Disallow: /late\n"
    serve_robots(site, body)
    settings = replace(fetch_settings, max_bytes=100_000)  # the page cap does not apply to robots.txt
    assert fetch(site.url("/early"), settings, robots=robots).health == "blocked"
    site.add_page("/late", article_html(3))
    assert fetch(site.url("/late"), settings, robots=robots).ok  # beyond the limit: ignored


def test_redirect_to_another_site_checks_that_sites_robots(site, other_site, fetch_settings, robots) -> None:
    serve_robots(site, "User-agent: *\nAllow: /\n")
    serve_robots(other_site, "User-agent: *\nDisallow: /\n")
    path = fresh("/hop")
    site.add_route(path, lambda req: req.redirect(other_site.url("/ok")))
    page = fetch(site.url(path), fetch_settings, robots=robots)
    assert page.health == "blocked" and other_site.url("/robots.txt") in page.reason
    assert other_site.hits("/ok") == 0


def test_respect_robots_off_skips_robots_entirely(site, fetch_settings, robots) -> None:
    serve_robots(site, "User-agent: *\nDisallow: /\n")
    before = site.hits("/robots.txt")
    page = fetch(site.url("/ok"), replace(fetch_settings, respect_robots=False), robots=robots)
    assert page.ok and site.hits("/robots.txt") == before and robots.loads == 0


def test_the_default_settings_respect_robots() -> None:
    assert Settings().respect_robots is True and Settings().domain_delay > 0


# --- per-domain spacing -------------------------------------------------------------------------


class FakeTime:
    """A clock that only moves when the throttle sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def test_throttle_spaces_starts_per_domain() -> None:
    t = FakeTime()
    throttle = DomainThrottle(clock=t.clock, sleep=t.sleep)
    assert [throttle.reserve("a.example", 0.5) for _ in range(3)] == [0.0, 0.5, 1.0]
    assert throttle.reserve("b.example", 0.5) == 0.0  # other domains are not held up
    t.now += 10
    assert throttle.reserve("a.example", 0.5) == 0.0  # long after: no wait
    assert throttle.reserve("a.example", 0.0) == 0.0  # no delay asked: no wait


def test_throttle_is_safe_across_threads() -> None:
    t = FakeTime()
    throttle = DomainThrottle(clock=t.clock, sleep=t.sleep)
    waits: list[float] = []
    lock = threading.Lock()

    def book() -> None:
        w = throttle.reserve("a.example", 1.0)
        with lock:
            waits.append(w)

    threads = [threading.Thread(target=book) for _ in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(waits) == [float(i) for i in range(20)]  # every start has its own slot


def test_fetches_to_one_site_wait_for_the_domain_delay(http_server, fetch_settings) -> None:
    t = FakeTime()
    throttle = DomainThrottle(clock=t.clock, sleep=t.sleep)
    settings = replace(fetch_settings, domain_delay=0.7, respect_robots=False)
    for i in range(3):
        assert fetch(http_server.url(f"/ok?delay={i}"), settings, throttle=throttle).ok
    assert t.sleeps == [0.7, 0.7]


def test_crawl_delay_from_robots_is_honoured(site, fetch_settings, robots) -> None:
    serve_robots(site, "User-agent: *\nCrawl-delay: 3\n")
    t = FakeTime()
    throttle = DomainThrottle(clock=t.clock, sleep=t.sleep)
    settings = replace(fetch_settings, domain_delay=0.1)
    for i in range(3):
        assert fetch(site.url(f"/ok?cd={i}"), settings, robots=robots, throttle=throttle).ok
    # every page request started the crawl delay after the previous request (robots.txt first)
    assert t.sleeps == [3.0, 3.0, 3.0]


def test_politeness_waits_do_not_eat_the_deadline(http_server, fetch_settings) -> None:
    class SlowQueue(DomainThrottle):
        def wait(self, domain: str, delay: float) -> float:
            return 60.0  # pretend we queued for a minute behind other requests to this site

    settings = replace(fetch_settings, domain_delay=1.0, deadline=2.0, respect_robots=False)
    page = fetch(http_server.url("/ok"), settings, throttle=SlowQueue())
    assert page.ok, page.reason


def test_fetch_many_spaces_requests_through_one_throttle(http_server, fetch_settings) -> None:
    t = FakeTime()
    throttle = DomainThrottle(clock=t.clock, sleep=t.sleep)
    settings = replace(fetch_settings, domain_delay=0.25, respect_robots=False, workers=4, per_domain=4)
    pages = fetch_many([http_server.url(f"/ok?m={i}") for i in range(4)], settings, throttle=throttle)
    assert all(p.ok for p in pages)
    # four starts booked a quarter-second apart (the fake clock moves only as threads sleep)
    assert len(t.sleeps) == 3 and all(s > 0 for s in t.sleeps)


# --- the page cache -----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(clock: Clock) -> Iterator[PageCache]:
    with PageCache(MEMORY, clock=clock) as c:
        yield c


def versioned_route(server: TestServer, path: str, state: dict) -> str:
    """A page with an ETag and Last-Modified that answers 304 to a matching conditional request."""

    def handler(req) -> None:
        etag = f'"v{state["version"]}"'
        state.setdefault("conditional", []).append(
            (req.headers.get("If-None-Match"), req.headers.get("If-Modified-Since"))
        )
        if req.headers.get("If-None-Match") == etag:
            state["304"] = state.get("304", 0) + 1
            req.send(304, b"", content_type=None, headers={"ETag": etag}, length=False)
            return
        state["200"] = state.get("200", 0) + 1
        req.send(
            200,
            article_html(state["version"], title=f"Version {state['version']}"),
            headers={"ETag": etag, "Last-Modified": "Mon, 02 Nov 2026 10:00:00 GMT"},
        )

    return server.add_route(path, handler)


def test_cached_page_is_reused_without_a_request_within_the_ttl(http_server, fetch_settings, cache) -> None:
    state = {"version": 1}
    url = versioned_route(http_server, fresh("/cached"), state)
    first = fetch(url, fetch_settings, cache=cache)
    second = fetch(url, fetch_settings, cache=cache)
    assert first.ok and second.ok and second.html == first.html
    assert state["200"] == 1 and second.attempts == 0
    assert (second.charset, second.charset_source) == (first.charset, first.charset_source)
    assert len(cache) == 1


def test_stale_page_is_revalidated_and_304_reuses_the_body(http_server, fetch_settings, cache, clock) -> None:
    state = {"version": 1}
    url = versioned_route(http_server, fresh("/reval"), state)
    first = fetch(url, fetch_settings, cache=cache)
    clock.now += fetch_settings.cache_ttl + 1
    again = fetch(url, fetch_settings, cache=cache)
    assert again.ok and again.html == first.html and again.status == 304 and again.attempts == 1
    assert state["conditional"][-1] == ('"v1"', "Mon, 02 Nov 2026 10:00:00 GMT")
    assert state.get("304") == 1 and state["200"] == 1
    # the 304 made the copy fresh again: no request at all now
    third = fetch(url, fetch_settings, cache=cache)
    assert third.attempts == 0 and state.get("304") == 1


def test_changed_page_replaces_the_cached_copy(http_server, fetch_settings, cache, clock) -> None:
    state = {"version": 1}
    url = versioned_route(http_server, fresh("/changed"), state)
    fetch(url, fetch_settings, cache=cache)
    state["version"] = 2
    clock.now += fetch_settings.cache_ttl + 1
    page = fetch(url, fetch_settings, cache=cache)
    assert page.status == 200 and "Version 2" in page.html
    assert "Version 2" in fetch(url, fetch_settings, cache=cache).html  # from the cache now
    assert state["200"] == 2


def test_rerunning_a_batch_does_not_refetch(http_server, fetch_settings, cache) -> None:
    path = fresh("/batch")
    http_server.add_route(path, lambda req: req.send(200, article_html(len(req.path))))
    urls = [http_server.url(f"{path}?n={i}") for i in range(6)]
    assert all(p.ok for p in fetch_many(urls, fetch_settings, cache=cache))
    again = fetch_many(urls, fetch_settings, cache=cache)
    assert all(p.ok and p.attempts == 0 for p in again)
    assert http_server.hits(path) == 6


@pytest.mark.parametrize(
    "path",
    ["/status/404", "/status/500", "/pdf", "/huge", "/json", "/redirect/loop", "/always/429", "/reset"],
)
def test_only_successful_html_is_cached(http_server, fetch_settings, cache, path: str) -> None:
    page = fetch(http_server.url(path), replace(fetch_settings, retries=0), cache=cache)
    assert not page.ok and len(cache) == 0


def test_no_store_is_not_cached(http_server, fetch_settings, cache) -> None:
    url = http_server.add_page(
        fresh("/nostore"), article_html(4), headers={"Cache-Control": "private, no-store"}
    )
    assert fetch(url, fetch_settings, cache=cache).ok and len(cache) == 0


def test_cache_ttl_zero_turns_the_cache_off(http_server, fetch_settings, cache) -> None:
    path = fresh("/nocache")
    url = http_server.add_page(path, article_html(5))
    off = replace(fetch_settings, cache_ttl=0)
    fetch(url, off, cache=cache)
    fetch(url, off, cache=cache)
    assert http_server.hits(path) == 2 and len(cache) == 0
    assert open_page_cache(off) is None


def test_redirected_page_is_cached_under_the_requested_url(http_server, fetch_settings, cache) -> None:
    url = http_server.url("/redirect/chain?n=2")
    first = fetch(url, fetch_settings, cache=cache)
    second = fetch(url, fetch_settings, cache=cache)
    assert first.ok and second.attempts == 0 and second.final_url == first.final_url == http_server.url("/ok")


def test_a_cached_page_is_still_refused_when_the_settings_refuse_it(
    http_server, fetch_settings, cache
) -> None:
    url = http_server.add_page(fresh("/was-allowed"), article_html(6))
    assert fetch(url, fetch_settings, cache=cache).ok
    page = fetch(url, Settings(), cache=cache)
    assert page.health == "refused"


def test_cache_roundtrip_refresh_and_headers(cache, clock) -> None:
    body = ("<html>" + "café " * 1000 + "</html>").encode()
    headers = {"Content-Type": "text/html; charset=utf-8", "ETag": '"x"', "Set-Cookie": "secret=1"}
    assert cache.put(CachedPage("http://a/1", "http://a/1b", 200, body, keep_headers(headers)))
    got = cache.get("http://a/1")
    assert got is not None and got.body == body and got.final_url == "http://a/1b"
    assert got.headers == {"content-type": "text/html; charset=utf-8", "etag": '"x"'}  # no cookies kept
    assert got.fetched_at == clock.now and got.fresh(10, clock.now) and not got.fresh(10, clock.now + 10)
    assert got.validators() == {"If-None-Match": '"x"'}
    assert cache.total_bytes() < len(body) / 5  # stored compressed
    clock.now += 50
    cache.refresh("http://a/1", {"ETag": '"y"', "Content-Type": "text/plain"})
    got = cache.get("http://a/1")
    assert got.fetched_at == clock.now and got.etag == '"y"' and got.content_type.startswith("text/html")
    assert cache.get("http://a/missing") is None
    assert storable({"Cache-Control": "max-age=60"}) and not storable({"cache-control": "No-Store"})


def test_cache_evicts_least_recently_used_beyond_its_size(clock) -> None:
    import random

    rng = random.Random(0)
    with PageCache(MEMORY, max_bytes=50_000, clock=clock) as small:
        pages = {f"http://a/{i}": bytes(rng.randrange(256) for _ in range(12_000)) for i in range(8)}
        for url, body in pages.items():
            clock.now += 1
            small.put(CachedPage(url, url, 200, body, {"content-type": "text/html"}))
            clock.now += 1
            assert small.get("http://a/0") is not None  # page 0 is read after every insert: kept
        assert small.total_bytes() <= 50_000
        assert small.get("http://a/7") is not None and small.get("http://a/0") is not None
        assert small.get("http://a/1") is None and small.get("http://a/2") is None
        too_big = bytes(rng.randrange(256) for _ in range(60_000))
        assert small.put(CachedPage("http://big", "http://big", 200, too_big)) is False


def test_cache_is_safe_across_threads(tmp_path) -> None:
    with PageCache(tmp_path / "pages.sqlite") as shared:
        errors: list[BaseException] = []

        def work(k: int) -> None:
            try:
                for i in range(30):
                    url = f"http://t/{k}/{i % 5}"
                    shared.put(CachedPage(url, url, 200, f"<p>{k} {i}</p>".encode()))
                    got = shared.get(url)
                    assert got is not None and got.body.startswith(f"<p>{k} ".encode())
            except AssertionError as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert errors == [] and shared.errors == 0 and len(shared) == 40


def test_open_page_cache_paths_and_a_damaged_file(tmp_path) -> None:
    path = tmp_path / "cache" / "pages.sqlite"
    with open_page_cache(Settings(), path) as made:
        made.put(CachedPage("http://a/", "http://a/", 200, b"<p>x</p>"))
    with open_page_cache(Settings(), path) as again:
        assert again.get("http://a/") is not None  # persisted
    path.write_bytes(b"this is not a database" * 100)
    with open_page_cache(Settings(), path) as fixed:
        assert len(fixed) == 0 and fixed.put(CachedPage("http://a/", "http://a/", 200, b"<p>y</p>"))
    assert path.with_name("pages.sqlite.broken").exists()
