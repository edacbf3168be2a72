"""Find article links in RSS/Atom feeds and outlet front pages (no extraction, no storage).

:func:`discover` fetches each source with the project's safe fetcher and decides what it is:

* a feed (RSS 2.0, RSS 1.0/RDF, Atom; recognised by its root element, whatever the content
  type says): its entries, most recent first, are the links;
* an HTML page that advertises a feed (``<link rel="alternate" type="application/rss+xml">``):
  that feed is fetched through the same fetcher and read instead (if it fails, the page's
  own links are used);
* any other HTML page: the links that look like articles
  (:func:`analysis.ingest.links.looks_like_article`), in page order.

Entries older than ``max_age_days`` (feed dates, or a date written in the URL) are dropped,
each source gives at most ``limit`` links, and the links of all sources are de-duplicated by
canonical URL.  A source that fails (HTTP error, refused address, neither feed nor HTML, empty
or broken feed) becomes a :class:`SourceProblem` with a readable reason; the others go on.

Feeds are parsed by feedparser from the text we fetched (never from a URL or file name: its
own downloader is never used), after removing any DOCTYPE so no entity defined in the document
can expand.  ``analysis.ingest.fetch.fetch`` reads only HTML content types; :func:`fetch_source` asks
for feed types too when the fetcher has an ``accept`` parameter, and otherwise reports feeds
as "not-html" with a reason that says so.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NamedTuple

import lxml.html

from analysis.ingest.feeds import ACCEPT_TYPES, FEED_TYPES, Feed, parse_feed, root_element, sniff_kind
from analysis.ingest.fetch import canonical_url, fetch
from analysis.ingest.links import _alternate_feeds, _article_links, _base_url, _parse_html, url_date
from analysis.models import Page
from analysis.settings import Settings

# --- limits ----------------------------------------------------------------------------------

# Advertised feeds tried per page before falling back to the page's links: the first is usually
# the main feed, a second one covers a page whose first feed is broken or moved.
MAX_ALTERNATE_FEEDS = 2

Kind = Literal["feed", "page"]
Fetcher = Callable[..., Page]


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiscoveredLink:
    url: str  # canonical URL (analysis.ingest.fetch.canonical_url) of the article
    source: str  # the feed or page the user gave
    title: str | None = None  # entry title or the link's text, when known
    published: datetime | None = None  # UTC; a feed date, or a day written in the URL
    kind: Kind = "feed"  # "feed" (from a feed entry) or "page" (a link on an HTML page)
    via: str = ""  # the document the link was read from (an advertised feed when not ``source``)


class SourceProblem(NamedTuple):
    source: str
    health: str  # a value of analysis.models.HEALTH_ORDER
    reason: str


@dataclass(frozen=True)
class SourceSummary:
    """What one source gave: counts for a progress line, and a note on anything unusual."""

    source: str
    kind: Kind | None  # None when the source failed
    via: str = ""  # URL that was read (the advertised feed, or the source itself)
    found: int = 0  # distinct links that qualified, before the age and count limits
    too_old: int = 0  # dropped by max_age_days
    over_limit: int = 0  # dropped by limit
    duplicates: int = 0  # kept by this source but already given by an earlier source
    kept: int = 0  # links this source contributes to the result
    note: str = ""

    def describe(self) -> str:
        """One line for the CLI, e.g. 'feed: 25 found, 20 kept (5 older than the age limit)'."""
        if self.kind is None:
            return self.note or "failed"
        extra = [
            f"{n} {what}"
            for n, what in (
                (self.too_old, "older than the age limit"),
                (self.over_limit, "over the per-source limit"),
                (self.duplicates, "already found by an earlier source"),
            )
            if n
        ]
        text = f"{self.kind}: {self.found} found, {self.kept} kept"
        if extra:
            text += " (" + "; ".join(extra) + ")"
        if self.via and self.via != self.source:
            text += f" via {self.via}"
        return text + (f". {self.note}" if self.note else "")


@dataclass(frozen=True)
class DiscoveryResult:
    links: tuple[DiscoveredLink, ...]
    problems: tuple[SourceProblem, ...]
    sources: tuple[SourceSummary, ...] = field(default=())  # one per distinct source, in input order

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(link.url for link in self.links)


# --- fetching --------------------------------------------------------------------------------


def _accepts_keyword(func: Callable[..., Any], name: str) -> bool:
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):  # builtins and some C callables have no signature
        return False
    param = params.get(name)
    return param is not None and param.kind in (param.KEYWORD_ONLY, param.POSITIONAL_OR_KEYWORD)


def fetch_source(url: str, settings: Settings, fetcher: Fetcher = fetch) -> Page:
    """Fetch a feed or an HTML page with ``fetcher`` (the project's safe fetcher by default).

    When the fetcher has an ``accept`` parameter it is asked for :data:`ACCEPT_TYPES`; otherwise
    it is called as ``fetcher(url, settings)`` and a feed served with a feed content type comes
    back "not-html" (the reason then says the fetcher reads HTML only).
    """
    if _accepts_keyword(fetcher, "accept"):
        return fetcher(url, settings, accept=ACCEPT_TYPES)
    return fetcher(url, settings)


def _failure_reason(page: Page) -> str:
    if page.health == "not-html" and page.content_type in FEED_TYPES:
        return (
            f"{page.content_type} looks like a feed, but the fetcher reads HTML pages only "
            "(analysis.ingest.fetch.fetch needs to accept feed content types)"
        )
    return page.reason or page.health


# --- one source ------------------------------------------------------------------------------


@dataclass
class _Outcome:
    links: list[DiscoveredLink]
    summary: SourceSummary
    problem: SourceProblem | None = None


def _failed(source: str, health: str, reason: str) -> _Outcome:
    return _Outcome([], SourceSummary(source, None, note=reason), SourceProblem(source, health, reason))


def _too_old(published: datetime | None, cutoff: datetime | None) -> bool:
    return cutoff is not None and published is not None and published < cutoff


def _url_too_old(url: str, cutoff: datetime | None) -> bool:
    if cutoff is None:
        return False
    found = url_date(url)
    if found is None:
        return False
    # Generous: a URL dated only by day/month/year is old only once all of that period is.
    end = datetime(found.last.year, found.last.month, found.last.day, tzinfo=UTC) + timedelta(days=1)
    return end < cutoff


def _from_feed(
    source: str, via: str, feed: Feed, *, limit: int, cutoff: datetime | None, note: str = ""
) -> _Outcome:
    seen: set[str] = set()
    candidates: list[DiscoveredLink] = []
    for entry in feed.entries:
        url = canonical_url(entry.url)
        if url in seen:
            continue
        seen.add(url)
        candidates.append(DiscoveredLink(url, source, entry.title, entry.published, "feed", via))
    found = len(candidates)
    fresh = [c for c in candidates if not _too_old(c.published, cutoff)]
    # Most recent first; undated entries after the dated ones, in feed order (sort is stable).
    fresh.sort(key=lambda c: (c.published is None, -(c.published.timestamp() if c.published else 0.0)))
    kept = fresh[:limit]
    if feed.error and note == "":
        note = f"the feed is not well-formed ({feed.error}); read what could be recovered"
    summary = SourceSummary(
        source,
        "feed",
        via,
        found=found,
        too_old=found - len(fresh),
        over_limit=len(fresh) - len(kept),
        kept=len(kept),
        note=note,
    )
    return _Outcome(kept, summary)


def _feed_problem(feed: Feed) -> tuple[str, str] | None:
    if feed.entries:
        return None
    if feed.error:
        return "empty", f"the feed could not be read: {feed.error}; no entry with a link was recovered"
    if feed.total_entries:
        n = feed.total_entries
        return "empty", f"the feed has {n} entr{'y' if n == 1 else 'ies'} but none links to a web page"
    return "empty", "the feed has no entries"


def _from_page(
    source: str, page: Page, doc: lxml.html.HtmlElement, *, limit: int, cutoff: datetime | None, note: str
) -> _Outcome:
    page_url = page.final_url or page.url
    found_links = _article_links(doc, page_url)
    if not found_links:
        reason = "no links that look like articles of this site were found on the page"
        if note:
            reason += f" ({note})"
        return _failed(source, "empty", reason)
    fresh = [p for p in found_links if not _url_too_old(p.url, cutoff)]
    kept = fresh[:limit]
    links = [DiscoveredLink(p.url, source, p.text or None, p.published, "page", page_url) for p in kept]
    summary = SourceSummary(
        source,
        "page",
        page_url,
        found=len(found_links),
        too_old=len(found_links) - len(fresh),
        over_limit=len(fresh) - len(kept),
        kept=len(kept),
        note=note,
    )
    return _Outcome(links, summary)


def _discover_one(
    source: str, settings: Settings, *, limit: int, cutoff: datetime | None, fetcher: Fetcher
) -> _Outcome:
    page = fetch_source(source, settings, fetcher)
    if not page.ok:
        return _failed(source, page.health, _failure_reason(page))
    text = page.html or ""
    where = page.final_url or page.url
    kind = sniff_kind(page.content_type, text)
    if kind == "feed":
        feed = parse_feed(text, where)
        problem = _feed_problem(feed)
        if problem:
            return _failed(source, *problem)
        return _from_feed(source, where, feed, limit=limit, cutoff=cutoff)
    if kind is None:
        what = page.content_type or "the document"
        root = root_element(text)
        detail = f" (its root element is <{root}>)" if root else ""
        return _failed(source, "not-html", f"{what} is neither an HTML page nor an RSS/Atom feed{detail}")

    doc = _parse_html(text)
    if doc is None:
        return _failed(source, "empty", "the page is empty")
    notes: list[str] = []
    for feed_url in _alternate_feeds(doc, _base_url(doc, where))[:MAX_ALTERNATE_FEEDS]:
        feed_page = fetch_source(feed_url, settings, fetcher)
        if not feed_page.ok:
            notes.append(f"advertised feed {feed_url} failed: {_failure_reason(feed_page)}")
            continue
        feed_where = feed_page.final_url or feed_page.url
        if sniff_kind(feed_page.content_type, feed_page.html or "") != "feed":
            notes.append(f"advertised feed {feed_url} is not a feed")
            continue
        feed = parse_feed(feed_page.html or "", feed_where)
        problem = _feed_problem(feed)
        if problem:
            notes.append(f"advertised feed {feed_url}: {problem[1]}")
            continue
        return _from_feed(source, feed_where, feed, limit=limit, cutoff=cutoff, note="; ".join(notes))
    if notes:
        notes.append("used the page's own links")
    return _from_page(source, page, doc, limit=limit, cutoff=cutoff, note="; ".join(notes))


# --- many sources ----------------------------------------------------------------------------


def _cutoff(now: datetime, max_age_days: float | None) -> datetime | None:
    """The oldest date kept, or None: no limit, or a limit reaching back before any date Python
    can hold (``--max-age-days 1e308``), which keeps everything just the same."""
    if max_age_days is None:
        return None
    try:
        return now - timedelta(days=max_age_days)
    except OverflowError:
        return None


def discover(
    sources: Sequence[str],
    settings: Settings,
    *,
    limit: int = 50,
    max_age_days: float | None = 7,
    now: datetime | None = None,
    fetcher: Fetcher = fetch,
) -> DiscoveryResult:
    """Article links from feeds and front pages; never raises for a bad source.

    At most ``limit`` links per source (feeds: most recent first; pages: page order); links
    dated more than ``max_age_days`` before ``now`` are dropped (None: no age limit; undated
    links are kept).  Links are de-duplicated across sources (the first source keeps it), and
    each failed source is one :class:`SourceProblem`.  Sources are fetched concurrently (at
    most ``settings.workers`` at once) with ``fetcher`` (``analysis.ingest.fetch.fetch`` by default).
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    if max_age_days is not None and not (math.isfinite(max_age_days) and max_age_days >= 0):
        raise ValueError(f"max_age_days must be a finite number of days, 0 or more, not {max_age_days}")
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    cutoff = _cutoff(now, max_age_days)

    distinct: list[str] = []
    for source in sources:
        source = (source or "").strip()
        if source and source not in distinct:
            distinct.append(source)
    if not distinct:
        return DiscoveryResult((), ())

    def one(source: str) -> _Outcome:
        return _discover_one(source, settings, limit=limit, cutoff=cutoff, fetcher=fetcher)

    workers = max(1, min(settings.workers, len(distinct)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="discover") as pool:
        outcomes = list(pool.map(one, distinct))

    links: list[DiscoveredLink] = []
    problems: list[SourceProblem] = []
    summaries: list[SourceSummary] = []
    seen: set[str] = set()
    for outcome in outcomes:
        new = [link for link in outcome.links if link.url not in seen]
        seen.update(link.url for link in new)
        links.extend(new)
        summary = outcome.summary
        if summary.kind is not None:
            dup = len(outcome.links) - len(new)
            summary = replace(summary, duplicates=dup, kept=len(new))
        summaries.append(summary)
        if outcome.problem is not None:
            problems.append(outcome.problem)
    return DiscoveryResult(tuple(links), tuple(problems), tuple(summaries))
