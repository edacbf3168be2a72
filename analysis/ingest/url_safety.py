"""Is a URL safe to fetch?  Scheme, length and character checks, then every address its host
resolves to must be public (server-side request forgery), unless allowed.

URLs refused before any lookup ("invalid-url"): other schemes than http(s), more than
``MAX_URL_CHARS`` characters, whitespace, control or invisible characters or a backslash
anywhere, port 0.  Any port 1-65535 is accepted on public addresses.

This module opens no connection: it resolves names (``socket.getaddrinfo``) and parses URLs the
way requests/urllib3 will connect for them.  :mod:`analysis.ingest.fetch` does the fetching.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

from analysis.settings import Settings

ALLOWED_SCHEMES: frozenset[str] = frozenset({"http", "https"})
DEFAULT_PORTS: dict[str, int] = {"http": 80, "https": 443}


# Hosts (names, addresses or networks such as "10.1.0.0/16") let through even though they are
# private, without opening every private address as ``allow_private`` does.  Read from
# ``settings.allowed_hosts`` when Settings has that field, else from this default.
DEFAULT_ALLOWED_HOSTS: tuple[str, ...] = ()


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


def _one_line(exc: BaseException | str) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())[:300]


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
    if prepared.url is None:  # prepare_url always sets it; this narrows the Optional
        raise ValueError(f"requests could not prepare the URL {url!r}")
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
