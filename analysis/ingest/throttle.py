"""Politeness helpers for fetching: per-domain request spacing and ``Retry-After`` (pure, no network)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from analysis.ingest.outlets import registered_domain


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
