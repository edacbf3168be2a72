"""HTML -> :class:`Article`, offline.

Steps of :func:`extract_article`:

1. Parse the page with lxml, set the JSON-LD blocks aside, and drop ``<script>``, ``<style>``,
   ``<noscript>``, ``<template>``, ``<svg>`` and comments (they hold no article text and make
   newspaper3k's parse time explode on big pages).  The cleaned HTML is cut to
   ``Settings.max_parse_bytes``.
2. Run newspaper3k (metadata and one body) and trafilatura (a second body) on the cleaned
   HTML.  Neither library's downloader is used; newspaper3k's image fetching and ``nlp()`` are
   never called, so nothing touches the network.
3. Keep one body with :func:`choose_body`; read title, authors, date, canonical URL and
   language from JSON-LD and meta tags first (they are what the publisher declares), falling
   back to newspaper3k's guesses.
4. Flag health problems ("empty", "short", "not-english", "encoding-suspect", "no-date") and
   explain them in words.

:func:`article_from_text` builds the same kind of Article from pasted text.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import logging
import re
import statistics
import warnings
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
import newspaper
import trafilatura
from dateutil import parser as dateutil_parser

from analysis.ingest.outlets import domain_for_name, outlet_name, registered_domain
from analysis.models import Article, worst_health
from analysis.scoring.text import clean_markup, count_words
from analysis.settings import Settings

log = logging.getLogger(__name__)

# newspaper3k parses dates with dateutil, which warns about zone names it does not know ("IST").
# Its date is only a fallback here; parse_date below maps common zone names itself.
warnings.filterwarnings("ignore", category=dateutil_parser.UnknownTimezoneWarning)

# --- cleaning ------------------------------------------------------------------------------
# Elements that never hold article text.  Dropped (with their content) before any parsing by
# newspaper3k/trafilatura: big inline scripts are what makes newspaper3k's parse time explode.
STRIPPED_TAGS: tuple[str, ...] = ("script", "style", "noscript", "template", "svg")
# The raw page is cut to this multiple of max_parse_bytes before lxml even parses it (lxml is
# fast, ~10 ms per 3 MB, but an uploaded file can be arbitrarily big).
RAW_CAP_FACTOR = 10
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Characters that are not text: zero-width spaces/joiners, BOM, soft hyphen.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

# --- choosing a body (see choose_body) ------------------------------------------------------
SHINGLE_SIZE = 4  # 4-word shingles, as in the Article Extraction Benchmark's metric
# newspaper3k's body counts as "inside" trafilatura's when this share of its shingles occurs
# there: both found the same article and one of them added or dropped whole blocks.
SUBSET_SHARE = 0.98
# trafilatura, even with favor_precision, tends to add blocks around the article (related
# headlines, "about the company" boilerplate, newsletter boxes) that newspaper3k's single
# best node leaves out.  When newspaper3k's body lies inside trafilatura's and has between
# these shares of its words, newspaper3k's body is the article without the extras.  Below
# EXTRA_RATIO_MIN, newspaper3k more likely missed part of a body split over several blocks;
# above EXTRA_RATIO_MAX the two are practically the same and trafilatura's paragraphs win.
EXTRA_RATIO_MIN = 0.5
EXTRA_RATIO_MAX = 0.95
# trafilatura kept under this share of newspaper3k's words although its text lies inside
# newspaper3k's: it caught only a fragment (a lead, a caption) of the same article.
FRAGMENT_RATIO = 0.25
# Link lists (front pages, section pages): trafilatura returns the headlines as a "body".
LINK_LIST_SHARE = 0.5  # this share of the body's words are link texts of the page: a link list
LINK_LIST_WEAK_SHARE = 0.25  # ... or this share plus a list-like shape (below)
LIST_MIN_PARAGRAPHS = 8  # a list-like shape needs at least this many lines,
LIST_MAX_MEDIAN_WORDS = 12  # mostly short ones (headlines run 5-12 words, prose paragraphs 20-60),
LIST_MAX_SENTENCE_SHARE = 0.3  # and few ending like a sentence (headlines carry no full stop)
_SENTENCE_END_RE = re.compile(r"[.!?…:;\"”’')\]]$")

# --- dates ----------------------------------------------------------------------------------
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)  # older "publication dates" are template junk
MAX_FUTURE = timedelta(days=2)  # time zones and embargoes, but not years ahead
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenews",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "askpublicnewsarticle",
        "satiricalarticle",
        "blogposting",
        "liveblogposting",
        "report",
        "scholarlyarticle",
        "techarticle",
        "socialmediaposting",
    }
)
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

# --- authors and titles ---------------------------------------------------------------------
MAX_AUTHOR_WORDS = 6  # longer "names" are sentences picked up by newspaper3k's heuristics
MAX_AUTHOR_CHARS = 80
# Job titles that follow a name after a comma ("Jane Doe, Political Correspondent").
ROLE_WORDS = frozenset(
    {
        "correspondent",
        "editor",
        "reporter",
        "writer",
        "columnist",
        "contributor",
        "staff",
        "producer",
        "updated",
        "published",
        "photographer",
        "team",
        "desk",
    }
)
# Words that make an "author" an organisation, a credential or a sentence rather than a person.
NON_PERSON_WORDS = frozenset(
    {
        # organisations (the outlet itself is excluded by name)
        "media",
        "press",
        "news",
        "digital",
        "agency",
        "network",
        "magazine",
        "newspaper",
        "international",
        "inc",
        "ltd",
        # sentence words picked up from author bios and bylines
        "the",
        "in",
        "on",
        "at",
        "has",
        "have",
        "been",
        "is",
        "was",
        "since",
        "joined",
        "for",
        "with",
        "about",
        "read",
        "min",
    }
)
_NOT_NAME_WORDS = ROLE_WORDS | NON_PERSON_WORDS
MIN_SINGLE_NAME_CHARS = 4  # "MS", "RD", "PhD" after a comma are credentials, not people
_BY_PREFIX_RE = re.compile(r"^\s*(?:(?:written|words|story|reporting|text)\s+)?by\s*:?\s+", re.IGNORECASE)
_AUTHOR_SPLIT_RE = re.compile(r"\s+(?:and|&)\s+|[;|,]|\n", re.IGNORECASE)
# Meta tags naming the author(s), after JSON-LD and before newspaper3k's byline heuristics.
AUTHOR_META_KEYS: tuple[str, ...] = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "byl",
)
_EMAIL_RE = re.compile(r"[<(]?[\w.+-]+@[\w-]+(?:\.[\w-]+)+[>)]?")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Separators between a headline and the site name in <title>/og:title.
TITLE_SEPARATORS: tuple[str, ...] = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ")
# With these, a short trailing segment is a section or site label even when it does not match
# the site name ("Headline | Politics"); dashes are too common inside headlines for that.
STRONG_TITLE_SEPARATORS = frozenset({" | ", " :: ", " · ", " • "})
MAX_TITLE_LABEL_WORDS = 4

# --- language and health ----------------------------------------------------------------------
LANG_MIN_WORDS = 20  # fewer words: too little text to tell the language
LANG_SAMPLE_CHARS = 2000  # classify the start of the body only (speed; the lead is representative)
# Below this probability the detector is unsure and the page's <html lang> wins when present.
LANG_MIN_CONFIDENCE = 0.9
# Mojibake: UTF-8 read as Latin-1/cp1252 turns "é" into "Ã©", "’" into "â€™", a no-break
# space into "Â ".  Plus U+FFFD, the replacement character of a failed decode.
_CP1252_CONTINUATION = "\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE_RE = re.compile(f"[ÃÂ][{_CP1252_CONTINUATION}]|â€[{_CP1252_CONTINUATION}]?|\ufffd")
MOJIBAKE_MIN_HITS = 2  # one stray sequence may be a quoted broken string
MOJIBAKE_RATE = 0.5  # bad sequences per 1,000 characters of title + text
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "ru": "Russian",
    "pl": "Polish",
    "sv": "Swedish",
    "tr": "Turkish",
    "ar": "Arabic",
    "zh": "Chinese",
    "ja": "Japanese",
}

# trafilatura options: favor_precision drops more boilerplate; on the extraction benchmark it
# raised trafilatura's F1 without lowering its recall.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "favor_precision": True,
    "output_format": "txt",
    "with_metadata": False,
    "deduplicate": False,
}
# What newspaper3k or trafilatura may raise on odd markup: reported in ``reason``, not fatal.
EXTRACTOR_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    KeyError,
    OSError,
    RecursionError,
    lxml.etree.LxmlError,
    newspaper.ArticleException,
)


# ============================================================================================
# Cleaning
# ============================================================================================


def _parse_html(markup: str) -> lxml.html.HtmlElement:
    """lxml document for ``markup``; an empty ``<html>`` when there is nothing to parse."""
    markup = _XML_DECLARATION_RE.sub("", markup, count=1)
    markup = clean_markup(_CONTROL_CHARS_RE.sub("", markup))  # characters no lxml tree can hold
    if not markup.strip():
        return lxml.html.document_fromstring("<html><body></body></html>")
    try:
        return lxml.html.document_fromstring(markup)
    except (lxml.etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")


def _is_jsonld(el: lxml.html.HtmlElement) -> bool:
    return (el.get("type") or "").strip().lower() == "application/ld+json"


def strip_noise(doc: lxml.html.HtmlElement) -> list[str]:
    """Remove STRIPPED_TAGS and comments from ``doc`` in place; returns the JSON-LD blocks' text."""
    jsonld: list[str] = []
    for el in list(doc.iter(*STRIPPED_TAGS)):
        if el.tag == "script" and _is_jsonld(el):
            jsonld.append(el.text or "")
        el.drop_tree()  # keeps the element's tail text
    for node in list(doc.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
        parent = node.getparent()
        if parent is None:
            continue
        if node.tail:  # keep the text that followed the comment
            prev = node.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + node.tail
            else:
                parent.text = (parent.text or "") + node.tail
        parent.remove(node)
    return jsonld


def cap_utf8(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to at most ``limit`` UTF-8 bytes (never inside a character); and whether it was cut."""
    if len(text) <= limit // 4:  # fast path: even 4-byte characters fit
        return text, False
    data = text.encode("utf-8", "replace")
    if len(data) <= limit:
        return text, False
    return data[:limit].decode("utf-8", "ignore"), True


# ============================================================================================
# JSON-LD
# ============================================================================================


def _collect_jsonld(node: object, out: list[dict], depth: int = 0) -> None:
    if depth > 6:  # real pages nest two or three levels; deeper is not metadata
        return
    if isinstance(node, list):
        for item in node:
            _collect_jsonld(item, out, depth + 1)
    elif isinstance(node, dict):
        out.append(node)
        for key in ("@graph", "mainEntity"):
            if isinstance(node.get(key), list | dict):
                _collect_jsonld(node[key], out, depth + 1)


def parse_jsonld(blocks: Iterable[str]) -> list[dict]:
    """All JSON-LD objects of the page, flattened (top-level lists, ``@graph`` and ``mainEntity``)."""
    objects: list[dict] = []
    for raw in blocks:
        text = raw.strip()
        # Old CMSs wrap the JSON in HTML comments or CDATA markers.
        text = re.sub(r"^(?:<!--|//\s*<!\[CDATA\[)|(?:-->|//\s*\]\]>)$", "", text).strip().rstrip(";")
        if not text:
            continue
        try:
            data = json.loads(text, strict=False)  # strict=False: raw newlines inside strings
        except (json.JSONDecodeError, RecursionError):  # RecursionError: absurdly deep nesting
            log.debug("unreadable JSON-LD block skipped (%d chars)", len(text))
            continue
        _collect_jsonld(data, objects)
    return objects


def _types(obj: Mapping) -> set[str]:
    raw = obj.get("@type")
    items = raw if isinstance(raw, list) else [raw]
    return {str(t).rsplit("/", 1)[-1].lower() for t in items if isinstance(t, str)}


def _article_objects(objects: list[dict]) -> list[dict]:
    """JSON-LD objects describing the article (NewsArticle, Article, ReportageNews ...)."""
    found = [o for o in objects if _types(o) & ARTICLE_TYPES]
    return found or [o for o in objects if "headline" in o]


def _jsonld_str(value: object) -> str:
    """A JSON-LD text value as plain text: entities unescaped once, whitespace collapsed."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), "")
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    if not isinstance(value, str):
        return ""
    return " ".join(html_lib.unescape(value).split())


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
    if not s or not _YEAR_RE.search(s) and not _EPOCH_RE.fullmatch(s):
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


def _meta_values(doc: lxml.html.HtmlElement) -> dict[str, str]:
    """First ``content`` of each meta tag, keyed by lower-case property/name/itemprop/http-equiv."""
    values: dict[str, str] = {}
    for meta in doc.iter("meta"):
        content = meta.get("content")
        if content is None or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (meta.get(attr) or "").strip().lower()
            if key and key not in values:
                values[key] = content.strip()
    return values


def _meta_all(doc: lxml.html.HtmlElement, keys: Collection[str]) -> list[str]:
    """Every ``content`` of the meta tags named ``keys`` (pages list co-authors as repeated tags)."""
    found: list[str] = []
    for meta in doc.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if key in keys and content and content not in found:
            found.append(content)
    return found


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


# ============================================================================================
# Titles, authors, URLs
# ============================================================================================


def _squash(s: str) -> str:
    return re.sub(r"[^0-9a-z]", "", s.casefold())


def _is_site_label(segment: str, site_names: Iterable[str]) -> bool:
    seg = _squash(segment)
    if len(seg) < 2:
        return False
    for name in site_names:
        n = _squash(name)
        if len(n) >= 3 and (seg == n or n in seg or (len(seg) >= 3 and seg in n)):
            return True
    return False


def clean_title(title: str, site_names: Iterable[str] = ()) -> str:
    """``title`` without the site name: "Headline | The Outlet" -> "Headline".

    A trailing (or leading) segment is removed when it matches one of ``site_names``; after
    "|", "::", "·" or "•" a short trailing label ("Politics") goes too.
    """
    names = [n for n in site_names if n]
    t = " ".join(title.split())
    changed = True
    while changed:
        changed = False
        for sep in TITLE_SEPARATORS:
            if sep not in t:
                continue
            head, tail = t.rsplit(sep, 1)
            tail_is_label = sep in STRONG_TITLE_SEPARATORS and (
                len(tail.split()) <= MAX_TITLE_LABEL_WORDS and len(head.split()) > len(tail.split())
            )
            if head.strip() and (_is_site_label(tail, names) or tail_is_label):
                t, changed = head.strip(), True
                break
            first, rest = t.split(sep, 1)
            if rest.strip() and _is_site_label(first, names):
                t, changed = rest.strip(), True
                break
    return t or " ".join(title.split())


def _mentions(text: str, name: str) -> bool:
    return bool(name) and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) is not None


def clean_authors(raw: Iterable[str], exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """Person names from author strings: "By Jane Doe and John Roe" -> ("Jane Doe", "John Roe").

    Drops "By", e-mail addresses, URLs, job titles after a comma, duplicates (case-insensitive)
    and anything naming one of ``exclude`` (the outlet: "Reuters Staff", "BBC News").
    """
    excluded = [e.strip() for e in exclude if e and len(e.strip()) >= 3]
    seen: set[str] = set()
    names: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            continue
        s = _URL_RE.sub(" ", _EMAIL_RE.sub(" ", item))
        s = _BY_PREFIX_RE.sub("", " ".join(s.split()))
        for part in _AUTHOR_SPLIT_RE.split(s):
            name = _BY_PREFIX_RE.sub("", " ".join(part.split())).strip(" -–—,.:;@·•'\"")
            words = name.split()
            if (
                not name
                or len(name) > MAX_AUTHOR_CHARS
                or len(words) > MAX_AUTHOR_WORDS
                or any(ch.isdigit() for ch in name)
                or not any(ch.isalpha() for ch in name)
                or name == name.lower()  # names are capitalised; "staff", "updated" are not names
                or any(w.casefold().strip(".,") in _NOT_NAME_WORDS for w in words)
                or (len(words) == 1 and len(name) < MIN_SINGLE_NAME_CHARS)
                or any(_mentions(name, e) for e in excluded)
            ):
                continue
            if name.isupper() and len(name) >= MIN_SINGLE_NAME_CHARS:  # "MEG KINNARD" -> "Meg Kinnard"
                name = name.title()
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                names.append(name)
    return tuple(names)


def _jsonld_authors(objects: list[dict]) -> list[str]:
    out: list[str] = []
    for obj in objects:
        raw = obj.get("author") or obj.get("creator")
        items = raw if isinstance(raw, list) else [raw]
        for item in items:
            if isinstance(item, str):
                out.append(html_lib.unescape(item))
            elif isinstance(item, dict) and "organization" not in _types(item):
                name = _jsonld_str(item.get("name"))
                if name:
                    out.append(name)
        if out:
            break
    return out


def _canonical(doc: lxml.html.HtmlElement, meta: Mapping[str, str], url: str) -> str:
    """The page's own canonical URL when it is absolute http(s) on the same registered domain."""
    candidates = [
        link.get("href", "")
        for link in doc.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    candidates.append(meta.get("og:url", ""))
    own = registered_domain(url)
    for href in candidates:
        href = href.strip()
        if not href:
            continue
        try:
            absolute = urljoin(url, href)
            scheme = urlsplit(absolute).scheme
        except ValueError:
            continue
        if scheme in ("http", "https") and own and registered_domain(absolute) == own:
            return absolute
    return url


def _absolute_http(url: str, base: str) -> str | None:
    if not url:
        return None
    try:
        absolute = urljoin(base, url.strip())
        return absolute if urlsplit(absolute).scheme in ("http", "https") else None
    except ValueError:
        return None


# ============================================================================================
# Text
# ============================================================================================


def normalize_text(text: str, blank_line_paragraphs: bool = False) -> str:
    """Plain text with collapsed whitespace and paragraphs separated by one blank line.

    By default every line is a paragraph (extractor output).  With ``blank_line_paragraphs``
    (pasted text that uses blank lines between paragraphs), lines of one block are joined.
    """
    text = _INVISIBLE_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if blank_line_paragraphs and re.search(r"\n[ \t\u00a0]*\n", text):
        blocks = re.split(r"\n[ \t\u00a0]*\n", text)
    else:
        blocks = text.split("\n")
    paragraphs = [" ".join(b.split()) for b in blocks]
    return "\n\n".join(p for p in paragraphs if p)


# Lines that are page furniture, not article text, when they stand alone as a paragraph
# (ad slots and "continue reading" prompts that extractors keep inside the body).
BOILERPLATE_LINE_RE = re.compile(
    r"^(?:advertisement|advertising|sponsored(?: content)?|ad|"
    r"(?:story|article) continues below(?: this)?(?: advertisement| ad)?|"
    r"continue reading(?: below)?|read more|scroll to continue(?: with content)?)[.:]?$",
    re.IGNORECASE,
)


def drop_boilerplate_lines(text: str) -> str:
    """``text`` without paragraphs that are only an ad label or a reading prompt."""
    return "\n\n".join(p for p in text.split("\n\n") if not BOILERPLATE_LINE_RE.match(p.strip()))


def drop_leading_title(text: str, titles: Iterable[str]) -> str:
    """``text`` without a first paragraph that only repeats the headline (extractors keep the <h1>)."""
    first, sep, rest = text.partition("\n\n")
    if sep and any(t and _link_key(first) == _link_key(t) for t in titles):
        return rest
    return text


def _paragraphs(text: str) -> list[str]:
    return [p for p in (" ".join(line.split()) for line in text.split("\n")) if p]


def _link_key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def link_texts(doc: lxml.html.HtmlElement) -> frozenset[str]:
    """Normalised texts of the page's links, for :func:`looks_like_link_list`."""
    keys = {_link_key(a.text_content()) for a in doc.iter("a")}
    keys.discard("")
    return frozenset(keys)


def page_link_share(doc: lxml.html.HtmlElement) -> float:
    """Share of the page's words that are link texts (front pages ~0.8, articles usually < 0.4)."""
    body = doc.find("body")
    total = count_words((body if body is not None else doc).text_content())
    linked = sum(count_words(a.text_content()) for a in doc.iter("a"))
    return min(linked / total, 1.0) if total else 0.0


def looks_like_link_list(text: str, links: Collection[str] | None = None) -> bool:
    """Whether ``text`` is a list of links (a front or section page) rather than an article.

    With the page's link texts (:func:`link_texts`): at least LINK_LIST_SHARE of the words sit in
    paragraphs that are link texts, or LINK_LIST_WEAK_SHARE plus a list-like shape.  Without
    them, the shape alone: many short lines that mostly do not end like sentences.
    """
    paragraphs = _paragraphs(text)
    if not paragraphs:
        return False
    words = [len(p.split()) for p in paragraphs]
    total = sum(words)
    sentence_share = (
        sum(w for p, w in zip(paragraphs, words, strict=True) if _SENTENCE_END_RE.search(p)) / total
    )
    list_shape = (
        len(paragraphs) >= LIST_MIN_PARAGRAPHS
        and statistics.median(words) <= LIST_MAX_MEDIAN_WORDS
        and sentence_share <= LIST_MAX_SENTENCE_SHARE
    )
    if links is None:
        return list_shape
    linked = sum(w for p, w in zip(paragraphs, words, strict=True) if _link_key(p) in links) / total
    return linked >= LINK_LIST_SHARE or (linked >= LINK_LIST_WEAK_SHARE and list_shape)


def _shingles(text: str) -> set[tuple[str, ...]]:
    tokens = text.split()
    return {tuple(tokens[i : i + SHINGLE_SIZE]) for i in range(len(tokens) - SHINGLE_SIZE + 1)}


def _share_inside(part: set, whole: set) -> float:
    return len(part & whole) / len(part) if part else 0.0


def choose_body(
    newspaper_text: str, trafilatura_text: str, links: Collection[str] | None = None
) -> tuple[str, str]:
    """Pick one article body: returns (text, "newspaper" | "trafilatura").

    trafilatura is the better extractor on average (Article Extraction Benchmark, 4-gram F1:
    0.96 vs 0.89 on its 181 pages), so it wins unless one of these general rules applies:

    1. A body that is empty or :func:`looks_like_link_list` (front pages: trafilatura returns
       the headlines) is not accepted; when neither is acceptable the result is "".
    2. newspaper3k's body lies inside trafilatura's (SUBSET_SHARE of its 4-word shingles) and
       has EXTRA_RATIO_MIN..EXTRA_RATIO_MAX of its words: trafilatura added blocks around
       the same article (related links, boilerplate), so newspaper3k's body is kept.
    3. trafilatura's body lies inside newspaper3k's but has under FRAGMENT_RATIO of its
       words: trafilatura caught only a fragment, newspaper3k's body is kept.

    ``links`` are the page's normalised link texts (:func:`link_texts`), which make the
    link-list test much more reliable than the text's shape alone.
    """
    np_words, tf_words = len(newspaper_text.split()), len(trafilatura_text.split())
    np_ok = np_words > 0 and not looks_like_link_list(newspaper_text, links)
    tf_ok = tf_words > 0 and not looks_like_link_list(trafilatura_text, links)
    if not tf_ok:
        return (newspaper_text, "newspaper") if np_ok else ("", "newspaper")
    if not np_ok:
        return trafilatura_text, "trafilatura"
    np_sh, tf_sh = _shingles(newspaper_text), _shingles(trafilatura_text)
    ratio = np_words / tf_words
    if _share_inside(np_sh, tf_sh) >= SUBSET_SHARE and EXTRA_RATIO_MIN <= ratio <= EXTRA_RATIO_MAX:
        return newspaper_text, "newspaper"
    if tf_words < FRAGMENT_RATIO * np_words and _share_inside(tf_sh, np_sh) >= SUBSET_SHARE:
        return newspaper_text, "newspaper"
    return trafilatura_text, "trafilatura"


# ============================================================================================
# Language and health
# ============================================================================================


@lru_cache(maxsize=1)
def _language_identifier() -> Any:
    # Built once per process (~1 s: it decompresses the model); py3langid is offline.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _lang_hint(hint: str | None) -> str | None:
    code = (hint or "").strip().lower().replace("_", "-").split("-")[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def detect_language(text: str, hint: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None with fewer than LANG_MIN_WORDS words.

    ``hint`` (the page's ``<html lang>``) decides when the detector is unsure.
    """
    if count_words(text) < LANG_MIN_WORDS:
        return None
    code, prob = _language_identifier().classify(text[:LANG_SAMPLE_CHARS])
    hint_code = _lang_hint(hint)
    if float(prob) < LANG_MIN_CONFIDENCE and hint_code:
        return hint_code
    return str(code)


def mojibake_hits(text: str) -> int:
    """Number of replacement characters and typical mojibake sequences ("Ã©", "â€™") in ``text``."""
    return len(_MOJIBAKE_RE.findall(text))


def encoding_suspect(text: str) -> bool:
    """Whether ``text`` looks wrongly decoded: any replacement character (bytes its charset could
    not decode: characters were lost), or mojibake sequences (MOJIBAKE_MIN_HITS and MOJIBAKE_RATE
    per 1,000 chars)."""
    if "\ufffd" in text:
        return True
    hits = mojibake_hits(text)
    return hits >= MOJIBAKE_MIN_HITS and hits * 1000 / max(len(text), 1) >= MOJIBAKE_RATE


def assess(
    text: str, title: str, published: datetime | None, language: str | None, settings: Settings
) -> tuple[tuple[str, ...], list[str]]:
    """Health problems of an extracted article and one explanatory sentence per problem."""
    problems: list[str] = []
    reasons: list[str] = []
    words = count_words(text)
    if words == 0:
        problems.append("empty")
        reasons.append("No article text could be extracted.")
    elif words < settings.short_words:
        problems.append("short")
        reasons.append(f"Only {words} words: probably a paywall teaser or a front page.")
    if language is not None and language != "en":
        problems.append("not-english")
        name = LANGUAGE_NAMES.get(language, f"language '{language}'")
        reasons.append(f"The text looks like {name}; the scores are only meaningful for English.")
    sample = f"{title}\n{text}"
    if encoding_suspect(sample):
        problems.append("encoding-suspect")
        lost = sample.count("\ufffd")
        if lost and lost == mojibake_hits(sample):
            reasons.append(
                f"{lost} characters could not be decoded (shown as '\ufffd'): the page has bytes that "
                "are invalid in its character set."
            )
        else:
            reasons.append(
                f"{mojibake_hits(sample)} replacement characters or mojibake sequences (like 'Ã©' or "
                "'â€™'): the page was probably decoded with the wrong character set."
            )
    if published is None:
        problems.append("no-date")
        reasons.append("No publication date found (JSON-LD, meta tags, <time> or URL).")
    return tuple(problems), reasons


# ============================================================================================
# The extractors
# ============================================================================================


def _newspaper_config() -> newspaper.Config:
    cfg = newspaper.Config()
    cfg.fetch_images = False  # True would download images to size them
    cfg.memoize_articles = False
    cfg.follow_meta_refresh = False  # True would download the refresh target
    cfg.use_meta_language = False  # non-English stopword classes pull in jieba/nltk; trafilatura covers those
    cfg.keep_article_html = False
    cfg.MAX_TEXT = 10_000_000  # do not let newspaper3k cut long texts silently
    return cfg


def _run_newspaper(markup: str, url: str) -> newspaper.Article:
    article = newspaper.Article(url, config=_newspaper_config())
    article.download(input_html=markup)  # input_html: no network
    article.parse()
    return article


def _run_trafilatura(markup: str, url: str) -> str:
    return trafilatura.extract(markup, url=url or None, **TRAFILATURA_OPTIONS) or ""


def _site_names(meta: Mapping[str, str], jsonld_objects: list[dict], domain: str, outlet: str) -> list[str]:
    names = [outlet, domain, domain.split(".")[0] if domain else "", meta.get("og:site_name", "")]
    for obj in jsonld_objects:
        publisher = obj.get("publisher")
        if isinstance(publisher, dict):
            names.append(_jsonld_str(publisher.get("name")))
        if _types(obj) & {"organization", "newsmediaorganization", "website"}:
            names.append(_jsonld_str(obj.get("name")))
    return [n for n in dict.fromkeys(names) if n]


def extract_article(html: str, url: str, settings: Settings | None = None) -> Article:
    """Extract one article from a page's HTML, offline.  Never raises on bad markup: problems
    end up in ``health``/``problems``/``reason``."""
    settings = settings or Settings()
    notes: list[str] = []

    raw, raw_cut = cap_utf8(html or "", settings.max_parse_bytes * RAW_CAP_FACTOR)
    doc = _parse_html(raw)
    jsonld = parse_jsonld(strip_noise(doc))
    cleaned, cut = cap_utf8(lxml.html.tostring(doc, encoding="unicode"), settings.max_parse_bytes)
    if raw_cut or cut:
        notes.append(
            f"The HTML was cut to {settings.max_parse_bytes:,} bytes (after removing scripts and "
            "styles) before parsing; the end of the page was not read."
        )

    np_article: newspaper.Article | None = None
    tf_text = ""
    if doc.text_content().strip():
        try:
            np_article = _run_newspaper(cleaned, url)
        except EXTRACTOR_ERRORS as exc:
            notes.append(f"newspaper3k failed ({type(exc).__name__}: {exc}).")
            log.warning("newspaper3k failed on %s: %r", url, exc)
        try:
            tf_text = _run_trafilatura(cleaned, url)
        except EXTRACTOR_ERRORS as exc:
            notes.append(f"trafilatura failed ({type(exc).__name__}: {exc}).")
            log.warning("trafilatura failed on %s: %r", url, exc)

    np_text = normalize_text(np_article.text) if np_article is not None else ""
    tf_text = normalize_text(tf_text)
    links = link_texts(doc)
    text, extractor = choose_body(np_text, tf_text, links)
    link_page = count_words(text) < settings.short_words and (
        looks_like_link_list(tf_text or np_text, links) or page_link_share(doc) >= LINK_LIST_SHARE
    )

    meta = _meta_values(doc)
    articles = _article_objects(jsonld)
    domain = registered_domain(url)
    outlet = outlet_name(domain) if domain else ""
    site_names = _site_names(meta, jsonld, domain, outlet)

    raw_title = next(
        (
            t
            for t in (
                _jsonld_str(articles[0].get("headline")) if articles else "",
                " ".join(meta.get("og:title", "").split()),
                " ".join((np_article.title if np_article else "").split()),
                " ".join((doc.findtext(".//title") or "").split()),
            )
            if t
        ),
        "",
    )
    title = clean_title(raw_title, site_names)

    authors = (
        clean_authors(_jsonld_authors(articles), site_names)
        or clean_authors(_meta_all(doc, AUTHOR_META_KEYS), site_names)
        or clean_authors(np_article.authors if np_article else (), site_names)
    )
    np_date = (
        np_article.publish_date if np_article and isinstance(np_article.publish_date, datetime) else None
    )
    published = find_published(doc, jsonld, url, fallback=np_date)
    language = detect_language(text, doc.get("lang") or doc.get("xml:lang") or meta.get("content-language"))

    description = (
        " ".join(meta.get("og:description", "").split())
        or " ".join(meta.get("description", "").split())
        or (_jsonld_str(articles[0].get("description")) if articles else "")
        or None
    )
    top_image = _absolute_http(meta.get("og:image", "") or (np_article.top_image if np_article else ""), url)

    text = drop_boilerplate_lines(drop_leading_title(text, (title, raw_title)))
    problems, reasons = assess(text, title, published, language, settings)
    if link_page:  # right after "empty"/"short", which it explains
        reasons.insert(1, "The page looks like a list of links (a front or section page), not an article.")
    return Article(
        url=url,
        canonical_url=_canonical(doc, meta, url),
        title=title,
        authors=authors,
        published=published,
        text=text,
        outlet=outlet,
        domain=domain,
        language=language,
        health=worst_health(problems),
        problems=problems,
        reason=" ".join(reasons + notes),
        top_image=top_image,
        description=description,
        extractor=extractor,
        word_count=count_words(text),
    )


def article_from_text(
    text: str,
    title: str,
    outlet: str,
    url: str | None = None,
    published: datetime | None = None,
    authors: tuple[str, ...] = (),
    settings: Settings | None = None,
) -> Article:
    """An Article from pasted text (a paywalled page read in the browser), with the same checks.

    Without ``url`` the article gets a stable pseudo-URL ``text:<sha1 of title and text>`` so
    that pasting the same text twice is recognised as a duplicate.
    """
    body = normalize_text(text, blank_line_paragraphs=True)
    clean = " ".join(title.split())
    if not url:
        digest = hashlib.sha1(f"{clean}\n{body}".encode()).hexdigest()
        url = f"text:{digest}"
    domain = registered_domain(url) if not url.startswith("text:") else ""
    domain = domain or domain_for_name(outlet) or ""
    published = _to_utc(published) if published is not None else None
    language = detect_language(body)
    problems, reasons = assess(body, clean, published, language, settings or Settings())
    return Article(
        url=url,
        canonical_url=url,
        title=clean,
        authors=clean_authors(authors),
        published=published,
        text=body,
        outlet=outlet.strip() or (outlet_name(domain) if domain else ""),
        domain=domain,
        language=language,
        health=worst_health(problems),
        problems=problems,
        reason=" ".join(reasons),
        extractor="text",
        word_count=count_words(body),
    )


HINT_MAX_CHARS = 2_000_000  # the page's address is in its <head>: never parse more than this for it


def page_url_hint(html: str) -> str | None:
    """A saved page's own address from ``<link rel=canonical>`` or ``og:url``, if it is http(s).

    For pages stored without the address they came from (uploads, ``import-html`` of a folder): the
    address identifies the outlet and de-duplicates the page.
    """
    from lxml.etree import ParserError

    try:
        doc = lxml.html.document_fromstring(html[:HINT_MAX_CHARS])
    except (ParserError, ValueError):
        return None
    candidates = doc.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href")
    candidates += doc.xpath("//meta[@property='og:url']/@content")
    for c in candidates:
        c = str(c).strip()
        if c.lower().startswith(("http://", "https://")):
            return c
    return None
