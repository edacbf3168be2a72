"""The database: SQLAlchemy 2 models and the queries the rest of the program uses.

The only module that talks to the database.  SQLite (WAL mode) by default, any
SQLAlchemy URL otherwise (PostgreSQL: ``postgresql+psycopg://user:pw@host/db``).
Every write commits on its own, so one failing article never loses the others.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    create_engine,
    delete,
    event,
    exists,
    false,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    defer,
    mapped_column,
    relationship,
    selectinload,
    sessionmaker,
)

from analysis.models import Article, FetchAttempt, Scores

MAX_EVENT_NAME = 200  # characters; longer names are refused with a message
# Characters of an event name's normalised form (event_name_key).  NFKC can expand a character up to
# 18-fold, so a 200-character name may need more; 600 characters stay under PostgreSQL's btree limit
# for the unique index (~2,700 bytes) even at 4 bytes a character.
MAX_NAME_KEY = 600
SLUG_PREFIX_CHARS = 60  # readable part of a slug; the hash of the full name follows it
SLUG_HASH_DIGITS = (8, 16, 64)  # hex digits of the hash: longer only if a shorter one is taken
# PostgreSQL advisory lock keys (any 64-bit numbers the program does not use elsewhere)
GROUPING_LOCK_KEY = zlib.crc32(b"analysis: one grouping run at a time")
MIGRATION_LOCK_KEY = zlib.crc32(b"analysis: event key migration")
GROUPING_LOCK_WAIT = 600.0  # seconds a grouping run waits for another run on the same database


class StoreError(ValueError):
    """A user-facing problem with the database (bad URL, unknown event ...)."""


class EventChangedError(StoreError):
    """An edit was refused: an event it names was renamed, merged away or deleted since it was chosen."""


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class GroupPlan:
    """One group of free articles found by automatic grouping (see Store.apply_grouping)."""

    article_ids: list[int]
    previous: list[int]  # automatic events its articles were in, most articles first (reused if possible)
    title: Callable[[], str]  # the name for a new event (called only when one is needed)


ASSIGN_CHUNK = 5000  # article ids per UPDATE ... WHERE id IN (...)

try:
    import fcntl as _fcntl
except ImportError:  # not a POSIX system: grouping runs are serialised within one process only
    _fcntl = None
_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def _wait_or_fail(deadline: float, wait: float) -> None:
    if time.monotonic() >= deadline:
        raise StoreError(
            f"another grouping run on this database did not finish within {wait:.0f} s; try again later"
        )
    time.sleep(0.05)


class Base(DeclarativeBase):
    pass


class EventRow(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_EVENT_NAME), unique=True)
    # What makes two names one event: event_name_key(name).  Unique; matched in full, never cut.
    # (Added by migration to older databases, filled in by _migrate_event_keys.)
    name_key: Mapped[str] = mapped_column(String(MAX_NAME_KEY), unique=True, index=True)
    # For URLs and file names: a readable prefix plus a hash of name_key (unique by construction).
    slug: Mapped[str] = mapped_column(String(MAX_EVENT_NAME), unique=True, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # True for events made by automatic grouping and not touched by a user since; re-grouping
    # may rename, refill or remove them.  A user's edit makes them False (kept as they are).
    auto: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    articles: Mapped[list[ArticleRow]] = relationship(back_populates="event")


class ArticleRow(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True)
    url: Mapped[str] = mapped_column(String(2048))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    # True when a person put the article in its event (ingest --event, a move, a merge, a split):
    # re-grouping never moves it.  False when automatic grouping chose the event.
    event_pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    source: Mapped[str] = mapped_column(String(16))  # "url", "html-file", "text", "demo"
    title: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list] = mapped_column(JSON, default=list)
    published: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    outlet: Mapped[str] = mapped_column(String(200), index=True)
    domain: Mapped[str] = mapped_column(String(253), index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    health: Mapped[str] = mapped_column(String(32), index=True)
    problems: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    top_image: Mapped[str | None] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(Text)
    extractor: Mapped[str] = mapped_column(String(32), default="")
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    raw_html: Mapped[bytes | None] = mapped_column(LargeBinary)  # zlib-compressed UTF-8
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # indexed: Store.version() asks for the latest on every dashboard run (without an index, SQLite
    # reads every row, past the stored HTML, to find it)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now, index=True
    )
    event: Mapped[EventRow | None] = relationship(back_populates="articles")
    score: Mapped[ScoreRow | None] = relationship(
        back_populates="article", cascade="all, delete-orphan", uselist=False
    )


class ScoreRow(Base):
    __tablename__ = "scores"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), unique=True)
    scorer_version: Mapped[str] = mapped_column(String(100), index=True)
    sentiment: Mapped[float] = mapped_column(Float)
    positive_share: Mapped[float] = mapped_column(Float)
    negative_share: Mapped[float] = mapped_column(Float)
    n_sentences: Mapped[int] = mapped_column(Integer)
    headline_sentiment: Mapped[float | None] = mapped_column(Float)
    loaded_rate: Mapped[float] = mapped_column(Float)
    quoted_rate: Mapped[float] = mapped_column(Float)
    loaded_count: Mapped[int] = mapped_column(Integer)
    loaded_sentences: Mapped[int] = mapped_column(Integer)
    categories: Mapped[dict] = mapped_column(JSON, default=dict)
    spans: Mapped[list] = mapped_column(JSON, default=list)
    sentences: Mapped[list] = mapped_column(JSON, default=list)
    headline_spans: Mapped[list] = mapped_column(JSON, default=list)
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    article: Mapped[ArticleRow] = relationship(back_populates="score")


class FetchAttemptRow(Base):
    __tablename__ = "fetch_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    canonical_url: Mapped[str] = mapped_column(String(2048), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    status: Mapped[int | None] = mapped_column(Integer)
    health: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    elapsed: Mapped[float] = mapped_column(Float, default=0.0)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)


def event_name_key(name: str) -> str:
    """The normalised full name that identifies an event: NFKC, case-folded, whitespace collapsed.

    Two names are the same event exactly when their keys are equal ("Storm  Oriel" and "STORM
    oriel", full-width and ASCII letters); nothing is cut, transliterated or dropped, so
    "Выборы в Киеве" and "Наводнение в Москве" stay two events."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


# Latin letters that have no decomposition to ASCII under NFKD
_LATIN_EXTRA = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ħ": "h", "ı": "i"}
)


def slug_prefix(name: str) -> str:
    """The readable part of a slug: Latin letters transliterated to ASCII ("Zürich" -> "zurich"),
    letters and digits of other scripts kept as they are ("Выборы в Киеве" -> "выборы-в-киеве"),
    everything else a hyphen; at most SLUG_PREFIX_CHARS characters, "event" when nothing is left."""
    out: list[str] = []
    for ch in event_name_key(name).translate(_LATIN_EXTRA):
        ascii_part = re.sub(
            r"[^a-z0-9]", "", unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        )
        if ascii_part:
            out.append(ascii_part)
        elif ch.isalnum() or unicodedata.category(ch).startswith("M"):  # marks: Devanagari vowel signs ...
            out.append(ch)
        else:
            out.append("-")
    prefix = re.sub(r"-+", "-", "".join(out)).strip("-")
    if len(prefix) > SLUG_PREFIX_CHARS:
        cut = prefix[:SLUG_PREFIX_CHARS]
        prefix = (cut[: cut.rindex("-")] if "-" in cut[SLUG_PREFIX_CHARS // 2 :] else cut).strip("-")
    return prefix or "event"


def event_slug(name: str, digits: int = SLUG_HASH_DIGITS[0]) -> str:
    """The slug of an event named ``name``: readable prefix + hash of the full normalised name
    ("Paris visit, 2026!" -> "paris-visit-2026-1c0e5a3f").  The store lengthens the hash in the
    (astronomically rare) case that another event already has this slug: read an event's slug
    from the store (``find_event(name).slug``) rather than recomputing it."""
    key = event_name_key(name)
    return f"{slug_prefix(key)}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:digits]}"


slugify = event_slug  # the name used before slugs carried a hash


def _free_slug(name: str, taken: Callable[[str], bool]) -> str:
    """``event_slug(name)`` with the shortest hash whose slug ``taken`` says is free."""
    for digits in SLUG_HASH_DIGITS:
        slug = event_slug(name, digits)
        if not taken(slug):
            return slug
    raise StoreError(f"no free slug for the event name {name!r}")  # a full SHA-256 collision


def unused_event_name(taken_keys: set[str], name: str) -> str:
    """``name``, or ``name (2)``, ``name (3)`` ... whose key (event_name_key) is not in ``taken_keys``.

    The suffix is part of the full key, which is never cut, so each candidate is new and the loop
    ends after at most ``len(taken_keys) + 1`` tries."""
    base = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in name)
    base = " ".join(base.split())[:150] or "Untitled event"
    while len(event_name_key(base)) > MAX_NAME_KEY - 20:  # pathological NFKC expansions
        base = base[:-10].rstrip() or "Untitled event"
    candidate, n = base, 2
    while event_name_key(candidate) in taken_keys:
        candidate, n = f"{base} ({n})", n + 1
    return candidate


def validate_event_name(name: str) -> str:
    """Strip and check an event name; raises StoreError with a readable message."""
    clean = " ".join((name or "").split())
    if not clean:
        raise StoreError("the event name is empty")
    if len(clean) > MAX_EVENT_NAME:
        raise StoreError(f"the event name is longer than {MAX_EVENT_NAME} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in clean):
        raise StoreError("the event name contains control characters")
    if len(event_name_key(clean)) > MAX_NAME_KEY:
        raise StoreError(f"the event name is longer than {MAX_NAME_KEY} characters once normalised")
    return clean


def compress_html(html: str | None) -> bytes | None:
    return None if html is None else zlib.compress(html.encode("utf-8", "replace"), 6)


def decompress_html(blob: bytes | None) -> str | None:
    return None if blob is None else zlib.decompress(blob).decode("utf-8", "replace")


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI connection
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers (the dashboard) never block the writer
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses at most the last commit
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")  # ms to wait for a concurrent writer
    cur.close()


def _sqlite_read_only_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI connection
    cur = dbapi_conn.cursor()  # no journal-mode switch: that would be a write
    cur.execute("PRAGMA query_only=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


# --- database URLs in messages ----------------------------------------------------------------

_USERINFO_PASSWORD_RE = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@\s]*:)[^@\s]*(?=@)")
_QUERY_PASSWORD_RE = re.compile(r"(?i)(?P<head>\b(?:password|passwd|pwd)=)[^&\s'\"]*")
HIDDEN = "***"


def safe_url(url: str) -> str:
    """``url`` with its password replaced by ``***``, for messages and screens."""
    try:
        parsed = make_url(url)
        shown = parsed.render_as_string(hide_password=True) if parsed.password else url
    except (ArgumentError, ValueError, TypeError):
        shown = url
    return hide_passwords(shown)


def hide_passwords(text: str, url: str | None = None) -> str:
    """``text`` (an error message, say) with every URL password replaced by ``***``: those written
    ``scheme://user:password@``, ``password=`` parameters, and ``url``'s password wherever it occurs."""
    secret = None
    if url:
        try:
            secret = make_url(url).password
        except (ArgumentError, ValueError, TypeError):
            found = _USERINFO_PASSWORD_RE.search(url)
            secret = url[found.end("head") : found.end()] if found else None
    if secret:
        text = text.replace(str(secret), HIDDEN).replace(quote(str(secret), safe=""), HIDDEN)
    text = _USERINFO_PASSWORD_RE.sub(lambda m: m["head"] + HIDDEN, text)
    return _QUERY_PASSWORD_RE.sub(lambda m: m["head"] + HIDDEN, text)


# --- SQLite files: in memory, read-only -------------------------------------------------------


def is_memory_database(url: str) -> bool:
    """True for an in-memory SQLite URL (``sqlite://``, ``sqlite:///:memory:``, ``mode=memory``):
    a database that disappears when the process ends."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        return False
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    return (
        database in ("", ":memory:")
        or parsed.query.get("mode") == "memory"
        or database.startswith("file::memory:")
        or "mode=memory" in database
    )


def sqlite_file(url: str) -> Path | None:
    """The file of a file-backed SQLite URL (``sqlite:///path``), None for anything else."""
    if is_memory_database(url):
        return None
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database.startswith("file:"):
        return None  # a SQLite URI filename: its own open mode
    return Path(parsed.database).expanduser()


def read_only_reason(url: str) -> str | None:
    """Why the existing SQLite file of ``url`` cannot be written by this process, or None (it can,
    it does not exist yet, or the database is not a SQLite file)."""
    path = sqlite_file(url)
    if path is None or not path.is_file():
        return None
    if not os.access(path, os.W_OK):
        return "the file is read-only"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return "its folder is read-only (SQLite writes its journal beside the file)"
    return None


def _read_only_engine(path: Path) -> Engine:
    """A read-only engine on an existing SQLite file, opened ``mode=ro`` (SQLite itself refuses
    writes): no schema upgrade, no WAL switch.  A WAL database in a folder where SQLite cannot make
    its shared-memory file opens only ``immutable=1`` (no locking): used only then, when nobody
    without write access to that folder can be writing either."""
    base = f"sqlite:///file:{quote(str(path.resolve()), safe='/')}?mode=ro&uri=true"
    engine = None
    for url in (base, base + "&immutable=1"):
        engine = create_engine(url, future=True)
        event.listen(engine, "connect", _sqlite_read_only_pragmas)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
            return engine
        except OperationalError:
            engine.dispose()
    assert engine is not None
    return engine  # its error comes on first use, as a one-line database problem


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for ``url``; creates the SQLite file's folder.  ``read_only``: open an existing
    SQLite file read-only instead (other databases are opened as usual)."""
    path = sqlite_file(url)
    if read_only and path is not None:
        if not path.is_file():
            raise StoreError(f"cannot open {str(path)!r} read-only: there is no database file")
        return _read_only_engine(path)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        folder = Path(url.removeprefix("sqlite:///")).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a file where a folder should be, a read-only mount ...
            why = exc.strerror or exc
            raise StoreError(f"cannot create the database folder {str(folder)!r}: {why}") from None
        if path is not None and not path.exists() and not os.access(folder, os.W_OK | os.X_OK):
            raise StoreError(f"cannot create the database file {str(path)!r}: its folder is read-only")
    try:
        engine = create_engine(url, future=True)
    except (ArgumentError, ImportError, ValueError) as exc:
        why = hide_passwords(str(exc), url)
        raise StoreError(f"cannot use database URL {safe_url(url)!r}: {why}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def check_schema(engine: Engine) -> None:
    """StoreError unless every table and column this program reads exists (a database opened
    read-only cannot be upgraded in place)."""
    insp = inspect(engine)
    present = set(insp.get_table_names())
    missing = [t.name for t in Base.metadata.sorted_tables if t.name not in present]
    for table in Base.metadata.sorted_tables:
        if table.name in present:
            have = {c["name"] for c in insp.get_columns(table.name)}
            missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in have]
    if missing:
        more = " ..." if len(missing) > 5 else ""
        raise StoreError(
            f"the read-only database lacks {', '.join(missing[:5])}{more}: "
            "open it once with write access so that it is upgraded"
        )


def prepare_schema(engine: Engine) -> None:
    """Create missing tables and add missing columns (safe to run on every start)."""
    Base.metadata.create_all(engine)
    _add_missing_columns(engine)
    _migrate_event_keys(engine)
    _add_missing_indexes(engine)


@contextmanager
def _write_session(factory: Callable[[], Session], lock_key: int | None = None) -> Iterator[Session]:
    """A session whose transaction is the database's only writer from its first statement on.

    SQLite: ``BEGIN IMMEDIATE`` (the write lock is taken before anything is read, so what the
    transaction reads cannot change before it writes).  PostgreSQL: with ``lock_key``, a
    transaction-level advisory lock serialises the transactions that take the same key."""
    with factory() as s, s.begin():
        dialect = s.get_bind().dialect.name
        if dialect == "sqlite":
            s.execute(text("BEGIN IMMEDIATE"))
        elif dialect == "postgresql" and lock_key is not None:
            s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key})
        yield s


def _migrate_event_keys(engine: Engine) -> None:
    """Databases made before events had ``name_key``: fill it in and give every event a new slug.

    Old slugs were ASCII-only and cut at 80 characters, so different names could share one; the new
    ones carry a hash of the full name.  Names that are one name by the new rule (e.g. "Straße" and
    "STRASSE") are never merged silently: the later event gets " (2)" appended to its name.
    """
    with engine.connect() as conn:
        if not conn.scalar(select(func.count(EventRow.id)).where(EventRow.name_key.is_(None))):
            return
    with _write_session(sessionmaker(engine), MIGRATION_LOCK_KEY) as s:
        rows = s.scalars(select(EventRow).order_by(EventRow.id)).all()
        todo = [
            r for r in rows if r.name_key is None
        ]  # again, inside the lock: another process may have done it
        if not todo:
            return
        claimed = {r.name_key for r in rows if r.name_key is not None}
        every_key = claimed | {event_name_key(r.name) for r in todo}
        slugs = {r.slug for r in rows if r.name_key is not None}
        for r in todo:  # old slugs out of the way first: one might equal a new slug
            r.slug = f"~migrating-{r.id}"
        s.flush()
        for r in todo:
            key = event_name_key(r.name)
            if key in claimed:
                base, n = r.name[: MAX_EVENT_NAME - 12], 2
                while event_name_key(f"{base} ({n})") in every_key:
                    n += 1
                r.name = f"{base} ({n})"
                key = event_name_key(r.name)
                every_key.add(key)
            claimed.add(key)
            r.name_key = key
            r.slug = _free_slug(r.name, slugs.__contains__)
            slugs.add(r.slug)


def _add_missing_columns(engine: Engine) -> None:
    """Additive migrations: columns added since a database was created are added to it.

    Only nullable columns or columns with a server default are ever added, so this is safe on
    a database in use; nothing is dropped or changed.
    """
    insp = inspect(engine)
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            present = {c["name"] for c in insp.get_columns(table.name)}
            for col in table.columns:
                if col.name in present:
                    continue
                ddl_type = col.type.compile(dialect=engine.dialect)
                default = ""
                if col.server_default is not None:
                    default = " DEFAULT " + str(col.server_default.arg.compile(dialect=engine.dialect))
                conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{col.name}" {ddl_type}{default}'))


def _add_missing_indexes(engine: Engine) -> None:
    """Indexes added since a database was created are created on it (``create_all`` only makes the
    indexes of new tables)."""
    insp = inspect(engine)
    for table in Base.metadata.sorted_tables:
        present = {ix["name"] for ix in insp.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in present:
                index.create(engine, checkfirst=True)


class Store:
    """Repository over one database.  Methods commit their own transaction."""

    def __init__(self, url_or_engine: str | Engine, *, read_only: bool | None = None) -> None:
        """``read_only``: True opens an existing SQLite file read-only (no schema upgrade; writes
        fail); None (default) does so when the file cannot be written (:func:`read_only_reason`);
        False always opens for writing."""
        if read_only is None:
            read_only = isinstance(url_or_engine, str) and read_only_reason(url_or_engine) is not None
        self.read_only = read_only
        if isinstance(url_or_engine, str):
            self.engine = make_engine(url_or_engine, read_only=read_only)
        else:
            self.engine = url_or_engine
        if read_only:
            check_schema(self.engine)
        else:
            prepare_schema(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as s, s.begin():
            yield s

    # --- events -----------------------------------------------------------
    # An event is identified by its id.  A name given by a person (CLI, dashboard) is matched by its
    # full normalised form (event_name_key), or else as an exact slug; never by a cut-off slug.
    def _lookup(self, s: Session, name_or_slug: str) -> EventRow | None:
        key = event_name_key(name_or_slug)
        row = s.scalar(select(EventRow).where(EventRow.name_key == key))
        if row is None:
            row = s.scalar(select(EventRow).where(EventRow.slug.in_({name_or_slug.strip(), key})))
        return row

    @staticmethod
    def _slug_taken(s: Session, exclude: int | None = None) -> Callable[[str], bool]:
        def taken(slug: str) -> bool:
            q = select(EventRow.id).where(EventRow.slug == slug)
            if exclude is not None:
                q = q.where(EventRow.id != exclude)
            return s.scalar(q) is not None

        return taken

    def get_or_create_event(self, name: str, description: str = "", *, auto: bool = False) -> int:
        """The id of the event named ``name`` (same normalised name, or this exact slug); a new
        event when there is none."""
        name = validate_event_name(name)
        with self.session() as s:
            row = self._lookup(s, name)
            if row is not None:
                return row.id
        try:
            with self.session() as s:
                row = EventRow(
                    name=name,
                    name_key=event_name_key(name),
                    slug=_free_slug(name, self._slug_taken(s)),
                    description=description,
                    auto=auto,
                )
                s.add(row)
                s.flush()
                return row.id
        except IntegrityError:  # created concurrently
            with self.session() as s:
                row = self._lookup(s, name)
            if row is None:
                raise
            return row.id

    def find_event(self, name_or_slug: str) -> EventRow:
        with self.session() as s:
            row = self._lookup(s, name_or_slug)
        if row is None:
            known = ", ".join(e["name"] for e in self.list_events()) or "none yet"
            raise StoreError(f"no event named {name_or_slug!r} (known events: {known})")
        return row

    def list_events(self) -> list[dict]:
        with self.session() as s:
            rows = s.execute(
                select(
                    EventRow.id,
                    EventRow.name,
                    EventRow.slug,
                    EventRow.description,
                    EventRow.auto,
                    func.count(ArticleRow.id),
                    func.count(func.distinct(ArticleRow.outlet)),
                    func.min(ArticleRow.published),
                    func.max(ArticleRow.published),
                )
                .outerjoin(ArticleRow, ArticleRow.event_id == EventRow.id)
                .group_by(EventRow.id, EventRow.name, EventRow.slug, EventRow.description, EventRow.auto)
                .order_by(EventRow.name)
            ).all()
        keys = ("id", "name", "slug", "description", "auto", "articles", "outlets", "first", "last")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    # --- a person's edits to events (they survive re-grouping) -------------
    # Each edit takes ``expected_names`` ({event id: name as the person saw it}): when one of those
    # events has been renamed, merged away or deleted since, the edit is refused and nothing changes.
    def _event_id(self, s: Session, name_or_id: str | int) -> int:
        if isinstance(name_or_id, int):
            if s.get(EventRow, name_or_id) is None:
                raise StoreError(f"no event with id {name_or_id}")
            return name_or_id
        row = self._lookup(s, name_or_id)
        if row is None:
            return self.find_event(name_or_id).id  # raises with the list of known events
        return row.id

    @staticmethod
    def _check_expected(s: Session, expected_names: Mapping[int, str] | None) -> None:
        for eid, name in (expected_names or {}).items():
            row = s.get(EventRow, eid)
            if row is None:
                raise EventChangedError(
                    f"the event “{name}” no longer exists (merged or deleted since it was chosen); "
                    "nothing was changed"
                )
            if row.name != name:
                raise EventChangedError(
                    f"the event “{name}” was renamed to “{row.name}” since it was chosen; nothing was changed"
                )

    def rename_event(
        self, event: str | int, new_name: str, *, expected_names: Mapping[int, str] | None = None
    ) -> None:
        """Rename an event; its articles become pinned to it (a person has reviewed it)."""
        new_name = validate_event_name(new_name)
        key = event_name_key(new_name)
        with self.session() as s:
            self._check_expected(s, expected_names)
            eid = self._event_id(s, event)
            clash = s.scalar(select(EventRow.name).where(EventRow.name_key == key, EventRow.id != eid))
            if clash is not None:
                raise StoreError(f"an event named {clash!r} already exists (merge them instead)")
            row = s.get(EventRow, eid)
            if row.name_key != key:
                row.slug = _free_slug(new_name, self._slug_taken(s, exclude=eid))
            row.name, row.name_key, row.auto = new_name, key, False
            s.execute(update(ArticleRow).where(ArticleRow.event_id == eid).values(event_pinned=True))

    def merge_events(
        self,
        sources: Iterable[str | int],
        target: str | int,
        *,
        expected_names: Mapping[int, str] | None = None,
    ) -> int:
        """Move every article of ``sources`` into ``target`` (pinned) and delete the sources.

        Returns the number of articles moved."""
        with self.session() as s:
            self._check_expected(s, expected_names)
            tid = self._event_id(s, target)
            sids = list(dict.fromkeys(self._event_id(s, x) for x in sources))
            sids = [x for x in sids if x != tid]
            moved = s.execute(
                update(ArticleRow)
                .where(ArticleRow.event_id.in_(sids))
                .values(event_id=tid, event_pinned=True)
            ).rowcount
            s.execute(update(ArticleRow).where(ArticleRow.event_id == tid).values(event_pinned=True))
            s.execute(update(FetchAttemptRow).where(FetchAttemptRow.event_id.in_(sids)).values(event_id=tid))
            s.get(EventRow, tid).auto = False
            for sid in sids:
                s.delete(s.get(EventRow, sid))
        return moved

    def move_articles(
        self,
        article_ids: Iterable[int],
        event: str | int,
        *,
        expected_names: Mapping[int, str] | None = None,
    ) -> int:
        """Put articles into ``event`` (pinned there).  Returns how many were moved."""
        ids = list(article_ids)
        with self.session() as s:
            self._check_expected(s, expected_names)
            return self._move(s, ids, self._event_id(s, event))

    @staticmethod
    def _move(s: Session, ids: list[int], eid: int) -> int:
        missing = set(ids) - set(s.scalars(select(ArticleRow.id).where(ArticleRow.id.in_(ids))))
        if missing:
            raise StoreError(f"no article with id {sorted(missing)[0]}")
        n = s.execute(
            update(ArticleRow).where(ArticleRow.id.in_(ids)).values(event_id=eid, event_pinned=True)
        ).rowcount
        s.get(EventRow, eid).auto = False
        return n

    def split_event(
        self,
        event: str | int,
        article_ids: Iterable[int],
        new_name: str,
        *,
        expected_names: Mapping[int, str] | None = None,
    ) -> int:
        """Move ``article_ids`` of ``event`` into a new event ``new_name``; both are then pinned.

        One transaction: either all of it happens or nothing."""
        ids = list(article_ids)
        new_name = validate_event_name(new_name)
        with self.session() as s:
            self._check_expected(s, expected_names)
            eid = self._event_id(s, event)
            inside = set(s.scalars(select(ArticleRow.id).where(ArticleRow.event_id == eid)))
            if not ids or not set(ids) <= inside:
                raise StoreError("split needs one or more article ids that belong to the event")
            row = self._lookup(s, new_name)
            if row is None:
                row = EventRow(
                    name=new_name,
                    name_key=event_name_key(new_name),
                    slug=_free_slug(new_name, self._slug_taken(s)),
                )
                s.add(row)
                s.flush()
            self._move(s, ids, row.id)
            s.execute(update(ArticleRow).where(ArticleRow.event_id == eid).values(event_pinned=True))
            s.get(EventRow, eid).auto = False
            return row.id

    def delete_empty_auto_events(self) -> int:
        """Delete automatic events without articles; one statement, so the emptiness is checked
        in the same transaction as the delete (an event filled meanwhile is kept)."""
        with _write_session(self._sessions) as s:
            return len(self._delete_empty_auto(s))

    @staticmethod
    def _delete_empty_auto(s: Session) -> set[int]:
        """Ids of the automatic events without articles, deleted by one statement."""
        used = exists().where(ArticleRow.event_id == EventRow.id)
        stmt = delete(EventRow).where(EventRow.auto.is_(True), ~used)
        if s.get_bind().dialect.delete_returning:
            return set(
                s.scalars(stmt.returning(EventRow.id), execution_options={"synchronize_session": False})
            )
        ids = set(s.scalars(select(EventRow.id).where(EventRow.auto.is_(True), ~used)))
        s.execute(stmt.where(EventRow.id.in_(ids)), execution_options={"synchronize_session": False})
        return ids

    # --- automatic grouping: one run at a time per database -------------------
    @contextmanager
    def grouping_lock(self, wait: float = GROUPING_LOCK_WAIT) -> Iterator[None]:
        """Held for a whole grouping run (read, compute, write), so that two runs on one database
        never interleave: a second run waits for the first (up to ``wait`` seconds, then
        StoreError) and then sees its result.

        It does not block other writers (ingest, edits) while grouping computes: PostgreSQL, a
        session-level advisory lock on a connection of its own; SQLite, an OS lock on a file
        beside the database (``<file>-grouping.lock``; the OS releases it if the process dies);
        an in-memory database or another dialect, a lock within this process."""
        url = self.engine.url
        deadline = time.monotonic() + wait
        if url.get_backend_name() == "postgresql":
            with self.engine.connect() as conn:
                while not conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": GROUPING_LOCK_KEY}):
                    conn.rollback()
                    _wait_or_fail(deadline, wait)
                conn.commit()  # the lock belongs to the session, not the transaction
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": GROUPING_LOCK_KEY})
                    conn.commit()
            return
        path = url.database if url.get_backend_name() == "sqlite" else None
        if path and path != ":memory:" and not path.startswith("file:") and _fcntl is not None:
            with open(f"{path}-grouping.lock", "a+b") as fh:
                while True:
                    try:
                        _fcntl.flock(fh.fileno(), _fcntl.LOCK_EX | _fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        _wait_or_fail(deadline, wait)
                try:
                    yield
                finally:
                    _fcntl.flock(fh.fileno(), _fcntl.LOCK_UN)
            return
        with _PROCESS_LOCKS_GUARD:
            lock = _PROCESS_LOCKS.setdefault(str(url), threading.Lock())
        if not lock.acquire(timeout=wait):
            _wait_or_fail(deadline, wait)
        try:
            yield
        finally:
            lock.release()

    def apply_grouping(self, fixed: Mapping[int, int], groups: Sequence[GroupPlan]) -> tuple[int, int]:
        """Write one grouping run's result in one transaction; returns (events created, removed).

        ``fixed``: {article id: event id} for free articles that join an event a person made;
        ``groups``: the other free articles, largest group first.  Everything is checked again
        here, against the database as it is now: an event to reuse must still exist and still be
        automatic (else a new one is made), a person's event that is gone takes no articles,
        pinned articles are never moved, and an automatic event is removed only when it has no
        article at the moment of the delete.  Run inside :meth:`grouping_lock`."""
        with _write_session(self._sessions) as s:
            # FOR UPDATE (PostgreSQL): a person's edit of these events waits until this commits
            auto_of = {i: a for i, a in s.execute(select(EventRow.id, EventRow.auto).with_for_update())}
            keys = set(s.scalars(select(EventRow.name_key)))
            slugs = set(s.scalars(select(EventRow.slug)))
            by_event: dict[int, list[int]] = {}
            for aid, eid in fixed.items():
                if eid in auto_of:
                    by_event.setdefault(eid, []).append(aid)
            created: set[int] = set()
            taken: set[int] = set()
            for group in groups:
                eid = next((e for e in group.previous if auto_of.get(e) is True and e not in taken), None)
                if eid is None:
                    name = unused_event_name(keys, group.title())
                    row = EventRow(
                        name=name,
                        name_key=event_name_key(name),
                        slug=_free_slug(name, slugs.__contains__),
                        auto=True,
                    )
                    s.add(row)
                    s.flush()
                    keys.add(row.name_key)
                    slugs.add(row.slug)
                    auto_of[row.id] = True
                    eid = row.id
                    created.add(eid)
                taken.add(eid)
                by_event.setdefault(eid, []).extend(group.article_ids)
            for eid, ids in by_event.items():
                for i in range(0, len(ids), ASSIGN_CHUNK):
                    s.execute(
                        update(ArticleRow)
                        .where(
                            ArticleRow.id.in_(ids[i : i + ASSIGN_CHUNK]), ArticleRow.event_pinned.is_(False)
                        )
                        .values(event_id=eid)
                    )
            removed = self._delete_empty_auto(s)
        # an event made here whose articles were all pinned by a person meanwhile was never there
        return len(created - removed), len(removed - created)

    def grouping_docs(self) -> list[dict]:
        """Every article as a document for event grouping, with its current event and pin."""
        with self.session() as s:
            rows = s.execute(
                select(
                    ArticleRow.id,
                    ArticleRow.title,
                    ArticleRow.text,
                    ArticleRow.outlet,
                    ArticleRow.published,
                    ArticleRow.event_id,
                    ArticleRow.event_pinned,
                    EventRow.auto,
                )
                .outerjoin(EventRow, ArticleRow.event_id == EventRow.id)
                .order_by(ArticleRow.id)
            ).all()
        keys = ("id", "title", "text", "outlet", "published", "event_id", "pinned", "event_auto")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def assign_auto(self, assignments: dict[int, int]) -> None:
        """Set the event of free (unpinned) articles as grouping decided: {article_id: event_id}."""
        by_event: dict[int, list[int]] = {}
        for aid, eid in assignments.items():
            by_event.setdefault(eid, []).append(aid)
        with self.session() as s:
            for eid, ids in by_event.items():
                s.execute(
                    update(ArticleRow)
                    .where(ArticleRow.id.in_(ids), ArticleRow.event_pinned.is_(False))
                    .values(event_id=eid)
                )

    # --- articles ---------------------------------------------------------
    def article_id_for(self, canonical_url: str) -> int | None:
        with self.session() as s:
            return s.scalar(select(ArticleRow.id).where(ArticleRow.canonical_url == canonical_url))

    def event_name_of_article(self, article_id: int) -> str | None:
        with self.session() as s:
            return s.scalar(
                select(EventRow.name)
                .join(ArticleRow, ArticleRow.event_id == EventRow.id)
                .where(ArticleRow.id == article_id)
            )

    def add_article(
        self,
        article: Article,
        scores: Scores | None,
        *,
        canonical_url: str,
        event_id: int | None,
        source: str,
        html: str | None = None,
    ) -> tuple[int, bool]:
        """Insert one article with its scores in one transaction.

        Returns ``(article_id, created)``; ``created`` is False when the canonical URL was
        already stored (nothing is changed then: ingesting twice never duplicates).
        """
        existing = self.article_id_for(canonical_url)
        if existing is not None:
            return existing, False
        row = ArticleRow(
            canonical_url=canonical_url,
            url=article.url,
            event_id=event_id,
            event_pinned=event_id is not None,  # a person chose the event (ingest --event ...)
            source=source,
            raw_html=compress_html(html),
            **_article_fields(article),
        )
        if scores is not None:
            row.score = ScoreRow(**score_fields(scores))
        try:
            with self.session() as s:
                s.add(row)
                s.flush()
                return row.id, True
        except IntegrityError:  # the same URL committed by a concurrent writer
            existing = self.article_id_for(canonical_url)
            if existing is None:
                raise
            return existing, False

    def update_article(self, article_id: int, article: Article, scores: Scores | None) -> None:
        """Replace the extracted fields and scores of a stored article (re-extraction)."""
        with self.session() as s:
            row = s.get(ArticleRow, article_id)
            if row is None:
                raise StoreError(f"no article with id {article_id}")
            for key, value in _article_fields(article).items():
                setattr(row, key, value)
            if scores is not None:
                self._set_scores(s, row, scores)

    def set_scores(self, article_id: int, scores: Scores) -> None:
        with self.session() as s:
            row = s.get(ArticleRow, article_id)
            if row is None:
                raise StoreError(f"no article with id {article_id}")
            self._set_scores(s, row, scores)

    @staticmethod
    def _set_scores(s: Session, row: ArticleRow, scores: Scores) -> None:
        fields = score_fields(scores)
        if row.score is None:
            row.score = ScoreRow(**fields)
        else:
            for key, value in fields.items():
                setattr(row.score, key, value)
            row.score.scored_at = _now()
        s.flush()

    def record_attempt(
        self,
        attempt: FetchAttempt,
        *,
        canonical_url: str,
        event_id: int | None,
        article_id: int | None = None,
    ) -> None:
        with self.session() as s:
            s.add(
                FetchAttemptRow(
                    url=attempt.url,
                    canonical_url=canonical_url,
                    event_id=event_id,
                    article_id=article_id,
                    status=attempt.status,
                    health=attempt.health,
                    reason=attempt.reason,
                    elapsed=attempt.elapsed,
                    at=attempt.at or _now(),
                )
            )

    def articles_to_rescore(
        self, scorer_version: str, everything: bool = False
    ) -> list[tuple[int, str, str]]:
        """(id, title, text) of articles whose scores are missing or from another scorer version."""
        with self.session() as s:
            q = select(ArticleRow.id, ArticleRow.title, ArticleRow.text).outerjoin(ScoreRow)
            if not everything:
                q = q.where((ScoreRow.id.is_(None)) | (ScoreRow.scorer_version != scorer_version))
            return [tuple(r) for r in s.execute(q.order_by(ArticleRow.id)).all()]

    def raw_pages(self, ids: Iterable[int] | None = None) -> Iterator[tuple[int, str, str | None]]:
        """(id, url, html) of stored articles, for re-extraction without refetching."""
        with self.session() as s:
            q = select(ArticleRow.id, ArticleRow.url, ArticleRow.raw_html).order_by(ArticleRow.id)
            if ids is not None:
                q = q.where(ArticleRow.id.in_(list(ids)))
            rows = s.execute(q).all()
        for aid, url, blob in rows:
            yield aid, url, decompress_html(blob)

    def event_articles(self, event_id: int | None = None, *, with_text: bool = True) -> list[dict]:
        """Articles (with their scores) as plain dicts, ordered by outlet then date."""
        with self.session() as s:
            # One query for all scores, not one per article; never the stored HTML; without
            # text, neither the article text nor the spans/sentences JSON (the heavy columns).
            score_load = selectinload(ArticleRow.score)
            if not with_text:
                score_load = (
                    score_load.defer(ScoreRow.spans).defer(ScoreRow.sentences).defer(ScoreRow.headline_spans)
                )
            q = (
                select(ArticleRow, EventRow.name)
                .outerjoin(EventRow, ArticleRow.event_id == EventRow.id)
                .options(defer(ArticleRow.raw_html), score_load)
            )
            if not with_text:
                q = q.options(defer(ArticleRow.text))
            if event_id is not None:
                q = q.where(ArticleRow.event_id == event_id)
            rows = s.execute(q.order_by(ArticleRow.outlet, ArticleRow.published, ArticleRow.id)).all()
            out = [_row_dict(a, ev, with_text) for a, ev in rows]
        return out

    def outlet_names(self) -> list[str]:
        """Every outlet with an article, sorted (one DISTINCT query on an indexed column)."""
        with self.session() as s:
            return sorted(o for o in s.scalars(select(ArticleRow.outlet).distinct()) if o is not None)

    def text_sample(self, limit: int) -> list[dict]:
        """``id``, ``title``, ``text``, ``outlet`` and ``event`` (name) of at most ``limit`` articles
        spread evenly over the database (every k-th by id, so the same data gives the same sample):
        a sample for background statistics that stays cheap at any size.  Nothing else is loaded."""
        if limit <= 0:
            return []
        with self.session() as s:
            ids = list(s.scalars(select(ArticleRow.id).order_by(ArticleRow.id)))
            step = max(1, -(-len(ids) // limit))  # ceil: at most ``limit`` ids
            chosen = ids[::step][:limit]
            out: list[dict] = []
            for i in range(0, len(chosen), SAMPLE_QUERY_CHUNK):
                q = (
                    select(ArticleRow.id, ArticleRow.title, ArticleRow.text, ArticleRow.outlet, EventRow.name)
                    .outerjoin(EventRow, ArticleRow.event_id == EventRow.id)
                    .where(ArticleRow.id.in_(chosen[i : i + SAMPLE_QUERY_CHUNK]))
                )
                keys = ("id", "title", "text", "outlet", "event")
                out += [dict(zip(keys, r, strict=True)) for r in s.execute(q)]
        return sorted(out, key=lambda d: d["id"])

    def attempts(self, event_id: int | None = None, *, failed_only: bool = False) -> list[dict]:
        with self.session() as s:
            q = select(FetchAttemptRow).order_by(FetchAttemptRow.at)
            if event_id is not None:
                q = q.where(FetchAttemptRow.event_id == event_id)
            if failed_only:
                q = q.where(FetchAttemptRow.health != "ok")
            return [
                {
                    "url": r.url,
                    "status": r.status,
                    "health": r.health,
                    "reason": r.reason,
                    "elapsed": r.elapsed,
                    "at": r.at,
                    "article_id": r.article_id,
                }
                for r in s.scalars(q)
            ]

    def version(self) -> tuple:
        """Changes whenever rows are added, removed or edited: a cache key for readers (the dashboard)."""
        with self.session() as s:
            latest = (
                s.scalar(select(func.max(ArticleRow.updated_at))),
                s.scalar(select(func.max(ScoreRow.scored_at))),
                s.scalar(select(func.max(FetchAttemptRow.at))),
            )
        return (*self.counts().values(), *latest)

    def is_empty(self) -> bool:
        """True when the database holds nothing: no event, no article, no fetch attempt."""
        return not any(self.counts().values())

    def article_sources(self) -> dict[str, int]:
        """How many articles came from each source ("url", "html-file", "text", "demo")."""
        with self.session() as s:
            q = select(ArticleRow.source, func.count(ArticleRow.id)).group_by(ArticleRow.source)
            return {src: n for src, n in s.execute(q)}

    def counts(self) -> dict[str, int]:
        with self.session() as s:
            return {
                "events": s.scalar(select(func.count(EventRow.id))) or 0,
                "articles": s.scalar(select(func.count(ArticleRow.id))) or 0,
                "scores": s.scalar(select(func.count(ScoreRow.id))) or 0,
                "fetch_attempts": s.scalar(select(func.count(FetchAttemptRow.id))) or 0,
            }


def _article_fields(article: Article) -> dict:
    return {
        "title": article.title,
        "authors": list(article.authors),
        "published": article.published,
        "text": article.text,
        "outlet": article.outlet,
        "domain": article.domain,
        "language": article.language,
        "health": article.health,
        "problems": list(article.problems),
        "reason": article.reason,
        "top_image": article.top_image,
        "description": article.description,
        "extractor": article.extractor,
        "word_count": article.word_count,
    }


def score_fields(scores: Scores) -> dict:
    """The columns of ScoreRow for ``scores`` (spans and sentences as JSON-ready lists)."""
    sent, loaded = scores.sentiment, scores.loaded
    return {
        "scorer_version": scores.scorer_version,
        "sentiment": sent.compound,
        "positive_share": sent.positive_share,
        "negative_share": sent.negative_share,
        "n_sentences": sent.n_sentences,
        "headline_sentiment": scores.headline_sentiment.compound if scores.headline_sentiment else None,
        "loaded_rate": loaded.rate_per_1000,
        "quoted_rate": loaded.quoted_rate_per_1000,
        "loaded_count": sum(1 for sp in loaded.spans if not sp.quoted),
        "loaded_sentences": loaded.loaded_sentences,
        "categories": dict(loaded.categories),
        "spans": [asdict(sp) for sp in loaded.spans],
        "sentences": [[x.start, x.end, round(x.compound, 4)] for x in sent.sentences],
        "headline_spans": [asdict(sp) for sp in scores.headline_loaded.spans]
        if scores.headline_loaded
        else [],
    }


SAMPLE_QUERY_CHUNK = 500  # ids per IN (...) query of text_sample (SQLite's variable limit is far above)


def _row_dict(a: ArticleRow, event_name: str | None, with_text: bool) -> dict:
    sc = a.score
    d = {
        "id": a.id,
        "event": event_name,
        "outlet": a.outlet,
        "domain": a.domain,
        "title": a.title,
        "authors": list(a.authors or []),
        "published": a.published,
        "url": a.url,
        "canonical_url": a.canonical_url,
        "source": a.source,
        "language": a.language,
        "health": a.health,
        "problems": list(a.problems or []),
        "reason": a.reason,
        "extractor": a.extractor,
        "words": a.word_count,
        "scorer_version": sc.scorer_version if sc else None,
        "sentiment": sc.sentiment if sc else None,
        "positive_share": sc.positive_share if sc else None,
        "negative_share": sc.negative_share if sc else None,
        "n_sentences": sc.n_sentences if sc else None,
        "headline_sentiment": sc.headline_sentiment if sc else None,
        "loaded_rate": sc.loaded_rate if sc else None,
        "quoted_rate": sc.quoted_rate if sc else None,
        "loaded_count": sc.loaded_count if sc else None,
        "loaded_sentences": sc.loaded_sentences if sc else None,
        "categories": dict(sc.categories) if sc else {},
    }
    if with_text:
        d["text"] = a.text
        d["spans"] = list(sc.spans) if sc else []
        d["sentences"] = list(sc.sentences) if sc else []
        d["headline_spans"] = list(sc.headline_spans) if sc else []
    return d


def dumps(obj: object) -> str:
    """JSON with datetimes as ISO 8601 strings."""
    return json.dumps(
        obj, ensure_ascii=False, default=lambda o: o.isoformat() if isinstance(o, datetime) else str(o)
    )
