"""Cleaning a page before extraction, and choosing its body text (pure, offline).

:func:`choose_body` keeps one of newspaper3k's and trafilatura's bodies; the helpers around it
normalise text, drop boilerplate lines and recognise link lists.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Collection, Iterable

import lxml.etree
import lxml.html

from analysis.scoring.text import clean_markup, count_words

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
