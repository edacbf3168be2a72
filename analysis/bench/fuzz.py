"""Fuzzing extraction and scoring: ``python -m analysis fuzz --n 10000``.

A seeded generator writes HTML-ish documents from a small grammar (real and made-up tags,
attributes with broken quoting, entities valid and invalid, scripts, styles, comments, CDATA,
JSON-LD, unclosed and mis-nested markup, deep nesting) filled with text that mixes words with
odd code points: control characters, C1 controls, bidi and zero-width characters, combining
marks, noncharacters, private use, emoji, other scripts (never lone surrogates: they cannot
come out of a decoder).  Each document goes through :func:`analysis.ingest.extract.extract_article`
and its text through :func:`analysis.scoring.scorer.score_text`; :func:`check_article` and
:func:`check_scores` list broken invariants.  An exception or a broken invariant is a failure.

The same checks back the Hypothesis properties in ``tests/test_fuzz.py``.
"""

from __future__ import annotations

import logging
import random
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from analysis.ingest.extract import extract_article
from analysis.ingest.fetch import decode_html
from analysis.models import HEALTH_ORDER, Article, Loaded, Scores, Sentiment
from analysis.scoring.scorer import score_text
from analysis.settings import Settings

DEFAULT_N = 10_000
MAX_DEPTH = 6  # nesting depth of the recursive grammar (deep chains are made separately)
DEEP_NESTING = (50, 3000)  # range of depth for the "deeply nested" documents
DEEP_SHARE = 0.03  # share of documents that are one deep chain of nested elements
TEXT_ONLY_SHARE = 0.1  # share of inputs that are plain text (no markup at all)
MAX_PRINTED_FAILURES = 10  # failures shown in full; the rest are only counted by kind
PROGRESS_EVERY = 1000  # inputs between progress lines

URLS: tuple[str, ...] = (
    "https://news.example.com/2026/10/01/story",
    "http://example.org/",
    "https://www.example.co.uk/world/article-123?id=5#top",
    "https://xn--bcher-kva.example/neu",
    "http://127.0.0.1:8000/a",
)

TAGS: tuple[str, ...] = (
    "html", "head", "body", "title", "meta", "link", "p", "div", "span", "a", "b", "i", "em",
    "strong", "article", "section", "main", "header", "footer", "nav", "aside", "h1", "h2", "h3",
    "ul", "ol", "li", "table", "tr", "td", "th", "br", "hr", "img", "figure", "figcaption",
    "blockquote", "q", "pre", "code", "time", "address", "form", "input", "select", "option",
    "textarea", "iframe", "noscript", "template", "svg", "math", "object", "embed", "frameset",
    "xmp", "plaintext", "listing", "font", "center", "marquee", "custom-element", "x:y",
)  # fmt: skip
VOID_TAGS = frozenset({"meta", "link", "br", "hr", "img", "input", "embed"})
ATTRS: tuple[str, ...] = (
    "class", "id", "href", "src", "content", "name", "property", "charset", "lang", "dir", "style",
    "datetime", "itemprop", "itemtype", "rel", "type", "onerror", "onclick", "data-x", "alt",
    "title", "http-equiv", "srcset", "xmlns", "hidden",
)  # fmt: skip
ATTR_VALUES: tuple[str, ...] = (
    "", "author", "og:title", "article:published_time", "description", "canonical", "utf-8",
    "windows-1252", "x-unknown", "javascript:alert(1)", "data:text/html,<script>1</script>",
    "//evil.example/", "http://[::1", "2026-10-01T09:00:00Z", "99999-99-99", "yesterday", "0",
    "-1", "1e309", "NaN", "rtl", "en", "zz", "application/ld+json", "text/javascript",
    "refresh", "0;url=javascript:1", "a\"b", "a'b", "<b>", "&amp;", "&#0;",
)  # fmt: skip
ENTITIES: tuple[str, ...] = (
    "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&nbsp;", "&copy;", "&hellip;", "&mdash;",
    "&#0;", "&#x0;", "&#9;", "&#127;", "&#128;", "&#x85;", "&#xD800;", "&#xDFFF;", "&#55296;",
    "&#x110000;", "&#99999999999;", "&#xFFFE;", "&#x1F600;", "&bogus;", "&", "&#", "&#x",
    "&amp", "&ltfoo", "&#65", "&NotEqualTilde;",
)  # fmt: skip
ODD_CHARS: tuple[str, ...] = (
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x85",
    "\x9f", "\xa0", "\xad", "\u0300", "\u0301\u0302\u0303", "\u05d0", "\u0627", "\u200b",
    "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2028", "\u2029", "\u2066",
    "\u3000", "\ufeff", "\ufffd", "\ufffe", "\uffff", "\ufdd0", "\ue000", "\U000f0000",
    "\U0010ffff", "\U0001f600", "\U0001f1fa\U0001f1f8", "\u4e2d\u6587", "\u0e01", "\u00e9",
    "e\u0301", "\u2019", "\u201c", "\u201d", "\u2014", "\t", "\n", "\r", "\r\n",
)  # fmt: skip
WORDS: tuple[str, ...] = (
    "the", "government", "said", "protesters", "slammed", "outrageous", "plan", "on", "Tuesday",
    "very", "good", "bad", "not", "never", "quite", "so-called", "alleged", "disaster", "hero",
    "\"quoted\"", "'scare'", "“curly”", "—", "!", "?", "...", "Mr.", "U.S.", "e.g.", "3.5%",
    "2026", "**bold**", "_under_", "[link](javascript:x)", "`code`", "#", ">", "|", ":)", "lol",
)  # fmt: skip
BROKEN: tuple[str, ...] = (
    "<", ">", "</", "<!--", "-->", "<!-- unclosed", "<![CDATA[x", "]]>", "<!DOCTYPE html>",
    "<!DOCTYPE", "<?xml version='1.0'?>", "<?php echo 1; ?>", "</p></p></div>", "<p <b>",
    "<a href='x>", '<img src="a" onerror=alert(1)//', "<br/>", "<div/>", "</html><p>after",
    "<html><html>", "<body><body>", "<title>", "</title>", "<script>", "</script>", "<style>",
    "<\x00p>", "< p>", "<p\ufeff>", "<%", "%>", "{{", "}}", "<!>", "<!---->", "<!--->",
)  # fmt: skip


# --- the generator -----------------------------------------------------------------------------


def random_text(rng: random.Random, max_words: int = 30) -> str:
    """Words, punctuation and odd code points (never a lone surrogate)."""
    parts = []
    for _ in range(rng.randint(0, max_words)):
        roll = rng.random()
        if roll < 0.70:
            parts.append(rng.choice(WORDS))
        elif roll < 0.85:
            parts.append(rng.choice(ODD_CHARS))
        elif roll < 0.93:
            parts.append(rng.choice(ENTITIES))
        else:  # any code point outside the surrogate block
            cp = rng.randrange(0x110000 - 0x800)
            parts.append(chr(cp + 0x800 if cp >= 0xD800 else cp))
    sep = rng.choice((" ", " ", "", "\n", "\t"))
    return sep.join(parts)


def random_attrs(rng: random.Random) -> str:
    out = []
    for _ in range(rng.choice((0, 0, 1, 2, 3, 5))):
        name = rng.choice(ATTRS)
        value = rng.choice(ATTR_VALUES) if rng.random() < 0.8 else random_text(rng, 4)
        quote = rng.choice(('"', "'", "", '"'))
        closing = quote if rng.random() < 0.95 else ""  # sometimes a quote that never closes
        out.append(f"{name}={quote}{value}{closing}" if rng.random() < 0.9 else name)
    return (" " + " ".join(out)) if out else ""


def random_jsonld(rng: random.Random, depth: int = 3) -> str:
    """A JSON-LD block of small random values (``depth`` levels at most), sometimes truncated."""

    def value(d: int) -> str:
        roll = rng.random()
        if d <= 0 or roll < 0.4:
            return rng.choice(
                ('"x"', "1", "null", "true", '"2026-10-01"', '"' + random_text(rng, 3) + '"', "1e999")
            )
        if roll < 0.7:
            return "[" + ",".join(value(d - 1) for _ in range(rng.randint(0, 3))) + "]"
        keys = ("@type", "headline", "author", "name", "datePublished", "@graph", "publisher")
        items = (f'"{rng.choice(keys)}": {value(d - 1)}' for _ in range(rng.randint(0, 4)))
        return "{" + ",".join(items) + "}"

    body = value(depth)
    if rng.random() < 0.2:
        body = body[: rng.randint(0, len(body))]  # truncated JSON
    return f'<script type="application/ld+json">{body}</script>'


def deep_jsonld(rng: random.Random, depth: int) -> str:
    """One chain of ``depth`` nested arrays and objects (built without recursion)."""
    opening, closing = [], []
    for _ in range(depth):
        if rng.random() < 0.5:
            opening.append("[")
            closing.append("]")
        else:
            opening.append('{"@graph": ')
            closing.append("}")
    body = "".join(opening) + '"x"' + "".join(reversed(closing))
    return f'<script type="application/ld+json">{body}</script>'


def random_node(rng: random.Random, depth: int) -> str:
    roll = rng.random()
    if depth <= 0 or roll < 0.35:
        return random_text(rng)
    if roll < 0.45:
        return rng.choice(BROKEN)
    if roll < 0.50:
        return random_jsonld(rng)
    if roll < 0.55:
        kind = rng.choice(("script", "style"))
        return (
            f"<{kind}>{random_text(rng, 10)}</{kind}>"
            if rng.random() < 0.8
            else f"<{kind}>{random_text(rng)}"
        )
    tag = rng.choice(TAGS)
    if rng.random() < 0.3:
        tag = tag.upper() if rng.random() < 0.5 else tag.title()
    opening = f"<{tag}{random_attrs(rng)}>"
    if tag.lower() in VOID_TAGS:
        return opening
    children = "".join(random_node(rng, depth - 1) for _ in range(rng.randint(0, 4)))
    closing = f"</{tag}>" if rng.random() < 0.85 else rng.choice(("", f"</{rng.choice(TAGS)}>"))
    return opening + children + closing


def random_document(rng: random.Random) -> str:
    """One input: usually an HTML-ish document, sometimes plain text or a deep chain."""
    roll = rng.random()
    if roll < TEXT_ONLY_SHARE:
        return random_text(rng, 200)
    if roll < TEXT_ONLY_SHARE + DEEP_SHARE:
        depth = rng.randint(*DEEP_NESTING)
        tag = rng.choice(("div", "span", "b", "blockquote", "li", "table"))
        if rng.random() < 0.5:
            return f"<{tag}>" * depth + random_text(rng) + f"</{tag}>" * rng.randint(0, depth)
        return deep_jsonld(rng, depth)
    head = "".join(random_node(rng, 2) for _ in range(rng.randint(0, 4)))
    body = "".join(random_node(rng, MAX_DEPTH) for _ in range(rng.randint(1, 8)))
    if rng.random() < 0.5:
        return f"<html><head>{head}</head><body>{body}</body></html>"
    return head + body


# --- the invariants ------------------------------------------------------------------------------


def _utf8_ok(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_article(article: Article) -> list[str]:
    """Broken invariants of an extracted article (empty list when all hold)."""
    problems = []
    if not isinstance(article, Article):
        return [f"extract_article returned {type(article).__name__}"]
    if article.health not in HEALTH_ORDER:
        problems.append(f"unknown health {article.health!r}")
    if any(p not in HEALTH_ORDER for p in article.problems):
        problems.append(f"unknown problem in {article.problems!r}")
    texts = {"title": article.title, "text": article.text, "outlet": article.outlet, "reason": article.reason}
    texts.update({f"author {i}": a for i, a in enumerate(article.authors)})
    for name, value in texts.items():
        if not isinstance(value, str):
            problems.append(f"{name} is {type(value).__name__}, not str")
        elif not _utf8_ok(value):
            problems.append(f"{name} cannot be stored as UTF-8 (lone surrogate)")
    if article.word_count < 0:
        problems.append(f"negative word count {article.word_count}")
    return problems


def _check_sentiment(s: Sentiment, label: str) -> list[str]:
    out = []
    if not -1.0 <= s.compound <= 1.0:
        out.append(f"{label} compound {s.compound} outside [-1, 1]")
    for name in ("positive_share", "negative_share"):
        v = getattr(s, name)
        if not 0.0 <= v <= 1.0:
            out.append(f"{label} {name} {v} outside [0, 1]")
    if s.positive_share + s.negative_share > 1.0 + 1e-9:
        out.append(f"{label} shares add up to more than 1")
    if s.n_sentences < 0:
        out.append(f"{label} negative sentence count")
    for sent in s.sentences:
        if not -1.0 <= sent.compound <= 1.0:
            out.append(f"{label} sentence compound {sent.compound} outside [-1, 1]")
    return out


def _check_loaded(loaded: Loaded, text: str, label: str) -> list[str]:
    out = []
    for name in ("rate_per_1000", "quoted_rate_per_1000"):
        v = getattr(loaded, name)
        if not v >= 0.0:  # also catches NaN
            out.append(f"{label} {name} {v} is not >= 0")
    if loaded.word_count < 0 or loaded.loaded_sentences < 0:
        out.append(f"{label} negative counts")
    for span in loaded.spans:
        if not 0 <= span.start <= span.end <= len(text):
            out.append(f"{label} span {span.start}:{span.end} outside the text (length {len(text)})")
        elif text[span.start : span.end] != span.text:
            out.append(
                f"{label} span {span.start}:{span.end} is {text[span.start : span.end]!r}, not {span.text!r}"
            )
        if not 0.0 <= span.weight <= 1.0:
            out.append(f"{label} span weight {span.weight} outside [0, 1]")
    for _, weight in loaded.categories:
        if not weight >= 0.0:
            out.append(f"{label} negative category weight {weight}")
    return out


def check_scores(scores: Scores, text: str, title: str | None = None) -> list[str]:
    """Broken invariants of ``score_text(text, title)``: ranges, offsets, span texts."""
    problems = _check_sentiment(scores.sentiment, "body") + _check_loaded(scores.loaded, text, "body")
    for sent in scores.sentiment.sentences:
        if not 0 <= sent.start <= sent.end <= len(text):
            problems.append(f"sentence {sent.start}:{sent.end} outside the text (length {len(text)})")
    if title:
        if scores.headline_sentiment is None or scores.headline_loaded is None:
            problems.append("a title was given but the headline was not scored")
        else:
            problems += _check_sentiment(scores.headline_sentiment, "headline")
            problems += _check_loaded(scores.headline_loaded, title, "headline")
    return problems


# --- the run -------------------------------------------------------------------------------------


@dataclass
class FuzzReport:
    inputs: int = 0
    failures: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    kinds: Counter = field(default_factory=Counter)  # failure kind -> count
    examples: list[str] = field(default_factory=list)  # the first few failures, printable


def run_one(document: str, url: str, settings: Settings, fetched: bool = False) -> list[str]:
    """Extract and score one document; the broken invariants (an exception is one of them).

    ``fetched``: pass the document through the fetcher's decoding first (as pages from the web
    are), instead of handing the raw string to extract_article.
    """
    try:
        if fetched:
            document = decode_html(document.encode("utf-8"), "text/html; charset=utf-8")[0]
        article = extract_article(document, url, settings)
        problems = check_article(article)
        title = article.title if isinstance(article.title, str) else None
        text = article.text if isinstance(article.text, str) else ""
        problems += check_scores(score_text(text, title=title), text, title)
        raw = document[:20_000]  # the scorer on the raw document as well: it must take any text
        problems += check_scores(score_text(raw), raw)
    except Exception as exc:  # noqa: BLE001 - the fuzzer's job is to record any exception as a failure
        return [f"{type(exc).__name__} in {_where(exc)}: {exc!s:.200}"]
    return problems


def _where(exc: BaseException) -> str:
    """The deepest frame of the project's own code in ``exc``'s traceback ("extract.py:336 strip_noise")."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/analysis/" in f.filename.replace("\\", "/")] or frames
    frame = ours[-1]
    return f"{frame.filename.replace(chr(92), '/').rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"


def fuzz(
    n: int = DEFAULT_N,
    seed: int = 0,
    settings: Settings | None = None,
    progress: Callable[[FuzzReport], None] | None = None,
    fetched: bool = False,
) -> FuzzReport:
    """Run ``n`` generated inputs (reproducible from ``seed``) through extraction and scoring."""
    settings = settings or Settings()
    rng = random.Random(seed)
    report = FuzzReport()
    started = time.monotonic()
    for i in range(n):
        document = random_document(rng)
        url = rng.choice(URLS)
        t0 = time.monotonic()
        problems = run_one(document, url, settings, fetched)
        report.slowest = max(report.slowest, time.monotonic() - t0)
        report.inputs += 1
        if problems:
            report.failures += 1
            for p in problems:
                report.kinds[p.split(": ", 1)[0][:80]] += 1
            if len(report.examples) < MAX_PRINTED_FAILURES:
                report.examples.append(f"input #{i} (seed {seed}, {len(document)} chars): {problems[0]}")
        if progress and (i + 1) % PROGRESS_EVERY == 0:
            report.seconds = time.monotonic() - started
            progress(report)
    report.seconds = time.monotonic() - started
    return report


def main(n: int = DEFAULT_N, seed: int = 0, fetched: bool = False) -> int:
    """Fuzz and print the counts; exit code 0 when nothing failed, 1 otherwise.

    ``fetched=True`` decodes every document as the fetcher does before extraction (the path
    pages from the web take); the default hands extract_article the raw string.
    """

    def show(r: FuzzReport) -> None:
        print(f"  {r.inputs:,} inputs, {r.failures:,} failures, {r.seconds:.0f} s", file=sys.stderr)

    # extract logs a warning each time newspaper3k or trafilatura gives up on a page (it then
    # falls back); thousands of those would bury the summary.
    extract_log = logging.getLogger("analysis.ingest.extract")
    level = extract_log.level
    extract_log.setLevel(logging.ERROR)
    try:
        report = fuzz(n, seed, progress=show, fetched=fetched)
    finally:
        extract_log.setLevel(level)
    per_input = 1000 * report.seconds / max(report.inputs, 1)
    print(
        f"fuzz: {report.inputs:,} inputs, {report.failures:,} failures, {report.seconds:.1f} s "
        f"({per_input:.1f} ms per input, slowest {report.slowest:.2f} s), seed {seed}"
        + (", decoded as fetched pages" if fetched else "")
    )
    for kind, count in report.kinds.most_common():
        print(f"  {count:6,}  {kind}")
    for example in report.examples:
        print(f"  - {example}")
    return 0 if report.failures == 0 else 1
