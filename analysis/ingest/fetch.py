"""URL -> :class:`~analysis.models.Page`.  The only module that touches the network.

Every problem a user can meet on the web (bad URL, private address, bot wall, slow or
huge page, PDF, broken charset, redirect loop, reset connection ...) comes back as a
``Page`` with a ``health`` from :data:`analysis.models.HEALTH_ORDER` and a one-line
``reason``; :func:`fetch` does not raise for them.

Safety (server-side request forgery): a URL is fetched only when its scheme is http(s) and
every address its host resolves to is public (:func:`check_url`), on the first request and
again on every redirect hop.  The time-of-check/time-of-use gap between resolving a name
and connecting to it (DNS rebinding) is closed for sessions made by :func:`make_session`
(the default): their connections go to the address that was checked, never to a fresh
lookup.  A caller-supplied session without that adapter keeps the gap: the check still
runs, but its connection resolves the name again.  Environment proxies are ignored by
:func:`make_session` for the same reason (a proxy would resolve and connect for us).

URLs refused before any lookup ("invalid-url"): other schemes than http(s), more than
``MAX_URL_CHARS`` characters, whitespace, control or invisible characters or a backslash
anywhere, port 0.  Any port 1-65535 is accepted on public addresses.

Limits: ``Settings.connect_timeout``/``read_timeout`` per request, ``deadline`` per URL
(wall clock: robots.txt, retries and redirects included, enforced between body chunks and by
shrinking the socket timeout; only the wait for a politeness slot is not counted),
``max_bytes`` on the decoded body (so a gzip bomb stops at the cap), ``max_redirects``,
``retries`` on 429/503 with exponential ``backoff`` and ``Retry-After``.

Politeness (see :func:`fetch`): robots.txt is obeyed when ``Settings.respect_robots`` is on
(:mod:`analysis.ingest.robots`, fetched through this same safe path); requests to one registered
domain start ``Settings.domain_delay`` seconds apart (or the site's Crawl-delay) and at most
``Settings.per_domain`` run at once in :func:`fetch_many`; our user agent names the tool.
An optional :class:`~analysis.ingest.pagecache.PageCache` saves refetching unchanged pages.

Decoded pages lose the characters no XML tree can hold (:func:`clean_markup`), so hostile
bytes in a page cannot make extraction raise.
"""

from __future__ import annotations

import codecs
import heapq
import http
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import unicodedata
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import charset_normalizer
import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

from analysis.ingest import robots as robots_mod
from analysis.ingest.outlets import registered_domain
from analysis.ingest.pagecache import CachedPage, PageCache, keep_headers, storable
from analysis.models import Page
from analysis.scoring.text import clean_markup
from analysis.settings import Settings

# --- constants -----------------------------------------------------------------------------

ALLOWED_SCHEMES: frozenset[str] = frozenset({"http", "https"})
DEFAULT_PORTS: dict[str, int] = {"http": 80, "https": 443}

# Media types we read; everything else is "not-html" without reading the body.
HTML_TYPES: frozenset[str] = frozenset({"text/html", "application/xhtml+xml"})

# Sent instead of ACCEPT when a caller also accepts feeds (``fetch(..., accept=...)``).
FEED_ACCEPT = (
    "application/rss+xml,application/atom+xml,application/rdf+xml;q=0.9,application/xml;q=0.8,"
    "text/xml;q=0.8,text/html;q=0.7,*/*;q=0.1"
)
_XML_START_RE = re.compile(rb"^\s*(?:<\?xml|<rss\b|<feed\b|<rdf:RDF\b)", re.IGNORECASE)

# Statuses worth a second try: rate limiting and temporary unavailability.
RETRY_STATUSES: frozenset[int] = frozenset({429, 503})
REDIRECT_STATUSES: frozenset[int] = frozenset({301, 302, 303, 307, 308})

# Hosts (names, addresses or networks such as "10.1.0.0/16") let through even though they are
# private, without opening every private address as ``allow_private`` does.  Read from
# ``settings.allowed_hosts`` when Settings has that field, else from this default.
DEFAULT_ALLOWED_HOSTS: tuple[str, ...] = ()

# Body chunk size: small enough that the deadline is checked often and a compressed chunk
# cannot decode into much more than this (urllib3 >= 2.6 bounds decoded output per read).
CHUNK_BYTES = 64 * 1024
# How much of the body the <meta charset> prescan looks at (the HTML spec says 1024 bytes;
# real pages often put a long <head> first, so we look a little further).
META_SCAN_BYTES = 4096
# How much of an untyped body is sniffed for HTML markers.
SNIFF_BYTES = 1024

ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
ROBOTS_ACCEPT = "text/plain,*/*;q=0.1"
# Only encodings whose decoders urllib3 bounds per read (so the size cap holds after decoding).
ACCEPT_ENCODING = "gzip, deflate"

# Query parameters that only track where a click came from: removed by canonical_url.  Generic
# names that some sites use to pick the article ("cid", "id", "share", "ref") are kept.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "igshid", "mc_cid",
        "mc_eid", "ocid", "cmpid", "cmp", "icid", "ncid", "smid", "smtyp", "s_cid", "_ga", "_gl",
        "mkt_tok", "spm", "ito", "ftag", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname",
        "ns_fee", "sr_share", "wt.mc_id", "__twitter_impression", "taid",
    }
)  # fmt: skip
# Prefixes of tracking parameters: Google Analytics (utm_), AT Internet (at_, used by the
# BBC), Matomo/Piwik (mtm_, pk_), HubSpot (hsa_), Omniture (ns_).
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "at_", "mtm_", "pk_", "hsa_", "ns_")

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

# Longest URL accepted (characters, after trimming).  Real article URLs stay well under 500;
# 2,000 is the classic browser limit.  Longer ones are refused as "invalid-url" (they are used
# to smuggle data or to stress parsers, and servers answer 414 anyway).
MAX_URL_CHARS = 2000
# Characters refused anywhere in a URL: whitespace (incl. Unicode spaces), C0/C1 controls,
# zero-width and bidi formatting characters, and "\\" (split differently by different parsers).
_BAD_URL_CHAR_RE = re.compile(
    r"[\s\x00-\x1f\x7f-\x9f\\\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)

_ALLOW_HINT = "(set --allow-private / ANALYSIS_ALLOW_PRIVATE=1 to allow)"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")

Resolver = Callable[..., Sequence[tuple[Any, ...]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Module-level indirection so tests can stub sleeping between retries.
_sleep = time.sleep


# --- URL safety ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlCheck:
    """Outcome of :func:`inspect_url`: a problem (health + reason) or the checked addresses."""

    health: str  # "ok", "invalid-url", "refused" or "network-error" (DNS failure)
    reason: str
    host: str = ""  # host as urllib3 will connect to it (lower case, no brackets)
    addresses: tuple[str, ...] = ()  # resolved addresses that passed the check, in resolver order

    @property
    def ok(self) -> bool:
        return self.health == "ok"


def _allowed_hosts(settings: Settings, allowed_hosts: Collection[str] | str | None) -> tuple[str, ...]:
    """Explicit ``allowed_hosts``, else ``settings.allowed_hosts`` (a collection or "a, b" text)."""
    value = allowed_hosts if allowed_hosts is not None else getattr(settings, "allowed_hosts", None)
    if value is None:
        value = DEFAULT_ALLOWED_HOSTS
    if isinstance(value, str):
        value = re.split(r"[,\s]+", value)
    return tuple(v for v in value if v)


def _host_allowed(host: str, addr: IPAddress | None, allowed: tuple[str, ...]) -> bool:
    for entry in allowed:
        entry = entry.strip().lower().strip("[]")
        if not entry:
            continue
        if entry == host:
            return True
        if addr is not None:
            try:
                if addr in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
    return False


def _embedded_ipv4(addr: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in an IPv4-mapped, 6to4 or NAT64 IPv6 address, if any."""
    if isinstance(addr, ipaddress.IPv4Address):
        return None
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr in _NAT64:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def _address_kind(addr: IPAddress) -> tuple[str, str] | None:
    """(kind, detail) of an address that must not be fetched, None for a public one."""
    inner = _embedded_ipv4(addr)
    if inner is not None:
        found = _address_kind(inner)
        return (found[0], f" (IPv4 {inner} inside an IPv6 address)") if found else None
    if addr.is_unspecified:
        return "unspecified", ""
    if addr.is_loopback:
        return "loopback", ""
    if addr.is_link_local:
        if str(addr) == "169.254.169.254":
            return "link-local (cloud metadata)", ""
        return "link-local", ""
    if addr.is_multicast:
        return "multicast", ""
    if isinstance(addr, ipaddress.IPv6Address) and addr in _UNIQUE_LOCAL:
        return "unique-local", ""
    if addr.is_private:
        return "private", ""
    if addr.is_reserved:
        return "reserved", ""
    if not addr.is_global:  # e.g. 100.64.0.0/10 carrier-grade NAT
        return "non-public", ""
    return None


def address_problem(addr: IPAddress) -> str | None:
    """Why ``addr`` must not be fetched ("loopback", "private", ...), or None if it is public."""
    found = _address_kind(addr)
    return None if found is None else found[0] + found[1]


def _refusal(where: str, addr: IPAddress) -> str:
    kind, detail = _address_kind(addr) or ("non-public", "")
    article = "an" if kind[0] in "aeiou" else "a"
    return f"refused: {where} is {article} {kind} address{detail} {_ALLOW_HINT}"


def _describe_char(ch: str) -> str:
    """How to name a character that is not allowed in a URL, for a reason line."""
    if ch == "\\":
        return "a backslash, which browsers and servers split differently"
    if ch == " ":
        return "a space"
    category = unicodedata.category(ch)
    kind = {"Cc": "a control character", "Cf": "an invisible formatting character"}.get(
        category, "a whitespace character"
    )
    name = unicodedata.name(ch, "")
    return f"{kind} U+{ord(ch):04X}" + (f" ({name.lower()})" if name else "")


def _parse_ip(text: str) -> IPAddress | None:
    """An IP address written in any form the C library accepts (127.1, 0x7f000001, 2130706433)."""
    text = text.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if re.fullmatch(r"[0-9a-fA-FxX.]+", text) and text[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def _connect_host(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) exactly as requests/urllib3 will connect for ``url``.

    Raises requests.exceptions.RequestException or ValueError for URLs requests cannot use.
    """
    if urllib3.util.parse_url(url).port == 0:  # requests would quietly drop it and use 80
        raise ValueError("port 0 is not a port a server can listen on")
    prepared = requests.models.PreparedRequest()
    prepared.prepare_url(url, None)
    parsed = urllib3.util.parse_url(prepared.url)
    scheme = (parsed.scheme or "").lower()
    host = (parsed.host or "").lower().strip("[]").rstrip(".")
    port = parsed.port or DEFAULT_PORTS.get(scheme, 0)
    return scheme, host, port


def inspect_url(
    url: str,
    settings: Settings,
    resolver: Resolver = socket.getaddrinfo,
    allowed_hosts: Collection[str] | None = None,
) -> UrlCheck:
    """Check that ``url`` is an http(s) URL whose host resolves only to public addresses.

    ``resolver`` has getaddrinfo's signature (tests pass a stub).  ``allowed_hosts`` lists
    names, addresses or networks allowed even when private (default: ``settings.allowed_hosts``
    if that field exists); ``settings.allow_private`` allows every address.

    Refused as "invalid-url" before any lookup: more than MAX_URL_CHARS characters; spaces,
    control or invisible characters, or a backslash anywhere (after trimming the ends);
    schemes other than http(s); no host; port 0.  Any other port (1-65535) is allowed, on
    public addresses only: news sites do serve pages on 8080 or 8443, and only HTTP is spoken.
    """
    text = (url or "").strip()
    if len(text) > MAX_URL_CHARS:
        return UrlCheck(
            "invalid-url", f"invalid URL: {len(text):,} characters, more than the {MAX_URL_CHARS:,} accepted"
        )
    bad = _BAD_URL_CHAR_RE.search(text)
    if bad is not None:
        return UrlCheck(
            "invalid-url",
            f"invalid URL: it contains {_describe_char(bad.group())} at position {bad.start() + 1}"
            " (percent-encode it, e.g. %20 for a space)",
        )
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        return UrlCheck("invalid-url", f"invalid URL: {_one_line(exc)}")
    if scheme not in ALLOWED_SCHEMES:
        shown = f"'{scheme}:'" if scheme else "no scheme"
        return UrlCheck("invalid-url", f"invalid URL: only http:// and https:// URLs are fetched ({shown})")
    try:
        scheme, host, port = _connect_host(text)
    except (requests.exceptions.RequestException, ValueError, urllib3.exceptions.LocationParseError) as exc:
        return UrlCheck("invalid-url", f"invalid URL: {_one_line(exc)}")
    if not host:
        return UrlCheck("invalid-url", "invalid URL: no host name")
    allowed = _allowed_hosts(settings, allowed_hosts)

    literal = _parse_ip(host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            infos = resolver(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else _one_line(exc)
            return UrlCheck("network-error", f"DNS lookup failed for {host}: {detail}", host)
        addresses = []
        for info in infos:
            parsed = _parse_ip(str(info[4][0]).split("%", 1)[0])
            if parsed is not None and parsed not in addresses:
                addresses.append(parsed)
        if not addresses:
            return UrlCheck("network-error", f"DNS lookup failed for {host}: no addresses", host)

    if not settings.allow_private and not _host_allowed(host, None, allowed):
        for addr in addresses:
            problem = address_problem(addr)
            if problem and not _host_allowed(host, addr, allowed):
                where = str(addr) if literal is not None else f"{host} resolves to {addr}, which"
                return UrlCheck("refused", _refusal(where, addr), host)
    return UrlCheck("ok", "", host, tuple(str(a) for a in addresses))


def check_url(
    url: str,
    settings: Settings,
    resolver: Resolver = socket.getaddrinfo,
    allowed_hosts: Collection[str] | None = None,
) -> str | None:
    """The reason ``url`` must not be fetched (bad scheme, private address, DNS failure), or None."""
    result = inspect_url(url, settings, resolver, allowed_hosts)
    return None if result.ok else result.reason


# --- a session whose connections go to the checked address ---------------------------------


class _PinRefused(NewConnectionError):
    """Raised at connect time for a host that did not pass :func:`inspect_url`."""


class _Pins:
    """host -> addresses that passed the check.  Every value ever stored was checked."""

    def __init__(self) -> None:
        self._pins: dict[str, tuple[str, ...]] = {}

    def set(self, host: str, addresses: tuple[str, ...]) -> None:
        self._pins[host] = addresses

    def get(self, host: str) -> tuple[str, ...]:
        return self._pins.get(host.lower().strip("[]").rstrip("."), ())


def _pinned_connection(base: type[HTTPConnection], pins: _Pins) -> type[HTTPConnection]:
    class PinnedConnection(base):  # type: ignore[valid-type,misc]
        def _new_conn(self) -> socket.socket:
            addresses = pins.get(self.host)
            if not addresses:
                raise _PinRefused(self, f"refused: {self.host} was not checked before connecting")
            original = self._dns_host
            last: Exception | None = None
            try:
                for address in addresses:
                    # urllib3 connects to _dns_host; TLS still verifies ``self.host`` (restored
                    # before the handshake) so certificates are checked against the name.
                    self._dns_host = address
                    try:
                        return super()._new_conn()
                    except (NewConnectionError, urllib3.exceptions.ConnectTimeoutError) as exc:
                        last = exc
            finally:
                self._dns_host = original
            assert last is not None
            raise last

    return PinnedConnection


class PinningAdapter(HTTPAdapter):
    """requests adapter that connects only to addresses registered with :meth:`pin`."""

    def __init__(self, **kwargs: Any) -> None:
        self.pins = _Pins()
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        http_conn = _pinned_connection(HTTPConnection, self.pins)
        https_conn = _pinned_connection(HTTPSConnection, self.pins)
        http_pool = type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
        https_pool = type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})
        self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}

    def pin(self, host: str, addresses: tuple[str, ...]) -> None:
        self.pins.set(host, addresses)


def make_session(settings: Settings) -> requests.Session:
    """A session for :func:`fetch`: pinned connections, no environment proxies, our user agent."""
    session = requests.Session()
    session.trust_env = False  # no proxies/netrc from the environment: we connect where we checked
    adapter = PinningAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update(
        {"User-Agent": settings.user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}
    )
    return session


# --- small pure helpers --------------------------------------------------------------------


def _one_line(exc: BaseException | str) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())[:300]


def human_size(n: int) -> str:
    """5000000 -> "5.0 MB", 200000 -> "200 KB", 900 -> "900 bytes" (decimal units)."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.0f} KB"
    return f"{n} bytes"


def _seconds(x: float) -> str:
    """0.452518 -> "0.45 s", 30.0 -> "30 s"."""
    return f"{round(x, 2):g} s"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), None if absent/bad."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


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
        m = _CHARSET_PARAM_RE.search(content_type)
        header = _codec(m.group(1)) if m else None
    if header:
        text = _strict(body, header)
        if text is not None:
            return text, header, "header"

    m = _META_CHARSET_RE.search(body[:META_SCAN_BYTES])
    meta = _codec(m.group(1).decode("ascii", errors="replace")) if m else None
    if meta and meta.startswith("utf-16"):  # a <meta> readable as ASCII cannot be UTF-16
        meta = "utf-8"
    if meta and meta != header:
        text = _strict(body, meta)
        if text is not None:
            return text, meta, "meta"

    if _strict(body, "utf-8") is None:  # valid UTF-8 is better evidence than a failing label
        for codec, source in ((header, "header"), (meta, "meta")):
            if codec:
                text = _mostly_decodable(body, codec)
                if text is not None:
                    return text, codec, source

    detected = _codec(detect_charset(body))
    if detected:
        return body.decode(detected, errors="replace"), detected, "detected"
    return body.decode("utf-8", errors="replace"), "utf-8", "fallback"


def decode_html_bytes(body: bytes, content_type: str | None = None) -> str:
    """Just the text of :func:`decode_html` (for HTML files read from disk or uploaded)."""
    return decode_html(body, content_type)[0]


# --- fetching ------------------------------------------------------------------------------


class _Failure(Exception):
    """Internal: stop fetching with this health and reason.

    ``status`` is set when an HTTP status caused the failure; ``redirect`` when following a
    redirect did (robots.txt treats those differently from network errors).
    """

    def __init__(
        self, health: str, reason: str, *, status: int | None = None, redirect: bool = False
    ) -> None:
        super().__init__(reason)
        self.health = health
        self.reason = reason
        self.status = status
        self.redirect = redirect


def _status_reason(status: int, phrase: str) -> tuple[str, str]:
    if not phrase:
        try:
            phrase = http.HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
    head = f"HTTP {status} {phrase}".rstrip()
    if status == 403:
        return "blocked", f"{head}: the site refused the request (bot protection or login)"
    if status == 401:
        return "blocked", f"{head}: the page needs a login"
    if status == 429:
        return "blocked", f"{head}: the site is rate-limiting requests"
    return "http-error", head


def _root_causes(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo.extend(a for a in e.args if isinstance(a, BaseException))
        for attr in ("reason", "__cause__", "__context__"):
            inner = getattr(e, attr, None)
            if isinstance(inner, BaseException):
                todo.append(inner)


def _connection_failure(exc: requests.exceptions.ConnectionError, host: str) -> _Failure:
    causes = list(_root_causes(exc))
    for cause in causes:
        if isinstance(cause, _PinRefused):
            return _Failure("refused", f"refused: connection to {host} was not to a checked address")
    for cause in causes:
        # RemoteDisconnected is a ConnectionResetError too: a clean close (FIN) before any answer.
        if isinstance(cause, http.client.RemoteDisconnected):
            return _Failure("network-error", f"{host} closed the connection without answering")
        if isinstance(cause, ConnectionResetError):
            return _Failure("network-error", f"connection reset by {host}")
        if isinstance(cause, ConnectionRefusedError):
            return _Failure("network-error", f"connection refused by {host}")
        if isinstance(cause, urllib3.exceptions.NameResolutionError | socket.gaierror):
            return _Failure("network-error", f"DNS lookup failed for {host}")
        if isinstance(cause, http.client.BadStatusLine):
            return _Failure("network-error", f"{host} did not answer in HTTP (invalid status line)")
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            detail = cause.verify_message or _one_line(cause)
            return _Failure("network-error", f"TLS certificate not accepted for {host}: {detail}")
        if isinstance(cause, ssl.SSLError):
            return _Failure("network-error", f"TLS error with {host}: {cause.reason or _one_line(cause)}")
    return _Failure("network-error", f"network error with {host}: {_one_line(exc)}")


def _tighten_socket_timeout(resp: requests.Response, seconds: float) -> None:
    """Best effort: make the next socket read give up when the deadline passes."""
    conn = getattr(resp.raw, "connection", None)
    sock = getattr(conn, "sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(seconds, 0.001))
        except OSError:
            pass


def _visit_key(url: str) -> str:
    """``url`` without its fragment, for redirect-loop detection and as the page-cache key."""
    try:
        return urlsplit(url)._replace(fragment="").geturl()
    except ValueError:
        return url


def _domain_key(url: str) -> str:
    try:
        return registered_domain(url)
    except ValueError:  # e.g. a malformed IPv6 literal: such a URL never reaches a request
        return ""


class DomainThrottle:
    """Spaces the starts of requests to one registered domain at least ``delay`` seconds apart.

    Thread-safe: each caller books the next free start time for its domain and sleeps until
    then, so concurrent workers on one site queue up instead of arriving together.
    """

    # Domains whose last booked start is older than this are forgotten (keeps the table small).
    FORGET_AFTER = 600.0

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, domain: str, delay: float) -> float:
        """Book a start for ``domain`` at least ``delay`` after the previous one; seconds to wait."""
        with self._lock:
            now = self._clock()
            last = self._last.get(domain)
            start = now if last is None else max(now, last + max(delay, 0.0))
            self._last[domain] = start
            if len(self._last) > 10_000:
                self._last = {d: t for d, t in self._last.items() if t > now - self.FORGET_AFTER}
            return start - now

    def wait(self, domain: str, delay: float) -> float:
        """Sleep until ``domain``'s next slot; returns the seconds slept."""
        pause = self.reserve(domain, delay)
        if pause > 0:
            self._sleep(pause)
        return max(pause, 0.0)


# The process-wide throttle used when a caller passes none: two batches (or two dashboard users)
# fetching from one site share it, so the site sees one polite client.
DEFAULT_THROTTLE = DomainThrottle()


class _Fetcher:
    """State of one :func:`fetch` call (the clock, counters, last response seen).

    ``for_robots`` makes it fetch a robots.txt: any content type, a body longer than the cap is
    cut (not refused), no robots.txt check of its own and no page cache.
    """

    def __init__(
        self,
        url: str,
        settings: Settings,
        session: requests.Session,
        *,
        resolver: Resolver = socket.getaddrinfo,
        allowed_hosts: Collection[str] | None = None,
        robots: robots_mod.RobotsCache | None = None,
        throttle: DomainThrottle | None = None,
        cache: PageCache | None = None,
        for_robots: bool = False,
        accept: Collection[str] | None = None,
    ) -> None:
        self.url = url
        self.accept = frozenset(accept) if accept else HTML_TYPES
        self.settings = settings
        self.session = session
        self.check = {"resolver": resolver, "allowed_hosts": allowed_hosts}
        self.robots = None if for_robots else robots
        self.throttle = throttle
        self.cache = None if for_robots or settings.cache_ttl <= 0 else cache
        self.for_robots = for_robots
        self.t0 = time.monotonic()  # for Page.elapsed: everything, waits included
        self.start = self.t0  # for the deadline: moved forward by politeness waits
        self.attempts = 0
        self.status: int | None = None
        self.content_type = ""
        self.final_url = url

    # time ---------------------------------------------------------------------------------
    def remaining(self) -> float:
        return self.settings.deadline - (time.monotonic() - self.start)

    def _deadline_failure(self, doing: str) -> _Failure:
        return _Failure("timeout", f"overall deadline of {_seconds(self.settings.deadline)} passed {doing}")

    # the request loop ---------------------------------------------------------------------
    def run(self) -> Page:
        try:
            body, content_type_header = self._get()
        except _Failure as failure:
            return self._page(None, failure.health, failure.reason)
        text, charset, source = decode_html(body, content_type_header)
        return self._page(text, "ok", "", charset, source)

    def _page(
        self,
        html: str | None,
        health: str,
        reason: str,
        charset: str | None = None,
        source: str | None = None,
    ) -> Page:
        return Page(
            url=self.url,
            final_url=self.final_url,
            status=self.status,
            content_type=self.content_type,
            html=html,
            charset=charset,
            charset_source=source,
            health=health,
            reason=reason,
            elapsed=round(time.monotonic() - self.t0, 4),
            attempts=self.attempts,
            fetched_at=datetime.now(UTC),
        )

    def _get(self) -> tuple[bytes, str]:
        """Body and Content-Type header: from the page cache when fresh, else from the site."""
        start = self.url.strip()
        stored = self.cache.get(_visit_key(start)) if self.cache is not None else None
        if stored is not None and stored.fresh(self.settings.cache_ttl, self.cache.clock()):
            check = inspect_url(start, self.settings, **self.check)  # what is refused now stays refused
            if not check.ok:
                raise _Failure(check.health, check.reason)
            self.final_url = stored.final_url
            self.status = stored.status
            self.content_type = media_type(stored.content_type)
            return stored.body, stored.content_type
        return self._follow(start, stale=stored)

    def _follow(self, start: str, stale: CachedPage | None = None) -> tuple[bytes, str]:
        current = start
        visited = {_visit_key(current)}
        retries_left = max(0, self.settings.retries)
        retry_number = 0
        hops = 0
        while True:
            self.final_url = current
            check = inspect_url(current, self.settings, **self.check)
            if not check.ok:
                if hops and check.health in ("invalid-url", "refused"):
                    raise _Failure(check.health, f"redirected to {current}: {check.reason}", redirect=True)
                raise _Failure(check.health, check.reason)
            adapter = self.session.get_adapter(current)
            if isinstance(adapter, PinningAdapter):
                adapter.pin(check.host, check.addresses)
            delay = self._robots_gate(current)
            conditional: dict[str, str] = {}
            if stale is not None and _visit_key(current) == _visit_key(stale.final_url):
                conditional = stale.validators()

            resp = self._send(current, check.host, delay, conditional)
            try:
                status = resp.status_code
                self.status = status
                self.content_type = media_type(resp.headers.get("Content-Type"))

                if status == 304 and conditional and stale is not None:
                    if self.cache is not None:
                        self.cache.refresh(stale.url, resp.headers)
                    self.content_type = media_type(stale.content_type)
                    return stale.body, stale.content_type

                if status in RETRY_STATUSES:
                    note = self._retry_note(resp, retries_left, retry_number)
                    if note is None:  # we slept; try the same URL again
                        retries_left -= 1
                        retry_number += 1
                        continue
                    health, reason = _status_reason(status, resp.reason)
                    raise _Failure(health, f"{reason} {note}", status=status)

                if status in REDIRECT_STATUSES:
                    current = self._next_hop(resp, current, visited)
                    hops += 1
                    if hops > self.settings.max_redirects:
                        raise _Failure(
                            "network-error",
                            f"too many redirects (more than {self.settings.max_redirects})",
                            redirect=True,
                        )
                    continue

                if not 200 <= status < 300:
                    raise _Failure(*_status_reason(status, resp.reason), status=status)
                body = self._read(resp)
                self._store(start, current, status, resp.headers, body)
                return body, resp.headers.get("Content-Type", "")
            finally:
                resp.close()

    def _next_hop(self, resp: requests.Response, current: str, visited: set[str]) -> str:
        target = self.session.get_redirect_target(resp)
        if not target:
            raise _Failure(
                "http-error", f"HTTP {resp.status_code} redirect without a Location header", redirect=True
            )
        try:
            nxt = urljoin(current, target)
        except ValueError:
            raise _Failure(
                "invalid-url", f"invalid URL: bad redirect target {target!r}", redirect=True
            ) from None
        key = _visit_key(nxt)
        if key in visited:
            raise _Failure("network-error", f"redirect loop: {nxt} was already visited", redirect=True)
        visited.add(key)
        return nxt

    def _store(self, start: str, final: str, status: int, headers: Any, body: bytes) -> None:
        """Keep a complete 2xx HTML body in the page cache (unless the response forbids it)."""
        if self.cache is None or not storable(headers):
            return
        self.cache.put(
            CachedPage(
                url=_visit_key(start),
                final_url=final,
                status=status,
                body=body,
                headers=keep_headers(headers),
                fetched_at=self.cache.clock(),
            )
        )

    # politeness ---------------------------------------------------------------------------
    def _robots_gate(self, url: str) -> float:
        """Raise "blocked" if robots.txt disallows ``url``; else the delay to keep before asking.

        Before the first request the lookup gets its own budget (``ROBOTS_DEADLINE``, at most
        ``Settings.deadline``) and a robots.txt that cannot be read in it is "unreachable".  After
        a redirect to another site it only gets what is left of this page's deadline, and a
        lookup cut short by that is not remembered (the page timed out, the site did not fail).
        """
        delay = max(0.0, self.settings.domain_delay)
        if self.robots is None:
            return delay
        where = robots_mod.robots_url(url)
        if where is None:
            return delay
        remaining = self.remaining()
        if remaining <= 0:
            raise self._deadline_failure("before reading robots.txt")
        own = min(robots_mod.ROBOTS_DEADLINE, self.settings.deadline)
        budget = own if self.attempts == 0 else min(own, remaining)
        cut_short: list[bool] = []

        def load() -> tuple[robots_mod.RobotsFile, bool]:
            found, timed_out = load_robots(
                where, self.settings, deadline=budget, throttle=self.throttle, **self.check
            )
            if timed_out and budget < own:
                cut_short.append(True)
                return found, False
            return found, True

        try:
            found = self.robots.get(where, load, wait=max(budget, remaining))
        except TimeoutError:
            raise self._deadline_failure("waiting for robots.txt") from None
        if cut_short:
            raise self._deadline_failure(f"while reading {where}")
        decision = found.decide(url, self.settings.user_agent)
        if not decision.allowed:
            raise _Failure("blocked", decision.reason)
        return max(delay, decision.crawl_delay or 0.0)

    def _polite_wait(self, url: str, delay: float) -> None:
        """Wait for this site's next request slot; the wait does not count against the deadline."""
        if self.throttle is None or delay <= 0:
            return
        waited = self.throttle.wait(_domain_key(url), delay)
        self.start += waited

    def _send(
        self, url: str, host: str, delay: float = 0.0, extra: dict[str, str] | None = None
    ) -> requests.Response:
        self._polite_wait(url, delay)
        remaining = self.remaining()
        if remaining <= 0:
            raise self._deadline_failure("before the request")
        connect = min(self.settings.connect_timeout, remaining)
        read = min(self.settings.read_timeout, remaining)
        self.attempts += 1
        headers = {
            "User-Agent": self.settings.user_agent,
            "Accept": ROBOTS_ACCEPT
            if self.for_robots
            else ACCEPT
            if self.accept == HTML_TYPES
            else FEED_ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
            **(extra or {}),
        }
        try:
            return self.session.get(
                url, headers=headers, timeout=(connect, read), stream=True, allow_redirects=False
            )
        except requests.exceptions.ConnectTimeout:
            raise _Failure("timeout", f"could not connect to {host} within {_seconds(connect)}") from None
        except requests.exceptions.ReadTimeout:
            if self.remaining() <= 0:
                raise self._deadline_failure(f"waiting for {host}") from None
            raise _Failure("timeout", f"no response from {host} within {_seconds(read)}") from None
        except requests.exceptions.ConnectionError as exc:
            raise _connection_failure(exc, host) from None
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as exc:
            raise _Failure("invalid-url", f"invalid URL: {_one_line(exc)}") from None
        except requests.exceptions.RequestException as exc:
            raise _Failure("network-error", f"network error with {host}: {_one_line(exc)}") from None

    def _retry_note(self, resp: requests.Response, retries_left: int, retry_number: int) -> str | None:
        """Sleep before a retry and return None, or return why we give up instead."""
        attempts = f"{self.attempts} attempt{'s' if self.attempts != 1 else ''}"
        if retries_left <= 0:
            return f"(gave up after {attempts})"
        asked = parse_retry_after(resp.headers.get("Retry-After"))
        if asked is not None and asked > self.settings.max_retry_wait:
            return (
                f"(the site asked to wait {_seconds(round(asked, 1))}, longer than the "
                f"{_seconds(self.settings.max_retry_wait)} retry limit; gave up after {attempts})"
            )
        wait_s = asked if asked is not None else self.settings.backoff * (2**retry_number)
        wait_s = min(wait_s, self.settings.max_retry_wait)
        if wait_s >= self.remaining():
            wait_text = _seconds(round(wait_s, 2))
            return f"(waiting {wait_text} to retry would pass the deadline; gave up after {attempts})"
        resp.close()
        _sleep(wait_s)
        return None

    def _read(self, resp: requests.Response) -> bytes:
        """The decoded body, or a _Failure for wrong type, size cap, deadline or broken connection.

        For robots.txt any type is read and a body over the cap is cut at the cap.
        """
        cap = self.settings.max_bytes
        ctype = self.content_type
        if ctype and ctype not in self.accept and not self.for_robots:
            raise _Failure("not-html", f"{ctype} is not an HTML page")
        length = resp.headers.get("Content-Length", "")
        if length.strip().isdigit() and int(length) > cap and not self.for_robots:
            raise _Failure(
                "too-large",
                f"Body exceeds the {human_size(cap)} cap (Content-Length {human_size(int(length))})",
            )
        encoding = resp.headers.get("Content-Encoding", "").strip().lower()

        chunks: list[bytes] = []
        total = 0
        raw = resp.raw
        try:
            while True:
                remaining = self.remaining()
                if remaining <= 0:
                    raise self._deadline_failure(f"while reading the body ({human_size(total)} received)")
                _tighten_socket_timeout(resp, min(self.settings.read_timeout, remaining))
                chunk = raw.read1(CHUNK_BYTES, decode_content=True)
                if not chunk:
                    break
                total += len(chunk)
                if total > cap:
                    if self.for_robots:  # RFC 9309 2.5: parse what fits under the limit
                        chunks.append(chunk[: len(chunk) - (total - cap)])
                        break
                    after = f" after {encoding} decompression" if encoding and encoding != "identity" else ""
                    raise _Failure("too-large", f"Body exceeds the {human_size(cap)} cap{after}")
                chunks.append(chunk)
        except urllib3.exceptions.ReadTimeoutError:
            if self.remaining() <= 0:
                raise self._deadline_failure(
                    f"while reading the body ({human_size(total)} received)"
                ) from None
            raise _Failure(
                "timeout", f"the body stalled for {_seconds(self.settings.read_timeout)} (read timeout)"
            ) from None
        except urllib3.exceptions.DecodeError as exc:
            raise _Failure(
                "network-error", f"could not decode the {encoding or 'compressed'} body: {_one_line(exc)}"
            ) from None
        except urllib3.exceptions.ProtocolError as exc:
            if any(isinstance(c, ConnectionResetError) for c in _root_causes(exc)):
                raise _Failure("network-error", "connection reset while reading the body") from None
            raise _Failure(
                "network-error", f"connection broken while reading the body: {_one_line(exc)}"
            ) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise _Failure("network-error", f"error while reading the body: {_one_line(exc)}") from None
        body = b"".join(chunks)
        xml_ok = self.accept != HTML_TYPES and _XML_START_RE.match(body.lstrip(b"\xef\xbb\xbf")) is not None
        if not ctype and not self.for_robots and not looks_like_html(body) and not xml_ok:
            raise _Failure("not-html", "no content type and the body does not look like HTML")
        return body


def load_robots(
    url: str,
    settings: Settings,
    *,
    deadline: float | None = None,
    resolver: Resolver = socket.getaddrinfo,
    allowed_hosts: Collection[str] | None = None,
    throttle: DomainThrottle | None = None,
) -> tuple[robots_mod.RobotsFile, bool]:
    """Download and interpret the robots.txt at ``url``: (verdict, whether it timed out).

    Same safe path as pages (address checks on every hop, pinned connections, the domain
    throttle), with a short deadline (``robots.ROBOTS_DEADLINE`` or ``deadline``), the RFC 9309
    size limit (longer files are cut, not refused) and any content type.
    """
    limit = min(robots_mod.ROBOTS_DEADLINE, settings.deadline) if deadline is None else deadline
    small = replace(
        settings,
        deadline=limit,
        connect_timeout=min(settings.connect_timeout, limit),
        read_timeout=min(settings.read_timeout, limit),
        max_bytes=robots_mod.ROBOTS_MAX_BYTES,
    )
    session = make_session(small)
    fetcher = _Fetcher(
        url,
        small,
        session,
        resolver=resolver,
        allowed_hosts=allowed_hosts,
        throttle=throttle,
        for_robots=True,
    )
    try:
        body, _ = fetcher._follow(url)
    except _Failure as failure:
        if failure.status is not None:
            return robots_mod.from_status(url, failure.status), False
        if failure.redirect:
            return robots_mod.unavailable(url, failure.reason), False
        return robots_mod.unreachable(url, failure.reason), failure.health == "timeout"
    finally:
        session.close()
    return robots_mod.from_text(url, body.decode("utf-8", errors="replace")), False


def fetch(
    url: str,
    settings: Settings,
    session: requests.Session | None = None,
    *,
    resolver: Resolver = socket.getaddrinfo,
    allowed_hosts: Collection[str] | None = None,
    robots: robots_mod.RobotsCache | None = None,
    throttle: DomainThrottle | None = None,
    cache: PageCache | None = None,
    accept: Collection[str] | None = None,
) -> Page:
    """Fetch one URL.  Never raises for network or HTTP problems: they are in ``Page.health``.

    ``accept``: media types read besides refusing as "not-html" (default: HTML only;
    ``analysis.ingest.discover`` adds the feed types).

    ``session`` defaults to a fresh :func:`make_session` (closed afterwards).  ``resolver`` and
    ``allowed_hosts`` are passed to :func:`inspect_url` for every hop (tests use them).

    Politeness: when ``settings.respect_robots`` is on, robots.txt is consulted for every host
    the request goes to (``robots``: the cache to use, default the process-wide one), and a
    disallowed page comes back "blocked" without being requested.  Requests to one registered
    domain start at least ``settings.domain_delay`` seconds apart (or the site's Crawl-delay,
    up to ``robots.MAX_CRAWL_DELAY``), through ``throttle`` (default: process-wide).

    ``cache``: a :class:`~analysis.ingest.pagecache.PageCache`; pages younger than
    ``settings.cache_ttl`` come from it without a request (``Page.attempts == 0``), older ones
    are revalidated (``If-None-Match``/``If-Modified-Since``; a 304 gives ``status == 304``).
    """
    own = session is None
    sess = make_session(settings) if session is None else session
    robots_cache = (
        (robots if robots is not None else robots_mod.DEFAULT_CACHE) if settings.respect_robots else None
    )
    try:
        return _Fetcher(
            url,
            settings,
            sess,
            resolver=resolver,
            allowed_hosts=allowed_hosts,
            robots=robots_cache,
            throttle=throttle if throttle is not None else DEFAULT_THROTTLE,
            cache=cache,
            accept=accept,
        ).run()
    finally:
        if own:
            sess.close()


# --- many URLs -----------------------------------------------------------------------------


def _error_page(url: str, exc: BaseException) -> Page:
    return Page(
        url=url,
        final_url=url,
        status=None,
        content_type="",
        html=None,
        health="network-error",
        reason=f"unexpected error: {type(exc).__name__}: {_one_line(exc)}",
        attempts=0,
        fetched_at=datetime.now(UTC),
    )


class BatchTooLarge(ValueError):
    """More URLs in one batch than ``Settings.max_batch_urls``."""


def check_batch_size(n: int, settings: Settings) -> str | None:
    """Why a batch of ``n`` URLs is refused (more than ``settings.max_batch_urls``), or None."""
    limit = settings.max_batch_urls
    if limit > 0 and n > limit:
        return (
            f"{n:,} URLs in one batch; the limit is {limit:,} (split the list, or raise "
            "ANALYSIS_MAX_BATCH_URLS)"
        )
    return None


def fetch_many(
    urls: Iterable[str],
    settings: Settings,
    on_result: Callable[[Page], None] | None = None,
    *,
    resolver: Resolver = socket.getaddrinfo,
    allowed_hosts: Collection[str] | None = None,
    robots: robots_mod.RobotsCache | None = None,
    throttle: DomainThrottle | None = None,
    cache: PageCache | None = None,
) -> list[Page]:
    """Fetch ``urls`` concurrently; pages come back in input order.

    At most ``settings.workers`` requests run at once, and at most ``settings.per_domain`` to
    one registered domain (whose request starts are also spaced by ``settings.domain_delay``,
    see :func:`fetch`).  ``on_result`` is called in the calling thread as each page is ready
    (for progress bars).  An unexpected error for one URL becomes a "network-error" page.
    The keyword arguments are passed to :func:`fetch`.  Raises :class:`BatchTooLarge` for more
    than ``settings.max_batch_urls`` URLs (callers should check first: :func:`check_batch_size`).
    """
    items = list(urls)
    too_many = check_batch_size(len(items), settings)
    if too_many:
        raise BatchTooLarge(too_many)
    results: list[Page | None] = [None] * len(items)
    workers = max(1, settings.workers)
    per_domain = max(1, settings.per_domain)
    options: dict[str, Any] = {
        "robots": robots,
        "throttle": throttle,
        "cache": cache,
        "resolver": resolver,
        "allowed_hosts": allowed_hosts,
    }

    queues: dict[str, deque[int]] = defaultdict(deque)
    for i, u in enumerate(items):
        queues[_domain_key(u)].append(i)
    running: dict[str, int] = defaultdict(int)
    # Domains with pending URLs and spare capacity, by their earliest pending index.
    ready: list[tuple[int, str]] = [(q[0], d) for d, q in queues.items()]
    heapq.heapify(ready)

    local = threading.local()
    sessions: list[requests.Session] = []
    lock = threading.Lock()

    def work(url: str) -> Page:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = make_session(settings)
            with lock:
                sessions.append(session)
        try:
            return fetch(url, settings, session, **options)
        except Exception as exc:  # worker boundary: one bad URL must not lose the batch; recorded below
            return _error_page(url, exc)

    futures: dict[Future[Page], tuple[int, str]] = {}
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            while ready or futures:
                while ready and len(futures) < workers:
                    _, domain = heapq.heappop(ready)
                    i = queues[domain].popleft()
                    running[domain] += 1
                    futures[pool.submit(work, items[i])] = (i, domain)
                    if queues[domain] and running[domain] < per_domain:
                        heapq.heappush(ready, (queues[domain][0], domain))
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for fut in done:
                    i, domain = futures.pop(fut)
                    was_full = running[domain] >= per_domain
                    running[domain] -= 1
                    if was_full and queues[domain]:
                        heapq.heappush(ready, (queues[domain][0], domain))
                    page = fut.result()
                    results[i] = page
                    if on_result is not None:
                        on_result(page)
    finally:
        for s in sessions:
            s.close()
    return [
        p if p is not None else _error_page(items[i], RuntimeError("not fetched"))
        for i, p in enumerate(results)
    ]


# --- canonical URLs ------------------------------------------------------------------------


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Normalise ``url`` for de-duplication (pure).

    Lower-cases scheme and host, drops the fragment, default ports and tracking parameters
    (utm_*, fbclid, gclid, ...), sorts the remaining query parameters and strips a trailing
    "/" from non-root paths.  Text that is not an absolute URL is returned stripped.
    """
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if not scheme or not parts.hostname:
        return text
    host = parts.hostname.rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query_pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query = urlencode(sorted(query_pairs))
    return urlunsplit((scheme, netloc, path, query, ""))
