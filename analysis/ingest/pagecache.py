"""A small on-disk cache of fetched pages, so running a batch again does not download it again.

One SQLite file (stdlib :mod:`sqlite3`, ``data/cache/pages.sqlite`` by default) maps a URL to
the body and a few headers of its last successful HTML response, with the time it was fetched.
:func:`analysis.ingest.fetch.fetch` uses it like a private HTTP cache:

* younger than ``Settings.cache_ttl`` seconds: the stored body is used, no request is made;
* older: the page is asked for again with ``If-None-Match`` / ``If-Modified-Since`` from the
  stored ``ETag`` / ``Last-Modified``; ``304 Not Modified`` reuses the stored body;
* only 2xx HTML responses read completely are stored, never failures, and never a response
  marked ``Cache-Control: no-store``.

The cache is bounded: bodies are stored zlib-compressed and, when their total passes
``max_bytes``, the least recently used entries are evicted down to ``EVICT_TO`` of it.  It is
thread-safe (one connection behind a lock) and several processes may share the file (SQLite's
own locking, WAL journal).  A damaged or unwritable cache never stops a fetch: errors are
counted in :attr:`PageCache.errors` and the page is fetched as if it were not cached.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from analysis.settings import DATA_DIR, Settings

DEFAULT_CACHE_PATH = DATA_DIR / "cache" / "pages.sqlite"
MEMORY = ":memory:"  # a path that keeps the cache in memory (tests, one-off runs)
# Compressed bytes kept before the least recently used pages are evicted (about 2,000 large
# news pages; news HTML compresses 5-8x, so this is roughly 1 GB of HTML).
MAX_CACHE_BYTES = 200_000_000
# Eviction goes below the cap by this share, so a full cache does not evict on every insert.
EVICT_TO = 0.9
# Seconds SQLite waits for another process holding the write lock before giving up.
BUSY_TIMEOUT = 5.0
ZLIB_LEVEL = 6  # zlib's default: good ratio on HTML at a few ms per page
# Response headers kept with the body (lower case): enough to decode and revalidate the page.
KEPT_HEADERS: tuple[str, ...] = ("content-type", "etag", "last-modified", "cache-control", "date")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    final_url TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    size INTEGER NOT NULL,
    fetched_at REAL NOT NULL,
    last_used REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS pages_last_used ON pages (last_used);
"""


@dataclass(frozen=True)
class CachedPage:
    url: str  # the URL as requested (the cache key, fragment removed)
    final_url: str  # after redirects
    status: int
    body: bytes  # the body as received (decoded from gzip/deflate, not from its charset)
    headers: Mapping[str, str] = field(default_factory=dict)  # KEPT_HEADERS, lower-case names
    fetched_at: float = 0.0  # epoch seconds of the last full fetch or successful revalidation

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag") or None

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified") or None

    def age(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.fetched_at

    def fresh(self, ttl: float, now: float | None = None) -> bool:
        """Usable without asking the site (``0 <= age < ttl``; a clock that went back is stale)."""
        age = self.age(now)
        return ttl > 0 and 0 <= age < ttl

    def validators(self) -> dict[str, str]:
        """Request headers that ask the site whether this copy is still current."""
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


def keep_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The KEPT_HEADERS of a response (case-insensitive names), lower-cased."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    return {k: lowered[k] for k in KEPT_HEADERS if k in lowered}


def storable(headers: Mapping[str, str]) -> bool:
    """False when the response forbids storing it (``Cache-Control: no-store``)."""
    control = keep_headers(headers).get("cache-control", "").lower()
    return "no-store" not in {part.strip() for part in control.split(",")}


class PageCache:
    """URL -> :class:`CachedPage` in one SQLite file (or in memory with ``path=":memory:"``)."""

    def __init__(
        self,
        path: str | Path = DEFAULT_CACHE_PATH,
        *,
        max_bytes: int = MAX_CACHE_BYTES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = str(path)
        self.max_bytes = max_bytes
        self.clock = clock
        self.errors = 0  # database errors swallowed (each one is a cache miss or a page not stored)
        self._lock = threading.Lock()
        if self.path != MEMORY:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT, check_same_thread=False, isolation_level=None
        )
        try:
            if self.path != MEMORY:
                self._db.execute("PRAGMA journal_mode=WAL")
                # A cache can lose its last writes in a power cut without harm: no fsync per page.
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error:
            self._db.close()
            raise

    # --- reading ------------------------------------------------------------------------------
    def get(self, url: str) -> CachedPage | None:
        """The stored page for ``url`` (marked as just used), or None."""
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT url, final_url, status, headers, body, fetched_at FROM pages WHERE url = ?",
                    (url,),
                ).fetchone()
                if row is None:
                    return None
                self._db.execute("UPDATE pages SET last_used = ? WHERE url = ?", (self.clock(), url))
            return CachedPage(
                url=row[0],
                final_url=row[1],
                status=row[2],
                headers=json.loads(row[3]),
                body=zlib.decompress(row[4]),
                fetched_at=row[5],
            )
        except (sqlite3.Error, zlib.error, json.JSONDecodeError, TypeError):
            self.errors += 1
            return None

    def __len__(self) -> int:
        try:
            with self._lock:
                return int(self._db.execute("SELECT COUNT(*) FROM pages").fetchone()[0])
        except sqlite3.Error:
            self.errors += 1
            return 0

    def total_bytes(self) -> int:
        """Compressed size of all stored bodies."""
        try:
            with self._lock:
                return int(self._db.execute("SELECT COALESCE(SUM(size), 0) FROM pages").fetchone()[0])
        except sqlite3.Error:
            self.errors += 1
            return 0

    # --- writing ------------------------------------------------------------------------------
    def put(self, page: CachedPage) -> bool:
        """Store (or replace) ``page``; evicts old pages beyond ``max_bytes``.  False if not stored."""
        blob = zlib.compress(page.body, ZLIB_LEVEL)
        if len(blob) > self.max_bytes:
            return False
        now = self.clock()
        fetched = page.fetched_at or now
        try:
            with self._lock:
                self._db.execute(
                    "INSERT OR REPLACE INTO pages (url, final_url, status, headers, body, size,"
                    " fetched_at, last_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        page.url,
                        page.final_url,
                        page.status,
                        json.dumps(keep_headers(page.headers)),
                        blob,
                        len(blob),
                        fetched,
                        now,
                    ),
                )
                self._evict()
            return True
        except sqlite3.Error:
            self.errors += 1
            return False

    def refresh(self, url: str, headers: Mapping[str, str] | None = None) -> None:
        """The site said 304 Not Modified: the copy is current again (new validators kept)."""
        try:
            with self._lock:
                row = self._db.execute("SELECT headers FROM pages WHERE url = ?", (url,)).fetchone()
                if row is None:
                    return
                update = keep_headers(headers or {})
                update.pop("content-type", None)  # the stored body keeps the type it was sent with
                merged = {**json.loads(row[0]), **update}
                now = self.clock()
                self._db.execute(
                    "UPDATE pages SET fetched_at = ?, last_used = ?, headers = ? WHERE url = ?",
                    (now, now, json.dumps(merged), url),
                )
        except (sqlite3.Error, json.JSONDecodeError):
            self.errors += 1

    def _evict(self) -> None:
        """Drop least recently used pages until the total is below EVICT_TO of the cap (lock held)."""
        total = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM pages").fetchone()[0]
        if total <= self.max_bytes:
            return
        target = int(self.max_bytes * EVICT_TO)
        for url, size in self._db.execute("SELECT url, size FROM pages ORDER BY last_used, url").fetchall():
            if total <= target:
                break
            self._db.execute("DELETE FROM pages WHERE url = ?", (url,))
            total -= size

    def delete(self, url: str) -> None:
        try:
            with self._lock:
                self._db.execute("DELETE FROM pages WHERE url = ?", (url,))
        except sqlite3.Error:
            self.errors += 1

    def clear(self) -> None:
        try:
            with self._lock:
                self._db.execute("DELETE FROM pages")
        except sqlite3.Error:
            self.errors += 1

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> PageCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_page_cache(settings: Settings, path: str | Path | None = None) -> PageCache | None:
    """The page cache a run should use: None when ``settings.cache_ttl`` is 0 (caching off).

    ``path`` defaults to ``settings.cache_path`` when Settings has that field and it is set,
    else ``data/cache/pages.sqlite``.  A file that is not a readable SQLite database is moved
    aside (``.broken``) and a new one started, so a damaged cache never stops a batch.
    """
    if settings.cache_ttl <= 0:
        return None
    where = Path(path or getattr(settings, "cache_path", "") or DEFAULT_CACHE_PATH)
    if str(where) == MEMORY:
        return PageCache(MEMORY)
    try:
        return PageCache(where)
    except sqlite3.DatabaseError:
        where.replace(where.with_name(where.name + ".broken"))
        for suffix in ("-wal", "-shm"):
            where.with_name(where.name + suffix).unlink(missing_ok=True)
        return PageCache(where)
