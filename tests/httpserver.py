"""A local HTTP server for tests: serves ``tests/fixtures/`` plus routes that misbehave.

Started on 127.0.0.1 with an ephemeral port in a background thread (``TestServer.start``).
Routes live in a table (``TestServer.routes``: path -> handler); tests add their own with
:meth:`TestServer.add_route` or :meth:`TestServer.add_page`.  A path with no route is looked up
as a file under ``tests/fixtures/`` (``.html`` is served as ``text/html; charset=utf-8``).

Routes that count requests (``/retry/...``) take a ``key`` query parameter so each test has
its own counter: ``/retry/429?key=t1&n=3`` answers 429 twice, then 200.

Routes whose path ends in a number or name (``/gen/article/17``) are registered as prefixes
with :meth:`TestServer.add_prefix_route`.  :class:`SilentServer` is a bare TCP listener that
accepts connections and never answers (not even the request is read).
"""

from __future__ import annotations

import gzip
import mimetypes
import random
import select
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FETCH_FIXTURES = FIXTURES / "fetch"

HTML_TYPE = "text/html; charset=utf-8"
TRICKLE_INTERVAL = 0.2  # seconds between bytes on /trickle
TRICKLE_LIMIT = 30.0  # the server gives up trickling after this long, whatever the client does
HUGE_BYTES = 2_000_000  # /huge body size: bigger than the caps tests set (?mb=20 for 20 MB)
BOMB_DECODED_BYTES = 10_000_000  # /gzip-bomb decoded size (compresses to about 10 KB)
ENDLESS_LIMIT = 30.0  # /chunked/endless stops after this long, whatever the client does
SILENT_LIMIT = 60.0  # /silent and SilentServer hold a connection at most this long

Handler = Callable[["RequestHandler"], None]

_BASIC_PAGE = (
    b"<!DOCTYPE html><html><head><title>OK</title></head>"
    b"<body><h1>Served</h1><p>A small page from the test server.</p></body></html>"
)


class RequestHandler(BaseHTTPRequestHandler):
    """One request.  Handlers get this object: ``.route``, ``.query``, ``.app`` and the send helpers."""

    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: bodies may end at close

    # --- helpers for route handlers ---------------------------------------------------------
    @property
    def app(self) -> TestServer:
        return self.server.app

    @property
    def route(self) -> str:
        return urlsplit(self.path).path

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def send(
        self,
        status: int = 200,
        body: bytes | str = b"",
        content_type: str | None = HTML_TYPE,
        headers: dict[str, str] | None = None,
        length: bool = True,
    ) -> None:
        """Send a whole response; ``content_type=None`` sends no Content-Type header."""
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send(status, b"", headers={"Location": location})

    # --- dispatch ---------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        app = self.app
        route = self.route
        app._enter(route)
        try:
            handler = app.routes.get(route) or app._prefix_handler(route)
            if handler is not None:
                handler(self)
            else:
                app._serve_file(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (deadline, size cap): expected in these tests
        finally:
            app._leave(route)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep test output quiet


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # listen backlog: batches open many connections at once (default 5)
    app: TestServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # resets and broken pipes are the point of several routes


class TestServer:
    """The server plus its route table and per-route statistics."""

    __test__ = False  # not a pytest test class

    def __init__(self, fixtures: Path = FIXTURES) -> None:
        self.fixtures = fixtures
        self.routes: dict[str, Handler] = dict(DEFAULT_ROUTES)
        self.prefix_routes: dict[str, Handler] = dict(DEFAULT_PREFIX_ROUTES)
        self._lock = threading.Lock()
        self._counters: Counter[str] = Counter()
        self._hits: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._max_in_flight: Counter[str] = Counter()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> TestServer:
        self._httpd = _Server(("127.0.0.1", 0), RequestHandler)
        self._httpd.app = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="test-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> TestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # --- routes -----------------------------------------------------------------------------
    def add_route(self, path: str, handler: Handler) -> str:
        """Register ``handler(request)`` for ``path`` (query ignored); returns the full URL."""
        self.routes[path] = handler
        return self.url(path)

    def add_prefix_route(self, prefix: str, handler: Handler) -> str:
        """Register ``handler`` for every path starting with ``prefix``; returns the prefix's URL."""
        self.prefix_routes[prefix] = handler
        return self.url(prefix)

    def _prefix_handler(self, route: str) -> Handler | None:
        matches = [p for p in self.prefix_routes if route.startswith(p)]
        return self.prefix_routes[max(matches, key=len)] if matches else None

    def add_page(
        self,
        path: str,
        body: bytes | str,
        content_type: str | None = HTML_TYPE,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Serve a fixed response at ``path``; returns the full URL."""

        def handler(req: RequestHandler) -> None:
            req.send(status, body, content_type, headers)

        return self.add_route(path, handler)

    # --- statistics -------------------------------------------------------------------------
    def count(self, key: str) -> int:
        """Increment and return the counter ``key`` (used by routes that change over time)."""
        with self._lock:
            self._counters[key] += 1
            return self._counters[key]

    def hits(self, path: str) -> int:
        """Requests received for ``path`` so far."""
        with self._lock:
            return self._hits[path]

    def max_in_flight(self, path: str) -> int:
        """Most requests for ``path`` the server was handling at the same moment."""
        with self._lock:
            return self._max_in_flight[path]

    def _enter(self, path: str) -> None:
        with self._lock:
            self._hits[path] += 1
            self._in_flight[path] += 1
            self._max_in_flight[path] = max(self._max_in_flight[path], self._in_flight[path])

    def _leave(self, path: str) -> None:
        with self._lock:
            self._in_flight[path] -= 1

    # --- files ------------------------------------------------------------------------------
    def _serve_file(self, req: RequestHandler) -> None:
        relative = req.route.lstrip("/")
        target = (self.fixtures / relative).resolve()
        if not target.is_relative_to(self.fixtures.resolve()) or not target.is_file():
            req.send(404, "<h1>404 Not Found</h1>")
            return
        req.send(200, target.read_bytes(), content_type_for(target))


def content_type_for(path: Path) -> str:
    """Content-Type for a fixture file by extension; HTML is declared UTF-8."""
    if path.suffix.lower() in {".html", ".htm"}:
        return HTML_TYPE
    guessed, _ = mimetypes.guess_type(path.name)
    if guessed is None:
        return "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


# --- the misbehaving routes ----------------------------------------------------------------


def _status(code: int) -> Handler:
    def handler(req: RequestHandler) -> None:
        phrase = HTTPStatus(code).phrase
        req.send(code, f"<html><body><h1>{code} {phrase}</h1></body></html>")

    return handler


def _retry_429(req: RequestHandler) -> None:
    """429 with Retry-After (``after``, default 0; "none" omits it) until the ``n``-th request (default 3)."""
    q = req.query
    n = req.app.count("429:" + q.get("key", ""))
    if n < int(q.get("n", "3")):
        after = q.get("after", "0")
        req.send(429, "<h1>slow down</h1>", headers={} if after == "none" else {"Retry-After": after})
    else:
        req.send(200, _BASIC_PAGE)


def _retry_503(req: RequestHandler) -> None:
    """503 on the first request for ``key``, then 200."""
    if req.app.count("503:" + req.query.get("key", "")) == 1:
        req.send(503, "<h1>try again</h1>")
    else:
        req.send(200, _BASIC_PAGE)


def _always_429(req: RequestHandler) -> None:
    req.send(429, "<h1>slow down</h1>", headers={"Retry-After": req.query.get("after", "0")})


def _slow(req: RequestHandler) -> None:
    """Wait ``s`` seconds (default 1) before answering."""
    time.sleep(float(req.query.get("s", "1")))
    req.send(200, _BASIC_PAGE)


def _trickle(req: RequestHandler) -> None:
    """Headers at once, then one byte every TRICKLE_INTERVAL seconds (until TRICKLE_LIMIT).

    ``?interval=1`` and ``?limit=120`` change both.
    """
    interval = float(req.query.get("interval", TRICKLE_INTERVAL))
    limit = float(req.query.get("limit", TRICKLE_LIMIT))
    req.send_response(200)
    req.send_header("Content-Type", HTML_TYPE)
    req.end_headers()
    req.wfile.write(b"<html><body>")
    req.wfile.flush()
    stop = time.monotonic() + limit
    while time.monotonic() < stop:
        time.sleep(interval)
        req.wfile.write(b"x")
        req.wfile.flush()


def _huge(req: RequestHandler) -> None:
    """HUGE_BYTES of HTML (``?mb=20``: 20 MB); ``?length=0`` omits Content-Length."""
    size = int(float(req.query["mb"]) * 1_000_000) if "mb" in req.query else HUGE_BYTES
    send_length = req.query.get("length", "1") != "0"
    req.send_response(200)
    req.send_header("Content-Type", HTML_TYPE)
    if send_length:
        req.send_header("Content-Length", str(size))
    req.end_headers()
    block = b"<p>" + b"filler " * 1400 + b"</p>\n"  # about 10 KB, written again and again
    sent = 0
    while sent < size:
        piece = block[: size - sent]
        req.wfile.write(piece)
        sent += len(piece)


def _wait_for_client_close(req: RequestHandler, limit: float) -> None:
    """Hold the connection without answering until the client closes it (or ``limit`` passes)."""
    stop = time.monotonic() + limit
    sock = req.connection
    while time.monotonic() < stop:
        readable, _, _ = select.select([sock], [], [], 0.05)
        if readable:
            try:
                if not sock.recv(1024, socket.MSG_PEEK):
                    return  # the client hung up
                sock.recv(1024)  # discard anything else it sends
            except OSError:
                return


def _silent(req: RequestHandler) -> None:
    """Read the request, then never answer (until the client gives up or SILENT_LIMIT)."""
    _wait_for_client_close(req, float(req.query.get("limit", SILENT_LIMIT)))
    req.close_connection = True
    req.wfile = _Sink()


def _half_close(req: RequestHandler) -> None:
    """Read the request, then close our sending side (FIN) without a byte of response."""
    req.wfile.flush()
    req.connection.shutdown(socket.SHUT_WR)
    _wait_for_client_close(req, 5.0)
    req.close_connection = True
    req.wfile = _Sink()


def _raw(data: bytes) -> Handler:
    """Send ``data`` as the whole response, whatever it is, then close."""

    def handler(req: RequestHandler) -> None:
        req.wfile.write(data)
        req.wfile.flush()
        req.close_connection = True

    return handler


def _endless_chunked(req: RequestHandler) -> None:
    """A chunked HTML body that never ends (``?interval=`` seconds between chunks, default 0)."""
    interval = float(req.query.get("interval", "0"))
    req.wfile.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    piece = b"<p>" + b"more " * 2000 + b"</p>\n"
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    stop = time.monotonic() + ENDLESS_LIMIT
    while time.monotonic() < stop:
        req.wfile.write(chunk)
        req.wfile.flush()
        if interval:
            time.sleep(interval)
    req.close_connection = True


def _file_route(name: str, content_type: str | None) -> Handler:
    def handler(req: RequestHandler) -> None:
        req.send(200, (FETCH_FIXTURES / name).read_bytes(), content_type)

    return handler


def _gzip(req: RequestHandler) -> None:
    body = gzip.compress((FETCH_FIXTURES / "basic.html").read_bytes())
    req.send(200, body, HTML_TYPE, headers={"Content-Encoding": "gzip"})


_BOMB: list[bytes] = []


def _gzip_bomb(req: RequestHandler) -> None:
    """About 10 KB on the wire, BOMB_DECODED_BYTES once decompressed."""
    if not _BOMB:
        _BOMB.append(gzip.compress(b"<html><body>" + b"\0" * BOMB_DECODED_BYTES, compresslevel=9))
    req.send(200, _BOMB[0], HTML_TYPE, headers={"Content-Encoding": "gzip"})


def _bad_gzip(req: RequestHandler) -> None:
    req.send(200, b"this is not gzip data at all", HTML_TYPE, headers={"Content-Encoding": "gzip"})


def _reset(req: RequestHandler) -> None:
    """Abort the connection with a TCP RST before any response."""
    req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    req.rfile.close()  # drop the file's reference so close() really closes (and resets) now
    req.connection.close()
    req.close_connection = True
    req.wfile = _Sink()  # BaseHTTPRequestHandler flushes wfile after the handler


def _reset_mid_body(req: RequestHandler) -> None:
    """Promise 100 KB, send a little, then abort with a TCP RST."""
    req.send_response(200)
    req.send_header("Content-Type", HTML_TYPE)
    req.send_header("Content-Length", "100000")
    req.end_headers()
    req.wfile.write(b"<html><body><p>partial")
    req.wfile.flush()
    time.sleep(0.05)
    _reset(req)


def _reset_after(req: RequestHandler) -> None:
    """Read the request, think ``?s=`` seconds (default 0.2), then abort with a TCP RST."""
    time.sleep(float(req.query.get("s", "0.2")))
    _reset(req)


def _reset_mid_headers(req: RequestHandler) -> None:
    """Send the status line and half a header, then abort with a TCP RST."""
    req.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Ty")
    req.wfile.flush()
    time.sleep(0.05)
    _reset(req)


def _reset_chunked(req: RequestHandler) -> None:
    """Start a chunked body, then abort with a TCP RST in the middle of a chunk."""
    req.wfile.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n10\r\n<html><body><p>pa"
    )
    req.wfile.flush()
    time.sleep(0.05)
    _reset(req)


class _Sink:
    closed = True

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def _redirect_chain(req: RequestHandler) -> None:
    """``n`` more hops (default 3) through this route, then /ok."""
    n = int(req.query.get("n", "3"))
    req.redirect(f"/redirect/chain?n={n - 1}" if n > 1 else "/ok")


def _redirect_to(location: str, status: int = 302) -> Handler:
    def handler(req: RequestHandler) -> None:
        req.redirect(location, status)

    return handler


def _echo_headers(req: RequestHandler) -> None:
    """An HTML page listing the request headers (to check the user agent and Accept-Encoding)."""
    items = "".join(f"<li>{name}: {value}</li>" for name, value in req.headers.items())
    req.send(200, f"<html><body><ul>{items}</ul></body></html>")


def _undeclared_cp1252(req: RequestHandler) -> None:
    """A cp1252 page with no charset anywhere (header or <meta>)."""
    body = (
        "<html><head><title>Caf\u00e9 notes</title></head><body><p>The caf\u00e9\u2019s "
        "\u201cna\u00efve\u201d fa\u00e7ade \u2014 a r\u00e9sum\u00e9 of cr\u00e8me br\u00fbl\u00e9e.</p>"
        "</body></html>"
    ).encode("cp1252")
    req.send(200, body, "text/html")


def _lying_meta(req: RequestHandler) -> None:
    """<meta charset="utf-8"> on a windows-1251 body, no charset in the header."""
    body = (
        '<html><head><meta charset="utf-8"><title>\u041d\u043e\u0432\u043e\u0441\u0442\u0438</title>'
        "</head><body><p>\u041f\u0440\u0430\u0432\u0438\u0442\u0435\u043b\u044c\u0441\u0442\u0432\u043e "
        "\u043e\u0431\u044a\u044f\u0432\u0438\u043b\u043e \u043e \u043d\u043e\u0432\u044b\u0445 "
        "\u043c\u0435\u0440\u0430\u0445.</p></body></html>"
    ).encode("cp1251")
    req.send(200, body, "text/html")


def _binary_as_html(req: RequestHandler) -> None:
    """Random bytes (seeded) declared as text/html."""
    rng = random.Random(int(req.query.get("seed", "0")))
    req.send(200, bytes(rng.randrange(256) for _ in range(20_000)), HTML_TYPE)


# --- generated articles ------------------------------------------------------------------------

_SUBJECTS = ("The council", "A spokesperson", "Residents", "The minister", "Local businesses", "Engineers")
_VERBS = ("said", "confirmed", "argued", "warned", "announced", "reported")
_OBJECTS = (
    "that the new bridge would open in the spring",
    "that the budget had been approved after a long debate",
    "that the consultation would run for another six weeks",
    "that repairs to the harbour wall were ahead of schedule",
    "that bus routes would change from next month",
    "that the library would extend its opening hours",
)


def article_html(n: int, sentences: int = 40, title: str | None = None) -> str:
    """A plain, deterministic news article (about 12 words a sentence) for page ``n``."""
    rng = random.Random(n)
    paragraphs = []
    for _ in range(max(1, sentences // 4)):
        lines = [
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
            f" on day {rng.randrange(1, 29)}."
            for _ in range(4)
        ]
        paragraphs.append("<p>" + " ".join(lines) + "</p>")
    heading = title or f"Town news item {n}: what changes this week"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{heading}</title>"
        "<meta property='article:published_time' content='2026-10-01T09:00:00Z'>"
        f"<meta name='author' content='Reporter {n}'></head><body><article><h1>{heading}</h1>"
        + "".join(paragraphs)
        + "</article></body></html>"
    )


def _gen_article(req: RequestHandler) -> None:
    """/gen/article/<n>: article_html(n); ``?delay=`` seconds before answering."""
    delay = float(req.query.get("delay", "0"))
    if delay:
        time.sleep(delay)
    n = int(req.route.rsplit("/", 1)[-1] or 0)
    req.send(200, article_html(n))


def _no_type(req: RequestHandler) -> None:
    req.send(200, _BASIC_PAGE, content_type=None)


def _no_type_binary(req: RequestHandler) -> None:
    req.send(200, (FETCH_FIXTURES / "pixel.png").read_bytes(), content_type=None)


DEFAULT_ROUTES: dict[str, Handler] = {
    "/ok": lambda req: req.send(200, _BASIC_PAGE),
    "/status/401": _status(401),
    "/status/403": _status(403),
    "/status/404": _status(404),
    "/status/500": _status(500),
    "/retry/429": _retry_429,
    "/retry/503": _retry_503,
    "/always/429": _always_429,
    "/slow": _slow,
    "/trickle": _trickle,
    "/huge": _huge,
    "/pdf": _file_route("sample.pdf", "application/pdf"),
    "/png": _file_route("pixel.png", "image/png"),
    "/json": lambda req: req.send(200, b'{"a": 1}', "application/json"),
    "/xhtml": lambda req: req.send(200, _BASIC_PAGE, "application/xhtml+xml; charset=utf-8"),
    "/wrong-charset": _file_route("wrong-charset-cp1252.html", "text/html; charset=utf-8"),
    "/meta-charset/windows-1251": _file_route("meta-windows-1251.html", "text/html"),
    "/meta-charset/iso-8859-1": _file_route("meta-iso-8859-1.html", "text/html"),
    "/echo-headers": _echo_headers,
    "/no-content-type": _no_type,
    "/no-content-type/binary": _no_type_binary,
    "/gzip": _gzip,
    "/gzip-bomb": _gzip_bomb,
    "/bad-gzip": _bad_gzip,
    "/reset": _reset,
    "/reset-mid-body": _reset_mid_body,
    "/reset-after": _reset_after,
    "/reset-mid-headers": _reset_mid_headers,
    "/reset-chunked": _reset_chunked,
    "/redirect/chain": _redirect_chain,
    "/redirect/loop": _redirect_to("/redirect/loop-b"),
    "/redirect/loop-b": _redirect_to("/redirect/loop", 301),
    "/redirect/private": _redirect_to("http://10.0.0.1/"),
    "/redirect/metadata": _redirect_to("http://169.254.169.254/latest/meta-data/"),
    "/redirect/ftp": _redirect_to("ftp://example.com/file.txt"),
    "/redirect/no-location": lambda req: req.send(302, b""),
    "/silent": _silent,
    "/half-close": _half_close,
    "/garbage": _raw(b"SSH-2.0-OpenSSH_9.6\r\nProtocol mismatch.\r\n"),
    "/bad-header": _raw(b"HTTP/1.1 200 OK\r\nContent-Type text/html no colon\r\n\x00\x01\r\n\r\n<p>x"),
    "/chunked/endless": _endless_chunked,
    "/charset/undeclared-cp1252": _undeclared_cp1252,
    "/charset/lying-meta": _lying_meta,
    "/wrong-type/html-as-png": lambda req: req.send(200, _BASIC_PAGE, "image/png"),
    "/wrong-type/binary-as-html": _binary_as_html,
    "/wrong-type/json-as-html": lambda req: req.send(200, b'{"headline": "not a page"}', HTML_TYPE),
}

DEFAULT_PREFIX_ROUTES: dict[str, Handler] = {
    "/gen/article/": _gen_article,
}


class SilentServer:
    """A TCP listener on 127.0.0.1 that accepts connections and never reads or answers."""

    __test__ = False

    def __init__(self) -> None:
        self._sock: socket.socket | None = None
        self._held: list[socket.socket] = []
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.accepted = 0

    def start(self) -> SilentServer:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self._sock.settimeout(0.05)
        self._thread = threading.Thread(target=self._accept, name="silent-tcp", daemon=True)
        self._thread.start()
        return self

    def _accept(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(conn)  # keep it open, say nothing
            self.accepted += 1

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        for conn in self._held:
            conn.close()
        if self._sock is not None:
            self._sock.close()

    def __enter__(self) -> SilentServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._sock is not None
        return self._sock.getsockname()[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"
