"""The ``outlet`` command: list, edit, import and export the outlet table (display names, domains,
group dimensions, colours).  Every edit is written to the history (``history``)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from analysis.cli.common import CliError, _printable, _store, format_table, write_output
from analysis.ingest.outlets import registered_domain
from analysis.outlet_table import OutletCsvError, outlet_csv, read_outlet_csv
from analysis.settings import current_user
from analysis.store import Store

MAX_IMPORT_BYTES = 20_000_000  # an outlet file larger than this is refused


def _writable(store: Store, action: str) -> Store:
    if store.read_only:
        raise CliError(f"the database is read-only: 'outlet {action}' changes it")
    return store


def _groups(values: list[str]) -> dict[str, str]:
    groups: dict[str, str] = {}
    for item in values:
        dim, sep, value = item.partition("=")
        if not sep or not dim.strip():
            raise CliError(f"--group: expected DIMENSION=VALUE (empty VALUE removes it), got {item!r}")
        groups[dim.strip()] = value.strip()
    return groups


def _list(store: Store, fmt: str) -> None:
    outlets = store.outlets()
    if fmt == "json":
        for o in outlets:
            o["updated_at"] = o["updated_at"].isoformat() if o["updated_at"] else None
        print(json.dumps(outlets, ensure_ascii=False, indent=1))
        return
    if not outlets:
        print("(no outlets yet)")
        return
    rows = [
        {
            "name": _printable(o["name"], 40),
            "display_name": _printable(o["display_name"], 40),
            "domains": _printable("; ".join(o["domains"]), 40),
            "groups": _printable("; ".join(f"{k}={v}" for k, v in sorted(o["groups"].items())), 60),
            "colour": o["colour"],
            "origin": o["origin"],
            "articles": o["articles"],
        }
        for o in outlets
    ]
    columns = [
        ("name", "name"),
        ("display_name", "display name"),
        ("domains", "domains"),
        ("groups", "groups"),
        ("colour", "colour"),
        ("origin", "origin"),
        ("articles", "articles"),
    ]
    print(format_table(rows, columns))


def _read(name: str) -> str:
    try:
        raw = sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1) if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {name!r}: {exc.strerror or exc}") from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise CliError(f"{name!r} is larger than {MAX_IMPORT_BYTES} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliError(f"{name!r} is not UTF-8 text: {exc}") from None


def cmd_outlet(args: argparse.Namespace) -> int:
    store = _store(args)
    user = current_user(args.settings)
    if args.action == "list":
        _list(store, args.format)
        return 0
    if args.action == "export":
        rows = store.export_outlets()
        write_output(outlet_csv(rows), args.file, f"wrote {len(rows)} outlets to {args.file}")
        return 0
    if args.action == "import":
        try:
            edits = read_outlet_csv(_read(args.file))
        except OutletCsvError as exc:
            raise CliError(f"{args.file}: {exc}") from None
        counts = _writable(store, "import").import_outlets(edits, user=user)
        print(
            f"{counts['added']} outlets added, {counts['changed']} changed, {counts['unchanged']} unchanged"
        )
        return 0
    domains = []
    for d in args.add_domain or ():
        found = registered_domain(d)
        if not found:
            raise CliError(f"--add-domain: not a domain {d!r}")
        domains.append(found)
    groups = _groups(args.group or [])
    if args.display_name is None and args.colour is None and not domains and not groups:
        raise CliError("nothing to change: give --display-name, --colour, --add-domain or --group")
    changed = _writable(store, "edit").edit_outlet(
        args.name,
        display_name=args.display_name,
        colour=args.colour,
        add_domains=domains,
        groups=groups,
        user=user,
    )
    name = _printable(args.name, 80)
    print(f"{name}: changed {', '.join(changed)}" if changed else f"{name}: nothing changed")
    return 0


def add_parsers(add: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    """The ``outlet`` command (list, edit, import, export)."""
    sp = add("outlet", cmd_outlet, "list, edit, import or export the outlets (names, groups, colours)")
    acts = sp.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser(
        "list", help="every outlet with its display name, domains, groups, colour", parents=[common]
    )
    a.add_argument("--format", choices=("table", "json"), default="table")
    a = acts.add_parser("edit", help="change an outlet (found by name or display name)", parents=[common])
    a.add_argument("name", metavar="NAME")
    a.add_argument("--display-name", help="the name shown on every chart and table")
    a.add_argument("--colour", "--color", dest="colour", metavar="#RRGGBB", help="its colour in every chart")
    a.add_argument(
        "--add-domain", action="append", metavar="DOMAIN", help="a domain of this outlet (repeatable)"
    )
    a.add_argument(
        "--group",
        action="append",
        metavar="DIM=VALUE",
        help="a group value, e.g. leaning=left or type=tabloid (repeatable; DIM= removes it)",
    )
    a = acts.add_parser(
        "import",
        help="add or change outlets from CSV (name, display_name, domains, colour, a column per dimension)",
        parents=[common],
    )
    a.add_argument("file", metavar="FILE.csv", help="the CSV file ('-' = stdin)")
    a = acts.add_parser(
        "export", help="write the outlet table as CSV (no FILE or '-': stdout)", parents=[common]
    )
    a.add_argument("file", metavar="FILE.csv", nargs="?")
