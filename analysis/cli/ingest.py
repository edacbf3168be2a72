"""Commands that put articles in the database: demo, ingest, discover, import-html, add-text,
rescore, reextract."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from analysis.cli.common import (
    EXIT_ERROR,
    EXIT_PARTIAL,
    MAX_TEXT_FILE_BYTES,
    TITLE_WIDTH,
    CliError,
    _engine,
    _printable,
    _run_with_progress,
    _store,
    format_table,
)
from analysis.models import IngestResult
from analysis.store import Store, safe_url

RESULT_COLUMNS = [
    ("outlet", "outlet"),
    ("title", "title"),
    ("words", "words"),
    ("sentiment", "sentiment"),
    ("loaded_rate", "loaded/1k"),
    ("health", "health"),
]


def _result_rows(results: list[IngestResult]) -> list[dict]:
    rows = []
    for r in results:
        a, sc = r.article, r.scores
        rows.append(
            {
                "outlet": a.outlet if a else "",
                "title": _printable(a.title if a else r.source, TITLE_WIDTH),
                "words": a.word_count if a else None,
                "sentiment": sc.sentiment.compound if sc else None,
                "loaded_rate": sc.loaded.rate_per_1000 if sc else None,
                "health": "duplicate" if r.duplicate else r.health,
            }
        )
    return rows


def _print_results(results: list[IngestResult]) -> int:
    print(format_table(_result_rows(results), RESULT_COLUMNS))
    problems = [r for r in results if r.reason and (r.duplicate or r.health != "ok")]
    if problems:
        print("\nNotes:")
        for r in problems:
            label = "duplicate" if r.duplicate else r.health
            print(f"  {_printable(r.source, 80)}\n    {label}: {_printable(r.reason)}")
    stored = sum(1 for r in results if r.article_id is not None and not r.duplicate)
    failed = sum(1 for r in results if r.article_id is None and not r.duplicate)
    dup = sum(1 for r in results if r.duplicate)
    print(f"\n{stored} stored, {dup} duplicate, {failed} failed (of {len(results)}).")
    return EXIT_PARTIAL if failed else 0


def cmd_demo(args: argparse.Namespace) -> int:
    from analysis.pipeline import load_demo

    store = _store(args)
    results = _run_with_progress("demo", args.quiet, 0, lambda p: load_demo(store, args.settings, progress=p))
    print(format_table(_result_rows(results), RESULT_COLUMNS))
    new = sum(1 for r in results if not r.duplicate)
    events = store.list_events()
    print(
        f"\nDemo corpus: {len(results)} articles ({new} newly stored) in {len(events)} events, "
        f"database {safe_url(args.settings.database_url)}"
    )
    print("Next: python -m analysis show --event " + json.dumps(events[0]["name"]) if events else "")
    return 0


def _read_url_lines(path: str) -> list[str]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read URL list {path!r}: {exc}") from None
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def cmd_ingest(args: argparse.Namespace) -> int:

    urls = list(args.urls)
    if args.from_file:
        urls += _read_url_lines(args.from_file)
    if not urls:
        raise CliError("no URLs given (pass URLs or --from-file FILE)")
    return _ingest_and_group(args, urls)


def _ingest_and_group(args: argparse.Namespace, urls: list[str]) -> int:
    """Ingest ``urls`` with a progress bar and print the summary; without --event, group after."""
    from analysis.pipeline import ingest_urls

    store = _store(args)
    results = _run_with_progress(
        "fetching",
        args.quiet,
        len(urls),
        lambda p: ingest_urls(store, urls, event=args.event, settings=args.settings, progress=p),
    )
    code = _print_results(results)
    if not args.event and any(r.article_id and not r.duplicate for r in results):
        _print_grouping(store, args)
    return code


def _print_grouping(store: Store, args: argparse.Namespace, engine=None) -> None:  # noqa: ANN001
    from analysis.pipeline import regroup

    summary = regroup(store, args.settings, engine)
    print(
        f"\nGrouped {summary['free']} articles without a chosen event: "
        f"{summary['events_created']} new events, {summary['events_removed']} removed. "
        "See: python -m analysis events"
    )


class NotRegularFile(CliError):
    """A path that is a FIFO, device, socket or folder where a file's contents are needed."""


_FILE_KINDS: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")


def _open_regular(path: str) -> BinaryIO:
    """``path`` opened for reading if it is a regular file, else NotRegularFile.

    Opened without blocking and checked again on the open descriptor: opening a FIFO that nobody
    writes to would wait forever, and reading a device may never end.
    """
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(f"cannot read {path!r}: it is {_kind(mode)}, not a regular file")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise CliError(f"cannot read {path!r}: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):  # replaced between the two looks
        os.close(fd)
        raise NotRegularFile(f"cannot read {path!r}: it is {_kind(mode)}, not a regular file")
    return os.fdopen(fd, "rb")


def _read_file(path: str, limit: int = MAX_TEXT_FILE_BYTES) -> str:
    """The decoded text of a regular file (or of stdin for ``-``), at most ``limit`` bytes."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with _open_regular(path) as fh:
                data = fh.read(limit + 1)
    except OSError as exc:
        raise CliError(f"cannot read {path!r}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise CliError(f"{path!r} is larger than {limit / 1e6:.1f} MB")
    from analysis.ingest.fetch import decode_html_bytes

    return decode_html_bytes(data)


HTML_SUFFIXES = (".html", ".htm", ".xhtml")  # files import-html takes from a folder


def _html_files(paths: list[str]) -> list[tuple[Path, str]]:
    """(file, label) for ``paths``; a folder gives its *.html/*.htm files (recursively, sorted),
    labelled from the folder's name down ("archive/2026/story.html": the end of a path matters)."""
    out: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():  # a mistyped path is a usage error, not a failed page
            raise CliError(f"cannot read {raw!r}: no such file or folder")
        if path.is_dir():
            # every non-folder entry named *.html: a FIFO or device among them is listed with its
            # reason when read (_saved_page), not skipped silently
            found = sorted(p for p in path.rglob("*") if not p.is_dir() and p.suffix.lower() in HTML_SUFFIXES)
            if not found:
                raise CliError(f"{raw!r} contains no .html/.htm files")
            top = path.resolve()
            out += [(p, str(Path(top.name) / p.resolve().relative_to(top))) for p in found]
        else:
            out.append((path, raw))
    return out


def _saved_page(path: Path, source: str, url: str | None, limit: int) -> tuple[str, str, str] | IngestResult:
    """(source, url, html) of one saved page, or the reason it cannot be imported."""
    try:
        html = _read_file(str(path), limit)
    except NotRegularFile as exc:
        return IngestResult(source=source, health="not-html", reason=str(exc))
    except CliError as exc:
        health = "too-large" if "larger than" in str(exc) else "network-error"
        return IngestResult(source=source, health=health, reason=str(exc))
    if not html.strip():
        return IngestResult(source=source, health="empty", reason="the file is empty")
    from analysis.ingest.extract import page_url_hint

    url = url or page_url_hint(html)
    if not url:
        return IngestResult(
            source=source,
            health="invalid-url",
            reason="no address in the page (no canonical link or og:url): import it alone with --url",
        )
    return source, url, html


def cmd_import_html(args: argparse.Namespace) -> int:
    from analysis.pipeline import ingest_html_pages

    files = _html_files(args.files)
    if args.url and len(files) != 1:
        raise CliError("--url names one page: give exactly one file with it")
    store = _store(args)
    read = [_saved_page(f, label, args.url, args.settings.max_bytes) for f, label in files]
    pages = [r for r in read if not isinstance(r, IngestResult)]
    with _engine(args) as engine:
        stored = _run_with_progress(
            "importing",
            args.quiet,
            len(pages),
            lambda p: ingest_html_pages(
                store, pages, event=args.event, settings=args.settings, engine=engine, progress=p
            ),
        )
        results = iter(stored)
        ordered = [r if isinstance(r, IngestResult) else next(results) for r in read]
        code = _print_results(ordered)
        if not args.event and any(r.article_id and not r.duplicate for r in stored):
            _print_grouping(store, args, engine)
    return code


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise CliError(f"--date {value!r} is not an ISO date like 2026-03-12 or 2026-03-12T09:30") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def cmd_discover(args: argparse.Namespace) -> int:
    from analysis.ingest.discover import discover

    res = discover(
        args.sources,
        args.settings,
        limit=args.limit,
        max_age_days=None if args.all_dates else args.max_age_days,
    )
    for summary in res.sources:
        print(f"{_printable(summary.source, 80)}: {_printable(summary.describe())}")
    for problem in res.problems:
        print(f"  {problem.health}: {_printable(problem.reason)}")
    if not res.links:
        print("No article links found.")
        return EXIT_ERROR if res.problems else 0
    if args.list:
        for link in res.links:
            date = link.published.strftime("%Y-%m-%d") if link.published else "undated"
            print(f"{date}  {_printable(link.url)}  {_printable(link.title or '', 60)}")
        return 0
    return _ingest_and_group(args, list(res.urls))


def cmd_rescore(args: argparse.Namespace) -> int:
    from analysis.pipeline import rescore
    from analysis.scoring.scorer import SCORER_VERSION

    store = _store(args)
    with _engine(args) as engine:
        n = rescore(store, everything=args.all, engine=engine)
    print(f"rescored {n} articles with scorer {SCORER_VERSION}")
    return 0


def cmd_reextract(args: argparse.Namespace) -> int:
    from analysis.pipeline import reextract

    store = _store(args)
    with _engine(args) as engine:
        n = reextract(store, args.settings, engine=engine)
    print(f"re-extracted and rescored {n} articles from their stored HTML")
    return 0
