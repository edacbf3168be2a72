"""Cleaning a page before extraction, and choosing its body text (pure, offline).

:func:`choose_body` keeps trafilatura's body, newspaper3k's as a fallback; the helpers around it
normalise text, drop boilerplate lines and recognise link lists.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Collection, Iterable

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
# trafilatura's body is kept unless it failed.  Rules that preferred newspaper3k's body when it
# lay inside trafilatura's (trafilatura's extra blocks) gained on the dev pages but lost on
# held-out pages; under 5-fold cross-validation on the dev pages no such rule beats trafilatura
# alone (``python -m analysis bench quality`` reports both).  newspaper3k is the fallback when
# trafilatura's body is empty, a link list, or under this many words while newspaper3k's is
# longer (a teaser or caption).  Chosen by the same cross-validation (the largest value that
# costs nothing on the training folds; 150 and more already picked worse newspaper3k bodies).
TRAFILATURA_SHORT_WORDS = 100
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


# (newspaper3k's body, trafilatura's body, the page's link texts) -> (body, extractor name)
BodyChooser = Callable[[str, str, Collection[str] | None], tuple[str, str]]


def choose_body(
    newspaper_text: str,
    trafilatura_text: str,
    links: Collection[str] | None = None,
    short_words: int = TRAFILATURA_SHORT_WORDS,
) -> tuple[str, str]:
    """Pick one article body: returns (text, "newspaper" | "trafilatura").

    trafilatura is the primary extractor (Article Extraction Benchmark, 4-gram F1: 0.96 vs
    0.89 on its 181 pages; no combination beat it under cross-validation on our dev pages).
    newspaper3k's body is only a fallback, used when trafilatura's body

    1. is empty or :func:`looks_like_link_list` (front pages: trafilatura returns the
       headlines), or
    2. has fewer than ``short_words`` words while newspaper3k's has more (a fragment).

    A newspaper3k body that is empty or a link list is never used; when neither is acceptable
    the result is "".  ``links`` are the page's normalised link texts (:func:`link_texts`),
    which make the link-list test much more reliable than the text's shape alone.
    """
    np_words, tf_words = len(newspaper_text.split()), len(trafilatura_text.split())
    np_ok = np_words > 0 and not looks_like_link_list(newspaper_text, links)
    tf_ok = tf_words > 0 and not looks_like_link_list(trafilatura_text, links)
    if np_ok and (not tf_ok or (tf_words < short_words and np_words > tf_words)):
        return newspaper_text, "newspaper"
    if tf_ok:
        return trafilatura_text, "trafilatura"
    return "", "newspaper"
