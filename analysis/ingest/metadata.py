"""Metadata declared by a page: JSON-LD objects, meta tags, titles, authors and canonical URL
(pure, offline).  Dates are in :mod:`analysis.ingest.dates`.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from analysis.ingest.outlets import registered_domain

# Same logger as before the split (bench.fuzz quiets "analysis.ingest.extract").
log = logging.getLogger("analysis.ingest.extract")


# JSON-LD @type values (lower case) of the objects that describe the article.
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


# --- the site's own name ----------------------------------------------------------------------
MAX_SITE_NAME_CHARS = 80  # a longer "site name" is a sentence, not a name
MAX_SITE_NAME_WORDS = 6  # likewise for a title's suffix ("Headline | The Smithsonian Magazine")
# Words that may stay lower case inside a name ("Journal of the Plains", "El País de Hoy")
NAME_SMALL_WORDS = frozenset({"of", "the", "and", "for", "in", "on", "at", "a", "an", "de", "la", "le", "&"})
# Title suffixes that are sections or formats, not sites ("Storm hits - Live updates")
SECTION_LABELS = frozenset(
    {
        "news",
        "opinion",
        "analysis",
        "video",
        "videos",
        "photos",
        "live",
        "live updates",
        "updates",
        "breaking news",
        "politics",
        "world",
        "business",
        "sport",
        "sports",
        "review",
        "editorial",
        "comment",
        "home",
    }
)


def _one_line(value: object) -> str:
    """One line of text without control characters (a NUL cannot go into PostgreSQL)."""
    text = "".join(ch for ch in str(value or "") if ch in "\t\n\r" or unicodedata.category(ch) != "Cc")
    return " ".join(text.split())


def _publisher_names(jsonld_objects: list[dict]) -> Iterable[str]:
    articles = _article_objects(jsonld_objects)
    for obj in [*articles, *(o for o in jsonld_objects if o not in articles)]:
        publisher = obj.get("publisher")
        for p in publisher if isinstance(publisher, list) else [publisher]:
            if isinstance(p, dict):
                yield _one_line(_jsonld_str(p.get("name")))


def _looks_like_site_name(tail: str, head: str, domain: str) -> bool:
    words = tail.split()
    if not words or len(words) > MAX_SITE_NAME_WORDS or len(tail) > MAX_SITE_NAME_CHARS:
        return False
    if len(head.split()) <= len(words) or tail[-1] in "?!:;,":
        return False
    label = _squash(domain.split(".", maxsplit=1)[0]) if domain else ""
    if len(label) >= 3 and (label in _squash(tail) or _squash(tail) in label):
        return True  # "Smithsonian Magazine" on smithsonianmag.com
    if tail.casefold() in SECTION_LABELS:
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.casefold() in NAME_SMALL_WORDS for w in words)


def title_site_suffix(title: str, domain: str = "") -> str:
    """The site name at the end of a page title ("Headline | Site Name", " - Site", " — Site"), or ""
    when the last segment does not look like a name (a section label, a phrase in lower case)."""
    t = _one_line(title)
    cuts = [(t.rindex(sep), sep) for sep in TITLE_SEPARATORS if sep in t]
    if not cuts:
        return ""
    at, sep = max(cuts)
    head, tail = t[:at].strip(), t[at + len(sep) :].strip()
    return tail if _looks_like_site_name(tail, head, domain) else ""


def page_site_name(meta: Mapping[str, str], jsonld_objects: list[dict], title: str, domain: str = "") -> str:
    """The name a page gives its own site: ``og:site_name``, then JSON-LD ``publisher.name`` (the
    article's first), then the suffix of its ``<title>``; "" when it names none."""
    candidates = [_one_line(meta.get("og:site_name", "")), *_publisher_names(jsonld_objects)]
    for name in candidates:
        if name and len(name) <= MAX_SITE_NAME_CHARS:
            return name
    return title_site_suffix(title, domain)


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
