"""The request loop behind :func:`analysis.ingest.fetch.fetch`: redirects (each hop checked),
retries, robots.txt, politeness waits, the page cache, and the size and time caps while reading.
"""

from __future__ import annotations

import contextlib
import re
import socket
import time
from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypedDict
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from analysis.ingest import robots as robots_mod
from analysis.ingest.connection import (
    ACCEPT,
    ACCEPT_ENCODING,
    ROBOTS_ACCEPT,
    PinningAdapter,
    _connection_failure,
    _Failure,
    _root_causes,
    _status_reason,
    make_session,
)
from analysis.ingest.decoding import HTML_TYPES, decode_html, looks_like_html, media_type
from analysis.ingest.pagecache import CachedPage, PageCache, keep_headers, storable
from analysis.ingest.throttle import DomainThrottle, _domain_key, parse_retry_after
from analysis.ingest.url_safety import Resolver, _one_line, inspect_url
from analysis.models import Page
from analysis.settings import Settings

# Sent instead of ACCEPT when a caller also accepts feeds (``fetch(..., accept=...)``).
FEED_ACCEPT = (
    "application/rss+xml,application/atom+xml,application/rdf+xml;q=0.9,application/xml;q=0.8,"
    "text/xml;q=0.8,text/html;q=0.7,*/*;q=0.1"
)
_XML_START_RE = re.compile(rb"^\s*(?:<\?xml|<rss\b|<feed\b|<rdf:RDF\b)", re.IGNORECASE)

# Statuses worth a second try: rate limiting and temporary unavailability.
RETRY_STATUSES: frozenset[int] = frozenset({429, 503})
REDIRECT_STATUSES: frozenset[int] = frozenset({301, 302, 303, 307, 308})


# Body chunk size: small enough that the deadline is checked often and a compressed chunk
# cannot decode into much more than this (urllib3 >= 2.6 bounds decoded output per read).
CHUNK_BYTES = 64 * 1024


# Module-level indirection so tests can stub sleeping between retries.
_sleep = time.sleep


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


def _tighten_socket_timeout(resp: requests.Response, seconds: float) -> None:
    """Best effort: make the next socket read give up when the deadline passes."""
    conn = getattr(resp.raw, "connection", None)
    sock = getattr(conn, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(max(seconds, 0.001))


def _visit_key(url: str) -> str:
    """``url`` without its fragment, for redirect-loop detection and as the page-cache key."""
    try:
        return urlsplit(url)._replace(fragment="").geturl()
    except ValueError:
        return url


class _CheckArgs(TypedDict):
    """The address-check arguments passed on to inspect_url and load_robots."""

    resolver: Resolver
    allowed_hosts: Collection[str] | None


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
        self.check: _CheckArgs = {"resolver": resolver, "allowed_hosts": allowed_hosts}
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
        cache = self.cache
        stored = cache.get(_visit_key(start)) if cache is not None else None
        if cache is not None and stored is not None and stored.fresh(self.settings.cache_ttl, cache.clock()):
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
