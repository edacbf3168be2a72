"""All tunable defaults in one place, as data.

Each value can be overridden by an environment variable ``ANALYSIS_<NAME>`` (upper
case), and the CLI maps its flags onto the same fields.  ``tests/test_settings.py``
checks that every field is documented in the README's settings table.
"""

from __future__ import annotations

import getpass
import math
import os
from dataclasses import dataclass, fields, replace
from numbers import Integral, Real
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DB_URL = f"sqlite:///{DATA_DIR / 'analysis.db'}"

# Numeric settings that may be 0 (no pause, no retry, cache off ...); every other number must be
# greater than 0.  All numbers must be finite, and integer fields whole numbers.
ZERO_ALLOWED: frozenset[str] = frozenset(
    {
        "retries",
        "backoff",
        "max_retry_wait",
        "domain_delay",
        "cache_ttl",
        "max_redirects",
        "short_words",
        "event_window_days",
    }
)


class SettingsError(ValueError):
    """A setting with an unusable value; the message names the setting (or its variable)."""


@dataclass(frozen=True)
class Settings:
    # --- fetching -------------------------------------------------------------
    connect_timeout: float = 5.0  # seconds to open a connection
    read_timeout: float = 15.0  # seconds between two bytes of the response
    deadline: float = 30.0  # wall-clock cap for one URL, retries included
    max_bytes: int = 5_000_000  # body cap: bigger pages are refused as "too-large"
    max_redirects: int = 5
    retries: int = 2  # extra attempts on 429/503
    backoff: float = 1.0  # first retry waits this long, then doubles (Retry-After wins)
    max_retry_wait: float = 10.0  # never sleep longer than this for one retry
    workers: int = 8  # concurrent fetches in a batch
    per_domain: int = 2  # concurrent fetches to one registered domain
    allow_private: bool = False  # allow private/loopback/link-local addresses (tests, intranets)
    allowed_hosts: str = ""  # comma-separated hosts/addresses/networks allowed although private
    respect_robots: bool = True  # obey robots.txt (a run may turn it off: --ignore-robots)
    domain_delay: float = 0.2  # seconds between two requests to the same site (politeness)
    cache_ttl: float = 3600.0  # seconds a fetched page is reused without asking the site again; 0 = off
    cache_path: str = ""  # the page cache's SQLite file; empty = data/cache/pages.sqlite
    max_batch_urls: int = 500  # URLs in one batch; more are refused with a message
    user_agent: str = (
        "media-bias-dashboard/0.1 (news comparison research tool; fetches only URLs a user supplies)"
    )
    # --- extraction -----------------------------------------------------------
    # HTML is cut to this size after scripts/styles are stripped: newspaper3k's parse time grows
    # steeply with size (1.5 MB of visible markup took 4-8 s; 800 KB keeps a page under ~2 s).
    max_parse_bytes: int = 800_000
    short_words: int = 150  # fewer words than this: health "short" (teaser, paywall, front page)
    # --- grouping into events ---------------------------------------------------------
    event_window_days: float = 3.0  # articles further apart than this in publication date never group
    # --- storage --------------------------------------------------------------
    database_url: str = DEFAULT_DB_URL
    # who is recorded in the history of corrections and edits; empty = the operating-system user
    user: str = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            problem = value_problem(f.name, getattr(self, f.name), str(f.type))
            if problem:
                raise SettingsError(f"setting {f.name}={getattr(self, f.name)!r} {problem}")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then ``ANALYSIS_*`` environment variables (and ``DATABASE_URL``), then ``overrides``."""
        env = dict(os.environ if env is None else env)
        # Each value's type depends on its field (float, int, bool or str); _parse and __post_init__
        # check it at run time, which a static type of the whole dict cannot express.
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"ANALYSIS_{f.name.upper()}")
            if f.name == "database_url":
                raw = raw or env.get("DATABASE_URL")
            if raw is None or raw == "":
                continue
            value = _parse(raw, f.type, f.name)
            problem = value_problem(f.name, value, str(f.type))
            if problem:
                raise SettingsError(f"ANALYSIS_{f.name.upper()}={raw!r} {problem}")
            values[f.name] = value
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def current_user(settings: Settings | None = None) -> str:
    """The name written into the history: the ``user`` setting, else the operating-system user."""
    name = " ".join((settings.user if settings else "").split())
    if name:
        return name[:100]
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):  # no login name and no USER/LOGNAME variable
        return "unknown"


def value_problem(name: str, value: object, typ: str) -> str | None:
    """Why ``value`` cannot be the numeric setting ``name`` of type ``typ``, or None when it can
    (text and true/false settings are not checked here)."""
    if typ not in ("int", "float"):
        return None
    if isinstance(value, bool) or not isinstance(value, Integral if typ == "int" else Real):
        return "is not a whole number" if typ == "int" else "is not a number"
    if not isinstance(value, Integral) and not math.isfinite(float(value)):
        return "is not a finite number"
    if name in ZERO_ALLOWED:
        return "must not be negative" if value < 0 else None
    return "must be greater than 0" if value <= 0 else None


def _parse(raw: str, typ: object, name: str) -> object:
    typ = str(typ)
    try:
        if typ == "bool":
            if raw.strip().lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.strip().lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if typ == "int":
            return int(raw)
        if typ == "float":
            return float(raw)
    except ValueError:
        raise SettingsError(f"ANALYSIS_{name.upper()}={raw!r} is not a valid {typ}") from None
    return raw
