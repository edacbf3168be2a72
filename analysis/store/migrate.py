"""Schema migrations with Alembic, driven by the program (no alembic.ini, no ``alembic`` command).

Every writable open of a database (:func:`prepare_schema`) brings it to the newest revision:

* a database at the newest revision: nothing to do (one read, no lock);
* an empty database: every table made from schema.py, stamped with the newest revision;
* a database with ``alembic_version``: the migrations it lacks are run (``upgrade head``);
* a database made before Alembic (tables, no ``alembic_version``): brought to the baseline by the
  legacy step (legacy.py), stamped "0001", then upgraded like any other.

The work runs in one transaction under a lock, so that two processes starting at once on a new or
old database do not both migrate it: SQLite ``BEGIN IMMEDIATE`` (the file's write lock, taken before
anything is read), PostgreSQL a transaction-level advisory lock.  The migration scripts are in
``migrations/versions/``; a new one names the newest as its ``down_revision`` (README, Settings).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect, text

from analysis.store import legacy
from analysis.store.errors import StoreError
from analysis.store.migrations.baseline import BASELINE
from analysis.store.schema import DERIVED_TABLES, Base

SCRIPT_LOCATION = Path(__file__).resolve().with_name("migrations")
BASELINE_REVISION = "0001"  # the schema of 2026-12-07, the last version before Alembic
# PostgreSQL advisory lock key (any 64-bit number the program does not use elsewhere)
MIGRATION_LOCK_KEY = zlib.crc32(b"analysis: event key migration")
UPGRADE_HINT = "open it once with write access, or run: python -m analysis db upgrade"


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands: its revisions (``alembic_version``), the program's newest."""

    current: tuple[str, ...]  # () when the database has no alembic_version (or an empty one)
    head: str
    has_tables: bool  # any of the program's tables
    known: bool  # every current revision is one of the program's

    @property
    def up_to_date(self) -> bool:
        return self.current == (self.head,)

    @property
    def legacy(self) -> bool:
        """Made before Alembic: tables but no revision."""
        return self.has_tables and not self.current


@dataclass(frozen=True)
class Upgrade:
    """What :func:`prepare_schema` did: ``before`` is None for a new or pre-Alembic database."""

    before: str | None
    after: str
    created: bool = False  # the tables were made (an empty database)
    legacy: bool = False  # the legacy step ran (a database made before Alembic)

    @property
    def changed(self) -> bool:
        return self.created or self.legacy or self.before != self.after


@lru_cache(maxsize=8)
def _script(location: str) -> ScriptDirectory:
    return ScriptDirectory.from_config(_config(location))


def _config(location: str, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", location.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision(location: Path | None = None) -> str:
    """The newest revision of the migration scripts (StoreError if they have several heads)."""
    heads = _script(str(location or SCRIPT_LOCATION)).get_heads()
    if len(heads) != 1:
        raise StoreError(f"the migrations have {len(heads)} newest revisions ({', '.join(heads)}), not one")
    return heads[0]


def migration_history(location: Path | None = None) -> list[tuple[str, str | None, str]]:
    """(revision, down revision, description) of every migration, newest first."""
    out = []
    for rev in _script(str(location or SCRIPT_LOCATION)).walk_revisions():
        down = rev.down_revision
        down_text = down if isinstance(down, str) or down is None else ", ".join(down)
        out.append((rev.revision, down_text, (rev.doc or "").strip().splitlines()[0] if rev.doc else ""))
    return out


def schema_state(conn: Connection, location: Path | None = None) -> SchemaState:
    """Where the database of ``conn`` stands (reads only)."""
    script = _script(str(location or SCRIPT_LOCATION))
    current = tuple(sorted(MigrationContext.configure(conn).get_current_heads()))
    known = {r.revision for r in script.walk_revisions()}
    app_tables = set(BASELINE.tables) | set(Base.metadata.tables)
    has_tables = bool(app_tables & set(inspect(conn).get_table_names()))
    return SchemaState(current, head_revision(location), has_tables, all(r in known for r in current))


def _unknown(state: SchemaState) -> StoreError:
    return StoreError(
        f"the database is at schema revision {', '.join(state.current)}, which this version of the "
        f"program does not know (its newest is {state.head}): it was upgraded by a newer version; use that"
    )


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that no other process migrating the database runs beside;
    committed when the block ends without error."""
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            yield conn
            conn.commit()
            return
        # SQLite's own procedure for schema changes: foreign keys off (a migration that rebuilds a
        # table, op.batch_alter_table, drops the old one, and with them on that would empty or
        # null every reference to it), checked before the commit, on again after it.  The pragma
        # cannot change inside a transaction, so it is set before BEGIN.
        was_on = bool(conn.exec_driver_sql("PRAGMA foreign_keys").scalar())
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # waits (busy_timeout) for another writer
            before = len(conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall())  # old orphans stay
            yield conn
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if len(broken) > before:
                raise StoreError(f"a migration broke {len(broken) - before} references (e.g. {broken[0]})")
            conn.commit()
        finally:
            conn.rollback()
            conn.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if was_on else 'OFF'}")
            conn.commit()


def prepare_schema(engine: Engine, location: Path | None = None) -> Upgrade:
    """Bring the database of ``engine`` to the newest revision (safe to run on every start; see the
    module's docstring).  ``location``: another folder of migration scripts (tests)."""
    where = str(location or SCRIPT_LOCATION)
    with engine.connect() as conn:
        state = schema_state(conn, location)
    if state.up_to_date:
        return Upgrade(state.head, state.head)
    with _migration_lock(engine) as conn:
        state = schema_state(conn, location)  # again, inside the lock: another process may have done it
        if not state.known:
            raise _unknown(state)
        if state.up_to_date:
            return Upgrade(state.head, state.head)
        cfg = _config(where, conn)
        try:
            if not state.has_tables:  # a new database: the tables as schema.py has them now
                Base.metadata.create_all(conn)
                command.stamp(cfg, "head")
                return Upgrade(None, state.head, created=True)
            if state.legacy:
                legacy.bring_to_baseline(conn)
                command.stamp(cfg, BASELINE_REVISION)
            command.upgrade(cfg, "head")
        except CommandError as exc:
            raise StoreError(f"cannot upgrade the database schema: {exc}") from None
    before = ", ".join(state.current) or None
    return Upgrade(before, state.head, legacy=state.legacy)


# Tables a database opened read-only may lack (made before they existed): read as empty.
REVIEW_TABLES = frozenset({"corrections", "history"})
OUTLET_TABLES = frozenset({"outlets"})  # likewise: outlets then get colours by name, no display names
# The review tables (then no corrections), the outlet table and the derived ones (then the pages
# compute what they hold, in memory).
OPTIONAL_TABLES = REVIEW_TABLES | OUTLET_TABLES | DERIVED_TABLES


def check_schema(engine: Engine, location: Path | None = None) -> None:
    """StoreError unless the database can be read as it is (it is opened read-only and cannot be
    upgraded in place): a database with a revision must be at the newest; one made before Alembic
    must have every table and column this program reads."""
    with engine.connect() as conn:
        state = schema_state(conn, location)
        if state.current and not state.known:
            raise _unknown(state)
        if state.current and not state.up_to_date:
            raise StoreError(
                f"the read-only database is at schema revision {', '.join(state.current)}; this version "
                f"of the program needs {state.head}: it must be upgraded ({UPGRADE_HINT})"
            )
        insp = inspect(conn)
        present = set(insp.get_table_names())
        missing = [
            t.name
            for t in Base.metadata.sorted_tables
            if t.name not in present and t.name not in OPTIONAL_TABLES
        ]
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
