"""robots.txt: what a site lets this tool fetch (RFC 9309), cached per origin for the process.

This module is pure apart from its cache: :mod:`analysis.ingest.fetch` downloads ``/robots.txt``
through its own safe path (address checks, size cap, short deadline) and hands the outcome
to one of the ``from_*`` constructors here, which turn it into a :class:`RobotsFile`.

How a fetch outcome becomes a verdict (RFC 9309 section 2.3.1, with one deliberate deviation):

============================================  ======================================================
outcome of GET /robots.txt                    verdict
============================================  ======================================================
2xx                                           parse the text (first ``ROBOTS_MAX_BYTES``), obey it
redirects                                     followed (up to ``Settings.max_redirects``, every hop
                                              checked like any URL); more, a loop, or a hop into
                                              a refused address: "unavailable" -> allow (2.3.1.2)
401, 403                                      disallow everything.  RFC 9309 counts every 4xx as
                                              "unavailable" (allow); we follow the older, more
                                              cautious convention of Python's robotparser here: a
                                              site that forbids us its robots.txt is unlikely to
                                              want its pages fetched (``AUTH_MEANS_DISALLOW``)
429                                           "unreachable" -> disallow (treated like 5xx, as the
                                              big crawlers do)
other 4xx (404, 410 ...)                      "unavailable" -> allow everything (2.3.1.3)
5xx, timeout, reset, DNS failure ...          "unreachable" -> disallow everything (2.3.1.4), for
                                              ``ROBOTS_ERROR_TTL`` seconds (the rest of a batch)
============================================  ======================================================

Matching is protego's (Scrapy's RFC 9309 parser): the longest matching rule wins, ``Allow``
wins a tie, ``*`` in a rule matches any characters and a final ``$`` anchors the end, percent-
encoding is normalised as the RFC says, ``/robots.txt`` itself is always allowed.  Around it, this
module decides which group applies, as RFC 9309 section 2.2.1 says: every group naming our product
token (exactly, case-insensitive: ``media-bias-dashboard`` from the user agent) applies, merged,
else every ``*`` group, merged (protego alone would also take a group named by a prefix of the
token, such as ``media``).  The groups (:func:`parse_robots`: blank lines do not end a group,
rules outside any group are ignored) also name the rule in a refusal, and give ``Crawl-delay``
(not in the RFC, but widely used), honoured by the fetcher up to ``MAX_CRAWL_DELAY`` seconds.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import unquote, urlsplit

from protego import Protego

# --- constants -------------------------------------------------------------------------------

ROBOTS_PATH = "/robots.txt"
# RFC 9309 section 2.5: a parsing limit, if any, must be at least 500 KiB.  We read this much and
# parse it; anything after it is ignored (the file is not refused).
ROBOTS_MAX_BYTES = 512_000
# Wall-clock limit for fetching one robots.txt (redirects and retries included), also capped by
# Settings.deadline: a robots.txt that takes longer is "unreachable".
ROBOTS_DEADLINE = 10.0
# How long a parsed (or missing, or forbidden) robots.txt is reused.  RFC 9309 section 2.4: a
# cached copy should not be used for more than 24 hours; one hour follows changes sooner.
ROBOTS_TTL = 3600.0
# How long "unreachable" (5xx, 429, timeout, reset) is remembered: long enough that a batch of
# many URLs from one site does not hit the failing robots.txt once per URL, short enough that a
# long-running dashboard tries again a few minutes later.
ROBOTS_ERROR_TTL = 300.0
# Crawl-delay is honoured up to this many seconds: a larger value would stall a batch for
# minutes (the site then gets one request per MAX_CRAWL_DELAY seconds from us, still polite).
MAX_CRAWL_DELAY = 10.0
# 401/403 on robots.txt: True = disallow everything (Python's robotparser, cautious), False =
# allow everything (RFC 9309's "unavailable").  See the module docstring.
AUTH_MEANS_DISALLOW = True

ALLOW_ALL = "allow-all"
DISALLOW_ALL = "disallow-all"
RULES = "rules"


# --- parsing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One ``Allow``/``Disallow`` line: ``path`` as written, ``line`` for messages."""

    allow: bool
    path: str
    line: str


@dataclass(frozen=True)
class Group:
    agents: tuple[str, ...]  # lower-case product tokens ("*" for everyone)
    rules: tuple[Rule, ...]
    crawl_delay: float | None = None


# Directives outside the groups: they neither start nor end one (as in protego).
_SITE_WIDE = frozenset({"sitemap", "host"})


def product_token(user_agent: str) -> str:
    """'media-bias-dashboard/0.1 (research)' -> 'media-bias-dashboard' (lower case)."""
    token = (user_agent or "").strip().split("/", 1)[0].split(None, 1)
    return token[0].lower() if token else ""


def _crawl_delay(value: str) -> float | None:
    try:
        delay = float(value)
    except ValueError:
        return None
    return delay if math.isfinite(delay) and delay >= 0 else None


def parse_robots(text: str) -> tuple[Group, ...]:
    """The groups of a robots.txt file (never raises; unknown lines are ignored).

    A group is one or more ``User-agent`` lines and the lines after them, up to the next
    ``User-agent`` line that follows another directive; blank lines do not end it (RFC 9309).
    """
    groups: list[Group] = []
    agents: list[str] = []
    rules: list[Rule] = []
    delay: float | None = None
    previous = ""
    for raw in (text or "").lstrip("\ufeff").splitlines():
        key, colon, value = raw.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if not colon or not key:
            continue
        if key == "user-agent":
            if previous and previous != "user-agent":  # a new group starts
                if agents:
                    groups.append(Group(tuple(agents), tuple(rules), delay))
                agents, rules, delay = [], [], None
            if value:
                agents.append("*" if value == "*" else product_token(value))
        elif agents and key in ("allow", "disallow") and value:  # an empty Disallow allows everything
            allow = key == "allow"
            rules.append(Rule(allow, value, f"{'Allow' if allow else 'Disallow'}: {value}"))
        elif agents and key == "crawl-delay" and (seconds := _crawl_delay(value)) is not None:
            delay = seconds
        if key not in _SITE_WIDE:
            previous = key
    if agents:
        groups.append(Group(tuple(agents), tuple(rules), delay))
    return tuple(groups)


def rules_for(groups: Iterable[Group], token: str) -> tuple[tuple[Rule, ...], float | None]:
    """Merged rules (and crawl delay) of the groups naming ``token``, else of the ``*`` groups."""
    groups = tuple(groups)
    token = token.lower()
    chosen = [g for g in groups if token and token in g.agents]
    if not chosen:
        chosen = [g for g in groups if "*" in g.agents]
    rules = tuple(r for g in chosen for r in g.rules)
    delays = [g.crawl_delay for g in chosen if g.crawl_delay is not None]
    return rules, (max(delays) if delays else None)


def _deciding_rule(rules: Iterable[Rule], url: str) -> Rule | None:
    """For a refusal message: the longest ``Disallow`` rule that protego matches with ``url``."""
    matching = [
        r for r in rules if not r.allow and not Protego.parse(f"User-agent: *\n{r.line}").can_fetch(url, "*")
    ]
    return max(matching, key=lambda r: len(r.path), default=None)


def _display_path(url: str) -> str:
    """Path and query of ``url``, percent-decoded (for messages)."""
    try:
        parts = urlsplit(url or "/")
    except ValueError:
        return unquote(url or "/")
    return unquote((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))


# --- verdicts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RobotsDecision:
    allowed: bool
    reason: str = ""  # why not, starting "robots.txt disallows"
    crawl_delay: float | None = None  # seconds the site asks between requests (capped)


@dataclass(frozen=True)
class RobotsFile:
    """What one origin's robots.txt says, and how long to trust that."""

    url: str  # the robots.txt URL
    verdict: str  # RULES, ALLOW_ALL or DISALLOW_ALL
    groups: tuple[Group, ...] = ()
    why: str = ""  # for ALLOW_ALL / DISALLOW_ALL: what the fetch found ("HTTP 404", "timeout ...")
    ttl: float = ROBOTS_TTL
    loaded_at: float = field(default_factory=time.monotonic)
    matcher: Protego | None = field(default=None, compare=False, repr=False)  # RULES: the parsed file

    def expired(self, now: float | None = None) -> bool:
        return (time.monotonic() if now is None else now) - self.loaded_at >= self.ttl

    def decide(self, url: str, user_agent: str) -> RobotsDecision:
        """May ``user_agent`` fetch ``url`` (same origin as this file)?"""
        path = _display_path(url)
        if self.verdict == ALLOW_ALL or path == ROBOTS_PATH:
            return RobotsDecision(True)
        if self.verdict == DISALLOW_ALL:
            return RobotsDecision(False, f"robots.txt disallows every page of this site for now: {self.why}")
        token = product_token(user_agent)
        named = bool(token) and any(token in g.agents for g in self.groups)
        rules, delay = rules_for(self.groups, token)
        delay = min(delay, MAX_CRAWL_DELAY) if delay is not None else None
        # protego picks the group itself; "*" makes it take the "*" groups when none names us exactly
        if self.matcher is None or self.matcher.can_fetch(url, token if named else "*"):
            return RobotsDecision(True, crawl_delay=delay)
        rule = _deciding_rule(rules, url)
        which = f"rule '{rule.line}' in {self.url}" if rule is not None else self.url
        return RobotsDecision(
            False, f"robots.txt disallows {path} for {token if named else 'all robots'} ({which})", delay
        )


def from_text(url: str, text: str) -> RobotsFile:
    """A robots.txt that was served (2xx): its rules."""
    text = (text or "").lstrip("\ufeff")  # protego would read "\ufeffUser-agent" as an unknown line
    return RobotsFile(url, RULES, parse_robots(text), matcher=Protego.parse(text))


def from_status(url: str, status: int) -> RobotsFile:
    """A robots.txt request that ended with a non-2xx status (redirects already followed)."""
    if status in (401, 403) and AUTH_MEANS_DISALLOW:
        return RobotsFile(url, DISALLOW_ALL, why=f"{url} answered HTTP {status} (access to it is refused)")
    if status == 429 or status >= 500:
        return unreachable(url, f"HTTP {status}")
    if 400 <= status < 500:
        return RobotsFile(url, ALLOW_ALL, why=f"{url} answered HTTP {status} (no robots.txt)")
    return unavailable(url, f"unexpected HTTP {status}")


def unreachable(url: str, why: str) -> RobotsFile:
    """5xx, 429, timeout, reset, DNS failure: RFC 9309 says assume complete disallow."""
    return RobotsFile(
        url,
        DISALLOW_ALL,
        why=f"{url} could not be read ({why}); RFC 9309 says to fetch nothing until it can",
        ttl=ROBOTS_ERROR_TTL,
    )


def unavailable(url: str, why: str) -> RobotsFile:
    """Redirect problems (too many, a loop, a refused target): treated as no robots.txt."""
    return RobotsFile(url, ALLOW_ALL, why=f"{url} is unavailable ({why})")


def robots_url(url: str) -> str | None:
    """'https://Example.com:8443/a/b?c' -> 'https://example.com:8443/robots.txt' (None if not a URL)."""
    try:
        parts = urlsplit((url or "").strip())
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return f"{parts.scheme.lower()}://{netloc}{ROBOTS_PATH}"


# --- the per-process cache -------------------------------------------------------------------

Loader = Callable[[], tuple[RobotsFile, bool]]  # (file, cacheable)


class RobotsCache:
    """Per-origin robots.txt verdicts with a TTL; one download per origin even with many threads."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._files: dict[str, RobotsFile] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.loads = 0  # downloads started (for tests and statistics)

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def peek(self, key: str) -> RobotsFile | None:
        with self._guard:
            found = self._files.get(key)
        return found if found is not None and not found.expired(self.clock()) else None

    def get(self, key: str, loader: Loader, wait: float | None = None) -> RobotsFile:
        """The cached verdict for ``key``, loading it (once, whatever the threads) when missing.

        Raises TimeoutError if another thread's download takes longer than ``wait`` seconds.
        """
        found = self.peek(key)
        if found is not None:
            return found
        lock = self._lock_for(key)
        if not lock.acquire(timeout=-1 if wait is None else max(wait, 0.0)):
            raise TimeoutError(f"waited {wait:g} s for robots.txt")
        try:
            found = self.peek(key)  # another thread may have loaded it while we waited
            if found is not None:
                return found
            with self._guard:
                self.loads += 1
            robots_file, cacheable = loader()
            robots_file = replace(robots_file, loaded_at=self.clock())
            if cacheable:
                with self._guard:
                    self._files[key] = robots_file
            return robots_file
        finally:
            lock.release()

    def clear(self) -> None:
        with self._guard:
            self._files.clear()
            self.loads = 0


DEFAULT_CACHE = RobotsCache()  # the process-wide cache used when a caller passes none
