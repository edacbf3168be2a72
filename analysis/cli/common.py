"""What every command shares: exit codes, one-line errors, opening the database, terminal-safe tables."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from datetime import datetime
from pathlib import Path

from analysis.models import IngestResult
from analysis.store import Store, is_memory_database, read_only_reason, safe_url

EXIT_USAGE = 2  # argparse's own code for bad arguments
EXIT_ERROR = 1  # a readable failure (unknown event, unreadable file, database down)
EXIT_PARTIAL = 3  # the batch ran but some inputs failed (each listed with its reason)
TITLE_WIDTH = 48  # characters of a title shown in tables
MAX_TEXT_FILE_BYTES = 5_000_000  # pasted-text files larger than this are refused


class CliError(Exception):
    """A user-facing error: printed as one line, exit code EXIT_ERROR."""


# --- helpers ------------------------------------------------------------------


def write_output(data: str | bytes, path: str | None, done: str | None = None) -> None:
    """``data`` to standard output (``path`` None or "-") or to the file ``path``, then ``done``
    (default "wrote PATH") on standard error; a file that cannot be written is a CliError."""
    if path in (None, "-"):
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(data)
        return
    try:
        target = Path(path)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, "utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {path!r}: {exc.strerror or exc}") from None
    print(done or f"wrote {path}", file=sys.stderr)


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
    {
        "demo",
        "ingest",
        "discover",
        "import-html",
        "add-text",
        "article",
        "group",
        "event",
        "rescore",
        "reextract",
        "role",
    }
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
        return _completed(Store(url, read_only=None))
    why = read_only_reason(url)
    if why:
        raise CliError(
            f"cannot write to the database {safe_url(url)}: {why}; "
            f"'{args.command}' changes the database (reading commands such as events, show and export work)"
        )
    return _completed(Store(url, read_only=False))


def _completed(store: Store) -> Store:
    """``store`` after its outlets made before groups were stored got data/outlets.csv's groups."""
    from analysis.outlet_table import complete_outlets

    complete_outlets(store)
    return store


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


def _engine(args: argparse.Namespace):  # noqa: ANN202 - an analysis.parallel engine
    from analysis.parallel import make_engine

    try:
        return make_engine(args.engine, args.scheduler, getattr(args, "workers", None))
    except (OSError, TimeoutError) as exc:
        raise CliError(f"cannot start the {args.engine} engine: {exc}") from None


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
