"""Feeds: what a fetched document is (an RSS/RDF/Atom feed or an HTML page, by its root element
whatever the content type says) and reading RSS 2.0, RSS 1.0/RDF and Atom with feedparser, from
the text given (nothing is fetched here).  Used by :mod:`analysis.ingest.discover`.
"""

from __future__ import annotations

import calendar
import html as html_lib
import io
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from analysis.ingest.decoding import media_type

# --- content types ---------------------------------------------------------------------------

HTML_TYPES: frozenset[str] = frozenset({"text/html", "application/xhtml+xml"})
# Media types feeds are served with.  Generic XML types are included because many sites serve
# RSS as text/xml or application/xml; the root element decides whether it is really a feed.
FEED_TYPES: frozenset[str] = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/x-rss+xml",
        "application/x-atom+xml",
        "application/xml",
        "text/xml",
    }
)
# What fetch_source asks a fetcher with an ``accept`` parameter to read.
ACCEPT_TYPES: frozenset[str] = HTML_TYPES | FEED_TYPES
# <link rel="alternate" type=...> values that advertise a feed we can read (not JSON Feed).
ALTERNATE_FEED_TYPES: frozenset[str] = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/x-rss+xml",
        "application/x-atom+xml",
    }
)
# Root elements (local names, lower case) of the feed formats feedparser reads.
FEED_ROOTS: frozenset[str] = frozenset({"rss", "feed", "rdf"})

# How far into a document the root element is looked for (past XML declaration, comments and
# DOCTYPE).  A longer prologue than this is not a feed anyone serves.
ROOT_SNIFF_CHARS = 65_536

_DOCTYPE_RE = re.compile(r"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
_PROLOGUE_RE = re.compile(
    r"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL
)
_ROOT_RE = re.compile(r"<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)")
_TAG_RE = re.compile(r"<[^>]*>")


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedEntry:
    url: str  # absolute http(s) URL as the feed gives it (not canonicalised)
    title: str | None
    published: datetime | None  # UTC


@dataclass(frozen=True)
class Feed:
    entries: tuple[FeedEntry, ...]  # in feed order, entries without a web link left out
    title: str = ""
    version: str = ""  # feedparser's name: "rss20", "rss10", "atom10", ...
    total_entries: int = 0  # entries in the document, with or without a usable link
    error: str = ""  # the XML error when the document is not well-formed ("" when it is)


# --- what a document is ----------------------------------------------------------------------


def root_element(text: str) -> str | None:
    """Lower-case local name of the first element ("rss", "feed", "rdf", "html"), None if none."""
    pos = 0
    head = text[:ROOT_SNIFF_CHARS].lstrip("\ufeff")
    while True:
        m = _PROLOGUE_RE.match(head, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    m = _ROOT_RE.match(head, pos)
    if not m:
        return None
    return m.group(1).rsplit(":", 1)[-1].lower()


def sniff_kind(content_type: str, text: str) -> Literal["feed", "html"] | None:
    """Say "feed" for an RSS/RDF/Atom document, "html" for a web page, None for anything else.

    The root element wins over the content type (feeds are often served as text/html or
    text/xml, and a few pages as application/xml).
    """
    root = root_element(text)
    if root in FEED_ROOTS:
        return "feed"
    if root == "html" or media_type(content_type) in HTML_TYPES:
        return "html"
    return None


# --- feeds -----------------------------------------------------------------------------------


def _struct_to_datetime(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _plain_text(value: str | None, is_html: bool) -> str | None:
    if not value:
        return None
    if is_html:
        value = html_lib.unescape(_TAG_RE.sub(" ", value))
    text = " ".join(value.split())
    return text or None


def _http_url(href: str | None, base: str) -> str | None:
    """``href`` made absolute against ``base`` if it is an http(s) URL with a host, else None."""
    if not href or not isinstance(href, str):
        return None
    try:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def _entry_link(entry: Any, base: str) -> str | None:
    url = _http_url(entry.get("link"), base)
    if url:
        return url
    for link in entry.get("links") or ():
        if link.get("rel", "alternate") == "alternate":
            url = _http_url(link.get("href"), base)
            if url:
                return url
    guid = entry.get("id")
    if entry.get("guidislink", True):  # RSS <guid isPermaLink="false"> is an id, not a link
        return _http_url(guid, base) if isinstance(guid, str) and "://" in guid else None
    return None


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        found = _struct_to_datetime(entry.get(key))
        if found is not None:
            return found
    return None


def parse_feed(text: str, base_url: str) -> Feed:
    """Read an RSS 2.0, RSS 1.0/RDF or Atom document (pure: feedparser never fetches anything).

    Relative links are resolved against ``base_url``.  A document that is not well-formed is
    still read as far as feedparser's lenient parser can; ``Feed.error`` says what was wrong.
    """
    import feedparser  # imported here: only feeds need it

    # No DTD: entities defined inside the document could expand without bound (and external
    # ones must never be resolved).  Feeds do not need one.
    cleaned = _DOCTYPE_RE.sub("", text, count=1)
    parsed = feedparser.parse(
        io.BytesIO(cleaned.encode("utf-8")),  # a stream: a string could be taken for a URL or a path
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": base_url},
    )
    entries: list[FeedEntry] = []
    for entry in parsed.entries:
        url = _entry_link(entry, base_url)
        if url is None:
            continue
        detail = entry.get("title_detail") or {}
        is_html = "html" in (detail.get("type") or "")
        entries.append(FeedEntry(url, _plain_text(entry.get("title"), is_html), _entry_date(entry)))
    error = ""
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        error = " ".join(str(exc).split()) if exc is not None else "not well-formed"
    feed_title = _plain_text(parsed.feed.get("title"), False) or ""
    return Feed(tuple(entries), feed_title, parsed.get("version") or "", len(parsed.entries), error)
