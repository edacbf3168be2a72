"""Bytes -> text for fetched pages: content types, HTML sniffing and charset detection/decoding.

Pure (no network).  Decoded pages lose the characters no XML tree can hold (:func:`clean_markup`),
so hostile bytes in a page cannot make extraction raise.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

import charset_normalizer

from analysis.scoring.text import clean_markup

# Media types we read; everything else is "not-html" without reading the body.
HTML_TYPES: frozenset[str] = frozenset({"text/html", "application/xhtml+xml"})


# How much of the body the <meta charset> prescan looks at (the HTML spec says 1024 bytes;
# real pages often put a long <head> first, so we look a little further).
META_SCAN_BYTES = 4096
# How much of an untyped body is sniffed for HTML markers.
SNIFF_BYTES = 1024


# Charset labels browsers treat as windows-1252 (WHATWG Encoding Standard): Python's latin-1
# would turn the 0x80-0x9F bytes (curly quotes, dashes) into control characters.
_WINDOWS_1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii"})
# Codecs Python knows that are not web encodings (or are dangerous ones): ignored if declared.
_UNSAFE_CODECS = frozenset({"utf-7", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"})

# A declared charset (header or <meta>) that fails to decode strictly is still used, with U+FFFD
# for the bytes it cannot read, when the replacements number at most this share of the body's
# non-ASCII bytes: the page is in that charset with a few broken bytes (a character cut in two, a
# pasted fragment), and its text gets health "encoding-suspect" (extract.encoding_suspect).  Above
# it the label is wrong and the charset is detected.  Measured on news-like text read as UTF-8:
# single-byte code pages (cp1252, cp1251, cp1253, koi8-r) give 1.0, double-byte ones 0.57
# (Shift_JIS) to 0.73 (EUC-KR), random bytes 0.82; a UTF-8 page with one broken byte next to one
# curly quote gives 0.25.  A body that is valid UTF-8 is never read in another declared charset
# with replacements: it goes to detection.
DECLARED_CHARSET_MAX_INVALID = 0.25
_ASCII_BYTES = bytes(range(128))

# WHATWG MIME sniffing: an untyped body starting with one of these (case-insensitive, after
# whitespace) followed by a space or ">" is HTML.
# Detection (charset_normalizer) is noisy on short single-byte pages: several code pages score
# the same.  Candidates whose "chaos" is within this of the best are treated as equally good ...
DETECT_CHAOS_TOLERANCE = 0.01
# ... and among those, encodings actually used on the web win, then the higher "coherence"
# (language fit), then this order (roughly how common each is on news sites).  DOS and Mac
# code pages (cp775, cp850, mac_roman, hp_roman8 ...) are never chosen over a web encoding.
WEB_ENCODINGS: tuple[str, ...] = (
    "utf_8", "cp1252", "cp1251", "cp1250", "gb18030", "gbk", "gb2312", "shift_jis", "euc_jp",
    "euc_kr", "big5", "iso8859_2", "cp1256", "cp1253", "cp1254", "cp1255", "cp1257", "cp1258",
    "koi8_r", "koi8_u", "iso8859_15", "iso8859_5", "iso8859_7", "iso8859_9", "cp874", "iso2022_jp",
    "utf_16", "utf_16_le", "utf_16_be",
)  # fmt: skip

_HTML_SNIFF_TAGS: tuple[bytes, ...] = (
    b"<!doctype html", b"<html", b"<head", b"<script", b"<iframe", b"<h1", b"<div", b"<font",
    b"<table", b"<a", b"<style", b"<title", b"<b", b"<body", b"<br", b"<p", b"<!--",
)  # fmt: skip

_META_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_CHARSET_PARAM_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)


def media_type(content_type: str | None) -> str:
    """'Text/HTML; charset=UTF-8' -> 'text/html'; '' when missing."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def looks_like_html(body: bytes) -> bool:
    """WHATWG-style sniff for a body served without a content type."""
    head = body[:SNIFF_BYTES]
    if b"\x00" in head:
        return False
    for bom in (codecs.BOM_UTF8,):
        if head.startswith(bom):
            head = head[len(bom) :]
    head = head.lstrip(b" \t\r\n\x0c").lower()
    for tag in _HTML_SNIFF_TAGS:
        if head.startswith(tag) and (len(head) == len(tag) or head[len(tag) : len(tag) + 1] in b" >"):
            return True
    return False


def _codec(label: str | None) -> str | None:
    """Python codec name for a charset label from a header or <meta>, None when unusable."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_LABELS:
        label = "windows-1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _UNSAFE_CODECS:
        return None
    return name


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def invalid_share(body: bytes, codec: str) -> tuple[str, float]:
    """``body`` decoded as ``codec`` with replacement characters, and how many replacements were
    needed per non-ASCII byte of the body (0.0: none)."""
    text = body.decode(codec, errors="replace")
    replaced = text.count("\ufffd")
    genuine = "\ufffd".encode(codec, errors="ignore")
    if replaced and genuine:
        replaced -= body.count(genuine)  # U+FFFD written in the page itself is not a failure
    non_ascii = len(body.translate(None, _ASCII_BYTES))
    return text, (replaced / non_ascii if non_ascii else float(replaced > 0))


def _mostly_decodable(body: bytes, codec: str) -> str | None:
    """``body`` in ``codec`` with replacement characters when few bytes fail, else None."""
    try:
        text, share = invalid_share(body, codec)
    except LookupError:
        return None
    return text if share <= DECLARED_CHARSET_MAX_INVALID else None


def detect_charset(body: bytes) -> str | None:
    """Best guess at the encoding of ``body`` (charset_normalizer, tie-broken towards web encodings)."""
    matches = list(charset_normalizer.from_bytes(body))
    if not matches:
        return None
    floor = min(m.chaos for m in matches)
    close = [m for m in matches if m.chaos <= floor + DETECT_CHAOS_TOLERANCE]
    web = [m for m in close if m.encoding in WEB_ENCODINGS]
    pool = web or close

    def rank(m: Any) -> tuple[float, int]:
        order = WEB_ENCODINGS.index(m.encoding) if m.encoding in WEB_ENCODINGS else len(WEB_ENCODINGS)
        return (-round(m.coherence, 3), order)

    return str(min(pool, key=rank).encoding)


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str, str]:
    """Decode an HTML body: (text, charset used, source); see :func:`_decode`.

    The text goes through :func:`clean_markup` (characters no parser downstream can hold).
    """
    text, charset, source = _decode(body, content_type)
    return clean_markup(text), charset, source


def _decode(body: bytes, content_type: str | None = None) -> tuple[str, str, str]:
    """Decode an HTML body: (text, charset used, source).

    Order: byte-order mark ("bom"), the Content-Type charset ("header"), a ``<meta>`` charset
    in the first few KB ("meta"), charset_normalizer ("detected"), UTF-8 with replacement
    characters ("fallback").  A declared charset that fails to decode strictly is kept, with
    replacement characters, when it fails on only a few bytes (:data:`DECLARED_CHARSET_MAX_INVALID`);
    otherwise it is skipped, so a page labelled UTF-8 but written in cp1252 ends up "detected".
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, errors="replace"), codec, "bom"

    header = None
    if content_type:
        param = _CHARSET_PARAM_RE.search(content_type)
        header = _codec(param.group(1)) if param else None
    if header:
        text = _strict(body, header)
        if text is not None:
            return text, header, "header"

    meta_match = _META_CHARSET_RE.search(body[:META_SCAN_BYTES])
    meta = _codec(meta_match.group(1).decode("ascii", errors="replace")) if meta_match else None
    if meta and meta.startswith("utf-16"):  # a <meta> readable as ASCII cannot be UTF-16
        meta = "utf-8"
    if meta and meta != header:
        text = _strict(body, meta)
        if text is not None:
            return text, meta, "meta"

    if _strict(body, "utf-8") is None:  # valid UTF-8 is better evidence than a failing label
        for label, source in ((header, "header"), (meta, "meta")):
            if label:
                text = _mostly_decodable(body, label)
                if text is not None:
                    return text, label, source

    detected = _codec(detect_charset(body))
    if detected:
        return body.decode(detected, errors="replace"), detected, "detected"
    return body.decode("utf-8", errors="replace"), "utf-8", "fallback"


def decode_html_bytes(body: bytes, content_type: str | None = None) -> str:
    """Just the text of :func:`decode_html` (for HTML files read from disk or uploaded)."""
    return decode_html(body, content_type)[0]


# --- fetching ------------------------------------------------------------------------------
