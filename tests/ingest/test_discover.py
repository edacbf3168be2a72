"""Discovery: article links from RSS/Atom/RDF feeds and front pages served by the local test server."""

from __future__ import annotations

import importlib
import inspect
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analysis.ingest.discover import DiscoveredLink, DiscoveryResult, SourceProblem, discover, fetch_source
from analysis.ingest.feeds import ACCEPT_TYPES, parse_feed, root_element, sniff_kind
from analysis.ingest.links import (
    alternate_feeds,
    article_links,
    article_rejection,
    looks_like_article,
    url_date,
)
from analysis.models import HEALTH_ORDER, Page
from analysis.settings import Settings

fetch_mod = importlib.import_module("analysis.ingest.fetch")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "discover"
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)  # the fixtures' dates are relative to this
GAZETTE = "https://www.harbourgazette.example"


def served(server, name: str, content_type: str, path: str = "") -> str:
    """Serve fixture ``name`` at ``path`` (default /discover/<name>) as ``content_type``; returns the URL."""
    return server.add_page(path or f"/discover/{name}", (FIXTURES / name).read_bytes(), content_type)


@pytest.fixture
def feed_fetch(monkeypatch: pytest.MonkeyPatch):
    """The project's safe fetcher: discover asks it for feed types through ``accept=``."""
    assert "accept" in inspect.signature(fetch_mod.fetch).parameters
    return fetch_mod.fetch


@pytest.fixture
def settings(fetch_settings: Settings) -> Settings:
    """fetch_settings without the politeness pause between requests to one site (all are 127.0.0.1)."""
    return replace(fetch_settings, domain_delay=0.0)


@pytest.fixture
def feeds(http_server) -> dict[str, str]:
    return {
        "rss": served(http_server, "rss20.xml", "application/rss+xml; charset=utf-8"),
        "atom": served(http_server, "atom.xml", "application/atom+xml"),
        "rdf": served(http_server, "rdf.xml", "text/xml; charset=utf-8"),
        "broken": served(http_server, "broken.xml", "application/xml"),
        "empty": served(http_server, "empty.xml", "application/rss+xml"),
        "sitemap": served(http_server, "sitemap.xml", "application/xml"),
        # a feed served with the wrong type: the root element decides
        "rss-as-html": served(http_server, "rss20.xml", "text/html; charset=utf-8", "/discover/rss-as-html"),
    }


def run(sources, settings, fetcher, **kwargs) -> DiscoveryResult:
    kwargs.setdefault("now", NOW)
    return discover(sources, settings, fetcher=fetcher, **kwargs)


def paths(result: DiscoveryResult) -> list[str]:
    return [link.url.split("://", 1)[1].split("/", 1)[1] for link in result.links]


# --- feeds -------------------------------------------------------------------------------------


def test_rss_feed_links_most_recent_first_with_titles_and_dates(http_server, settings, feed_fetch, feeds):
    result = run([feeds["rss"]], settings, feed_fetch, max_age_days=None)
    assert result.problems == ()
    base = http_server.base_url
    assert result.urls == (
        f"{GAZETTE}/news/2025/06/15/ferry-strike-called-off",  # the repeat with "/" counted once
        f"{base}/culture/2025/06/14/lighthouse-restoration-open-day",  # relative link resolved
        f"{GAZETTE}/news/2025/06/13/council-approves-harbour-budget",  # utm_* tracking removed
        f"{GAZETTE}/business/2025/06/10/fishing-quotas-row",
        f"{GAZETTE}/sport/2025/05/01/spring-regatta-results",
    )
    first, second = result.links[:2]
    assert first == DiscoveredLink(
        url=f"{GAZETTE}/news/2025/06/15/ferry-strike-called-off",
        source=feeds["rss"],
        title="Ferry strike called off after late-night talks",
        published=datetime(2025, 6, 15, 6, 0, tzinfo=UTC),  # +0100 converted to UTC
        kind="feed",
        via=feeds["rss"],
    )
    assert second.title == "Lighthouse restoration & open day"
    summary = result.sources[0]
    assert (summary.kind, summary.found, summary.kept, summary.too_old) == ("feed", 5, 5, 0)


def test_feed_age_and_count_limits(settings, feed_fetch, feeds):
    week = run([feeds["rss"]], settings, feed_fetch, max_age_days=7)
    assert [link.title for link in week.links] == [
        "Ferry strike called off after late-night talks",
        "Lighthouse restoration & open day",
        "Council approves new harbour budget",
        "Fishing quotas row rumbles on",
    ]  # 1 May is more than 7 days before NOW
    assert week.sources[0].too_old == 1

    two_days = run([feeds["rss"]], settings, feed_fetch, max_age_days=2)
    assert [link.published.date().isoformat() for link in two_days.links] == ["2025-06-15", "2025-06-14"]

    limited = run([feeds["rss"]], settings, feed_fetch, limit=2, max_age_days=None)
    assert limited.urls == week.urls[:2]  # the most recent two, not the first two in the feed
    assert limited.sources[0].over_limit == 3
    assert "3 over the per-source limit" in limited.sources[0].describe()


def test_atom_and_rdf_feeds(settings, feed_fetch, feeds):
    result = run([feeds["atom"], feeds["rdf"]], settings, feed_fetch, max_age_days=7)
    assert result.problems == ()
    assert [(link.url, link.title, link.published) for link in result.links] == [
        (
            "https://chronicle.example.net/2025/06/15/library-hours-extended",  # rel="edit" ignored
            "Library hours extended",
            datetime(2025, 6, 15, 8, tzinfo=UTC),  # only <updated>: used as the date
        ),
        (
            "https://chronicle.example.net/2025/06/14/bridge-reopens",
            "Bridge reopens after & repairs",  # type="html" title: markup removed
            datetime(2025, 6, 14, 6, tzinfo=UTC),  # <published> preferred to <updated>
        ),
        (
            "https://valleytimes.example.org/local/new-bus-timetable-starts",
            "New bus timetable starts",
            datetime(2025, 6, 14, 9, tzinfo=UTC),
        ),
        (
            "https://valleytimes.example.org/local/reservoir-levels-fall-again",
            "Reservoir levels fall again",
            datetime(2025, 6, 12, 9, tzinfo=UTC),
        ),
    ]
    assert {link.kind for link in result.links} == {"feed"}
    assert result.sources[0].too_old == 1  # the January entry


def test_feed_recognised_by_its_root_element_whatever_the_content_type(settings, feed_fetch, feeds):
    result = run([feeds["rss-as-html"]], settings, feed_fetch)
    assert result.problems == ()
    assert len(result.links) == 4 and result.sources[0].kind == "feed"


def test_bad_sources_are_reported_and_good_ones_still_give_links(http_server, settings, feed_fetch, feeds):
    missing = http_server.url("/discover/no-such-feed.xml")
    sources = [feeds["broken"], feeds["rss"], feeds["empty"], missing, feeds["sitemap"], "not a url"]
    result = run(sources, settings, feed_fetch)
    assert len(result.links) == 4 and {link.source for link in result.links} == {feeds["rss"]}
    by_source = {p.source: p for p in result.problems}
    assert list(by_source) == [feeds["broken"], feeds["empty"], missing, feeds["sitemap"], "not a url"]
    assert by_source[feeds["broken"]].health == "empty"
    assert "could not be read" in by_source[feeds["broken"]].reason
    assert by_source[feeds["empty"]] == SourceProblem(feeds["empty"], "empty", "the feed has no entries")
    assert by_source[missing].health == "http-error" and "404" in by_source[missing].reason
    assert by_source[feeds["sitemap"]].health == "not-html"
    assert "neither an HTML page nor an RSS/Atom feed" in by_source[feeds["sitemap"]].reason
    assert "<urlset>" in by_source[feeds["sitemap"]].reason
    assert by_source["not a url"].health == "invalid-url"
    assert all(p.health in HEALTH_ORDER and p.reason for p in result.problems)
    # one summary per source, in input order; failed ones carry the reason
    assert [s.source for s in result.sources] == sources
    assert (
        result.sources[0].kind is None and result.sources[0].describe() == by_source[feeds["broken"]].reason
    )


def test_private_address_is_refused_and_reported_not_raised(http_server, feeds):
    result = discover([feeds["rss"], http_server.url("/discover/front.html")], Settings(), now=NOW)
    assert result.links == ()
    assert [p.health for p in result.problems] == ["refused", "refused"]
    assert all("127.0.0.1" in p.reason or "loopback" in p.reason for p in result.problems)
    assert http_server.hits("/discover/front.html") == 0


def test_fetcher_without_feed_support_gives_a_readable_reason(settings, feeds):
    def html_only(url: str, settings: Settings) -> Page:  # no ``accept`` parameter
        return fetch_mod.fetch(url, settings)

    result = run([feeds["rss"]], settings, html_only)
    [problem] = result.problems
    assert problem.health == "not-html"
    assert "application/rss+xml looks like a feed" in problem.reason
    assert "reads HTML pages only" in problem.reason


def test_fetch_source_asks_for_feed_types_when_the_fetcher_can_accept_them():
    calls: list[tuple[str, object]] = []

    def accepting(url: str, settings: Settings, *, accept=frozenset({"text/html"})) -> Page:
        calls.append((url, accept))
        return Page(url, url, 200, "text/html", "<html></html>")

    def plain(url: str, settings: Settings) -> Page:
        calls.append((url, None))
        return Page(url, url, 200, "text/html", "<html></html>")

    fetch_source("https://a.example/feed", Settings(), accepting)
    fetch_source("https://b.example/", Settings(), plain)
    assert calls == [("https://a.example/feed", ACCEPT_TYPES), ("https://b.example/", None)]
    assert {"application/rss+xml", "application/atom+xml", "text/xml", "text/html"} <= ACCEPT_TYPES


# --- front pages -------------------------------------------------------------------------------


def test_front_page_keeps_articles_and_drops_sections_tags_logins_and_other_sites(
    http_server, settings, feed_fetch
):
    page = http_server.url("/discover/front.html")
    result = run([page], settings, feed_fetch, max_age_days=None)
    assert result.problems == ()
    assert paths(result) == [
        "news/2025/06/14/council-approves-new-budget",  # image link, headline, #comments, ?page=2: once
        "politics/minister-resigns-over-housing-plan-row",  # headline slug
        "world/europe-87654321",  # numeric id
        "harbour-festival-returns-with-tall-ships",  # one segment, long slug
        "opinion/p/abc",  # short path, but a headline as link text
        "news/2025/05/01/old-story-from-may",
        "news/2025/06/02/story-from-early-june",
    ]
    first = result.links[0]
    assert first.title == "Council approves new budget after long debate"  # the longest link text
    assert first.published == datetime(2025, 6, 14, tzinfo=UTC)  # from the URL
    assert first.kind == "page" and first.via == page and first.source == page
    assert result.links[1].published is None
    assert all(link.url.startswith(http_server.base_url + "/") for link in result.links)


def test_front_page_age_and_count_limits(http_server, settings, feed_fetch):
    page = http_server.url("/discover/front.html")
    week = run([page], settings, feed_fetch, max_age_days=7)
    assert "news/2025/05/01/old-story-from-may" not in paths(week)
    assert "news/2025/06/02/story-from-early-june" not in paths(week)  # dated URLs older than 7 days
    assert "opinion/p/abc" in paths(week)  # undated: kept
    assert week.sources[0].too_old == 2
    top3 = run([page], settings, feed_fetch, limit=3)
    assert paths(top3) == paths(week)[:3]  # page order


def test_alternate_feed_is_used_and_comment_feed_tried_last(http_server, settings, feed_fetch, feeds):
    page = http_server.url("/discover/front_with_feed.html")
    result = run([page], settings, feed_fetch)
    assert result.problems == ()
    assert len(result.links) == 4
    assert {(link.kind, link.source, link.via) for link in result.links} == {("feed", page, feeds["rss"])}
    assert http_server.hits("/discover/missing-comments.xml") == 0  # the main feed came first
    assert "a-page-link-that-the-feed-replaces" not in " ".join(result.urls)


def test_dead_alternate_feed_falls_back_to_the_page_links(http_server, settings, feed_fetch):
    page = http_server.url("/discover/front_dead_feed.html")
    result = run([page], settings, feed_fetch)
    assert result.problems == ()
    assert paths(result) == [
        "local/2025/06/14/market-square-plans-unveiled",
        "local/2025/06/13/school-choir-wins-award",
    ]
    assert result.sources[0].kind == "page"
    assert "no-such-feed.xml failed" in result.sources[0].note and "404" in result.sources[0].note


def test_page_without_article_links_is_reported(http_server, settings, feed_fetch):
    page = http_server.url("/discover/no_articles.html")
    result = run([page], settings, feed_fetch)
    assert result.links == ()
    assert result.problems == (
        SourceProblem(page, "empty", "no links that look like articles of this site were found on the page"),
    )


def test_links_are_deduplicated_across_sources(http_server, settings, feed_fetch, feeds):
    page = http_server.url("/discover/front_with_feed.html")  # its advertised feed is feeds["rss"]
    result = run([feeds["rss"], page, feeds["rss"]], settings, feed_fetch)
    assert len(result.urls) == len(set(result.urls)) == 4
    assert {link.source for link in result.links} == {feeds["rss"]}
    assert [s.source for s in result.sources] == [feeds["rss"], page]  # a repeated source is read once
    assert (result.sources[1].duplicates, result.sources[1].kept) == (4, 0)


def test_argument_errors_raise():
    with pytest.raises(ValueError, match="limit"):
        discover(["https://a.example/"], Settings(), limit=0)
    with pytest.raises(ValueError, match="max_age_days"):
        discover(["https://a.example/"], Settings(), max_age_days=-1)
    assert discover(["", "  "], Settings()) == DiscoveryResult((), ())


# --- pure helpers ------------------------------------------------------------------------------


def test_feedparser_never_fetches_and_entities_do_not_expand(http_server):
    probe = http_server.url("/discover/probe-must-not-be-fetched")
    dtd = http_server.url("/discover/probe-dtd")
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    text = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd}" [{lol}<!ENTITY ext SYSTEM "{probe}">]>'
        '<rss version="2.0"><channel><item><title>&l9; &ext;</title>'
        "<link>https://x.example/news/2025/06/14/safe-story</link></item></channel></rss>"
    )
    start = time.monotonic()
    feed = parse_feed(text, "https://x.example/feed")
    assert time.monotonic() - start < 5  # a loose bound: an expanded entity bomb takes far longer
    assert [e.url for e in feed.entries] == ["https://x.example/news/2025/06/14/safe-story"]
    assert "lol" not in (feed.entries[0].title or "")
    assert http_server.hits("/discover/probe-must-not-be-fetched") == 0
    assert http_server.hits("/discover/probe-dtd") == 0
    small = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY who "INJECTED">]><rss version="2.0"><channel>'
        "<item><title>Hello &who;</title><link>https://x.example/a/hello-story-1</link></item></channel></rss>"
    )
    assert "INJECTED" not in (parse_feed(small, "https://x.example/").entries[0].title or "")
    # a string that is a URL or a file name is parsed as text, never opened
    assert parse_feed(probe, probe).entries == ()
    assert parse_feed(str(FIXTURES / "rss20.xml"), "https://x.example/").entries == ()
    assert http_server.hits("/discover/probe-must-not-be-fetched") == 0


def test_root_element_and_kind():
    assert root_element('\ufeff<?xml version="1.0"?>\n<!-- c --><rss version="2.0">') == "rss"
    assert root_element('<?xml version="1.0"?><rdf:RDF xmlns:rdf="x">') == "rdf"
    assert root_element("<!DOCTYPE html>\n<html>") == "html"
    assert root_element("just text") is None
    assert sniff_kind("text/html", "<feed xmlns='http://www.w3.org/2005/Atom'>") == "feed"
    assert sniff_kind("application/xml", "<html><body></body></html>") == "html"
    assert sniff_kind("text/html", "<p>fragment</p>") == "html"
    assert sniff_kind("application/xml", "<urlset/>") is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/news/2024/06/01/story", ("2024-06-01", "day")),
        ("https://a.example/world/2019/nov/18/the-view", ("2019-11-18", "day")),
        ("https://a.example/news/story-2024-06-01", ("2024-06-01", "day")),
        ("https://a.example/a/20240601/story", ("2024-06-01", "day")),
        ("https://a.example/2019/11/opening-bell", ("2019-11-01", "month")),
        ("https://a.example/2019/is-it-worth-it", ("2019-01-01", "year")),
        ("https://a.example/2024/02/31/bad-day", ("2024-02-01", "month")),
        ("https://a.example/news/world-68123456", None),
        ("https://a.example/2024/06/12345", ("2024-06-01", "month")),
    ],
)
def test_url_date(url, expected):
    found = url_date(url)
    assert (None if found is None else (found.first.isoformat(), found.precision)) == expected


@pytest.mark.parametrize(
    ("url", "text", "article"),
    [
        ("https://www.site.example/news/2024/06/01/bus-routes-cut", "", True),
        ("https://www.site.example/politics/minister-resigns-over-row", "", True),
        ("https://edition.site.example/world/europe-68123456", "", True),  # same registered domain
        ("https://www.site.example/health/the-man-whose-duvet-nearly-killed-him/ar-BBWX", "", True),
        ("https://www.site.example/news/council-vote.html", "", True),
        ("https://www.site.example/opinion/p/abc", "Why the new timetable fails", True),
        ("https://www.site.example/news/world", "World", False),
        ("https://www.site.example/news/uk-politics", "UK Politics", False),
        ("https://www.site.example/tag/minister-resigns-over-row", "", False),
        ("https://www.site.example/author/jane-doe", "Jane Doe", False),
        ("https://www.site.example/login", "Sign in to read more of our stories", False),
        ("https://www.site.example/videos/2024/06/01/clip-of-the-day", "", False),
        ("https://video.site.example/v/5614615980001", "Watch TV", False),
        ("https://www.site.example/news/2024/06/01", "All stories from 1 June", False),
        ("https://www.site.example/?edition=uk", "UK edition", False),
        ("https://www.site.example/", "Home", False),
        ("https://other.example/news/2024/06/01/bus-routes-cut", "", False),
        ("https://www.site.example/files/annual-report-of-the-board.pdf", "", False),
        ("https://www.site.example/news/index.html", "", False),
        ("mailto:news@site.example", "", False),
    ],
)
def test_looks_like_article(url, text, article):
    assert looks_like_article(url, "https://www.site.example/", text) is article, article_rejection(
        url, "https://www.site.example/", text
    )


def test_article_links_and_alternate_feeds_are_pure():
    html = (FIXTURES / "front.html").read_text(encoding="utf-8")
    links = article_links(html, "https://www.harbourgazette.example/")
    assert links[0].url == f"{GAZETTE}/news/2025/06/14/council-approves-new-budget"
    assert len(links) == 7
    head = (FIXTURES / "front_with_feed.html").read_text(encoding="utf-8")
    assert alternate_feeds(head, f"{GAZETTE}/index.html") == (
        f"{GAZETTE}/discover/rss20.xml",
        f"{GAZETTE}/discover/missing-comments.xml",  # the comments feed goes last
    )
    assert article_links("", GAZETTE) == () and alternate_feeds("   ", GAZETTE) == ()
    base = '<html><head><base href="https://m.harbourgazette.example/x/"></head><body>'
    base += '<a href="2025/06/14/relative-story-here">A relative story here today</a></body></html>'
    assert [p.url for p in article_links(base, f"{GAZETTE}/")] == [
        "https://m.harbourgazette.example/x/2025/06/14/relative-story-here"
    ]
    hidden = (
        '<a href="/2025/06/14/ferry-fares-rise"><noscript><img src="f.jpg" alt="x"></noscript>'
        "<script>var tracking = 1;</script>Ferry fares rise again</a>"
    )
    assert [p.text for p in article_links(hidden, f"{GAZETTE}/")] == ["Ferry fares rise again"]
