"""The add-text command: pasted article text from one file, stdin, several files, a folder of
.txt/.md files, or a CSV/JSONL file with one article a row, stored in one process."""

from __future__ import annotations

import argparse
import csv
import io
import json
from dataclasses import dataclass, replace
from pathlib import Path

from analysis.cli.common import CliError, _run_with_progress, _store
from analysis.cli.ingest import NotRegularFile, _parse_date, _print_grouping, _print_results, _read_file
from analysis.models import IngestResult

TEXT_SUFFIXES = (".txt", ".md")  # files add-text takes from a folder
TABLE_SUFFIXES = (".csv", ".jsonl")  # files read as one article a row
MAX_TABLE_FILE_BYTES = 200_000_000  # a CSV/JSONL of many articles is read whole: cap it
BAD_INPUT = "bad-input"  # health of a row or file that is not stored (the reason says why)


@dataclass(frozen=True)
class TextItem:
    """One article to store, as given (checked when stored)."""

    source: str
    text: str
    title: str | None
    outlet: str | None
    date: str | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()


def _failed(source: str, reason: str, health: str = BAD_INPUT) -> IngestResult:
    return IngestResult(source=source, health=health, reason=reason)


def _cell(row: dict, key: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _row_item(row: object, source: str, args: argparse.Namespace) -> TextItem | IngestResult:
    if not isinstance(row, dict):
        return _failed(source, "not an object with title, outlet, date, url, text")
    row = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    authors = _cell(row, "authors") or _cell(row, "author") or ""
    return TextItem(
        source=source,
        text=str(row.get("text") or ""),
        title=_cell(row, "title") or args.title,
        outlet=_cell(row, "outlet") or args.outlet,
        date=_cell(row, "date") or args.date,
        url=_cell(row, "url") or args.url,
        authors=tuple(a.strip() for a in authors.split(";") if a.strip()) or tuple(args.author or ()),
    )


def _table_items(path: Path, label: str, args: argparse.Namespace) -> list[TextItem | IngestResult]:
    try:
        data = _read_file(str(path), MAX_TABLE_FILE_BYTES)
    except CliError as exc:
        return [_failed(label, str(exc))]
    if path.suffix.lower() == ".jsonl":
        out: list[TextItem | IngestResult] = []
        for n, line in enumerate(data.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                out.append(_failed(f"{label} line {n}", f"not valid JSON: {exc.msg}"))
                continue
            out.append(_row_item(row, f"{label} line {n}", args))
        return out or [_failed(label, "the file has no rows")]
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    try:
        rows = list(reader)
    except csv.Error as exc:
        return [_failed(label, f"not a valid CSV file: {exc}")]
    if "text" not in [(f or "").strip().lower() for f in reader.fieldnames or []]:
        return [_failed(label, "no 'text' column (columns: title, outlet, date, url, text)")]
    # line numbers count the header as line 1 (a quoted cell over several lines shifts them)
    return [_row_item(row, f"{label} row {n}", args) for n, row in enumerate(rows, 2)] or [
        _failed(label, "the file has no rows")
    ]


def _text_item(path: str, label: str, args: argparse.Namespace, single: bool) -> TextItem | IngestResult:
    """A plain-text file: its title is --title, else its first non-empty line (then left out of the
    text).  A single file keeps the one-line errors of before; in a batch a bad file is listed."""
    try:
        text = _read_file(path)
    except NotRegularFile:
        raise
    except CliError as exc:
        if single:
            raise
        return _failed(label, str(exc))
    if not text.strip():
        if single:
            raise CliError(f"{path!r} contains no text")
        return _failed(label, "the file contains no text", "empty")
    title = args.title
    if not title:
        lines = text.strip().splitlines()
        title = lines[0].strip().lstrip("#").strip()
        text = "\n".join(lines[1:])
    return TextItem(label, text, title, args.outlet, args.date, args.url, tuple(args.author or ()))


def collect_items(args: argparse.Namespace) -> list[TextItem | IngestResult]:
    """Everything the command line names, in order; a missing path is a usage error."""
    single = len(args.files) == 1
    out: list[TextItem | IngestResult] = []
    for raw in args.files:
        path = Path(raw)
        if raw == "-":
            out.append(_text_item(raw, "stdin", args, single))
            continue
        if not path.exists():
            raise CliError(f"cannot read {raw!r}: no such file or folder")
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if not p.is_dir() and p.suffix.lower() in TEXT_SUFFIXES)
            if not found:
                raise CliError(f"{raw!r} contains no .txt/.md files")
            top = path.resolve()
            for p in found:
                label = str(Path(top.name) / p.resolve().relative_to(top))
                try:
                    out.append(_text_item(str(p), label, args, False))
                except NotRegularFile as exc:
                    out.append(_failed(label, str(exc)))
        elif path.suffix.lower() in TABLE_SUFFIXES:
            out += _table_items(path, raw, args)
        else:
            try:
                out.append(_text_item(raw, raw, args, single))
            except NotRegularFile as exc:
                if single:
                    raise
                out.append(_failed(raw, str(exc)))
    return out


def _store_item(store, item: TextItem, event: str | None) -> IngestResult:  # noqa: ANN001 - a Store
    from analysis.pipeline import ingest_text
    from analysis.store import StoreError

    problems = [
        msg
        for bad, msg in (
            (not item.text.strip(), "no text"),
            (not item.title, "no title (give a title column or --title)"),
            (not item.outlet, "no outlet (give an outlet column or --outlet)"),
            (
                bool(item.url) and not str(item.url).lower().startswith(("http://", "https://")),
                f"url {item.url!r} is not an http(s) address",
            ),
        )
        if bad
    ]
    if problems:
        return _failed(item.source, "; ".join(problems))
    try:
        published = _parse_date(item.date)
    except CliError:
        return _failed(item.source, f"date {item.date!r} is not an ISO date like 2026-03-12")
    try:
        res = ingest_text(
            store,
            item.text,
            title=str(item.title),
            outlet=str(item.outlet),
            event=event,
            url=item.url,
            published=published,
            authors=item.authors,
        )
    except (ValueError, StoreError) as exc:
        return _failed(item.source, f"{type(exc).__name__}: {exc}")
    return replace(res, source=item.source)


def cmd_add_text(args: argparse.Namespace) -> int:
    _parse_date(args.date)  # a bad --date is a usage error before anything is read
    if args.url and len(args.files) != 1:
        raise CliError("--url names one article: give exactly one file with it")
    items = collect_items(args)
    store = _store(args)
    todo = [i for i in items if isinstance(i, TextItem)]

    def work(progress) -> list[IngestResult]:  # noqa: ANN001
        done = []
        for n, item in enumerate(todo, 1):
            done.append(_store_item(store, item, args.event))
            progress(n, len(todo), done[-1])
        return done

    stored = iter(_run_with_progress("adding", args.quiet, len(todo) if len(todo) > 1 else 0, work))
    ordered = [next(stored) if isinstance(i, TextItem) else i for i in items]
    code = _print_results(ordered)
    if not args.event and any(r.article_id and not r.duplicate for r in ordered):
        _print_grouping(store, args)
    return code
