"""Article links on a front page: the feeds a page advertises, dates written in URLs, and the
heuristics that tell an article link from a section, tag or site page (:func:`looks_like_article`).
Nothing is fetched here.  Used by :mod:`analysis.ingest.discover`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal, NamedTuple
from urllib.parse import urlsplit, urlunsplit

import lxml.etree
import lxml.html

from analysis.ingest.canonical import canonical_url
from analysis.ingest.decoding import media_type
from analysis.ingest.feeds import ALTERNATE_FEED_TYPES, _http_url
from analysis.ingest.outlets import registered_domain

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

_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DIGITS_RE = re.compile(r"\d+")
_WORD_SPLIT_RE = re.compile(r"[-_+]+")


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageLink:
    url: str  # canonical URL
    text: str  # longest anchor text seen for it ("" for image-only links)
    published: datetime | None = None  # day written in the URL, UTC midnight


class UrlDate(NamedTuple):
    first: date  # earliest day the URL's date can mean
    last: date  # latest day (the same for a full date; end of month/year for coarser ones)
    precision: Literal["day", "month", "year"]


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
    year_match = _URL_YEAR_RE.search(path)
    if year_match and URL_YEAR_MIN <= int(year_match.group("y")) <= URL_YEAR_MAX:
        year = int(year_match.group("y"))
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
