"""Schema migrations (Alembic): a database made by the version of 2026-12-07, before Alembic
(tests/fixtures/db/v2026-12-07.sqlite), upgrades in place on SQLite and PostgreSQL and loses
nothing; later migrations run; concurrent first starts; read-only databases behind the newest."""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, func, inspect, select, text

from analysis.compare.reviewed import reviewed_event
from analysis.compare.summary import findings, outlet_summary, sentence_frame
from analysis.store import Store, StoreError
from analysis.store import migrate as migrate_mod
from analysis.store.migrate import BASELINE_REVISION, head_revision, prepare_schema
from analysis.store.migrations.baseline import BASELINE
from tests.store.pg import postgres_database

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "db" / "v2026-12-07.sqlite"
TABLES = ("events", "articles", "scores", "fetch_attempts", "corrections", "history", "speaker_roles")
# What the fixture holds (tests/fixtures/db/make_v2026_12_07.py): every table has rows.
FIXTURE_COUNTS = {
    "events": 6,
    "articles": 23,
    "scores": 23,
    "fetch_attempts": 2,
    "corrections": 4,
    "history": 8,
    "speaker_roles": 1,
}
TEST_MIGRATION = '''"""Test migration: a notes table filled from the events, and a column on events.

Revision ID: t0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "t0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    notes = op.create_table(
        "test_notes", sa.Column("id", sa.Integer, primary_key=True), sa.Column("event_name", sa.String(200))
    )
    # SQLite: the table rebuilt (copied, dropped, renamed), as a change of a column needs; the
    # articles and corrections that refer to it keep their references
    recreate = "always" if op.get_bind().dialect.name == "sqlite" else "auto"
    with op.batch_alter_table("events", recreate=recreate) as batch:
        batch.add_column(sa.Column("test_flag", sa.Integer, nullable=False, server_default="7"))
    names = op.get_bind().execute(sa.text("SELECT name FROM events ORDER BY id")).scalars().all()
    op.bulk_insert(notes, [{"event_name": n} for n in names])


def downgrade() -> None:
    op.drop_table("test_notes")
'''


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: conn.execute(select(func.count()).select_from(BASELINE.tables[t])).scalar_one() for t in TABLES
        }


def _revisions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _references(engine: Engine) -> list:
    """Every row's references to events and articles."""
    queries = (
        "SELECT id, event_id FROM articles",
        "SELECT id, article_id, event_id FROM corrections",
        "SELECT id, article_id, event_id FROM fetch_attempts",
        "SELECT article_id FROM scores",
    )
    with engine.connect() as conn:
        return [sorted(tuple(r) for r in conn.execute(text(q))) for q in queries]


def _utc(value: object) -> object:
    """Datetimes compared as UTC instants (SQLite gives them without zone, PostgreSQL with one)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(value, dict):
        return {k: _utc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_utc(v) for v in value]
    return value


def _snapshot(store: Store) -> dict:
    """What the program reads from a database, through the Store, and the Compare page's numbers
    (every event's per-outlet summary and findings, corrections applied)."""
    events = store.list_events()
    compare = {}
    for e in events:
        view = reviewed_event(
            store.event_articles(e["id"], with_text=True), store.corrections(e["id"]), e["id"]
        )
        summary = outlet_summary(view.rows, sentences=sentence_frame(view.rows))
        compare[e["name"]] = {
            "summary": summary.round(12).to_dict("records"),
            "findings": findings(summary),
            "dismissed": sorted(str(s) for r in view.rows for s in r["dismissed_spans"]),
            "topic_words": sorted(map(str, view.topic_words)),
        }
    return _utc(
        {
            "events": events,
            "articles": sorted(store.event_articles(None, with_text=True), key=lambda r: r["id"]),
            "corrections": [{k: v for k, v in c.items() if k != "created_at"} for c in store.corrections()],
            "history": store.history(),
            "roles": store.speaker_roles(),
            "attempts": sorted(store.attempts(), key=lambda r: r["url"]),
            "compare": compare,
        }
    )


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The fixture as the program reads it without changing it (opened read-only: no upgrade)."""
    path = tmp_path_factory.mktemp("ro") / FIXTURE.name
    shutil.copyfile(FIXTURE, path)
    store = Store(f"sqlite:///{path}", read_only=True)
    snap = _snapshot(store)
    store.engine.dispose()
    assert len(snap["compare"]) == 6 and len(snap["articles"]) == 22  # one of the 23 articles deleted
    assert sum(len(c["dismissed"]) for c in snap["compare"].values()) > 0  # "disaster", dismissed everywhere
    assert not inspect(create_engine(f"sqlite:///{path}")).has_table("alembic_version")
    return snap


def test_the_fixture_is_what_it_claims() -> None:
    engine = create_engine(f"sqlite:///{FIXTURE}")
    assert _counts(engine) == FIXTURE_COUNTS
    assert not inspect(engine).has_table("alembic_version")
    engine.dispose()
    assert FIXTURE.stat().st_size < 1_000_000


def test_the_baseline_is_the_schema_the_fixture_was_made_with(tmp_path: Path) -> None:
    """The baseline migration (0001) makes exactly the tables, columns, constraints and indexes that
    the version of 2026-12-07 made: the same CREATE statements, one for one."""
    url = f"sqlite:///{tmp_path / 'baseline.db'}"
    engine = create_engine(url)
    with engine.connect() as conn:
        migrate_mod.command.upgrade(migrate_mod._config(str(migrate_mod.SCRIPT_LOCATION), conn), "0001")
        conn.commit()
    engine.dispose()

    def ddl(path: Path) -> set[str]:
        with sqlite3.connect(path) as con:
            rows = con.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name != 'alembic_version'"
            )
            out = {r[0] for r in rows}
        con.close()
        return out

    assert ddl(tmp_path / "baseline.db") == ddl(FIXTURE)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_migrations_from_nothing_make_the_schema_of_schema_py(
    dialect: str, tmp_path: Path, request
) -> None:
    """Every migration in order, from an empty database, gives what schema.py declares (what a new
    database gets): a migration forgotten or wrong shows up here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from analysis.store.schema import Base

    url = request.getfixturevalue("pg_url") if dialect == "postgresql" else f"sqlite:///{tmp_path / 'm.db'}"
    engine = create_engine(url)
    with engine.connect() as conn:
        migrate_mod.command.upgrade(migrate_mod._config(str(migrate_mod.SCRIPT_LOCATION), conn), "head")
        conn.commit()
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diffs == []


def _check_upgraded(url: str, before: dict) -> None:
    store = Store(url)
    assert _revisions(store.engine) == [head_revision()]
    assert _counts(store.engine) == FIXTURE_COUNTS
    assert _snapshot(store) == before
    # and it takes writes as usual (on PostgreSQL: the id sequences continue after the loaded rows)
    eid = store.get_or_create_event("After the upgrade")
    store.set_correction("dismiss", "slammed", event=eid, user="ann")
    assert store.history()[0]["subject"].startswith("slammed")
    store.engine.dispose()
    again = Store(url)  # a second start: nothing to do
    assert _revisions(again.engine) == [head_revision()]
    again.engine.dispose()


def test_a_database_made_before_alembic_upgrades_in_place_on_sqlite(tmp_path: Path, before: dict) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE, path)
    _check_upgraded(f"sqlite:///{path}", before)
    with sqlite3.connect(path) as con:  # row by row, the stored text and scores are as they were
        old = sqlite3.connect(FIXTURE)
        for query in ("SELECT id, title, text, raw_html FROM articles", "SELECT * FROM scores"):
            new_rows = [r for r in con.execute(query + " ORDER BY 1") if r[0] <= FIXTURE_COUNTS["articles"]]
            assert new_rows == list(old.execute(query + " ORDER BY 1"))
        old.close()
    con.close()


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty database of its own on the local PostgreSQL server (tests/store/pg.py)."""
    yield from postgres_database()


def load_fixture_as_before_alembic(url: str) -> None:
    """The fixture's rows in a PostgreSQL database shaped as the version of 2026-12-07 left one:
    the baseline's tables (the same DDL), no ``alembic_version``, the id sequences after the rows."""
    src, dst = create_engine(f"sqlite:///{FIXTURE}"), create_engine(url)
    BASELINE.create_all(dst)
    with src.connect() as s, dst.begin() as d:
        for table in BASELINE.sorted_tables:
            rows = [dict(r._mapping) for r in s.execute(select(table))]
            for row in rows:  # stored by SQLite without a zone: UTC, as the program wrote them
                for k, v in row.items():
                    if isinstance(v, datetime) and v.tzinfo is None:
                        row[k] = v.replace(tzinfo=UTC)
            if rows:
                d.execute(table.insert(), rows)
        for table in BASELINE.sorted_tables:
            if "id" in table.c:
                d.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id)) "
                        f"FROM {table.name}"
                    )
                )
    src.dispose()
    assert not inspect(dst).has_table("alembic_version")
    dst.dispose()


def test_a_database_made_before_alembic_upgrades_in_place_on_postgresql(pg_url: str, before: dict) -> None:
    load_fixture_as_before_alembic(pg_url)
    _check_upgraded(pg_url, before)


# --- later migrations, locks, read-only ---------------------------------------------------------


def _locations(tmp_path: Path) -> tuple[Path, Path]:
    """Two script folders: the baseline alone, and the baseline plus the test migration t0002."""
    real = migrate_mod.SCRIPT_LOCATION
    out = []
    for name, extra in (("baseline", None), ("later", TEST_MIGRATION)):
        loc = tmp_path / name
        (loc / "versions").mkdir(parents=True)
        shutil.copyfile(real / "env.py", loc / "env.py")
        shutil.copyfile(real / "versions" / "0001_baseline.py", loc / "versions" / "0001_baseline.py")
        if extra:
            (loc / "versions" / "t0002_test.py").write_text(extra, encoding="utf-8")
        out.append(loc)
    return out[0], out[1]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_later_migration_runs_on_a_database_at_the_baseline(dialect: str, tmp_path: Path, request) -> None:
    baseline, later = _locations(tmp_path)
    if dialect == "postgresql":
        url = request.getfixturevalue("pg_url")
        load_fixture_as_before_alembic(url)
    else:
        shutil.copyfile(FIXTURE, tmp_path / "old.sqlite")
        url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    first = prepare_schema(engine, baseline)  # made before Alembic: the legacy step, stamped 0001
    assert (first.before, first.after, first.legacy) == (None, BASELINE_REVISION, True)
    assert _revisions(engine) == ["0001"]
    done = prepare_schema(engine, later)
    assert (done.before, done.after, done.changed) == ("0001", "t0002", True)
    assert _revisions(engine) == ["t0002"]
    with engine.connect() as conn:  # the migration ran: a table filled from the data, a column added
        notes = conn.execute(text("SELECT event_name FROM test_notes ORDER BY id")).scalars().all()
        flags = set(conn.execute(text("SELECT test_flag FROM events")).scalars())
        names = conn.execute(text("SELECT name FROM events ORDER BY id")).scalars().all()
    assert notes == names and len(names) == FIXTURE_COUNTS["events"] and flags == {7}
    assert _counts(engine) == FIXTURE_COUNTS
    assert _references(engine) == _references(create_engine(f"sqlite:///{FIXTURE}"))
    assert not prepare_schema(engine, later).changed  # at the newest: nothing to do
    engine.dispose()


def test_a_new_database_is_made_from_schema_py_and_stamped(tmp_path: Path) -> None:
    _, later = _locations(tmp_path)
    engine = create_engine(f"sqlite:///{tmp_path / 'new.db'}")
    done = prepare_schema(engine, later)
    assert done.created and done.after == "t0002" and _revisions(engine) == ["t0002"]
    assert not inspect(engine).has_table("test_notes")  # stamped, not migrated: schema.py has no such table
    engine.dispose()


def test_a_read_only_database_behind_the_newest_revision_is_explained(tmp_path: Path, monkeypatch) -> None:
    baseline, later = _locations(tmp_path)
    path = tmp_path / "at-baseline.db"
    engine = create_engine(f"sqlite:///{path}")
    prepare_schema(engine, baseline)
    engine.dispose()
    monkeypatch.setattr(migrate_mod, "SCRIPT_LOCATION", later)  # a program whose newest is t0002
    with pytest.raises(
        StoreError, match=r"revision 0001; this version of the program needs t0002: it must be"
    ):
        Store(f"sqlite:///{path}", read_only=True)
    store = Store(f"sqlite:///{path}")  # with write access: upgraded
    assert _revisions(store.engine) == ["t0002"]
    store.engine.dispose()
    assert Store(f"sqlite:///{path}", read_only=True).list_events() == []


def test_a_database_from_a_newer_version_is_refused_with_a_reason(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    Store(url).engine.dispose()
    with sqlite3.connect(tmp_path / "newer.db") as con:
        con.execute("UPDATE alembic_version SET version_num = '0099'")
    con.close()
    for read_only in (False, True):
        with pytest.raises(StoreError, match=r"revision 0099, which this version .* does not know"):
            Store(url, read_only=read_only)


def test_an_up_to_date_database_opens_without_the_write_lock(tmp_path: Path) -> None:
    """The dashboard opens the database while an ingest writes: at the newest revision, opening
    reads the revision and takes no lock (a wait for it would fail after busy_timeout)."""
    path = tmp_path / "busy.db"
    Store(f"sqlite:///{path}").engine.dispose()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        store = Store(f"sqlite:///{path}")
        assert store.list_events() == []
        store.engine.dispose()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def _first_start(url: str, barrier) -> None:  # noqa: ANN001 - a multiprocessing barrier
    barrier.wait(60)
    store = Store(url)
    store.get_or_create_event("Opened at once")
    store.engine.dispose()


@pytest.mark.parametrize(
    ("dialect", "made_before_alembic"),
    [("sqlite", False), ("sqlite", True), ("postgresql", False), ("postgresql", True)],
)
def test_concurrent_first_starts_migrate_once(
    dialect: str, made_before_alembic: bool, tmp_path, request
) -> None:
    if dialect == "postgresql":
        url = request.getfixturevalue("pg_url")
        if made_before_alembic:
            load_fixture_as_before_alembic(url)
    else:
        path = tmp_path / "db.sqlite"
        if made_before_alembic:
            shutil.copyfile(FIXTURE, path)
        url = f"sqlite:///{path}"
    n = 3
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(n)
    procs = [ctx.Process(target=_first_start, args=(url, barrier)) for _ in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * n
    store = Store(url)
    assert _revisions(store.engine) == [head_revision()]
    counts = _counts(store.engine)
    expected = dict.fromkeys(TABLES, 0) if not made_before_alembic else dict(FIXTURE_COUNTS)
    expected["events"] += 1  # "Opened at once", one event for all three
    assert counts == expected
    store.engine.dispose()


def test_a_migration_that_breaks_references_is_rolled_back_on_sqlite(tmp_path: Path) -> None:
    baseline, later = _locations(tmp_path)
    broken = TEST_MIGRATION.replace(
        "def upgrade() -> None:\n",
        'def upgrade() -> None:\n    op.execute("DELETE FROM events WHERE id = 1")\n',
    )
    (later / "versions" / "t0002_test.py").write_text(broken, encoding="utf-8")
    shutil.copyfile(FIXTURE, tmp_path / "old.sqlite")
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    event.listen(engine, "connect", lambda dbapi_conn, _: dbapi_conn.execute("PRAGMA foreign_keys=ON"))
    prepare_schema(engine, baseline)
    with pytest.raises(StoreError, match=r"a migration broke .* references"):
        prepare_schema(engine, later)
    assert _revisions(engine) == ["0001"] and _counts(engine) == FIXTURE_COUNTS
    assert not inspect(engine).has_table("test_notes")
    with engine.connect() as conn:  # the pool's connection has its foreign keys on again, as before
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
