"""The ``article`` command: a person's fixes to one stored article (date, headline, outlet, authors,
event) and its soft delete/restore.  Every change is written to the history (``history --article``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from analysis.cli.common import CliError, _store
from analysis.settings import current_user

MAX_DAYS_AHEAD = 1  # a corrected date may be at most tomorrow (time zones), never further


def _date(value: str) -> datetime:
    try:
        d = date.fromisoformat(value.strip())
    except ValueError:
        raise CliError(f"--date: expected YYYY-MM-DD, got {value!r}") from None
    if d > datetime.now(UTC).date() + timedelta(days=MAX_DAYS_AHEAD):
        raise CliError(f"--date: {d.isoformat()} is in the future")
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _authors(value: str) -> list[str]:
    return [a.strip() for a in value.split(";") if a.strip()]


def cmd_article(args: argparse.Namespace) -> int:
    store = _store(args)
    user = current_user(args.settings)
    if args.action == "delete":
        if store.delete_article(args.id, user=user):
            print(f"deleted article {args.id} (hidden everywhere; undo with: article restore {args.id})")
        else:
            print(f"article {args.id} was already deleted")
        return 0
    if args.action == "restore":
        if store.restore_article(args.id, user=user):
            print(f"restored article {args.id}")
        else:
            print(f"article {args.id} was not deleted")
        return 0
    published = _date(args.date) if args.date is not None else None
    authors = _authors(args.authors) if args.authors is not None else None
    if all(v is None for v in (published, args.title, args.outlet, authors, args.event)):
        raise CliError("nothing to change: give --date, --title, --outlet, --authors or --event")
    target = store.find_event(args.event).name if args.event is not None else None  # unknown: fails first
    changed = store.edit_article(
        args.id, published=published, title=args.title, outlet=args.outlet, authors=authors, user=user
    )
    if target is not None and store.event_name_of_article(args.id) != target:
        store.move_articles([args.id], target, user=user)
        changed.append("event")
    if changed:
        print(f"article {args.id}: changed {', '.join(changed)} (see: history --article {args.id})")
    else:
        print(f"article {args.id}: nothing changed (the values were already so)")
    return 0


def add_parsers(add: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    """The ``article`` command (edit, delete, restore)."""
    sp = add(
        "article",
        cmd_article,
        "fix an article's date, headline, outlet, authors or event; delete or restore it",
    )
    acts = sp.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser("edit", help="change fields of article ID (the id column of show)", parents=[common])
    a.add_argument("id", type=int, metavar="ID")
    a.add_argument("--date", metavar="YYYY-MM-DD", help="publication date")
    a.add_argument("--title", help="headline")
    a.add_argument("--outlet", help="outlet name")
    a.add_argument("--authors", metavar='"A; B"', help='authors separated by semicolons ("" for none)')
    a.add_argument("--event", metavar="NAME", help="move the article into this event")
    a = acts.add_parser(
        "delete", help="hide article ID everywhere (kept; undo with restore)", parents=[common]
    )
    a.add_argument("id", type=int, metavar="ID")
    a = acts.add_parser("restore", help="bring back a deleted article ID", parents=[common])
    a.add_argument("id", type=int, metavar="ID")
