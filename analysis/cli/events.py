"""Commands about events: events (the list), group (automatic grouping), event (a person's edits)."""

from __future__ import annotations

import argparse

from analysis.cli.common import CliError, _engine, _store, format_table
from analysis.cli.ingest import _print_grouping
from analysis.settings import current_user


def cmd_events(args: argparse.Namespace) -> int:
    events = _store(args).list_events()
    if not events:
        print("No events yet. Try: python -m analysis demo")
        return 0
    print(
        format_table(
            events,
            [
                ("name", "event"),
                ("articles", "articles"),
                ("outlets", "outlets"),
                ("first", "first"),
                ("last", "last"),
            ],
        )
    )
    return 0


def cmd_group(args: argparse.Namespace) -> int:
    store = _store(args)
    with _engine(args) as engine:
        _print_grouping(store, args, engine)
    return 0


def _article_ids(value: str) -> list[int]:
    try:
        ids = [int(x) for x in value.replace(" ", "").split(",") if x]
    except ValueError:
        raise CliError(f"article ids must be numbers separated by commas, got {value!r}") from None
    if not ids:
        raise CliError("no article ids given")
    return ids


def cmd_event(args: argparse.Namespace) -> int:
    store = _store(args)
    user = current_user(args.settings)
    if args.action == "rename":
        store.rename_event(args.event, args.new_name, user=user)
        print(f"renamed {args.event!r} to {args.new_name!r}; its articles stay there when re-grouping")
    elif args.action == "merge":
        n = store.merge_events(args.sources, args.event, user=user)
        print(f"moved {n} articles into {args.event!r}; merged events removed")
    elif args.action == "split":
        store.split_event(args.event, _article_ids(args.articles), args.new_name, user=user)
        print(f"moved articles {args.articles} from {args.event!r} into the new event {args.new_name!r}")
    elif args.action == "delete":
        done = store.delete_event(args.event, user=user)
        print(
            f"deleted {args.event!r} and hid its articles" if done else f"{args.event!r} was already deleted"
        )
    elif args.action == "restore":
        done = store.restore_event(args.event, user=user)
        print(f"restored {args.event!r} with its articles" if done else f"{args.event!r} was not deleted")
    else:  # move
        n = store.move_articles(_article_ids(args.articles), args.event, user=user)
        print(f"moved {n} articles into {args.event!r}")
    return 0
