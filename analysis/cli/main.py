"""The command line: ``python -m analysis COMMAND ...``.

``build_parser`` is kept apart from ``main`` so tests call the CLI in process:
``main(["show", "--event", "X", "--db", url])`` returns the exit code.
Every user error ends in one line ``error: ...`` on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import math
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from analysis.cli.addtext import cmd_add_text
from analysis.cli.articles import add_parsers as add_article_parsers
from analysis.cli.bench import cmd_bench, cmd_fuzz
from analysis.cli.common import EXIT_ERROR, CliError, _printable, _store, write_output
from analysis.cli.corrections import add_parsers as add_correction_parsers
from analysis.cli.db import add_parsers as add_db_parsers
from analysis.cli.events import cmd_event, cmd_events, cmd_group
from analysis.cli.explore import cmd_actors, cmd_blindspots, cmd_headlines, cmd_omissions, cmd_show, cmd_words
from analysis.cli.ingest import (
    cmd_demo,
    cmd_discover,
    cmd_import_html,
    cmd_ingest,
    cmd_reextract,
    cmd_rescore,
)
from analysis.cli.outlets import add_parsers as add_outlet_parsers
from analysis.cli.voices import cmd_labels, cmd_role, cmd_search, cmd_voices
from analysis.compare.reviewed import reviewed_event, reviewed_rows
from analysis.present.export import export_rows
from analysis.settings import Settings
from analysis.store import DatabaseError, StoreError, hide_passwords


def cmd_export(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.summary:
        from analysis.present.summary_export import summary_file

        if not args.event:
            raise CliError("--summary needs --event NAME (the summary compares the outlets of one event)")
        ev = store.find_event(args.event)
        view = reviewed_event(store.event_articles(ev.id), store.corrections(ev.id), ev.id)
        data = summary_file(
            ev.name, view.rows, args.format, corrections=view.corrections, topic_words=view.topic_words
        )
    elif args.format == "xlsx":
        raise CliError("--format xlsx is for --summary; articles export as csv or json")
    else:
        event_id = store.find_event(args.event).id if args.event else None
        # as the Compare page counts them: the corrections first, then each event's topic words
        corrections = store.corrections(event_id)
        rows = reviewed_rows(store.event_articles(event_id), corrections)
        data = export_rows(rows, args.format, corrections=corrections).encode("utf-8")
    write_output(data if args.format == "xlsx" else data.decode("utf-8"), args.out)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from analysis.cli.report import write_event_report

    path = write_event_report(_store(args), args.event, Path(args.out))
    print(f"wrote {path}")
    return 0


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

    sp = add("add-text", cmd_add_text, "store pasted article text (paywalled pages), one file or a batch")
    sp.add_argument(
        "files",
        nargs="+",
        metavar="FILE.txt|FOLDER|FILE.csv|FILE.jsonl",
        help="plain-text files ('-' = stdin; without --title the first line is the title), folders of "
        ".txt/.md files, or CSV/JSONL files with columns title, outlet, date, url, text (one article a row)",
    )
    sp.add_argument("--event", help="put everything in this event (default: group automatically)")
    sp.add_argument("--outlet", help="outlet of text files (a CSV/JSONL row's outlet column comes first)")
    sp.add_argument("--title", help="title of a text file (default: its first line)")
    sp.add_argument("--url", help="original address, if known")
    sp.add_argument("--date", help="publication date, ISO format")
    sp.add_argument("--author", action="append", help="author (repeatable)")

    sp = add("show", cmd_show, "print an event's articles side by side, one row per article")
    sp.add_argument("--event", required=True)

    add("events", cmd_events, "list the events in the database")

    add("group", cmd_group, "group articles without a chosen event into events (your edits are kept)", [eng])

    sp = add(
        "event",
        cmd_event,
        "edit events: rename, merge, split, move articles, delete, restore (kept when re-grouping)",
    )
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
    a = acts.add_parser(
        "delete", help="hide EVENT and its articles everywhere (undo with restore)", parents=[common]
    )
    a.add_argument("event")
    a = acts.add_parser("restore", help="bring back a deleted EVENT with its articles", parents=[common])
    a.add_argument("event")
    add_article_parsers(add, common)
    add_outlet_parsers(add, common)

    sp = add(
        "export",
        cmd_export,
        "write articles, scores and loaded-language spans as CSV or JSON; or, with --summary, one "
        "event's per-outlet summary (estimates, 95%% intervals, findings) as CSV, JSON or Excel",
    )
    sp.add_argument("--event", help="only this event (default: everything; required with --summary)")
    sp.add_argument(
        "--summary", action="store_true", help="the event's per-outlet summary table instead of the articles"
    )
    sp.add_argument("--format", choices=("csv", "json", "xlsx"), default="csv", help="xlsx: --summary only")
    sp.add_argument("--out", metavar="FILE", help="output file (default: stdout)")

    add_correction_parsers(add, common)
    add_db_parsers(add, common)
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

    sp = add("voices", cmd_voices, "who is quoted in an event: one row per quote with speaker, role and verb")
    sp.add_argument("--event", required=True)
    sp.add_argument("--format", choices=("table", "json"), default="table")

    sp = add("role", cmd_role, "set the role of a quoted speaker (wins over the role found in the text)")
    sp.add_argument("speaker", help="the speaker's name as voices shows it")
    sp.add_argument(
        "role",
        help="official, opposition, expert, business, advocacy, ordinary, anonymous, unknown, or clear",
    )

    sp = add("labels", cmd_labels, "what each outlet calls the same person, group or thing in an event")
    sp.add_argument("--event", required=True)
    sp.add_argument("--format", choices=("table", "json"), default="table")
    sp.add_argument(
        "--group-by",
        choices=("meaning", "head"),
        default="head",
        help="noun phrases grouped by head word only (default: the more accurate on unseen events) "
        "or also by meaning (embeddings)",
    )

    sp = add("search", cmd_search, "search all articles; each hit shown in its sentence")
    sp.add_argument("text", help="words or a phrase (matched as whole words, ignoring case)")
    sp.add_argument("--event", help="only this event")
    sp.add_argument("--outlet", help="only this outlet")
    sp.add_argument("--format", choices=("table", "json"), default="table")

    sp = add("blindspots", cmd_blindspots, "events each outlet group did not cover")
    sp.add_argument(
        "--by", metavar="DIMENSION", help="the group dimension (default: the one most outlets have)"
    )

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
    sp.add_argument(
        "--results",
        metavar="FILE",
        help="quality: where to write the figures the dashboard shows (default: data/quality.json)",
    )
    sp.add_argument("--quick", action="store_true", help="speed: small sizes, for CI")
    sp.add_argument(
        "--sizes", type=int, nargs="+", metavar="N", help="speed: corpus sizes (default 1000 10000)"
    )
    sp.add_argument("--group-sizes", type=int, nargs="+", metavar="N", help="speed: grouping sizes")
    sp.add_argument("--out", metavar="FILE.json", help="speed: write the results as JSON")
    sp.add_argument("--profile", action="store_true", help="speed: profile scoring and extraction")
    sp.add_argument("--no-browser", action="store_true", help="speed: skip the dashboard pages in Chromium")
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
    except DatabaseError as exc:  # before StoreError: it is one
        print(f"error: database problem: {_error_text(exc, args)}", file=sys.stderr)
        return EXIT_ERROR
    except (CliError, StoreError, ValueError) as exc:
        print(f"error: {_error_text(exc, args)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted (articles already stored are kept)", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
