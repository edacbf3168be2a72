"""Server-side request forgery: every trick for reaching inward addresses is refused by default.

Each row of ``TRICKS`` is a URL a user (or a redirect) could hand the fetcher, the health it must
get with default settings and a fragment of the reason the user reads.  Address tricks are
allowed only by an explicit setting (``allow_private`` or ``allowed_hosts``); malformed URLs
(other schemes, control characters, over-long, backslashes ...) stay invalid whatever the
settings.  Ports: any port 1-65535 is accepted on a public address (news sites use 8080/8443
and only HTTP is spoken), none on a private one.
"""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest
import requests

from analysis.ingest.fetch import MAX_URL_CHARS, check_url, fetch, inspect_url
from analysis.ingest.robots import RobotsCache
from analysis.settings import Settings

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"

# Names only the stub resolver knows (no real DNS in tests).
NAMES: dict[str, list[str]] = {
    "good.example": [PUBLIC_V4],
    "news.example": [PUBLIC_V4, PUBLIC_V6],
    "localtest.example": ["127.0.0.1"],  # like localtest.me / nip.io: a public name, inward address
    "metadata.example": ["169.254.169.254"],
    "mixed.example": [PUBLIC_V4, "10.0.0.7"],  # one bad address among good ones is enough
    "mixed6.example": [PUBLIC_V6, "::1"],
    "xn--bcher-kva.example": ["192.168.0.2"],  # bücher.example after IDNA
    "localhost": ["127.0.0.1", "::1"],
    "example.com": [PUBLIC_V4],
}


def stub_resolver(mapping: dict[str, list[str]] = NAMES):
    def resolve(host, port, *args, **kwargs):
        if host not in mapping:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        out = []
        for addr in mapping[host]:
            if ":" in addr:
                out.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (addr, port, 0, 0)))
            else:
                out.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (addr, port)))
        return out

    return resolve


LONG_URL = "http://good.example/" + "a" * (MAX_URL_CHARS - len("http://good.example/") + 1)

# (url, health with default settings, fragment of the reason)
TRICKS: list[tuple[str, str, str]] = [
    # loopback in every spelling the C library accepts
    ("http://127.0.0.1/", "refused", "127.0.0.1 is a loopback address"),
    ("http://127.1/", "refused", "127.0.0.1 is a loopback address"),
    ("http://0x7f000001/", "refused", "127.0.0.1 is a loopback address"),
    ("http://2130706433/", "refused", "127.0.0.1 is a loopback address"),
    ("http://0177.0.0.1/", "refused", "127.0.0.1 is a loopback address"),
    ("http://017700000001/", "refused", "127.0.0.1 is a loopback address"),
    ("http://0x7f.1/", "refused", "127.0.0.1 is a loopback address"),
    ("http://127.255.255.254:8080/admin", "refused", "loopback"),
    ("http://%31%32%37.0.0.1/", "refused", "127.0.0.1 is a loopback address"),
    ("http://[::1]/", "refused", "::1 is a loopback address"),
    ("http://[::ffff:127.0.0.1]/", "refused", "loopback address (IPv4 127.0.0.1 inside an IPv6 address)"),
    ("http://[0:0:0:0:0:ffff:7f00:1]/", "refused", "IPv4 127.0.0.1 inside"),
    ("http://[2002:7f00:1::1]/", "refused", "IPv4 127.0.0.1 inside"),  # 6to4
    # "this host"
    ("http://0.0.0.0/", "refused", "0.0.0.0 is an unspecified address"),
    ("http://0/", "refused", "0.0.0.0 is an unspecified address"),
    ("http://[::]/", "refused", ":: is an unspecified address"),
    # cloud metadata
    ("http://169.254.169.254/latest/meta-data/", "refused", "link-local (cloud metadata)"),
    ("http://[64:ff9b::a9fe:a9fe]/", "refused", "cloud metadata"),  # NAT64 wrapping it
    ("http://[fd00:ec2::254]/latest/meta-data/", "refused", "unique-local"),  # AWS's IPv6 endpoint
    ("http://metadata.example/", "refused", "metadata.example resolves to 169.254.169.254"),
    # private IPv4 ranges
    ("http://10.0.0.1/", "refused", "10.0.0.1 is a private address"),
    ("http://10.255.255.254:8080/", "refused", "private"),
    ("http://172.16.0.1/", "refused", "172.16.0.1 is a private address"),
    ("http://172.31.255.255/", "refused", "private"),
    ("http://192.168.1.1/", "refused", "192.168.1.1 is a private address"),
    ("http://100.64.0.1/", "refused", "100.64.0.1 is a non-public address"),  # carrier-grade NAT
    ("http://198.18.0.1/", "refused", "private"),  # benchmarking range
    # IPv6 local ranges
    ("http://[fc00::1]/", "refused", "unique-local"),
    ("http://[fd12:3456::1]/", "refused", "unique-local"),
    ("http://[fe80::1]/", "refused", "link-local"),
    ("http://[fe80::1%25eth0]/", "refused", "link-local"),
    # multicast
    ("http://224.0.0.1/", "refused", "224.0.0.1 is a multicast address"),
    ("http://239.255.255.250:1900/", "refused", "multicast"),  # SSDP
    ("http://[ff02::1]/", "refused", "multicast"),
    # names that resolve inward
    ("http://localtest.example/", "refused", "localtest.example resolves to 127.0.0.1, which is a loopback"),
    ("http://mixed.example/", "refused", "mixed.example resolves to 10.0.0.7"),
    ("http://mixed6.example/", "refused", "mixed6.example resolves to ::1"),
    ("http://LOCALHOST./", "refused", "localhost resolves to 127.0.0.1"),
    ("http://bücher.example/", "refused", "xn--bcher-kva.example resolves to 192.168.0.2"),  # IDN
    # userinfo and fragment tricks: the host is what follows the last "@" before the path
    ("http://good.example@127.0.0.1/", "refused", "127.0.0.1 is a loopback"),
    ("http://good.example:pass@10.0.0.1/", "refused", "10.0.0.1 is a private"),
    ("http://127.0.0.1#@good.example/", "refused", "127.0.0.1 is a loopback"),
    ("http://127.0.0.1?@good.example/", "refused", "127.0.0.1 is a loopback"),
    ("http://@127.0.0.1/", "refused", "127.0.0.1 is a loopback"),
    # not http(s)
    ("file:///etc/passwd", "invalid-url", "only http:// and https://"),
    ("ftp://good.example/file.txt", "invalid-url", "only http:// and https://"),
    ("gopher://127.0.0.1:25/_HELO%20localhost", "invalid-url", "only http:// and https://"),
    ("dict://127.0.0.1:11211/stats", "invalid-url", "only http:// and https://"),
    ("data:text/html,<h1>hi</h1>", "invalid-url", "only http:// and https://"),
    ("javascript:alert(1)", "invalid-url", "only http:// and https://"),
    ("//127.0.0.1/", "invalid-url", "no scheme"),
    # hosts no parser should have to guess about
    ("http://１２７.０.０.１/", "invalid-url", "not a valid IDNA label"),  # full-width digits
    ("http://127。0。0。1/", "invalid-url", "not a valid IDNA label"),  # ideographic full stops
    ("http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/", "invalid-url", "not a valid IDNA label"),  # enclosed letters
    ("http://good.example\\@127.0.0.1/", "invalid-url", "backslash"),
    ("http://\u200bgood.example/", "invalid-url", "invisible formatting character U+200B"),
    # whitespace and control characters (header injection, parser confusion)
    ("http://127.0.0.1\t.good.example/", "invalid-url", "control character U+0009"),
    ("http://good.example/\r\nHost: 127.0.0.1", "invalid-url", "control character U+000D"),
    ("http://good.example/a\x00b", "invalid-url", "control character U+0000"),
    ("http://good .example/", "invalid-url", "a space"),
    ("http://good.example/a\u2028b", "invalid-url", "U+2028"),
    # ports that cannot be right, and absurd lengths
    ("http://good.example:0/", "invalid-url", "port 0"),
    ("http://good.example:99999/", "invalid-url", "invalid URL"),
    ("http://127.0.0.1:80:80/", "invalid-url", "invalid URL"),
    (LONG_URL, "invalid-url", f"more than the {MAX_URL_CHARS:,} accepted"),
]

ADDRESS_TRICKS = [row for row in TRICKS if row[1] == "refused"]
MALFORMED = [row for row in TRICKS if row[1] == "invalid-url"]


def _id(row: tuple[str, str, str]) -> str:
    return row[0][:60].encode("unicode_escape").decode("ascii")


def test_the_table_is_big_enough() -> None:
    assert len(TRICKS) >= 30 and len(ADDRESS_TRICKS) >= 30
    assert len({url for url, _, _ in TRICKS}) == len(TRICKS)


@pytest.mark.parametrize(("url", "health", "fragment"), TRICKS, ids=[_id(r) for r in TRICKS])
def test_refused_by_default_with_a_clear_reason(url: str, health: str, fragment: str) -> None:
    result = inspect_url(url, Settings(), resolver=stub_resolver())
    assert result.health == health, result.reason
    assert fragment in result.reason
    prefix = "refused: " if health == "refused" else "invalid URL"
    assert result.reason.startswith(prefix)
    if health == "refused":  # the reason says how to allow it on purpose
        assert "--allow-private" in result.reason


@pytest.mark.parametrize(("url", "health", "fragment"), TRICKS, ids=[_id(r) for r in TRICKS])
def test_fetch_refuses_without_any_request(url: str, health: str, fragment: str) -> None:
    session = RecordingSession()
    robots = RobotsCache()
    page = fetch(url, Settings(), session, resolver=stub_resolver(), robots=robots)
    assert page.health == health and fragment in page.reason
    assert page.html is None and page.attempts == 0
    assert session.sent == [] and robots.loads == 0  # not even robots.txt was asked for


@pytest.mark.parametrize(("url", "health", "fragment"), ADDRESS_TRICKS, ids=[_id(r) for r in ADDRESS_TRICKS])
def test_address_tricks_pass_only_with_allow_private(url: str, health: str, fragment: str) -> None:
    assert check_url(url, Settings(allow_private=True), resolver=stub_resolver()) is None


@pytest.mark.parametrize(("url", "health", "fragment"), MALFORMED, ids=[_id(r) for r in MALFORMED])
def test_malformed_urls_stay_invalid_whatever_the_settings(url: str, health: str, fragment: str) -> None:
    lenient = Settings(allow_private=True, allowed_hosts="127.0.0.0/8, good.example")
    result = inspect_url(url, lenient, resolver=stub_resolver())
    assert result.health == "invalid-url" and fragment in result.reason


def test_allowed_hosts_opens_exactly_what_it_lists() -> None:
    resolve = stub_resolver()
    loopback_only = Settings(allowed_hosts="127.0.0.0/8")
    for url in ("http://127.0.0.1/", "http://127.1/", "http://0x7f000001/", "http://localtest.example/"):
        assert check_url(url, loopback_only, resolver=resolve) is None, url
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "http://[::1]/", "http://mixed.example/"):
        assert check_url(url, loopback_only, resolver=resolve).startswith("refused:"), url
    by_name = Settings(allowed_hosts="mixed.example")
    assert check_url("http://mixed.example/", by_name, resolver=resolve) is None
    assert check_url("http://metadata.example/", by_name, resolver=resolve).startswith("refused:")


@pytest.mark.parametrize("port", [1, 22, 25, 443, 6379, 8080, 8443, 65535])
def test_any_port_is_fine_on_a_public_host_and_none_on_a_private_one(port: int) -> None:
    resolve = stub_resolver()
    assert check_url(f"http://good.example:{port}/news", Settings(), resolver=resolve) is None
    assert check_url(f"https://{PUBLIC_V4}:{port}/", Settings(), resolver=resolve) is None
    assert check_url(f"http://10.0.0.1:{port}/", Settings(), resolver=resolve).startswith("refused:")


def test_idn_hosts_are_looked_up_in_their_ascii_form() -> None:
    seen: list[str] = []

    def resolve(host, port, *args, **kwargs):
        seen.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_V4, port))]

    assert check_url("https://bücher.example/neu", Settings(), resolver=resolve) is None
    assert seen == ["xn--bcher-kva.example"]


def test_url_length_limit_is_inclusive() -> None:
    base = "http://good.example/"
    at_limit = base + "a" * (MAX_URL_CHARS - len(base))
    assert len(at_limit) == MAX_URL_CHARS
    assert check_url(at_limit, Settings(), resolver=stub_resolver()) is None
    assert "more than the 2,000 accepted" in check_url(at_limit + "a", Settings(), resolver=stub_resolver())


def test_surrounding_whitespace_is_trimmed_not_refused() -> None:
    assert check_url("  \thttps://good.example/story\n", Settings(), resolver=stub_resolver()) is None


# --- through the local server: redirects into private space ------------------------------------


class RecordingSession(requests.Session):
    """A session that remembers every URL it actually sent a request to."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False
        self.sent: list[str] = []

    def send(self, request, **kwargs):
        self.sent.append(request.url)
        return super().send(request, **kwargs)


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("http://10.0.0.1/", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://[::1]:8080/", "::1 is a loopback address"),
        ("http://127.0.0.2/", "127.0.0.2 is a loopback address"),  # loopback, but not the allowed one
        ("http://mixed.example/", "mixed.example resolves to 10.0.0.7"),
        ("http://metadata.example/", "resolves to 169.254.169.254"),
        ("file:///etc/passwd", "only http:// and https://"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "only http:// and https://"),
    ],
)
def test_redirect_from_an_allowed_host_into_private_space_is_refused_without_connecting(
    http_server, fetch_settings, target: str, fragment: str
) -> None:
    # Only the test server's address (127.0.0.1) is let through, by the allowed_hosts setting.
    path = f"/ssrf-redirect/{target.encode().hex()}"
    http_server.add_route(path, lambda req: req.redirect(target))
    settings = replace(fetch_settings, allow_private=False, allowed_hosts="127.0.0.1")
    session = RecordingSession()
    robots = RobotsCache()
    page = fetch(http_server.url(path), settings, session, resolver=stub_resolver(), robots=robots)
    assert page.health in {"refused", "invalid-url"}
    assert page.reason.startswith(f"redirected to {target}") and fragment in page.reason
    assert page.final_url == target
    assert session.sent == [http_server.url(path)]  # the private target was never contacted
    assert http_server.hits(path) == 1


def test_the_local_server_itself_needs_an_explicit_setting(http_server) -> None:
    path = "/ssrf-never-fetched"
    url = http_server.add_page(path, "<html><body>secret</body></html>")
    page = fetch(url, Settings(), robots=RobotsCache())
    assert page.health == "refused" and http_server.hits(path) == 0
    allowed = fetch(url, replace(Settings(), allowed_hosts="127.0.0.1", domain_delay=0), robots=RobotsCache())
    assert allowed.ok and http_server.hits(path) == 1
