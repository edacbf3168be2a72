"""Correcting the evidence from the command line: ``flag dismiss|restore|add``, ``topic mark|unmark``,
``history`` and ``corrections list|export|import``.  Corrections are rows in the database (never
edits to the lexicon files); every change is written to the history with the user's name."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analysis.cli.common import CliError, _printable, _store, format_table, write_output
from analysis.compare.corrections import CATEGORIES
from analysis.settings import current_user

MAX_IMPORT_BYTES = 20_000_000  # a corrections file larger than this is refused


def _user(args: argparse.Namespace) -> str:
    return current_user(args.settings)


def _where(args: argparse.Namespace) -> str:
    if args.article is not None:
        return f"in article {args.article}"
    if args.event:
        return f"in the event {args.event!r}"
    return "everywhere"


def cmd_flag(args: argparse.Namespace) -> int:
    if args.article is not None and args.event:
        raise CliError("give --article or --event, not both (neither: everywhere)")
    kind = {"dismiss": "dismiss", "restore": "restore", "add": "add"}[args.action]
    done = _store(args).set_correction(
        kind,
        args.word,
        article_id=args.article,
        event=args.event or None,
        category=getattr(args, "category", None),
        weight=getattr(args, "weight", None),
        user=_user(args),
    )
    word = _printable(args.word, 80)
    if done["before"] == done["after"]:
        print(f"{word!r} {_where(args)}: nothing to change ({done['after']})")
    else:
        print(f"{word!r} {_where(args)}: {done['before']} -> {done['after']}")
    return 0


def cmd_topic(args: argparse.Namespace) -> int:
    if args.article is not None:
        raise CliError("topic words belong to an event (--event) or everywhere")
    kind = "topic" if args.action == "mark" else "not_topic"
    done = _store(args).set_correction(kind, args.word, event=args.event or None, user=_user(args))
    print(f"{_printable(args.word, 80)!r} {_where(args)}: {done['before']} -> {done['after']}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    store = _store(args)
    event_id = store.find_event(args.event).id if args.event else None
    rows = store.history(event_id=event_id, article_id=args.article, limit=args.limit)
    if not rows:
        print("No changes recorded yet.")
        return 0
    for r in rows:
        r["at"] = r["at"].strftime("%Y-%m-%d %H:%M:%S") if r["at"] else ""
        for k in ("subject", "before", "after", "user"):
            r[k] = _printable(r[k], 60)
        r["article_id"] = "" if r["article_id"] is None else r["article_id"]
    cols = [
        ("at", "when (UTC)"),
        ("user", "who"),
        ("action", "what"),
        ("subject", "word / event"),
        ("article_id", "article"),
        ("before", "before"),
        ("after", "after"),
    ]
    print(format_table(rows, cols))
    return 0


def cmd_corrections(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.action == "list":
        rows = store.corrections()
        if not rows:
            print("No corrections yet.")
            return 0
        for r in rows:
            r["where"] = {
                "article": f"article {r['article_id']}",
                "event": r["event"],
                "global": "everywhere",
            }[r["scope"]]
            r["where"] = _printable(r["where"], 50)
            r["term"] = _printable(r["term"], 40)
            r["category"] = r["category"] or ""
        print(
            format_table(
                rows,
                [
                    ("kind", "kind"),
                    ("term", "word"),
                    ("where", "where"),
                    ("category", "category"),
                    ("created_by", "by"),
                ],
            )
        )
        return 0
    if args.action == "export":
        write_output(json.dumps(store.export_corrections(), ensure_ascii=False, indent=1) + "\n", args.file)
        return 0
    data = _read_json(args.file)
    result = store.import_corrections(data, user=_user(args))
    print(f"{result['applied']} corrections applied, {result['unchanged']} already there")
    for why in result["skipped"]:
        print(f"  skipped {_printable(why, 120)}")
    return 0 if not result["skipped"] else 3


def _read_json(name: str) -> Any:
    try:
        raw = sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1) if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {name!r}: {exc.strerror or exc}") from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise CliError(f"{name!r} is larger than {MAX_IMPORT_BYTES} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CliError(f"{name!r} is not a JSON file: {exc}") from None


def add_parsers(add: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    """The ``flag``, ``topic``, ``history`` and ``corrections`` commands."""

    def scope(p: argparse.ArgumentParser) -> None:
        p.add_argument("word", metavar="WORD", help="a word or phrase (case does not matter)")
        p.add_argument(
            "--article", type=int, metavar="ID", help="only in this article (the id column of show)"
        )
        p.add_argument("--event", help="only in this event (neither --article nor --event: everywhere)")

    sp = add(
        "flag",
        cmd_flag,
        "dismiss, restore or add a loaded-language flag (a correction, kept in the database)",
    )
    acts = sp.add_subparsers(dest="action", required=True, metavar="ACTION")
    scope(acts.add_parser("dismiss", help="WORD is not loaded here: left out of the rates", parents=[common]))
    scope(acts.add_parser("restore", help="undo a dismissal of WORD here", parents=[common]))
    a = acts.add_parser("add", help="count WORD as loaded here, with a category", parents=[common])
    scope(a)
    a.add_argument("--category", required=True, choices=CATEGORIES)
    a.add_argument("--weight", type=float, help="0 < weight <= 1 (default: the lexicon's median, 0.7)")
    sp = add("topic", cmd_topic, "mark or unmark a topic word of an event (left out of the loaded rates)")
    acts = sp.add_subparsers(dest="action", required=True, metavar="ACTION")
    scope(acts.add_parser("mark", help="WORD is a topic word: not counted as loaded", parents=[common]))
    scope(acts.add_parser("unmark", help="WORD is not a topic word", parents=[common]))
    sp = add("history", cmd_history, "who changed what and when: corrections and event edits, newest first")
    sp.add_argument("--event", help="only this event (its own changes and its articles')")
    sp.add_argument("--article", type=int, metavar="ID", help="only this article")
    sp.add_argument("--limit", type=int, help="at most this many rows")
    sp = add("corrections", cmd_corrections, "list the corrections, or share them as a JSON file")
    acts = sp.add_subparsers(dest="action", required=True, metavar="ACTION")
    acts.add_parser("list", help="every correction in force", parents=[common])
    a = acts.add_parser(
        "export", help="write every correction to FILE (JSON; '-' = stdout)", parents=[common]
    )
    a.add_argument("file", metavar="FILE", nargs="?")
    a = acts.add_parser("import", help="apply the corrections of FILE (made by export)", parents=[common])
    a.add_argument("file", metavar="FILE")
