"""Connections for :mod:`analysis.ingest.fetch`: a requests session whose connections go only to
addresses checked by :func:`~analysis.ingest.url_safety.inspect_url` (closing the DNS-rebinding
gap), and the one-line reasons for failed connections and HTTP statuses.
"""

from __future__ import annotations

import http
import http.client
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

from analysis.ingest.url_safety import _one_line
from analysis.settings import Settings

ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
ROBOTS_ACCEPT = "text/plain,*/*;q=0.1"
# Only encodings whose decoders urllib3 bounds per read (so the size cap holds after decoding).
ACCEPT_ENCODING = "gzip, deflate"


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
        _dns_host: str  # set by urllib3's HTTPConnection (the address it connects to)

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
