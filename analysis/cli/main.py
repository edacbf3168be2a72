"""The command line: ``python -m analysis COMMAND ...``.

``build_parser`` is kept apart from ``main`` so tests call the CLI in process:
``main(["show", "--event", "X", "--db", url])`` returns the exit code.
Every user error ends in one line ``error: ...`` on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import stat
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError

from analysis.models import IngestResult
from analysis.present.export import export_rows
from analysis.settings import Settings
from analysis.store.database import (
    Store,
    StoreError,
    hide_passwords,
    is_memory_database,
    read_only_reason,
    safe_url,
)

EXIT_USAGE = 2  # argparse's own code for bad arguments
EXIT_ERROR = 1  # a readable failure (unknown event, unreadable file, database down)
EXIT_PARTIAL = 3  # the batch ran but some inputs failed (each listed with its reason)
TITLE_WIDTH = 48  # characters of a title shown in tables
MAX_TEXT_FILE_BYTES = 5_000_000  # pasted-text files larger than this are refused


class CliError(Exception):
    """A user-facing error: printed as one line, exit code EXIT_ERROR."""


# --- helpers ------------------------------------------------------------------


def _printable(value: object, width: int | None = None) -> str:
    """One terminal-safe line: control characters shown as \\x.. escapes, long text cut."""
    text = "" if value is None else str(value)
    text = "".join(
        ch if ch == " " or unicodedata.category(ch)[0] != "C" else ch.encode("unicode_escape").decode()
        for ch in " ".join(text.split())
    )
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text


# How numbers are shown, by column key (others: _fmt's defaults).
NUMBER_FORMATS: dict[str, str] = {
    "sentiment": "+.2f",
    "headline_sentiment": "+.2f",
    "negative_share": ".0%",
    "loaded_rate": ".1f",
    "quoted_rate": ".1f",
}


def format_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    """A plain-text table: ``columns`` are (key, header); numbers right-aligned."""
    cells = [[_fmt(r.get(k), NUMBER_FORMATS.get(k)) for k, _ in columns] for r in rows]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, (_, h) in enumerate(columns)]
    numeric = [all(isinstance(r.get(k), int | float) or r.get(k) is None for r in rows) for k, _ in columns]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    out = [line([h for _, h in columns]), line(["-" * w for w in widths])]
    out += [line(c) for c in cells]
    return "\n".join(out)


def _fmt(value: object, spec: str | None = None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return format(value, spec or ".2f")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return _printable(value)


# Commands that change the database; the others only read it (and can read a read-only file).
WRITING_COMMANDS = frozenset(
    {"demo", "ingest", "discover", "import-html", "add-text", "group", "event", "rescore", "reextract"}
)


def _store(args: argparse.Namespace) -> Store:
    """The Store for ``--db``: read-only for reading commands when the SQLite file cannot be
    written; a one-line error for a writing command on such a file, and for an in-memory database
    (it would vanish when the command ends)."""
    url = args.settings.database_url
    if is_memory_database(url):
        raise CliError(
            f"{safe_url(url)!r} is an in-memory database that disappears when the command ends: "
            "give a database file, e.g. --db sqlite:///data/analysis.db"
        )
    if args.command not in WRITING_COMMANDS:
        return Store(url, read_only=None)
    why = read_only_reason(url)
    if why:
        raise CliError(
            f"cannot write to the database {safe_url(url)}: {why}; "
            f"'{args.command}' changes the database (reading commands such as events, show and export work)"
        )
    return Store(url, read_only=False)


def _progress_bar(total: int, desc: str, quiet: bool):  # noqa: ANN202 - tqdm or None
    if quiet or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="page", file=sys.stderr, leave=False)


def _run_with_progress(desc: str, quiet: bool, total: int, work) -> list[IngestResult]:  # noqa: ANN001
    bar = _progress_bar(total, desc, quiet)

    def progress(done: int, _total: int, res: IngestResult) -> None:
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(_printable(res.source, 40))

    try:
        return work(progress)
    finally:
        if bar is not None:
            bar.close()


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


# --- commands -----------------------------------------------------------------


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
    if args.action == "rename":
        store.rename_event(args.event, args.new_name)
        print(f"renamed {args.event!r} to {args.new_name!r}; its articles stay there when re-grouping")
    elif args.action == "merge":
        n = store.merge_events(args.sources, args.event)
        print(f"moved {n} articles into {args.event!r}; merged events removed")
    elif args.action == "split":
        store.split_event(args.event, _article_ids(args.articles), args.new_name)
        print(f"moved articles {args.articles} from {args.event!r} into the new event {args.new_name!r}")
    else:  # move
        n = store.move_articles(_article_ids(args.articles), args.event)
        print(f"moved {n} articles into {args.event!r}")
    return 0


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


def cmd_add_text(args: argparse.Namespace) -> int:
    from analysis.pipeline import ingest_text

    text = _read_file(args.file)
    if not text.strip():
        raise CliError(f"{args.file!r} contains no text")
    res = ingest_text(
        _store(args),
        text,
        title=args.title,
        outlet=args.outlet,
        event=args.event,
        url=args.url,
        published=_parse_date(args.date),
        authors=tuple(args.author or ()),
    )
    return _print_results([res])


SHOW_COLUMNS = [
    ("id", "id"),
    ("outlet", "outlet"),
    ("published", "date"),
    ("title", "title"),
    ("words", "words"),
    ("sentiment", "sentiment"),
    ("headline_sentiment", "headline"),
    ("negative_share", "neg.sent"),
    ("loaded_rate", "loaded/1k"),
    ("quoted_rate", "quoted/1k"),
    ("top", "top categories"),
    ("health", "health"),
]


def cmd_show(args: argparse.Namespace) -> int:
    store = _store(args)
    ev = store.find_event(args.event)
    rows = store.event_articles(ev.id, with_text=False)
    print(f"{_printable(ev.name)} — {len(rows)} articles from {len({r['outlet'] for r in rows})} outlets")
    if ev.description:
        print(_printable(ev.description))
    print()
    for r in rows:
        r["title"] = _printable(r["title"], TITLE_WIDTH)
        cats = sorted(r["categories"].items(), key=lambda kv: -kv[1])[:2]
        r["top"] = ", ".join(k for k, _ in cats)
    print(format_table(rows, SHOW_COLUMNS))
    failed = store.attempts(ev.id, failed_only=True)
    if failed:
        print("\nFailed fetches:")
        for f in failed:
            print(f"  {_printable(f['url'], 80)}\n    {f['health']}: {_printable(f['reason'])}")
    print(
        "\nsentiment: VADER compound, length-weighted over sentences (-1 negative .. +1 positive); "
        "loaded/1k: the outlet's own loaded-language weight per 1,000 words (quoted speech counted apart)."
    )
    return 0


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


def cmd_export(args: argparse.Namespace) -> int:
    store = _store(args)
    event_id = store.find_event(args.event).id if args.event else None
    data = export_rows(store.event_articles(event_id), args.format)
    if args.out in (None, "-"):
        sys.stdout.write(data)
    else:
        try:
            Path(args.out).write_text(data, "utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {args.out!r}: {exc.strerror or exc}") from None
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


def print_frame(df, max_width: int = 60) -> None:  # noqa: ANN001 - pandas DataFrame
    """Print a DataFrame as plain text, web text made terminal-safe and cut to ``max_width``."""
    if df is None or len(df) == 0:
        print("(nothing to show)")
        return
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(
                lambda v: _printable(", ".join(map(str, v)) if isinstance(v, list | tuple) else v, max_width)
            )
    print(out.to_string(index=False, float_format=lambda x: f"{x:.2f}"))


def _event_rows(args: argparse.Namespace) -> tuple[str, list[dict]]:
    store = _store(args)
    ev = store.find_event(args.event)
    return ev.name, store.event_articles(ev.id)


def cmd_words(args: argparse.Namespace) -> int:
    from analysis.compare.wordchoice import PRIOR_SAMPLE_ARTICLES, database_prior, event_word_choice

    name, rows = _event_rows(args)
    prior = database_prior(_store(args).text_sample(PRIOR_SAMPLE_ARTICLES))
    table = event_word_choice(rows, prior=prior, top=args.top)
    print(
        f"Distinctive word choice in {_printable(name)!r}: each outlet against the others "
        "(log-odds ratio with an informative Dirichlet prior; |z| > 1.96 is notable)\n"
    )
    for outlet, part in table.groupby("group", sort=True):
        print(f"== {_printable(outlet)}")
        print_frame(part[["term", "count", "other_count", "z"]])
        print()
    return 0


def cmd_omissions(args: argparse.Namespace) -> int:
    from analysis.compare.omissions import (
        align_event,
        coverage_matrix,
        numbers_matrix,
        omissions,
        omissions_summary,
    )

    name, rows = _event_rows(args)
    al = align_event(rows)
    print(f"Who reported what in {_printable(name)!r}\n")
    print_frame(omissions_summary(al))
    matrix = coverage_matrix(al, max_facts=args.max_facts).to_frame()
    print("\nKey facts (x = carried):")
    print_frame(matrix.replace({True: "x", False: ""}), max_width=70)
    print("\nKey figures:")
    print_frame(numbers_matrix(al).replace({True: "x", False: ""}))
    for outlet, om in omissions(al).items():
        if len(om.missing):
            print(f"\n{_printable(outlet)} leaves out what others carry:")
            print_frame(om.missing[["label", "n_outlets"]], max_width=90)
    return 0


def cmd_headlines(args: argparse.Namespace) -> int:
    from analysis.compare.coverage import headline_body_summary, headline_vs_body

    store = _store(args)
    rows = store.event_articles(store.find_event(args.event).id) if args.event else store.event_articles()
    frame = headline_vs_body(rows)
    print("Headline versus body, per outlet (gap = headline minus body):\n")
    print_frame(headline_body_summary(frame))
    print()
    print_frame(
        frame[
            [
                "outlet",
                "title",
                "headline_sentiment",
                "body_sentiment",
                "sentiment_gap",
                "headline_loaded_per_1000",
                "body_loaded_rate",
            ]
        ],
        max_width=50,
    )
    return 0


def cmd_blindspots(args: argparse.Namespace) -> int:
    from analysis.compare.coverage import blindspot_summary, blindspots, outlet_groups

    groups = outlet_groups()
    rows = _store(args).event_articles(with_text=False)
    frame = blindspots(rows, groups)
    print("Events by outlet group (groups are the 'group' column of data/outlets.csv):\n")
    print_frame(frame.drop(columns=["first_published", "last_published"], errors="ignore"))
    print()
    print_frame(blindspot_summary(frame))
    return 0


def cmd_actors(args: argparse.Namespace) -> int:
    from analysis.compare.actors import actor_table

    name, rows = _event_rows(args)
    table = actor_table(rows)
    if args.top and len(table):
        keep = table.groupby("actor")["mentions"].sum().nlargest(args.top).index
        table = table[table["actor"].isin(keep)]
    print(f"Actors in {_printable(name)!r}: mentions, times quoted, and sentiment toward them per outlet")
    print("(sentiment = (positive - negative) / mentions, from the target's clause and context)\n")
    print_frame(
        table[
            ["actor", "kind", "outlet", "mentions", "quoted", "positive", "neutral", "negative", "sentiment"]
        ].sort_values(["actor", "outlet"])
    )
    return 0


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


def cmd_fuzz(args: argparse.Namespace) -> int:
    from analysis.bench.fuzz import main as fuzz_main

    return fuzz_main(args.n, args.seed, args.fetched)


def cmd_report(args: argparse.Namespace) -> int:
    from analysis.cli.report import write_event_report

    path = write_event_report(_store(args), args.event, Path(args.out))
    print(f"wrote {path}")
    return 0


def _engine(args: argparse.Namespace):  # noqa: ANN202 - an analysis.parallel engine
    from analysis.parallel import make_engine

    try:
        return make_engine(args.engine, args.scheduler, getattr(args, "workers", None))
    except (OSError, TimeoutError) as exc:
        raise CliError(f"cannot start the {args.engine} engine: {exc}") from None


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


def cmd_bench(args: argparse.Namespace) -> int:
    if args.which == "speed":
        from analysis.bench import speed

        speed.main(
            sizes=args.sizes,
            out_json=args.out,
            quick=args.quick,
            group_sizes=args.group_sizes,
            with_profile=args.profile,
            browser=not args.no_browser,
            dask=not args.no_dask,
        )
        return 0
    from analysis.bench import quality

    return quality.main(eval_dir=Path(args.eval_dir) if args.eval_dir else None, as_json=args.json)


# --- parser -------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", metavar="URL", help="database URL (default: DATABASE_URL or data/analysis.db)"
    )
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    eng = argparse.ArgumentParser(add_help=False)
    eng.add_argument(
        "--engine",
        choices=("serial", "local", "dask"),
        default="local",
        help="where CPU work runs: this process, a local process pool (default) or Dask",
    )
    eng.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a local cluster)"
    )
    net = argparse.ArgumentParser(add_help=False)
    net.add_argument(
        "--allow-private",
        action="store_true",
        default=None,
        help="allow private/loopback/link-local addresses (also ANALYSIS_ALLOW_PRIVATE=1)",
    )
    net.add_argument("--timeout", type=float, metavar="SECONDS", help="wall-clock limit per URL")
    net.add_argument("--workers", type=int, metavar="N", help="concurrent downloads")
    net.add_argument("--ignore-robots", action="store_true", help="do not obey robots.txt for this run")

    p = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Media-bias and source comparison: ingest articles, score them, compare outlets.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func, help_: str, parents: list | None = None) -> argparse.ArgumentParser:  # noqa: ANN001
        sp = sub.add_parser(name, help=help_, description=help_, parents=[common, *(parents or [])])
        sp.set_defaults(func=func)
        return sp

    add("demo", cmd_demo, "load the bundled demo corpus (illustrative articles) into the database")

    sp = add("ingest", cmd_ingest, "download, extract, score and store articles from URLs", [net])
    sp.add_argument("urls", nargs="*", metavar="URL")
    sp.add_argument(
        "--event", help="event the articles cover (created if new); without it they are grouped automatically"
    )
    sp.add_argument("--from-file", metavar="FILE", help="read URLs from FILE, one per line ('-' = stdin)")

    sp = add(
        "discover",
        cmd_discover,
        "find article links in feeds or front pages, then ingest and group them",
        [net],
    )
    sp.add_argument("sources", nargs="+", metavar="FEED_OR_FRONT_PAGE")
    sp.add_argument("--limit", type=int, default=50, help="links per source (default 50)")
    sp.add_argument("--max-age-days", type=float, default=7, help="skip entries older than this (default 7)")
    sp.add_argument("--all-dates", action="store_true", help="no age limit")
    sp.add_argument("--event", help="put everything in this event instead of grouping automatically")
    sp.add_argument("--list", action="store_true", help="only list the links found; ingest nothing")

    sp = add(
        "import-html",
        cmd_import_html,
        "store saved HTML pages (pages the server cannot fetch, or an archive of pages)",
        [eng],
    )
    sp.add_argument("files", nargs="+", metavar="FILE.html|FOLDER", help="pages, or folders of .html files")
    sp.add_argument("--url", help="the page's address, for one file (default: its canonical link or og:url)")
    sp.add_argument("--event", help="put every page in this event (default: group automatically)")

    sp = add("add-text", cmd_add_text, "store pasted article text (paywalled pages)")
    sp.add_argument("file", metavar="FILE.txt", help="plain-text file ('-' = stdin)")
    sp.add_argument("--event", required=True)
    sp.add_argument("--outlet", required=True)
    sp.add_argument("--title", required=True)
    sp.add_argument("--url", help="original address, if known")
    sp.add_argument("--date", help="publication date, ISO format")
    sp.add_argument("--author", action="append", help="author (repeatable)")

    sp = add("show", cmd_show, "print an event's articles side by side, one row per article")
    sp.add_argument("--event", required=True)

    add("events", cmd_events, "list the events in the database")

    add("group", cmd_group, "group articles without a chosen event into events (your edits are kept)", [eng])

    sp = add("event", cmd_event, "edit events: rename, merge, split, move articles (kept when re-grouping)")
    acts = sp.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser("rename", help="rename an event", parents=[common])
    a.add_argument("event")
    a.add_argument("new_name")
    a = acts.add_parser("merge", help="move the articles of SOURCE events into EVENT", parents=[common])
    a.add_argument("event")
    a.add_argument("sources", nargs="+", metavar="SOURCE")
    a = acts.add_parser("split", help="move some articles of EVENT into a new event", parents=[common])
    a.add_argument("event")
    a.add_argument("--articles", required=True, help="article ids, comma-separated (the id column of show)")
    a.add_argument("--new-name", required=True)
    a = acts.add_parser("move", help="move articles into EVENT", parents=[common])
    a.add_argument("event")
    a.add_argument("--articles", required=True, help="article ids, comma-separated")

    sp = add("export", cmd_export, "write articles, scores and loaded-language spans as CSV or JSON")
    sp.add_argument("--event", help="only this event (default: everything)")
    sp.add_argument("--format", choices=("csv", "json"), default="csv")
    sp.add_argument("--out", metavar="FILE", help="output file (default: stdout)")

    sp = add("words", cmd_words, "distinctive word choice per outlet within an event")
    sp.add_argument("--event", required=True)
    sp.add_argument("--top", type=int, default=10, help="terms per outlet at each end (default 10)")

    sp = add(
        "omissions", cmd_omissions, "who reported what: facts and figures each outlet carries or leaves out"
    )
    sp.add_argument("--event", required=True)
    sp.add_argument("--max-facts", type=int, default=20)

    sp = add("headlines", cmd_headlines, "headline versus body: sentiment and loaded language per outlet")
    sp.add_argument("--event", help="only this event (default: all)")

    sp = add("actors", cmd_actors, "people, organisations and places in an event, and the tone toward them")
    sp.add_argument("--event", required=True)
    sp.add_argument("--top", type=int, default=12, help="most-mentioned actors to show (0 = all)")

    add("blindspots", cmd_blindspots, "events each outlet group did not cover")

    sp = add("report", cmd_report, "write one self-contained HTML report for an event (charts included)")
    sp.add_argument("--event", required=True)
    sp.add_argument("--out", required=True, metavar="FILE.html")

    sp = add("rescore", cmd_rescore, "re-score articles scored by an older scorer version", [eng])
    sp.add_argument("--all", action="store_true", help="re-score every article")

    add("reextract", cmd_reextract, "re-run extraction and scoring on the stored HTML (no refetch)", [eng])

    sp = add("fuzz", cmd_fuzz, "run generated hostile inputs through extraction and scoring; count failures")
    sp.add_argument("--n", type=int, default=10_000, help="inputs (default 10,000)")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--fetched", action="store_true", help="decode inputs as the fetcher does first")

    sp = add(
        "bench",
        cmd_bench,
        "benchmarks: 'quality' on ../shared/eval; 'speed' on generated pages (prints a table, writes JSON)",
    )
    sp.add_argument("which", choices=("quality", "speed"))
    sp.add_argument(
        "--eval-dir", metavar="DIR", help="quality: labelled data folder (default: ../shared/eval)"
    )
    sp.add_argument("--json", action="store_true", help="quality: print JSON instead of a table")
    sp.add_argument("--quick", action="store_true", help="speed: small sizes, for CI")
    sp.add_argument(
        "--sizes", type=int, nargs="+", metavar="N", help="speed: corpus sizes (default 1000 10000)"
    )
    sp.add_argument("--group-sizes", type=int, nargs="+", metavar="N", help="speed: grouping sizes")
    sp.add_argument("--out", metavar="FILE.json", help="speed: write the results as JSON")
    sp.add_argument("--profile", action="store_true", help="speed: profile scoring and extraction")
    sp.add_argument("--no-browser", action="store_true", help="speed: skip the Compare page in Chromium")
    sp.add_argument("--no-dask", action="store_true", help="speed: skip the Dask 1-vs-2-worker runs")
    return p


# Numbers given as flags: (attribute, flag, smallest value, whether the smallest is allowed).
NUMBER_FLAGS: tuple[tuple[str, str, float, bool], ...] = (
    ("timeout", "--timeout", 0, False),
    ("workers", "--workers", 1, True),
    ("max_age_days", "--max-age-days", 0, True),
    ("limit", "--limit", 1, True),
    ("top", "--top", 0, True),
    ("max_facts", "--max-facts", 1, True),
    ("n", "--n", 0, True),
)


def _check_number_flags(args: argparse.Namespace) -> None:
    """Every number flag finite and in range, or a CliError naming the flag."""
    for attr, flag, low, inclusive in NUMBER_FLAGS:
        value = getattr(args, attr, None)
        if value is None:
            continue
        if not math.isfinite(value):
            raise CliError(f"{flag} must be a finite number, not {value}")
        if value < low or (value == low and not inclusive):
            bound = f"at least {low:g}" if inclusive else f"greater than {low:g}"
            raise CliError(f"{flag} must be {bound}, not {value:g}")


# Text flags that must say something when given: (attribute, flag).
TEXT_FLAGS: tuple[tuple[str, str, str], ...] = (
    ("event", "--event", "event name"),
    ("outlet", "--outlet", "outlet name"),
    ("title", "--title", "title"),
)
WEB_SCHEMES = ("http", "https")
MAX_URL_CHARS = 2048  # the database's URL columns hold this many characters


def _check_text_flags(args: argparse.Namespace) -> None:
    """A given --event/--outlet/--title is not empty or blank (``--event ""`` would otherwise mean
    "no event" and group automatically); the event subcommand's names are checked by the store."""
    if args.command == "event":
        return
    for attr, flag, what in TEXT_FLAGS:
        value = getattr(args, attr, None)
        if isinstance(value, str) and not value.split():
            hint = " (leave --event out to group automatically)" if attr == "event" else ""
            raise CliError(f"{flag}: the {what} is empty{hint}")


def web_url(value: str, flag: str = "--url") -> str:
    """``value`` stripped when it is an http(s) URL with a host, else a CliError naming ``flag``
    (javascript:, file:, data: ... addresses would be stored and shown as links)."""
    url = value.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme.lower() not in WEB_SCHEMES or not host:
        raise CliError(f"{flag} must be an http:// or https:// address, not {_printable(value, 80)!r}")
    if len(url) > MAX_URL_CHARS or any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in url):
        raise CliError(f"{flag} must be one address of at most {MAX_URL_CHARS} characters without spaces")
    return url


def _error_text(exc: BaseException, args: argparse.Namespace) -> str:
    """The first line of an error, database passwords hidden (the URL's own, and any URL's)."""
    settings = getattr(args, "settings", None)
    url = settings.database_url if settings is not None else getattr(args, "db", None)
    lines = str(exc).splitlines() or [type(exc).__name__]
    return hide_passwords(lines[0], url)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _check_number_flags(args)
        _check_text_flags(args)
        if getattr(args, "url", None) is not None:
            args.url = web_url(args.url)
        args.settings = Settings.from_env(
            database_url=args.db,
            allow_private=getattr(args, "allow_private", None),
            deadline=getattr(args, "timeout", None),
            workers=getattr(args, "workers", None),
            respect_robots=False if getattr(args, "ignore_robots", False) else None,
        )
        return args.func(args)
    except (CliError, StoreError, ValueError) as exc:
        print(f"error: {_error_text(exc, args)}", file=sys.stderr)
        return EXIT_ERROR
    except SQLAlchemyError as exc:
        print(f"error: database problem: {_error_text(exc, args)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted (articles already stored are kept)", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
