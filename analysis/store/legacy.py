"""The legacy step: a database made before Alembic (tables, no ``alembic_version``) is brought to
the baseline, revision 0001, by the additive migrations the program ran on every start until then.

Only missing things are added: tables, columns (nullable, or with a server default) and indexes of
the baseline (migrations/baseline.py, frozen), and events made before ``name_key`` get their key and
a new slug.  Nothing is dropped or changed otherwise.  The caller holds the migration lock and
stamps the database "0001" afterwards, in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import Connection, DefaultClause, inspect, select, text, update

from analysis.store.migrations.baseline import BASELINE, EVENTS
from analysis.store.schema import MAX_EVENT_NAME, _free_slug, event_name_key


def bring_to_baseline(conn: Connection) -> None:
    """Add the baseline's missing tables, columns and indexes to the database of ``conn``; fill in
    the events' ``name_key`` (in the caller's transaction)."""
    BASELINE.create_all(conn, checkfirst=True)
    _add_missing_columns(conn)
    _fill_event_keys(conn)
    _add_missing_indexes(conn)


def _add_missing_columns(conn: Connection) -> None:
    """Columns added before the baseline to a database made earlier.  Only nullable columns or
    columns with a server default are added, so this is safe on a database in use."""
    insp = inspect(conn)
    for table in BASELINE.sorted_tables:
        present = {c["name"] for c in insp.get_columns(table.name)}
        for col in table.columns:
            if col.name in present:
                continue
            ddl_type = col.type.compile(dialect=conn.dialect)
            default = ""
            server_default = col.server_default
            if server_default is not None:
                if not isinstance(server_default, DefaultClause) or isinstance(server_default.arg, str):
                    raise TypeError(f"{table.name}.{col.name}: server default is not an SQL expression")
                default = " DEFAULT " + str(server_default.arg.compile(dialect=conn.dialect))
            conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{col.name}" {ddl_type}{default}'))


def _add_missing_indexes(conn: Connection) -> None:
    """Indexes added before the baseline (``create_all`` makes only the indexes of new tables)."""
    insp = inspect(conn)
    for table in BASELINE.sorted_tables:
        present = {ix["name"] for ix in insp.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in present:
                index.create(conn, checkfirst=True)


def _fill_event_keys(conn: Connection) -> None:
    """Events made before ``name_key``: fill it in and give every such event a new slug.

    Old slugs were ASCII-only and cut at 80 characters, so different names could share one; the new
    ones carry a hash of the full name.  Names that are one name by the new rule (e.g. "Straße" and
    "STRASSE") are never merged silently: the later event gets " (2)" appended to its name.
    """
    ev = EVENTS.c
    rows = conn.execute(select(ev.id, ev.name, ev.name_key, ev.slug).order_by(ev.id)).all()
    todo = [r for r in rows if r.name_key is None]
    if not todo:
        return
    claimed = {r.name_key for r in rows if r.name_key is not None}
    every_key = claimed | {event_name_key(r.name) for r in todo}
    slugs = {r.slug for r in rows if r.name_key is not None}
    for r in todo:  # old slugs out of the way first: one might equal a new slug
        conn.execute(update(EVENTS).where(ev.id == r.id).values(slug=f"~migrating-{r.id}"))
    for r in todo:
        name, key = r.name, event_name_key(r.name)
        if key in claimed:
            base, n = name[: MAX_EVENT_NAME - 12], 2
            while event_name_key(f"{base} ({n})") in every_key:
                n += 1
            name = f"{base} ({n})"
            key = event_name_key(name)
            every_key.add(key)
        claimed.add(key)
        slug = _free_slug(name, slugs.__contains__)
        slugs.add(slug)
        conn.execute(update(EVENTS).where(ev.id == r.id).values(name=name, name_key=key, slug=slug))
