"""Find article links in RSS/Atom feeds and outlet front pages (no extraction, no storage).

:func:`discover` fetches each source with the project's safe fetcher and decides what it is:

* a feed (RSS 2.0, RSS 1.0/RDF, Atom; recognised by its root element, whatever the content
  type says): its entries, most recent first, are the links;
* an HTML page that advertises a feed (``<link rel="alternate" type="application/rss+xml">``):
  that feed is fetched through the same fetcher and read instead (if it fails, the page's
  own links are used);
* any other HTML page: the links that look like articles (:func:`looks_like_article`), in page
  order.

Entries older than ``max_age_days`` (feed dates, or a date written in the URL) are dropped,
each source gives at most ``limit`` links, and the links of all sources are de-duplicated by
canonical URL.  A source that fails (HTTP error, refused address, neither feed nor HTML, empty
or broken feed) becomes a :class:`SourceProblem` with a readable reason; the others go on.

Feeds are parsed by feedparser from the text we fetched (never from a URL or file name: its
own downloader is never used), after removing any DOCTYPE so no entity defined in the document
can expand.  ``analysis.fetch.fetch`` reads only HTML content types; :func:`fetch_source` asks
for feed types too when the fetcher has an ``accept`` parameter, and otherwise reports feeds
as "not-html" with a reason that says so.
"""

from __future__ import annotations

import calendar
import html as html_lib
import inspect
import io
import math
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, NamedTuple
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

from .fetch import canonical_url, fetch, media_type
from .models import Page
from .outlets import registered_domain
from .settings import Settings

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

# --- limits ----------------------------------------------------------------------------------

# Advertised feeds tried per page before falling back to the page's links: the first is usually
# the main feed, a second one covers a page whose first feed is broken or moved.
MAX_ALTERNATE_FEEDS = 2
# How far into a document the root element is looked for (past XML declaration, comments and
# DOCTYPE).  A longer prologue than this is not a feed anyone serves.
ROOT_SNIFF_CHARS = 65_536

# --- front-page heuristics (see looks_like_article) ------------------------------------------

# A last path segment with at least this many hyphen/underscore-separated words and characters
# is a headline slug ("minister-resigns-over-budget-row"); shorter ones ("uk-politics",
# "cost-of-living") are as often section names.
SLUG_MIN_WORDS = 4
SLUG_MIN_CHARS = 20
# A run of this many digits in the last segment is an article id ("world-68123456", "30279001");
# three digits or fewer are more often page numbers or years in section names.
ID_MIN_DIGITS = 5
# Anchor text with at least this many words reads as a headline; section links say one to three
# words ("World", "UK Politics", "Cost of living").
HEADLINE_MIN_WORDS = 4
# Path segments that mark a page which is not an article (exact segment, lower case): indexes
# of sections, tags, authors; account pages; media pages (video, galleries, podcasts); site pages.
NON_ARTICLE_SEGMENTS: frozenset[str] = frozenset(
    {
        # indexes
        "tag", "tags", "topic", "topics", "category", "categories", "section", "sections",
        "author", "authors", "byline", "profile", "profiles", "contributor", "contributors",
        "archive", "archives", "search", "page", "index", "sitemap",
        # accounts and money
        "login", "log-in", "signin", "sign-in", "logout", "log-out", "signout", "sign-out",
        "register", "registration", "signup", "sign-up", "subscribe", "subscription",
        "subscriptions", "newsletter", "newsletters", "account", "my-account", "myaccount",
        "user", "users", "membership", "donate", "shop", "store",
        # media pages
        "video", "videos", "gallery", "galleries", "photos", "pictures", "slideshow",
        "slideshows", "podcast", "podcasts", "audio",
        # site pages and services
        "about", "about-us", "contact", "contact-us", "privacy", "privacy-policy", "terms",
        "terms-of-use", "terms-of-service", "terms-and-conditions", "cookies", "cookie-policy",
        "help", "faq", "faqs", "feedback", "careers", "jobs", "advertise", "advertising",
        "rss", "feed", "feeds", "puzzles", "crossword", "crosswords", "games", "horoscopes",
        "weather", "forum", "forums", "discussion", "comments", "cdn-cgi", "wp-admin",
        "wp-login.php",
    }
)  # fmt: skip
# First host labels of sub-sites that hold no articles ("video.example.com", "shop.example.com").
NON_ARTICLE_HOSTS: frozenset[str] = frozenset(
    {
        "video", "videos", "tv", "shop", "store", "account", "accounts", "login", "auth", "id",
        "myaccount", "subscribe", "subscription", "subscriptions", "forum", "forums", "community",
        "jobs", "careers", "help", "support", "games", "puzzles", "crossword", "crosswords",
        "weather", "cdn", "static", "img", "images", "media", "assets",
    }
)  # fmt: skip
# Last-segment stems that name an index page, not an article ("/news/index.html").
INDEX_STEMS: frozenset[str] = frozenset({"index", "default", "home", "main", "start"})
# Extensions of files that are not web pages.
NON_PAGE_EXTENSIONS: frozenset[str] = frozenset(
    {
        "pdf", "jpg", "jpeg", "png", "gif", "webp", "svg", "ico", "mp3", "mp4", "m4a", "mov",
        "webm", "avi", "zip", "gz", "xml", "rss", "atom", "json", "css", "js", "ics", "doc",
        "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv", "epub",
    }
)  # fmt: skip
# Extensions article pages are commonly served with.
PAGE_EXTENSIONS: frozenset[str] = frozenset(
    {"html", "htm", "shtml", "php", "asp", "aspx", "jsp", "ece", "cms"}
)
# rel= values on <a> that mark a link to an index of articles, not an article.
NON_ARTICLE_RELS: frozenset[str] = frozenset({"tag", "author", "category", "search", "next", "prev"})
# Elements whose content is not visible text (left out of link texts).
NON_TEXT_TAGS: tuple[str, ...] = ("script", "style", "noscript", "template")
# Elements whose links are site navigation (menus, footers), whatever their URLs look like.
NAV_TAGS: frozenset[str] = frozenset({"nav", "footer"})
NAV_ROLES: frozenset[str] = frozenset({"navigation", "contentinfo", "menu", "menubar"})

# Years accepted in URL dates: outside this a four-digit number is an id, not a year.
URL_YEAR_MIN = 1995
URL_YEAR_MAX = 2099

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_YEAR = r"(?:19|20)\d\d"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH_NAME = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_Y = rf"(?P<y>{_YEAR})"
_M = rf"(?P<m>{_MONTH})"
_D = rf"(?P<d>{_DAY})"
_MON = rf"(?P<mon>{_MONTH_NAME})"
# Dates in a path, most precise first.  A /Y/M/D/ or /Y/M/ form must be followed by another
# segment (a bare /2024/06/01/ is a day's archive page, not an article).
_URL_DAY_RES: tuple[re.Pattern[str], ...] = (
    re.compile(rf"/{_Y}/{_M}/{_D}/[^/]"),
    re.compile(rf"/{_Y}/{_MON}/{_D}/[^/]", re.IGNORECASE),
    re.compile(rf"(?<!\d){_Y}-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?!\d)"),
    re.compile(rf"(?:^|/|-){_Y}(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?=/|-|\.|$)"),
)
_URL_MONTH_RES: tuple[re.Pattern[str], ...] = (
    re.compile(rf"/{_Y}/{_M}/(?!\d{{1,2}}(?:/|$))[^/]"),
    re.compile(rf"/{_Y}/{_MON}/(?!\d{{1,2}}(?:/|$))[^/]", re.IGNORECASE),
)
_URL_YEAR_RE = re.compile(rf"/{_Y}/[^/]")
# A path that ends in a date is an archive of that day, month or year ("/news/2025/06/14/").
_DATE_ARCHIVE_RE = re.compile(rf"/{_YEAR}(?:/(?:{_MONTH}|{_MONTH_NAME})(?:/{_DAY})?)?/?$", re.IGNORECASE)

_DOCTYPE_RE = re.compile(r"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PROLOGUE_RE = re.compile(
    r"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL
)
_ROOT_RE = re.compile(r"<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)")
_TAG_RE = re.compile(r"<[^>]*>")
_DIGITS_RE = re.compile(r"\d+")
_WORD_SPLIT_RE = re.compile(r"[-_+]+")

Kind = Literal["feed", "page"]
Fetcher = Callable[..., Page]


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiscoveredLink:
    url: str  # canonical URL (analysis.fetch.canonical_url) of the article
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


@dataclass(frozen=True)
class PageLink:
    url: str  # canonical URL
    text: str  # longest anchor text seen for it ("" for image-only links)
    published: datetime | None = None  # day written in the URL, UTC midnight


class UrlDate(NamedTuple):
    first: date  # earliest day the URL's date can mean
    last: date  # latest day (the same for a full date; end of month/year for coarser ones)
    precision: Literal["day", "month", "year"]


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
            "(analysis.fetch.fetch needs to accept feed content types)"
        )
    return page.reason or page.health


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


# --- HTML pages ------------------------------------------------------------------------------


def _parse_html(markup: str) -> lxml.html.HtmlElement | None:
    markup = _XML_DECLARATION_RE.sub("", markup, count=1)
    markup = _CONTROL_CHARS_RE.sub("", markup)
    if not markup.strip():
        return None
    try:
        return lxml.html.document_fromstring(markup)
    except (lxml.etree.ParserError, ValueError):
        return None


def _base_url(doc: lxml.html.HtmlElement, page_url: str) -> str:
    for base in doc.iter("base"):
        url = _http_url(base.get("href"), page_url)
        if url:
            return url
        break
    return page_url


def _alternate_feeds(doc: lxml.html.HtmlElement, base: str) -> tuple[str, ...]:
    main: list[str] = []
    comments: list[str] = []
    for link in doc.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if "alternate" not in rels or media_type(link.get("type")) not in ALTERNATE_FEED_TYPES:
            continue
        url = _http_url(link.get("href"), base)
        if url is None:
            continue
        # WordPress and others also advertise a comments feed: try it last.
        target = comments if "comment" in (link.get("title") or "").lower() else main
        if url not in main and url not in comments:
            target.append(url)
    return tuple(main + comments)


def alternate_feeds(html: str, page_url: str) -> tuple[str, ...]:
    """Feed URLs a page advertises with ``<link rel="alternate" type="application/rss+xml">``.

    Absolute, in page order, comment feeds last.
    """
    doc = _parse_html(html)
    return () if doc is None else _alternate_feeds(doc, _base_url(doc, page_url))


def url_date(url: str) -> UrlDate | None:
    """The date written in a URL's path: /2024/06/01/slug, /2024/jun/01/slug, slug-2024-06-01,
    /20240601/ (day); /2024/06/slug (month); /2024/slug (year).  None when there is none."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    for rx in _URL_DAY_RES:
        for m in rx.finditer(path):
            found = _date_from_match(m, with_day=True)
            if found:
                return UrlDate(found, found, "day")
            month = _date_from_match(m, with_day=False)  # an impossible day (2024/02/31)
            if month:
                return _month(month)
    for rx in _URL_MONTH_RES:
        for m in rx.finditer(path):
            first = _date_from_match(m, with_day=False)
            if first:
                return _month(first)
    m = _URL_YEAR_RE.search(path)
    if m and URL_YEAR_MIN <= int(m.group("y")) <= URL_YEAR_MAX:
        year = int(m.group("y"))
        return UrlDate(date(year, 1, 1), date(year, 12, 31), "year")
    return None


def _month(first: date) -> UrlDate:
    last_day = calendar.monthrange(first.year, first.month)[1]
    return UrlDate(first, first.replace(day=last_day), "month")


def _date_from_match(m: re.Match[str], *, with_day: bool) -> date | None:
    groups = m.groupdict()
    year = int(groups["y"])
    if not URL_YEAR_MIN <= year <= URL_YEAR_MAX:
        return None
    if groups.get("mon"):
        month = _MONTH_NAMES.index(groups["mon"][:3].lower()) + 1
    else:
        month = int(groups["m"])
    day = int(groups["d"]) if with_day else 1
    try:
        return date(year, month, day)
    except ValueError:  # 2024/02/31
        return None


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _slug_words(segment: str) -> int:
    return len([w for w in _WORD_SPLIT_RE.split(segment) if w])


def _split_extension(segment: str) -> tuple[str, str]:
    stem, dot, ext = segment.rpartition(".")
    if dot and stem and ext.isalnum() and len(ext) <= 5:
        return stem, ext.lower()
    return segment, ""


def article_rejection(url: str, page_url: str, text: str = "") -> str | None:
    """Why the link ``url`` found on ``page_url`` is not taken for an article, None if it is.

    Rejected: another site (registered domain), not http(s), the page itself or a query-only
    variation of it, the site's root, a file that is not a page, any path segment in
    :data:`NON_ARTICLE_SEGMENTS`.  Taken: a date in the path; a headline slug of
    SLUG_MIN_WORDS+ words in any segment; at path depth 2+, an id of ID_MIN_DIGITS+ digits, a
    hyphenated name with a page extension ("budget-vote.html") or headline-like anchor ``text``
    (HEADLINE_MIN_WORDS+ words).  Sub-sites such as video.example.com are rejected too.
    """
    try:
        parts = urlsplit(url)
        page = urlsplit(page_url)
    except ValueError:
        return "not a valid URL"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "not an http(s) link"
    domain = registered_domain(url)
    if domain != registered_domain(page_url):
        return "another site"
    host = parts.hostname.lower().rstrip(".")
    first_label = host.split(".", 1)[0]
    if host != domain and first_label in NON_ARTICLE_HOSTS:
        return f"the {first_label}. sub-site"
    path = parts.path or "/"
    if path.rstrip("/") == (page.path or "/").rstrip("/"):
        return "the page itself (or a query variation of it)"
    segments = _segments(path)
    if not segments:
        return "the site's home page"
    if _DATE_ARCHIVE_RE.search(path):
        return "a date archive page"
    lowered = [s.lower() for s in segments]
    for seg in lowered:
        if seg in NON_ARTICLE_SEGMENTS:
            return f"a /{seg}/ page"
    stem, ext = _split_extension(lowered[-1])
    if ext in NON_PAGE_EXTENSIONS:
        return f"a .{ext} file"
    found_date = url_date(url)
    if found_date is not None and found_date.precision != "year":
        return None
    # A headline slug anywhere in the path ("/health/the-man-whose-duvet-.../ar-BBWXwNX").
    for seg in [*lowered[:-1], stem]:
        if _slug_words(seg) >= SLUG_MIN_WORDS and len(seg) >= SLUG_MIN_CHARS:
            return None
    if stem in INDEX_STEMS:
        return "an index page"
    if len(segments) >= 2:
        if any(len(run) >= ID_MIN_DIGITS for run in _DIGITS_RE.findall(stem)):
            return None
        if ext in PAGE_EXTENSIONS and _slug_words(stem) >= 2:
            return None
        if len(text.split()) >= HEADLINE_MIN_WORDS:
            return None
        return "a short path with a short link text (likely a section)"
    return "a one-segment path without a headline slug"


def looks_like_article(url: str, page_url: str, text: str = "") -> bool:
    """True when the link ``url`` (anchor ``text``) on ``page_url`` looks like an article."""
    return article_rejection(url, page_url, text) is None


def _in_navigation(el: lxml.html.HtmlElement) -> bool:
    for anc in el.iterancestors():
        if not isinstance(anc.tag, str):
            continue
        if anc.tag in NAV_TAGS or (anc.get("role") or "").strip().lower() in NAV_ROLES:
            return True
    return False


def _anchor_text(a: lxml.html.HtmlElement) -> str:
    text = " ".join(a.text_content().split())
    if text:
        return text
    for attr in ("title", "aria-label"):
        value = " ".join((a.get(attr) or "").split())
        if value:
            return value
    for img in a.iter("img"):
        alt = " ".join((img.get("alt") or "").split())
        if alt:
            return alt
    return ""


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _article_links(doc: lxml.html.HtmlElement, page_url: str) -> list[PageLink]:
    base = _base_url(doc, page_url)
    # Their text is markup or code, not words a reader sees (a <noscript> <img> inside a link).
    lxml.etree.strip_elements(doc, *NON_TEXT_TAGS, with_tail=False)
    order: list[str] = []  # path keys in page order
    best: dict[str, PageLink] = {}
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        rels = set((a.get("rel") or "").lower().split())
        if rels & NON_ARTICLE_RELS or _in_navigation(a):
            continue
        absolute = _http_url(href, base)
        if absolute is None:
            continue
        url = canonical_url(absolute)
        text = _anchor_text(a)
        if article_rejection(url, page_url, text) is not None:
            continue
        # Query-only variations of one article (?page=2, ?comments=1) count once: the first.
        key = _without_query(url)
        known = best.get(key)
        if known is None:
            found = url_date(url)
            published = (
                datetime(found.first.year, found.first.month, found.first.day, tzinfo=UTC)
                if found is not None and found.precision == "day"
                else None
            )
            best[key] = PageLink(url, text, published)
            order.append(key)
        elif len(text) > len(known.text):  # a headline beats "Read more" or an image link
            best[key] = PageLink(known.url, text, known.published)
    return [best[k] for k in order]


def article_links(html: str, page_url: str) -> tuple[PageLink, ...]:
    """Links on a front page that look like articles of the same site, in page order.

    Canonical URLs, de-duplicated (query-only variations count once), links inside ``<nav>``,
    ``<footer>`` or navigation roles and ``rel="tag"``/``"author"`` links left out; each keeps
    the longest anchor text seen for it.
    """
    doc = _parse_html(html)
    return () if doc is None else tuple(_article_links(doc, page_url))


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
    most ``settings.workers`` at once) with ``fetcher`` (``analysis.fetch.fetch`` by default).
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
