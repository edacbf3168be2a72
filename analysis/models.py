"""Frozen dataclasses that travel along the pipeline: fetch -> extract -> score -> store.

Every stage takes and returns these plain values, so each stage can be used
alone (from a notebook, a test, or a worker process) without the others.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

# Health values, most severe first.  A fetch failure makes an article with no text;
# extraction and scoring add the softer ones.  ``Article.health`` is the most severe
# problem found, ``Article.problems`` lists them all.
HEALTH_ORDER: tuple[str, ...] = (
    "invalid-url",  # not an http(s) URL we can fetch
    "refused",  # private/loopback/link-local address, refused for safety
    "blocked",  # 401/403/429: the site would not serve us
    "timeout",  # connect/read/overall deadline passed
    "too-large",  # body bigger than the cap
    "not-html",  # PDF, image, JSON ... we only read HTML
    "http-error",  # any other non-2xx status (404, 500, ...)
    "network-error",  # DNS failure, connection reset, too many redirects ...
    "extract-error",  # extraction or scoring raised on this page (a bug: the reason says what)
    "empty",  # no article text could be extracted
    "short",  # very little text: likely a paywall teaser or a front page
    "not-english",  # scorers are English-only; scores are not meaningful
    "encoding-suspect",  # mojibake / replacement characters in the text
    "no-date",  # no publication date found
    "ok",
)

# Problems after which the article has no usable text at all.
FAILED_HEALTH: frozenset[str] = frozenset(HEALTH_ORDER[: HEALTH_ORDER.index("empty") + 1])


def worst_health(problems: tuple[str, ...] | list[str]) -> str:
    """The most severe of ``problems`` by HEALTH_ORDER, or "ok" when there are none."""
    ranked = [p for p in HEALTH_ORDER if p in problems]
    return ranked[0] if ranked else "ok"


@dataclass(frozen=True)
class Page:
    """What the fetcher got for one URL: the decoded HTML, or the reason it has none."""

    url: str  # the URL as requested
    final_url: str  # after redirects
    status: int | None  # HTTP status, None when no response arrived
    content_type: str  # media type without parameters, "" when unknown
    html: str | None  # decoded body, None on failure
    charset: str | None = None  # the charset used to decode ``html``
    charset_source: str | None = None  # "bom", "header", "meta", "detected" or "fallback"
    health: str = "ok"  # "ok" or one of the fetch failures in HEALTH_ORDER
    reason: str = ""  # human-readable explanation of a failure
    elapsed: float = 0.0  # seconds spent, retries included
    attempts: int = 1  # HTTP requests made (retries on 429/503 count)
    fetched_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.health == "ok" and self.html is not None


@dataclass(frozen=True)
class Article:
    """One extracted article.  Text fields are plain text as found on the page (never HTML)."""

    url: str
    canonical_url: str
    title: str
    authors: tuple[str, ...]
    published: datetime | None
    text: str
    outlet: str  # name from data/outlets.csv, else the page's own site name, else the registered domain
    domain: str  # registered domain, e.g. "bbc.co.uk"
    language: str | None  # ISO 639-1 code, None when too little text to tell
    health: str  # worst of ``problems``, "ok" when none
    problems: tuple[str, ...] = ()
    reason: str = ""  # human-readable explanation of the problems
    top_image: str | None = None
    description: str | None = None
    extractor: str = ""  # which body was kept: "trafilatura", "newspaper", "text" (pasted)
    word_count: int = 0
    site_name: str = ""  # the name the page gives its site (og:site_name, JSON-LD publisher, title suffix)
    # Where ``outlet`` came from: "table" (data/outlets.csv), "page" (site_name), "domain", "given"
    # (typed by a person: pasted text).
    outlet_source: str = ""
    outlet_groups: tuple[tuple[str, str], ...] = ()  # data/outlets.csv's groups of this outlet


# slots: a 5 MB text can have a million spans and sentences; without a __dict__ each object takes
# about a third of the memory.
@dataclass(frozen=True, slots=True)
class Span:
    """A loaded-language hit: ``text == source[start:end]``."""

    start: int
    end: int
    text: str
    category: str  # e.g. "emotional", "intensifier", "labelling", "doubt", "sarcasm"
    weight: float  # 0..1, how strongly loaded
    quoted: bool = False  # inside a direct quotation: the speaker's words, not the outlet's
    rule: str = "lexicon"  # what matched: "lexicon", "phrase", "scare-quote", ...


@dataclass(frozen=True, slots=True)
class SentenceSentiment:
    start: int  # character offsets of the sentence in the scored text
    end: int
    compound: float  # VADER compound, -1..1
    label: str  # "positive", "negative" or "neutral" by VADER's +/-0.05 convention


@dataclass(frozen=True)
class Sentiment:
    compound: float  # length-weighted mean compound over sentences, -1..1
    positive_share: float  # share of sentences labelled positive, 0..1
    negative_share: float
    n_sentences: int
    sentences: tuple[SentenceSentiment, ...] = ()


@dataclass(frozen=True)
class Loaded:
    spans: tuple[Span, ...]  # all hits, quoted ones included (flagged)
    word_count: int
    rate_per_1000: float  # outlet's own (unquoted) weighted hits per 1,000 words of the whole text
    quoted_rate_per_1000: float  # quoted hits per 1,000 words of the whole text (the two add up)
    categories: tuple[tuple[str, float], ...] = ()  # unquoted weight by category, largest first
    loaded_sentences: int = 0  # sentences that pass loaded.sentence_is_loaded's rule (unquoted hits)


@dataclass(frozen=True)
class Scores:
    sentiment: Sentiment
    loaded: Loaded
    headline_sentiment: Sentiment | None = None
    headline_loaded: Loaded | None = None
    scorer_version: str = ""


@dataclass(frozen=True)
class FetchAttempt:
    url: str
    status: int | None
    health: str
    reason: str
    elapsed: float
    at: datetime | None = None


@dataclass(frozen=True)
class IngestResult:
    """What happened to one input of a batch (a URL, a file or a pasted text)."""

    source: str  # URL or file name as the user gave it
    health: str
    reason: str = ""
    article_id: int | None = None  # None when nothing was stored
    duplicate: bool = False  # the canonical URL was already stored
    article: Article | None = None
    scores: Scores | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def json_fallback(obj: object) -> object:
    """``json.dumps`` fallback for the data of this package: datetimes as ISO 8601, read-only mappings
    (stored spans) as dicts, dataclasses (``Span`` …) as dicts of their fields, anything else as text."""
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, Mapping):
        return dict(obj)
    fields = getattr(obj, "__dataclass_fields__", None)
    if fields is not None:
        return {k: getattr(obj, k) for k in fields}
    return str(obj)


def dumps(obj: object) -> str:
    """JSON text of ``obj`` (UTF-8 kept as is) with :func:`json_fallback`: the one encoding of exports,
    correction records and the data behind charts."""
    return json.dumps(obj, ensure_ascii=False, default=json_fallback)
