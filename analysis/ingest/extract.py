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
import logging
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import lxml.etree
import lxml.html
import newspaper
import trafilatura
from dateutil import parser as dateutil_parser

from analysis.ingest.body import (
    LINK_LIST_SHARE,
    RAW_CAP_FACTOR,
    BodyChooser,
    _parse_html,
    cap_utf8,
    choose_body,
    drop_boilerplate_lines,
    drop_leading_title,
    link_texts,
    looks_like_link_list,
    normalize_text,
    page_link_share,
    strip_noise,
)
from analysis.ingest.clutter import Uncluttered, remove_clutter, remove_clutter_lines
from analysis.ingest.dates import (
    _to_utc,
    date_from_url,
    find_published,
    parse_date,
)
from analysis.ingest.metadata import (
    AUTHOR_META_KEYS,
    _absolute_http,
    _article_objects,
    _canonical,
    _jsonld_authors,
    _jsonld_str,
    _meta_all,
    _meta_values,
    _types,
    clean_authors,
    clean_title,
    page_site_name,
    parse_jsonld,
)
from analysis.ingest.outlets import domain_for_name, given_outlet, page_outlet, registered_domain
from analysis.models import Article, worst_health
from analysis.scoring.text import count_words
from analysis.settings import Settings

# Names callers import from here; the metadata, date and body helpers live in the modules above.
__all__ = [
    "article_from_text",
    "choose_body",
    "clean_authors",
    "clean_title",
    "date_from_url",
    "detect_language",
    "drop_boilerplate_lines",
    "encoding_suspect",
    "extract_article",
    "find_published",
    "looks_like_link_list",
    "normalize_text",
    "page_url_hint",
    "parse_date",
]

log = logging.getLogger(__name__)

# newspaper3k parses dates with dateutil, which warns about zone names it does not know ("IST").
# Its date is only a fallback here; parse_date below maps common zone names itself.
warnings.filterwarnings("ignore", category=dateutil_parser.UnknownTimezoneWarning)

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
    names = [outlet, domain, domain.split(".", maxsplit=1)[0] if domain else "", meta.get("og:site_name", "")]
    for obj in jsonld_objects:
        publisher = obj.get("publisher")
        if isinstance(publisher, dict):
            names.append(_jsonld_str(publisher.get("name")))
        if _types(obj) & {"organization", "newsmediaorganization", "website"}:
            names.append(_jsonld_str(obj.get("name")))
    return [n for n in dict.fromkeys(names) if n]


@dataclass
class PageParts:
    """What :func:`read_page` got from a page: the cleaned document, both extractors' bodies."""

    doc: lxml.html.HtmlElement
    jsonld: list[dict]
    np_article: newspaper.Article | None
    np_text: str
    tf_text: str
    links: frozenset[str]
    notes: list[str] = field(default_factory=list)


def read_page(html: str, url: str, settings: Settings) -> PageParts:
    """Steps 1-2 of :func:`extract_article`: clean the page, run newspaper3k and trafilatura."""
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
    return PageParts(doc, jsonld, np_article, np_text, normalize_text(tf_text), link_texts(doc), notes)


def extract_article(html: str, url: str, settings: Settings | None = None) -> Article:
    """Extract one article from a page's HTML, offline.  Never raises on bad markup: problems
    end up in ``health``/``problems``/``reason``."""
    settings = settings or Settings()
    return article_from_parts(read_page(html, url, settings), url, settings)


def article_from_parts(
    parts: PageParts,
    url: str,
    settings: Settings,
    choose: BodyChooser = choose_body,
    unclutter: bool = True,
) -> Article:
    """Steps 3-4 of :func:`extract_article` on :func:`read_page`'s result; ``choose`` picks the
    body and ``unclutter`` removes clutter lines (the extraction benchmark compares other
    choices on the same pages)."""
    doc, np_article, np_text, tf_text, links = (
        parts.doc,
        parts.np_article,
        parts.np_text,
        parts.tf_text,
        parts.links,
    )
    text, extractor = choose(np_text, tf_text, links)
    link_page = count_words(text) < settings.short_words and (
        looks_like_link_list(tf_text or np_text, links) or page_link_share(doc) >= LINK_LIST_SHARE
    )

    meta = _meta_values(doc)
    articles = _article_objects(parts.jsonld)
    domain = registered_domain(url)
    site_name = page_site_name(meta, parts.jsonld, doc.findtext(".//title") or "", domain)
    outlet, outlet_source, outlet_groups = page_outlet(domain, site_name)
    site_names = _site_names(meta, parts.jsonld, domain, outlet) + ([site_name] if site_name else [])

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
    published = find_published(doc, parts.jsonld, url, fallback=np_date)
    language = detect_language(text, doc.get("lang") or doc.get("xml:lang") or meta.get("content-language"))

    description = (
        " ".join(meta.get("og:description", "").split())
        or " ".join(meta.get("description", "").split())
        or (_jsonld_str(articles[0].get("description")) if articles else "")
        or None
    )
    top_image = _absolute_http(meta.get("og:image", "") or (np_article.top_image if np_article else ""), url)

    text = drop_boilerplate_lines(drop_leading_title(text, (title, raw_title)))
    clean = remove_clutter(text) if unclutter else Uncluttered(text)
    text = clean.text
    # The article's own metadata first; a byline or date stamp cut from the body when it has none.
    authors = authors or clean_authors(clean.authors, site_names)
    published = published or clean.published
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
        reason=" ".join(reasons + parts.notes),
        top_image=top_image,
        description=description,
        extractor=extractor,
        word_count=count_words(text),
        site_name=site_name,
        outlet_source=outlet_source,
        outlet_groups=outlet_groups,
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

    Page clutter copied along with the text (share bars, "Read more" boxes, bylines ...) is
    removed line by line (:mod:`analysis.ingest.clutter`); a byline's names and a date stamp
    found there are used when ``authors``/``published`` are not given.  Without ``url`` the
    article gets a stable pseudo-URL ``text:<sha1 of title and text>`` so
    that pasting the same text twice is recognised as a duplicate.
    """
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines, cut = remove_clutter_lines(raw_lines)
    if all(line.strip() for line in raw_lines):  # one paragraph a line: a removed line leaves no gap
        lines = [line for line in lines if line]
    body = normalize_text("\n".join(lines), blank_line_paragraphs=True)
    authors = authors or cut.authors
    published = published or cut.published
    clean = " ".join(title.split())
    if not url:
        digest = hashlib.sha1(f"{clean}\n{body}".encode()).hexdigest()
        url = f"text:{digest}"
    domain = registered_domain(url) if not url.startswith("text:") else ""
    domain = domain or domain_for_name(outlet) or ""
    published = _to_utc(published) if published is not None else None
    language = detect_language(body)
    problems, reasons = assess(body, clean, published, language, settings or Settings())
    outlet, outlet_source, outlet_groups = given_outlet(outlet, domain)
    return Article(
        url=url,
        canonical_url=url,
        title=clean,
        authors=clean_authors(authors),
        published=published,
        text=body,
        outlet=outlet,
        domain=domain,
        language=language,
        health=worst_health(problems),
        problems=problems,
        reason=" ".join(reasons),
        extractor="text",
        word_count=count_words(body),
        outlet_source=outlet_source,
        outlet_groups=outlet_groups,
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
