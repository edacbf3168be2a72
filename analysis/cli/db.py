"""The ``db`` command: the database's schema revision (Alembic migrations in analysis/store).

``db upgrade`` does what every writable open does anyway (the dashboard's, any writing command's);
it exists to upgrade at a chosen moment, e.g. a shared PostgreSQL database before a team's
dashboards restart, and to say what was done.  ``db current`` and ``db history`` change nothing."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from analysis.cli.common import CliError, format_table
from analysis.store import (
    SchemaState,
    database_state,
    is_memory_database,
    migration_history,
    safe_url,
    upgrade_database,
)

UPGRADE_COMMAND = "python -m analysis db upgrade"


def _url(args: argparse.Namespace) -> str:
    url = args.settings.database_url
    if is_memory_database(url):
        raise CliError(f"{safe_url(url)!r} is an in-memory database: give a database file or URL with --db")
    return url


def describe(state: SchemaState | None) -> str:
    """One line on where a database stands."""
    if state is None:
        return "no database file yet (made at the newest schema revision when first used)"
    if not state.current:
        if state.has_tables:
            return f"no schema revision: made before migrations (run: {UPGRADE_COMMAND}, to {state.head})"
        return f"no tables yet (made at schema revision {state.head} when first used)"
    current = ", ".join(state.current)
    if not state.known:
        return (
            f"schema revision {current}, unknown to this version of the program (its newest is "
            f"{state.head}): a newer version upgraded it"
        )
    if state.up_to_date:
        return f"schema revision {current} (the newest)"
    return f"schema revision {current}, behind the newest, {state.head} (run: {UPGRADE_COMMAND})"


def cmd_db(args: argparse.Namespace) -> int:
    if args.action == "history":
        state = None
        if not is_memory_database(args.settings.database_url):
            state = database_state(args.settings.database_url)
        current = set(state.current) if state is not None else set()
        rows = [
            {
                "revision": rev,
                "previous": down or "–",
                "state": "current" if rev in current else "",
                "description": doc,
            }
            for rev, down, doc in migration_history()
        ]
        cols = [
            ("revision", "revision"),
            ("previous", "after"),
            ("state", "database"),
            ("description", "change"),
        ]
        print(format_table(rows, cols))
        return 0
    url = _url(args)
    if args.action == "current":
        print(f"{safe_url(url)}: {describe(database_state(url))}")
        return 0
    done = upgrade_database(url)
    if done.created:
        what = f"made the tables at the newest schema revision, {done.after}"
    elif done.legacy:
        what = f"made before migrations: brought to the baseline and upgraded to {done.after}"
    elif done.changed:
        what = f"upgraded from schema revision {done.before} to {done.after}"
    else:
        what = f"already at the newest schema revision, {done.after}"
    print(f"{safe_url(url)}: {what}")
    return 0


def add_parsers(add: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    """The ``db`` command (upgrade, current, history)."""
    sp = add("db", cmd_db, "the database's schema revision: upgrade it, show it, list the migrations")
    acts = sp.add_subparsers(dest="action", required=True, metavar="ACTION")
    acts.add_parser(
        "upgrade",
        help="bring the database to the newest schema revision (every writable open does it too)",
        parents=[common],
    )
    acts.add_parser("current", help="the database's schema revision (changes nothing)", parents=[common])
    acts.add_parser("history", help="the migrations, newest first (changes nothing)", parents=[common])
