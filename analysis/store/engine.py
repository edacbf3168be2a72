"""Opening a database: engines (read-only SQLite files too), passwords kept out of messages, the
schema brought up to date (migrate.py) or checked, and the connection every Store part shares."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from analysis.store.errors import StoreError, database_errors
from analysis.store.migrate import (
    REVIEW_TABLES,
    SchemaState,
    Upgrade,
    check_schema,
    prepare_schema,
    schema_state,
)
from analysis.store.schema import DERIVED_TABLES
from analysis.store.spans import json_column_dumps, json_column_loads


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI connection
    cur = dbapi_conn.cursor()
    # First: switching a new file to WAL takes a lock, and another process may hold one (migrating
    # the schema at its own first start): wait for it rather than fail with "database is locked".
    cur.execute("PRAGMA busy_timeout=10000")  # ms to wait for a concurrent writer
    cur.execute("PRAGMA journal_mode=WAL")  # readers (the dashboard) never block the writer
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses at most the last commit
    cur.execute("PRAGMA foreign_keys=ON")
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
        engine = create_engine(
            url, future=True, json_serializer=json_column_dumps, json_deserializer=json_column_loads
        )
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
        engine = create_engine(
            url, future=True, json_serializer=json_column_dumps, json_deserializer=json_column_loads
        )
    except (ArgumentError, ImportError, ValueError) as exc:
        why = hide_passwords(str(exc), url)
        raise StoreError(f"cannot use database URL {safe_url(url)!r}: {why}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def upgrade_database(url: str) -> Upgrade:
    """Bring the database at ``url`` to the newest schema revision (what every writable open of
    a Store does; ``python -m analysis db upgrade``)."""
    why = read_only_reason(url)
    if why:
        raise StoreError(f"cannot upgrade the database {safe_url(url)}: {why}")
    with database_errors():
        engine = make_engine(url)
        try:
            return prepare_schema(engine)
        finally:
            engine.dispose()


def database_state(url: str) -> SchemaState | None:
    """Where the database at ``url`` stands, without changing it (a SQLite file is opened
    read-only); None when its SQLite file does not exist."""
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        return None
    with database_errors():
        engine = make_engine(url, read_only=path is not None)
        try:
            with engine.connect() as conn:
                return schema_state(conn)
        finally:
            engine.dispose()


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


class Connection:
    """The engine and sessions of one database; the Store's parts build on it."""

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
        # An engine from make_engine writes Span objects straight to JSON (json_column_dumps); one made
        # elsewhere gets dicts (plain json.dumps).
        self._span_objects = getattr(self.engine.dialect, "_json_serializer", None) is json_column_dumps
        if read_only:
            check_schema(self.engine)
        else:
            prepare_schema(self.engine)
        tables = set(inspect(self.engine).get_table_names()) if read_only else set()
        self.has_review_tables = not read_only or tables >= REVIEW_TABLES
        self.has_derived_tables = not read_only or tables >= DERIVED_TABLES
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as s, s.begin():
            yield s
