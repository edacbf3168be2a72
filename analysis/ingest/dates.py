"""Publication dates: parsing, plausibility, and finding the date in JSON-LD, meta tags, <time>
elements or the URL (pure, offline).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
from dateutil import parser as dateutil_parser

from analysis.ingest.body import _parse_html
from analysis.ingest.metadata import _article_objects, _jsonld_str, _meta_values

# --- dates ----------------------------------------------------------------------------------
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)  # older "publication dates" are template junk
MAX_FUTURE = timedelta(days=2)  # time zones and embargoes, but not years ahead
# Meta tags naming the publication date, most specific first (compared lower-case against
# the property/name/itemprop attribute).
DATE_META_KEYS: tuple[str, ...] = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "originalpublicationdate",
    "article_date_original",
    "sailthru.date",
    "parsely-pub-date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "date",
)
# UTC offsets (seconds) of zone abbreviations common in news pages; dateutil knows only UTC/GMT.
# Unknown names are read as UTC.  IST is taken as India (far more common on news sites than Irish).
ZONE_OFFSETS: dict[str, int] = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "BST": 3600,
    "IST": 19800,
    "CET": 3600,
    "CEST": 7200,
    "EET": 7200,
    "EEST": 10800,
    "EST": -18000,
    "EDT": -14400,
    "CST": -21600,
    "CDT": -18000,
    "MST": -25200,
    "MDT": -21600,
    "PST": -28800,
    "PDT": -25200,
    "JST": 32400,
    "AEST": 36000,
    "AEDT": 39600,
}
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_EPOCH_RE = re.compile(r"\d{10}(?:\d{3})?")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_URL_DATE_RES: tuple[re.Pattern[str], ...] = (
    # /2016/10/11/  /2016/10/11-slug
    re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?=/|$|[-_.])"),
    # 2016-10-11 anywhere in the path
    re.compile(r"(?<!\d)((?:19|20)\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?!\d)"),
    # /2016/oct/11/ (The Guardian)
    re.compile(rf"/((?:19|20)\d\d)/({_MONTHS})[a-z]*/(0?[1-9]|[12]\d|3[01])(?=/|$)", re.IGNORECASE),
    # /20161011/
    re.compile(r"/((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=/|$)"),
)


# ============================================================================================
# Dates
# ============================================================================================


def _to_utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _zone_offset(name: str | None, offset: int | None) -> int | None:
    """dateutil ``tzinfos`` hook: a numeric offset wins, then ZONE_OFFSETS; None means naive (UTC)."""
    if offset is not None:
        return offset
    return ZONE_OFFSETS.get((name or "").upper())


def parse_date(value: str) -> datetime | None:
    """A date string (ISO 8601, RFC 2822, epoch seconds, "October 11, 2016" ...) as a UTC datetime.

    Naive values are taken as UTC.  None when unreadable or without a four-digit year.
    """
    s = " ".join(str(value).split())
    if not s or (not _YEAR_RE.search(s) and not _EPOCH_RE.fullmatch(s)):
        return None
    if _EPOCH_RE.fullmatch(s):
        seconds = int(s) / (1000 if len(s) == 13 else 1)
        return datetime.fromtimestamp(seconds, tz=UTC)
    try:
        return _to_utc(datetime.fromisoformat(s))
    except ValueError:
        pass
    try:
        return _to_utc(dateutil_parser.parse(s, default=datetime(2000, 1, 1), tzinfos=_zone_offset))
    except (ValueError, OverflowError):  # dateutil's ParserError is a ValueError
        return None


def _plausible(dt: datetime | None, now: datetime) -> datetime | None:
    if dt is None:
        return None
    dt = _to_utc(dt)
    return dt if EARLIEST_DATE <= dt <= now + MAX_FUTURE else None


def date_from_url(url: str) -> datetime | None:
    """The date written in a URL's path (/2016/10/11/, 2016-10-11, /2016/oct/11/, /20161011/)."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    for rx in _URL_DATE_RES:
        m = rx.search(path)
        if not m:
            continue
        year, month, day = m.groups()
        if not month.isdigit():
            month = str(_MONTHS.split("|").index(month[:3].lower()) + 1)
        try:
            return datetime(int(year), int(month), int(day), tzinfo=UTC)
        except ValueError:  # 2016/02/30
            continue
    return None


def _time_candidates(doc: lxml.html.HtmlElement) -> list[str]:
    """``datetime`` values of <time> elements that date the article (not a ticker or a teaser)."""
    found: list[str] = []
    for xpath in (
        "//*[@itemprop='datePublished']/@datetime",
        "//*[@itemprop='datePublished']/@content",
        "//time[@pubdate]/@datetime",
        "//article//time/@datetime",
        "//main//time/@datetime",
    ):
        found.extend(str(v) for v in doc.xpath(xpath))
    return found


def find_published(
    html_tree_or_html: lxml.html.HtmlElement | str,
    jsonld_objects: list[dict],
    url: str,
    *,
    fallback: datetime | None = None,
    now: datetime | None = None,
) -> datetime | None:
    """Publication date, in UTC: JSON-LD ``datePublished``, then meta tags, then <time> in the
    article, then ``fallback`` (newspaper3k's guess), then the URL.

    Dates before 1990 or more than two days after ``now`` are rejected as implausible.
    """
    now = now or datetime.now(UTC)
    doc = _parse_html(html_tree_or_html) if isinstance(html_tree_or_html, str) else html_tree_or_html
    candidates: list[str] = []
    for obj in _article_objects(jsonld_objects) + jsonld_objects:
        if obj.get("datePublished"):
            candidates.append(_jsonld_str(obj["datePublished"]))
    meta = _meta_values(doc)
    candidates.extend(meta[k] for k in DATE_META_KEYS if k in meta)
    candidates.extend(_time_candidates(doc))
    for value in candidates:
        dt = _plausible(parse_date(value), now)
        if dt is not None:
            return dt
    return _plausible(fallback, now) or _plausible(date_from_url(url), now)
