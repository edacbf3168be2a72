"""Fetching: every misbehaviour of the web ends as a Page with the right health and a readable reason."""

from __future__ import annotations

import importlib
import socket
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import count
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from analysis.ingest.fetch import (
    BatchTooLarge,
    canonical_url,
    check_batch_size,
    check_url,
    clean_markup,
    decode_html,
    decode_html_bytes,
    fetch,
    fetch_many,
    inspect_url,
    looks_like_html,
    make_session,
    parse_retry_after,
    registered_domain,
)
from analysis.models import HEALTH_ORDER
from analysis.settings import Settings

# The module itself (``analysis.ingest.fetch`` as an attribute can be the re-exported function).
fetch_mod = importlib.import_module("analysis.ingest.fetch")
# The retry loop lives in analysis.ingest.client: its ``_sleep`` is the one to stub.
client_mod = importlib.import_module("analysis.ingest.client")

_keys = count()


def unique(prefix: str = "k") -> str:
    """A fresh counter key for the routes that change with the number of requests."""
    return f"{prefix}{next(_keys)}-{time.monotonic_ns()}"


def stub_resolver(mapping: dict[str, list[str]]):
    """A getaddrinfo stand-in: host -> addresses; unknown hosts fail like a DNS miss."""
    calls: list[str] = []

    def resolve(host, port, *args, **kwargs):
        calls.append(host)
        if host not in mapping:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        out = []
        for addr in mapping[host]:
            family = socket.AF_INET6 if ":" in addr else socket.AF_INET
            sockaddr = (addr, port, 0, 0) if family == socket.AF_INET6 else (addr, port)
            out.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
        return out

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def no_resolver(host, *args, **kwargs):
    raise AssertionError(f"numeric host {host!r} must not need a DNS lookup")


# --- address safety (pure) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.0.0.1:8080/admin",
        "http://[::1]/",
        "http://10.0.0.1/",
        "http://10.20.30.40:9000/x",
        "http://192.168.1.1/",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:a00:1]/",
        "http://[fd12:3456::1]/",
        "http://[fe80::1]/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "https://user@127.0.0.1/",
        "http://example.com@10.0.0.1/",
    ],
)
def test_default_settings_refuse_inward_addresses(url: str) -> None:
    reason = check_url(url, Settings(), resolver=no_resolver)
    assert reason is not None and reason.startswith("refused:"), reason
    assert "--allow-private" in reason
    assert inspect_url(url, Settings(), resolver=no_resolver).health == "refused"


def test_localhost_is_refused_through_the_real_resolver() -> None:
    # "localhost" comes from /etc/hosts: no network involved.
    reason = check_url("http://localhost:8000/", Settings())
    assert reason is not None and "localhost resolves to" in reason and "loopback" in reason


def test_refusal_reasons_name_the_address_and_its_kind() -> None:
    assert check_url("http://10.0.0.1/", Settings()) == (
        "refused: 10.0.0.1 is a private address (set --allow-private / ANALYSIS_ALLOW_PRIVATE=1 to allow)"
    )
    assert "link-local (cloud metadata)" in check_url("http://169.254.169.254/", Settings())
    assert "unspecified" in check_url("http://0.0.0.0/", Settings())
    assert "127.0.0.1" in check_url("http://2130706433/", Settings())


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/file.txt",
        "gopher://example.com:70/1",
        "data:text/html,<h1>hi</h1>",
        "javascript:alert(1)",
        "example.com/no-scheme",
        "//example.com/protocol-relative",
        "",
        "http://",
        "http:///path-only",
    ],
)
def test_non_http_urls_are_invalid(url: str) -> None:
    result = inspect_url(url, Settings(), resolver=stub_resolver({"example.com": ["93.184.215.14"]}))
    assert result.health == "invalid-url", result
    assert result.reason.startswith("invalid URL")


def test_a_name_that_resolves_inward_is_refused() -> None:
    resolver = stub_resolver({"intranet.example": ["10.0.0.5"]})
    reason = check_url("https://intranet.example/wiki", Settings(), resolver=resolver)
    assert reason is not None
    assert "intranet.example resolves to 10.0.0.5" in reason and "private" in reason
    assert resolver.calls == ["intranet.example"]


@pytest.mark.parametrize(
    "addresses",
    [
        ["93.184.215.14", "192.168.0.10"],  # any private address is enough
        ["::ffff:10.0.0.1"],  # IPv4-mapped IPv6
        ["2002:7f00:1::1"],  # 6to4 wrapping 127.0.0.1
        ["64:ff9b::a9fe:a9fe"],  # NAT64 wrapping 169.254.169.254
        ["fc00::1"],  # unique-local
    ],
)
def test_any_inward_address_among_the_resolved_ones_refuses(addresses: list[str]) -> None:
    resolver = stub_resolver({"mixed.example": addresses})
    assert check_url("http://mixed.example/", Settings(), resolver=resolver).startswith("refused:")


def test_public_addresses_pass() -> None:
    resolver = stub_resolver({"news.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]})
    result = inspect_url("https://news.example/story", Settings(), resolver=resolver)
    assert result.ok and result.host == "news.example"
    assert result.addresses == ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    assert check_url("http://8.8.8.8/", Settings(), resolver=no_resolver) is None


def test_dns_failure_is_a_network_error() -> None:
    result = inspect_url("http://no-such-host.example/", Settings(), resolver=stub_resolver({}))
    assert result.health == "network-error"
    assert result.reason.startswith("DNS lookup failed for no-such-host.example")


def test_allow_private_and_allowed_hosts() -> None:
    assert check_url("http://10.0.0.1/", Settings(allow_private=True)) is None
    only_local = ["127.0.0.1"]
    assert check_url("http://127.0.0.1:9/", Settings(), allowed_hosts=only_local) is None
    assert check_url("http://10.0.0.1/", Settings(), allowed_hosts=only_local).startswith("refused:")
    resolver = stub_resolver({"wiki.corp": ["10.1.2.3"], "other.corp": ["10.2.0.1"]})
    assert check_url("http://wiki.corp/", Settings(), resolver, allowed_hosts=["wiki.corp"]) is None
    assert check_url("http://wiki.corp/", Settings(), resolver, allowed_hosts=["10.1.0.0/16"]) is None
    assert check_url("http://other.corp/", Settings(), resolver, allowed_hosts=["10.1.0.0/16"]) is not None
    # the Settings.allowed_hosts field ("a, b" text from the environment) is honoured too
    assert check_url("http://wiki.corp/", Settings(allowed_hosts="x.corp, 10.1.0.0/16"), resolver) is None


# --- pure helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://WWW.Example.COM/News/Story/", "https://www.example.com/News/Story"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        (
            "https://example.com/a?utm_source=tw&utm_medium=social&id=7&fbclid=xyz&gclid=1",
            "https://example.com/a?id=7",
        ),
        ("https://example.com/a?b=2&a=1&ocid=msn&cmpid=rss", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?CMP=share_btn&at_medium=custom7&x=", "https://example.com/a?x="),
        ("https://example.com/a?page=2&page=1", "https://example.com/a?page=1&page=2"),
        ("https://example.com/a?q=hello+world", "https://example.com/a?q=hello+world"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("http://[2001:DB8::1]:80/x/", "http://[2001:db8::1]/x"),
        ("not a url", "not a url"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected  # idempotent


def test_canonical_url_merges_variants_of_one_article() -> None:
    variants = [
        "https://News.example.com/world/2016/10/visit-called-off/?utm_source=twitter",
        "https://news.example.com:443/world/2016/10/visit-called-off#top",
        "https://news.example.com/world/2016/10/visit-called-off?fbclid=abc",
    ]
    assert len({canonical_url(v) for v in variants}) == 1


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("", now) is None


def test_registered_domain() -> None:
    assert registered_domain("https://www.bbc.co.uk/news/world") == "bbc.co.uk"
    assert registered_domain("https://edition.cnn.com/2016/10/11/x.html") == "cnn.com"
    assert registered_domain("http://127.0.0.1:8080/x") == "127.0.0.1"
    assert registered_domain("http://localhost:8080/x") == "localhost"
    assert registered_domain("news.example.org") == "example.org"


def test_looks_like_html() -> None:
    assert looks_like_html(b"  \n<!DOCTYPE html><html>")
    assert looks_like_html(b"<html lang='en'>")
    assert looks_like_html(b"\xef\xbb\xbf<p>hello</p>")
    assert not looks_like_html(b"%PDF-1.4")
    assert not looks_like_html(b'{"a": 1}')
    assert not looks_like_html(b"<?xml version='1.0'?><rss>")
    assert not looks_like_html(b"<html\x00\x00")


def test_decode_html_sources() -> None:
    text = "<html><body>café — “quoted”</body></html>"
    assert decode_html(text.encode("utf-8"), "text/html; charset=utf-8")[1:] == ("utf-8", "header")
    assert decode_html(b"\xef\xbb\xbf" + text.encode(), "text/html; charset=iso-8859-1")[1:] == (
        "utf-8",
        "bom",
    )
    meta = f'<html><head><meta charset="windows-1252"></head><body>{text}</body></html>'.encode("cp1252")
    decoded, charset, source = decode_html(meta, "text/html")
    assert (charset, source) == ("cp1252", "meta") and "café — “quoted”" in decoded
    # an unknown or unsafe declared charset is ignored, not trusted
    assert decode_html(text.encode(), "text/html; charset=x-nonsense")[2] == "detected"
    assert decode_html(text.encode(), "text/html; charset=unicode_escape")[2] == "detected"
    assert decode_html_bytes(meta) == decoded


def test_decoded_pages_lose_characters_no_parser_can_hold() -> None:
    body = "<p>a\x00b\x0bc\x0cd\ufffe&#1;&#x0C;&#65;&#xFFFF;&#x1F600;\x7f\x85 tab\there</p>".encode()
    text = decode_html(body, "text/html; charset=utf-8")[0]
    assert text == "<p>abc d\ufffd &#65;\ufffd&#x1F600;\x7f\x85 tab\there</p>"
    assert clean_markup("&#" + "9" * 5000 + ";") == "&#" + "9" * 5000 + ";"  # no int() of 5,000 digits


def test_batch_size_limit() -> None:
    settings = Settings(max_batch_urls=3)
    assert check_batch_size(3, settings) is None
    assert check_batch_size(4, settings) == (
        "4 URLs in one batch; the limit is 3 (split the list, or raise ANALYSIS_MAX_BATCH_URLS)"
    )
    with pytest.raises(BatchTooLarge, match="the limit is 3"):
        fetch_many(["http://a.example/"] * 4, settings)


# --- fetching from the local server --------------------------------------------------------


def test_ok_page(http_server, fetch_settings) -> None:
    url = http_server.url("/fetch/basic.html")
    page = fetch(url, fetch_settings)
    assert page.ok and page.health == "ok" and page.reason == ""
    assert page.status == 200 and page.content_type == "text/html"
    assert (page.charset, page.charset_source) == ("utf-8", "header")
    assert "café, naïve, façade, “curly quotes”, an em dash — and a euro sign €" in page.html
    assert page.url == page.final_url == url
    assert page.attempts == 1 and page.elapsed > 0 and page.fetched_at is not None


def test_user_agent_and_encodings_are_sent(http_server, fetch_settings) -> None:
    settings = replace(fetch_settings, user_agent="test-agent/9.9 (fetch tests)")
    page = fetch(http_server.url("/echo-headers"), settings)
    assert "User-Agent: test-agent/9.9 (fetch tests)" in page.html
    assert "Accept-Encoding: gzip, deflate" in page.html


@pytest.mark.parametrize(
    ("path", "health", "reason"),
    [
        ("/status/404", "http-error", "HTTP 404 Not Found"),
        ("/status/500", "http-error", "HTTP 500 Internal Server Error"),
        (
            "/status/403",
            "blocked",
            "HTTP 403 Forbidden: the site refused the request (bot protection or login)",
        ),
        ("/status/401", "blocked", "HTTP 401 Unauthorized: the page needs a login"),
        ("/fetch/no-such-file.html", "http-error", "HTTP 404 Not Found"),
    ],
)
def test_http_errors(http_server, fetch_settings, path: str, health: str, reason: str) -> None:
    page = fetch(http_server.url(path), fetch_settings)
    assert (page.health, page.reason) == (health, reason)
    assert page.html is None and not page.ok
    assert page.status == int(reason.split()[1])
    assert page.attempts == 1


def test_429_is_retried_until_it_succeeds(http_server, fetch_settings) -> None:
    page = fetch(http_server.url(f"/retry/429?key={unique()}&n=3"), fetch_settings)
    assert page.ok and page.attempts == 3 and page.status == 200


def test_429_gives_up_as_blocked(http_server, fetch_settings) -> None:
    settings = replace(fetch_settings, retries=1)
    page = fetch(http_server.url(f"/retry/429?key={unique()}&n=5"), settings)
    assert page.health == "blocked" and page.status == 429 and page.attempts == 2
    assert page.reason.startswith("HTTP 429 Too Many Requests")
    assert "gave up after 2 attempts" in page.reason


def test_backoff_doubles_and_retry_after_wins(http_server, fetch_settings, monkeypatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(client_mod, "_sleep", waits.append)
    settings = replace(fetch_settings, backoff=0.25, max_retry_wait=5.0)
    assert fetch(http_server.url(f"/retry/429?key={unique()}&n=3&after=none"), settings).ok
    assert waits == [0.25, 0.5]
    waits.clear()
    assert fetch(http_server.url(f"/retry/429?key={unique()}&n=2&after=2"), settings).ok
    assert waits == [2.0]


def test_retry_after_longer_than_the_limit_is_not_waited_for(
    http_server, fetch_settings, monkeypatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(client_mod, "_sleep", waits.append)
    page = fetch(http_server.url("/always/429?after=120"), fetch_settings)
    assert page.health == "blocked" and page.attempts == 1 and waits == []
    assert "asked to wait 120 s" in page.reason


def test_retry_that_would_pass_the_deadline_is_not_waited_for(
    http_server, fetch_settings, monkeypatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(client_mod, "_sleep", waits.append)
    settings = replace(fetch_settings, deadline=1.0, max_retry_wait=5.0)
    page = fetch(http_server.url("/always/429?after=3"), settings)
    assert page.health == "blocked" and waits == []
    assert "would pass the deadline" in page.reason


def test_503_once_then_ok(http_server, fetch_settings) -> None:
    page = fetch(http_server.url(f"/retry/503?key={unique()}"), fetch_settings)
    assert page.ok and page.attempts == 2


def test_503_without_retries_is_an_http_error(http_server, fetch_settings) -> None:
    page = fetch(http_server.url(f"/retry/503?key={unique()}"), replace(fetch_settings, retries=0))
    assert page.health == "http-error" and page.reason.startswith("HTTP 503 Service Unavailable")


def test_slow_response_times_out(http_server, fetch_settings) -> None:
    page = fetch(http_server.url("/slow?s=2"), replace(fetch_settings, read_timeout=0.2))
    assert page.health == "timeout" and page.html is None
    assert "no response from 127.0.0.1 within 0.2 s" in page.reason


def test_trickling_body_is_cut_off_at_the_deadline(http_server, fetch_settings) -> None:
    # Each byte arrives well within the read timeout: only the overall deadline can stop it.
    settings = replace(fetch_settings, read_timeout=1.0, deadline=0.6)
    page = fetch(http_server.url("/trickle"), settings)
    assert page.health == "timeout", page
    assert "overall deadline of 0.6 s passed while reading the body" in page.reason


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/huge", "Body exceeds the 200 KB cap (Content-Length 2.0 MB)"),
        ("/huge?length=0", "Body exceeds the 200 KB cap"),
        ("/gzip-bomb", "Body exceeds the 200 KB cap after gzip decompression"),
    ],
)
def test_too_large(http_server, fetch_settings, path: str, reason: str) -> None:
    page = fetch(http_server.url(path), fetch_settings)
    assert (page.health, page.reason) == ("too-large", reason)
    assert page.html is None


@pytest.mark.parametrize(
    ("path", "ctype"),
    [("/pdf", "application/pdf"), ("/png", "image/png"), ("/json", "application/json")],
)
def test_not_html(http_server, fetch_settings, path: str, ctype: str) -> None:
    page = fetch(http_server.url(path), fetch_settings)
    assert page.health == "not-html" and page.content_type == ctype
    assert page.reason == f"{ctype} is not an HTML page"


def test_fixture_files_are_served_by_type(http_server, fetch_settings) -> None:
    assert fetch(http_server.url("/fetch/sample.pdf"), fetch_settings).health == "not-html"
    assert fetch(http_server.url("/fetch/basic.html"), fetch_settings).ok
    assert fetch(http_server.url("/../conftest.py"), fetch_settings).health == "http-error"


def test_xhtml_is_accepted(http_server, fetch_settings) -> None:
    page = fetch(http_server.url("/xhtml"), fetch_settings)
    assert page.ok and page.content_type == "application/xhtml+xml"


def test_missing_content_type_is_sniffed(http_server, fetch_settings) -> None:
    page = fetch(http_server.url("/no-content-type"), fetch_settings)
    assert page.ok and page.content_type == "" and "<h1>Served</h1>" in page.html
    binary = fetch(http_server.url("/no-content-type/binary"), fetch_settings)
    assert binary.health == "not-html"
    assert binary.reason == "no content type and the body does not look like HTML"


def test_wrong_declared_charset_falls_back_to_detection(http_server, fetch_settings) -> None:
    page = fetch(http_server.url("/wrong-charset"), fetch_settings)
    assert page.ok and page.charset_source == "detected" and page.charset == "cp1252"
    assert "The café’s façade" in page.html
    assert "“Curly quotes”, an\nen dash – an em dash —" in page.html
    assert "\ufffd" not in page.html


@pytest.mark.parametrize(
    ("path", "charset", "expected"),
    [
        ("/meta-charset/windows-1251", "cp1251", "Новости города"),
        ("/meta-charset/iso-8859-1", "cp1252", "Une journée à la mer"),
    ],
)
def test_charset_from_meta(http_server, fetch_settings, path: str, charset: str, expected: str) -> None:
    page = fetch(http_server.url(path), fetch_settings)
    assert page.ok and (page.charset, page.charset_source) == (charset, "meta")
    assert expected in page.html


def test_gzip_body_is_decoded(http_server, fetch_settings) -> None:
    page = fetch(http_server.url("/gzip"), fetch_settings)
    assert page.ok and "a euro sign €" in page.html


def test_broken_gzip_is_a_network_error(http_server, fetch_settings) -> None:
    page = fetch(http_server.url("/bad-gzip"), fetch_settings)
    assert page.health == "network-error" and "could not decode the gzip body" in page.reason


@pytest.mark.parametrize("path", ["/reset", "/reset-mid-body"])
def test_connection_reset(http_server, fetch_settings, path: str) -> None:
    page = fetch(http_server.url(path), fetch_settings)
    assert page.health == "network-error" and "reset" in page.reason, page.reason


def test_redirect_chain_is_followed(http_server, fetch_settings) -> None:
    page = fetch(http_server.url("/redirect/chain?n=3"), fetch_settings)
    assert page.ok and page.final_url == http_server.url("/ok")
    assert page.attempts == 4  # three redirects and the page


def test_too_many_redirects(http_server, fetch_settings) -> None:
    page = fetch(http_server.url("/redirect/chain?n=7"), fetch_settings)
    assert (page.health, page.reason) == ("network-error", "too many redirects (more than 5)")
    assert page.attempts == 6


def test_redirect_loop(http_server, fetch_settings) -> None:
    page = fetch(http_server.url("/redirect/loop"), fetch_settings)
    assert page.health == "network-error"
    assert page.reason == f"redirect loop: {http_server.url('/redirect/loop')} was already visited"
    assert page.attempts == 2


def test_redirect_without_location(http_server, fetch_settings) -> None:
    page = fetch(http_server.url("/redirect/no-location"), fetch_settings)
    assert page.health == "http-error" and "without a Location" in page.reason


class RecordingSession(requests.Session):
    """A session that remembers every URL it actually sent a request to."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def send(self, request, **kwargs):
        self.sent.append(request.url)
        return super().send(request, **kwargs)


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/redirect/private", "http://10.0.0.1/"),
        ("/redirect/metadata", "http://169.254.169.254/latest/meta-data/"),
    ],
)
def test_redirect_to_an_inward_address_is_refused_without_connecting(
    http_server, fetch_settings, path: str, target: str
) -> None:
    # Only the test server's own address is allowed; everything else private stays refused.
    settings = replace(fetch_settings, allow_private=False)
    session = RecordingSession()
    page = fetch(http_server.url(path), settings, session, allowed_hosts=["127.0.0.1"])
    assert page.health == "refused"
    assert page.reason.startswith(f"redirected to {target}: refused: ")
    assert page.final_url == target and page.attempts == 1
    assert session.sent == [http_server.url(path)]


def test_redirect_to_another_scheme_is_invalid(http_server, fetch_settings) -> None:
    page = fetch(http_server.url("/redirect/ftp"), fetch_settings)
    assert page.health == "invalid-url" and "redirected to ftp://example.com/file.txt" in page.reason


def test_default_settings_refuse_the_local_server_before_any_request(http_server) -> None:
    path = f"/never-{unique()}"
    url = http_server.add_page(path, "<html><body>should not be fetched</body></html>")
    page = fetch(url, Settings())
    assert page.health == "refused" and page.attempts == 0
    assert "127.0.0.1 is a loopback address" in page.reason
    assert http_server.hits(path) == 0


def test_connection_goes_to_the_checked_address(http_server, fetch_settings, monkeypatch) -> None:
    # "pinned.test" exists only in the stub resolver, and the library-level lookup refuses it:
    # the request can only succeed if the connection uses the address that was checked.
    looked_up: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def guarded_getaddrinfo(host, *args, **kwargs):
        looked_up.append(host)
        if host == "pinned.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    resolver = stub_resolver({"pinned.test": ["127.0.0.1"]})
    url = f"http://pinned.test:{http_server.port}/ok"
    page = fetch(url, fetch_settings, resolver=resolver)
    assert page.ok, page.reason
    assert "pinned.test" not in looked_up and "127.0.0.1" in looked_up
    # A session without the pinning adapter looks the name up again (the gap pinning closes).
    plain = requests.Session()
    plain.trust_env = False
    unpinned = fetch(url, fetch_settings, plain, resolver=resolver)
    assert unpinned.health == "network-error" and "pinned.test" in looked_up


def test_a_pinned_session_refuses_hosts_that_were_not_checked(http_server) -> None:
    session = make_session(Settings())
    with pytest.raises(requests.exceptions.ConnectionError, match="was not checked"):
        session.get(http_server.url("/ok"), timeout=1)


@pytest.mark.parametrize("url", ["not a url", "http://", "ftp://example.com/", "http://exa mple.com/"])
def test_fetch_never_raises_for_bad_urls(fetch_settings, url: str) -> None:
    page = fetch(url, fetch_settings, resolver=stub_resolver({}))
    assert page.health in {"invalid-url", "network-error"} and page.reason
    assert page.attempts == 0


def test_every_health_is_a_known_value(http_server, fetch_settings) -> None:
    paths = ["/ok", "/status/404", "/status/403", "/pdf", "/huge", "/redirect/loop", "/reset"]
    pages = fetch_many([http_server.url(p) for p in paths], fetch_settings)
    assert {p.health for p in pages} <= set(HEALTH_ORDER)


# --- many URLs -----------------------------------------------------------------------------


def test_fetch_many_keeps_input_order_and_survives_failures(http_server, fetch_settings) -> None:
    paths = ["/slow?s=0.3", "/status/404", "/fetch/basic.html", "/pdf", "/reset", "/ok", "/redirect/loop"]
    urls = [http_server.url(p) for p in paths] + ["gopher://example.com/"]
    seen: list[str] = []
    pages = fetch_many(urls, fetch_settings, on_result=lambda page: seen.append(page.url))
    assert [p.url for p in pages] == urls
    assert [p.health for p in pages] == [
        "ok", "http-error", "ok", "not-html", "network-error", "ok", "network-error", "invalid-url",
    ]  # fmt: skip
    assert sorted(seen) == sorted(urls)
    assert fetch_many([], fetch_settings) == []


def test_fetch_many_records_an_unexpected_error_and_keeps_the_rest(
    http_server, fetch_settings, monkeypatch
) -> None:
    real_fetch = fetch_mod.fetch

    def flaky(url, settings, session=None, **kwargs):
        if url.endswith("/boom"):
            raise RuntimeError("something nobody expected")
        return real_fetch(url, settings, session, **kwargs)

    monkeypatch.setattr(fetch_mod, "fetch", flaky)
    urls = [http_server.url("/ok"), http_server.url("/boom"), http_server.url("/fetch/basic.html")]
    pages = fetch_many(urls, fetch_settings)
    assert [p.health for p in pages] == ["ok", "network-error", "ok"]
    assert pages[1].reason == "unexpected error: RuntimeError: something nobody expected"


def _gate_route(http_server, path: str, hold: float = 0.15):
    def handler(req) -> None:
        time.sleep(hold)  # keep the request open so overlapping requests are visible
        req.send(200, "<html><body><p>gate</p></body></html>")

    http_server.add_route(path, handler)


def test_fetch_many_respects_per_domain_concurrency(http_server, fetch_settings) -> None:
    path = f"/gate-{unique()}"
    _gate_route(http_server, path)
    settings = replace(fetch_settings, workers=6, per_domain=2)
    pages = fetch_many([http_server.url(f"{path}?i={i}") for i in range(6)], settings)
    assert all(p.ok for p in pages)
    assert http_server.hits(path) == 6
    assert http_server.max_in_flight(path) == 2


def test_fetch_many_runs_different_domains_side_by_side(http_server, fetch_settings) -> None:
    # "localhost" and "127.0.0.1" are different registered domains for the limiter.
    path = f"/gate-{unique()}"
    _gate_route(http_server, path)
    settings = replace(fetch_settings, workers=4, per_domain=1)
    urls = [
        f"http://{host}:{http_server.port}{path}?i={i}"
        for i in range(3)
        for host in ("localhost", "127.0.0.1")
    ]
    pages = fetch_many(urls, settings)
    assert all(p.ok for p in pages), [p.reason for p in pages]
    assert http_server.max_in_flight(path) == 2


def test_on_result_runs_in_the_calling_thread(http_server, fetch_settings) -> None:
    threads: set[int] = set()
    fetch_many(
        [http_server.url("/ok")] * 3, fetch_settings, on_result=lambda _: threads.add(threading.get_ident())
    )
    assert threads == {threading.get_ident()}


# --- properties ----------------------------------------------------------------------------

_url_text = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda scheme, host, path, query, frag: f"{scheme}://{host}{path}?{query}#{frag}",
        st.sampled_from(["http", "https", "HTTP", "ftp", "file", ""]),
        st.text(alphabet="abcXYZ019.-:[]@%_", max_size=20),
        st.text(alphabet="/abc%20.-_~", max_size=20),
        st.text(alphabet="abc=&_+%;utm", max_size=30),
        st.text(alphabet="ab", max_size=3),
    ),
)


@hypothesis_settings(max_examples=150, deadline=None)
@given(_url_text)
def test_inspect_url_never_raises(url: str) -> None:
    result = inspect_url(url, Settings(), resolver=stub_resolver({}))
    assert result.health in {"ok", "invalid-url", "refused", "network-error"}
    assert result.ok == (result.reason == "")


@hypothesis_settings(max_examples=150, deadline=None)
@given(_url_text)
def test_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once
    try:
        parts = urlsplit(once)
    except ValueError:
        return
    if parts.scheme and parts.hostname:  # a real URL: no tracking parameters left
        assert not [k for k, _ in parse_qsl(parts.query) if k.lower().startswith("utm_")]


# --- issue 12: a declared charset with a few bad bytes is kept, with replacements ---------------

RUSSIAN = "Правительство объявило о новых мерах поддержки экономики и малого бизнеса. " * 8
FRENCH = "Le café de la mairie a fermé ses portes après une réunion houleuse. «C’est la fin», dit l’élu. " * 8


def _page(body_text: str, meta: str = "") -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<html><head>{head}<title>News</title></head><body><p>{body_text}</p></body></html>"


def _with_broken_bytes(text: str) -> bytes:
    """UTF-8 with two bytes that are invalid in it: a stray 0xFF and a character cut in two."""
    data = text.encode("utf-8")
    cut = data.index("мерах".encode()) + 1  # inside "м" (2 bytes): keep its lead byte only
    data = data[:cut] + data[cut + 1 :]
    stray = data.index(" малого".encode(), cut)  # before an ASCII space: breaks no character
    return data[:stray] + b"\xff" + data[stray:]


@pytest.mark.parametrize("declared", ["header", "meta"])
def test_declared_utf8_with_a_few_invalid_bytes_is_kept_with_replacements(declared: str) -> None:
    body = _with_broken_bytes(_page(RUSSIAN, meta="utf-8" if declared == "meta" else ""))
    content_type = "text/html; charset=utf-8" if declared == "header" else "text/html"
    text, charset, source = decode_html(body, content_type)
    assert (charset, source) == ("utf-8", declared)  # not the whole page in cp1251
    assert text.count("\ufffd") == 2
    assert "Правительство объявило" in text and "\u0420\u045f" not in text  # no "РџСЂ" mojibake


def test_a_page_with_bytes_lost_in_decoding_is_encoding_suspect(http_server, fetch_settings) -> None:
    from analysis.ingest.extract import extract_article

    body = _with_broken_bytes(_page(FRENCH + " " + RUSSIAN))
    url = http_server.add_page("/charset/utf8-few-invalid", body, "text/html; charset=utf-8")
    page = fetch(url, fetch_settings)
    assert page.ok and (page.charset, page.charset_source) == ("utf-8", "header")
    article = extract_article(page.html, page.final_url, fetch_settings)
    assert "encoding-suspect" in article.problems
    assert "could not be decoded" in article.reason and "Le café de la mairie" in article.text


@pytest.mark.parametrize(
    ("text", "real"),
    [
        (RUSSIAN, "cp1251"),
        (FRENCH, "cp1252"),
        ("政府は今日、新しい経済対策を発表しました。首相は記者会見で景気回復を強調した。" * 6, "shift_jis"),
        ("정부는 오늘 새로운 경제 대책을 발표했다. 총리는 기자회견에서 경기 회복을 강조했다. " * 6, "euc_kr"),
    ],
)
def test_a_page_in_another_charset_than_declared_is_still_detected(text: str, real: str) -> None:
    """Mislabelled pages fail on most of their non-ASCII bytes, far above the tolerance."""
    decoded, charset, source = decode_html(_page(text).encode(real), "text/html; charset=utf-8")
    assert source == "detected" and text[:20] in decoded and "\ufffd" not in decoded, charset


def test_valid_utf8_is_not_read_in_a_failing_declared_charset() -> None:
    """UTF-8 Chinese labelled GBK fails GBK on few bytes (GBK accepts most byte pairs), but being
    valid UTF-8 it is detected as such instead of kept as GBK with replacements."""
    text = "中华人民共和国国务院今天发布了关于加强城市规划建设管理工作的若干意见。" * 6
    decoded, charset, source = decode_html(_page(text).encode("utf-8"), "text/html; charset=gbk")
    assert (charset, source) == ("utf-8", "detected") and text[:20] in decoded


def test_the_tolerance_counts_replacements_per_non_ascii_byte() -> None:
    from analysis.ingest.fetch import DECLARED_CHARSET_MAX_INVALID, invalid_share

    assert invalid_share(b"plain ascii", "utf-8") == ("plain ascii", 0.0)
    assert invalid_share(FRENCH.encode("cp1252"), "utf-8")[1] == 1.0
    assert invalid_share("’ x".encode() + b"\xff", "utf-8")[1] == 0.25 <= DECLARED_CHARSET_MAX_INVALID
    assert invalid_share("a \ufffd b".encode(), "utf-8")[1] == 0.0  # U+FFFD written in the page
