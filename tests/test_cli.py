"""The command line, run in process: output, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from analysis.cli.main import build_parser, main

FIXTURES = Path(__file__).parent / "fixtures"
COMMANDS = [
    "discover",
    "fuzz",
    "actors",
    "words",
    "omissions",
    "headlines",
    "blindspots",
    "report",
    "group",
    "event",
    "demo",
    "ingest",
    "import-html",
    "add-text",
    "article",
    "outlet",
    "show",
    "events",
    "export",
    "rescore",
    "reextract",
    "bench",
    "flag",
    "topic",
    "history",
    "corrections",
    "voices",
    "labels",
    "search",
    "role",
]


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args([command, "--help"])
    assert exc.value.code == 0
    assert "--db" in capsys.readouterr().out


def test_import_show_export(db, capsys, tmp_path) -> None:
    page = str(FIXTURES / "pipeline" / "terminal-tabloid.html")
    code, out, _ = run(
        capsys,
        "import-html",
        page,
        "--url",
        "https://www.klaxon.example/ferry",
        "--event",
        "Ferry",
        "--db",
        db,
        "-q",
    )
    assert code == 0 and "1 stored" in out
    text = tmp_path / "paste.txt"
    text.write_text("Harbour officials said the repairs were planned. " * 30, "utf-8")
    code, out, _ = run(
        capsys,
        "add-text",
        str(text),
        "--event",
        "Ferry",
        "--outlet",
        "Quiet Gazette",
        "--title",
        "Repairs planned",
        "--date",
        "2026-04-07",
        "--db",
        db,
        "-q",
    )
    assert code == 0 and "Quiet Gazette" in out

    code, out, _ = run(capsys, "show", "--event", "ferry", "--db", db)
    assert code == 0
    assert "Quiet Gazette" in out and "FERRY FIASCO" in out and "2026-04-07" in out

    code, out, _ = run(capsys, "export", "--event", "Ferry", "--format", "json", "--db", db)
    data = json.loads(out)
    assert len(data) == 2
    loud = next(d for d in data if d["title"].startswith("FERRY"))
    assert loud["spans"] and {"start", "end", "text", "category", "weight"} <= set(loud["spans"][0])
    assert loud["text"][loud["spans"][0]["start"] : loud["spans"][0]["end"]] == loud["spans"][0]["text"]

    out_file = tmp_path / "ferry.csv"
    code, _, err = run(
        capsys, "export", "--event", "Ferry", "--format", "csv", "--out", str(out_file), "--db", db
    )
    rows = list(csv.DictReader(io.StringIO(out_file.read_text("utf-8"))))
    assert code == 0 and len(rows) == 2 and json.loads(rows[0]["spans"]) is not None

    code, out, _ = run(capsys, "events", "--db", db)
    assert "Ferry" in out
    code, out, _ = run(capsys, "rescore", "--db", db)
    assert code == 0 and "rescored 0" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["show", "--event", "No such event"], "no event named"),
        (
            ["import-html", "/nonexistent/file.html", "--url", "https://x.example/a", "--event", "E"],
            "cannot read",
        ),
        (["add-text", "/nonexistent.txt", "--event", "E", "--outlet", "O", "--title", "T"], "cannot read"),
        (["ingest", "--event", "E"], "no URLs given"),
        (["ingest", "--event", "   ", "https://x.example/"], "event name is empty"),
        (
            ["add-text", "-", "--event", "E", "--outlet", "O", "--title", "T", "--date", "last week"],
            "ISO date",
        ),
    ],
)
def test_bad_input_is_one_line_error(argv, message, db, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"some text")))
    code, out, err = run(capsys, *argv, "--db", db)
    assert code == 1
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_database_url_is_one_line_error(capsys) -> None:
    code, _, err = run(capsys, "events", "--db", "nosuchdriver://nowhere")
    assert code == 1 and err.startswith("error: cannot use database URL") and err.count("\n") == 1


def test_ingest_reports_failures_and_exit_code(db, capsys, http_server) -> None:
    good = http_server.url("/pipeline/terminal-wire.html")
    bad = http_server.url("/pipeline/missing.html")
    code, out, _ = run(capsys, "ingest", "--event", "Ferry", good, bad, "--allow-private", "--db", db, "-q")
    assert code == 3  # partial success
    assert "1 stored, 0 duplicate, 1 failed" in out
    assert "http-error" in out and "404" in out


def test_ingest_refuses_loopback_without_flag(db, capsys, http_server, monkeypatch) -> None:
    monkeypatch.delenv("ANALYSIS_ALLOW_PRIVATE", raising=False)
    code, out, _ = run(
        capsys, "ingest", "--event", "E", http_server.url("/pipeline/terminal-wire.html"), "--db", db, "-q"
    )
    assert code == 3 and "refused" in out


def test_from_file(db, capsys, http_server, tmp_path) -> None:
    lst = tmp_path / "urls.txt"
    lst.write_text(f"# ferry coverage\n{http_server.url('/pipeline/terminal-wire.html')}\n\n", "utf-8")
    code, out, _ = run(
        capsys, "ingest", "--event", "Ferry", "--from-file", str(lst), "--allow-private", "--db", db, "-q"
    )
    assert code == 0 and "1 stored" in out


def test_demo_then_show(db, capsys) -> None:
    code, out, _ = run(capsys, "demo", "--db", db, "-q")
    assert code == 0 and "Demo corpus" in out
    from analysis.store import Store

    events = Store(db).list_events()
    assert len(events) >= 3
    code, out, _ = run(capsys, "show", "--event", events[0]["name"], "--db", db)
    assert code == 0 and "sentiment" in out
    assert sum(name in out for name in ("Meridian Wire", "The Daily Blaze", "Heartland Courier")) == 3
    code, out, _ = run(capsys, "demo", "--db", db, "-q")  # idempotent
    assert code == 0 and "(0 newly stored)" in out


def test_demo_refuses_a_database_with_other_data(db, capsys, tmp_path) -> None:
    """Finding 6 of issue 12: the fictional demo must never be poured into a real database."""
    from analysis.store import Store

    page = tmp_path / "story.txt"
    page.write_text("The council met on Tuesday. " * 40, "utf-8")
    code, _, _ = run(
        capsys,
        "add-text",
        "--event",
        "Council",
        "--outlet",
        "Real Post",
        "--title",
        "Council",
        str(page),
        "--db",
        db,
    )
    assert code == 0
    before = Store(db).counts()
    code, out, err = run(capsys, "demo", "--db", db, "-q")
    assert code == 1 and not out
    assert err.count("\n") == 1 and err.startswith("error: this database already holds 1 article(s) not from")
    assert "loads only into an empty database" in err
    assert Store(db).counts() == before


def test_event_edits(db, capsys) -> None:
    from analysis.store import Store

    assert run(capsys, "demo", "--db", db, "-q")[0] == 0
    store = Store(db)
    first, second = [e["name"] for e in store.list_events()][:2]
    code, out, _ = run(capsys, "event", "rename", first, "Renamed event", "--db", db)
    assert code == 0 and "renamed" in out
    ids = [r["id"] for r in store.event_articles(store.find_event("Renamed event").id, with_text=False)]
    code, out, _ = run(
        capsys,
        "event",
        "split",
        "Renamed event",
        "--articles",
        f"{ids[0]},{ids[1]}",
        "--new-name",
        "Split off",
        "--db",
        db,
    )
    assert code == 0 and len(store.event_articles(store.find_event("Split off").id)) == 2
    code, out, _ = run(capsys, "event", "move", second, "--articles", str(ids[2]), "--db", db)
    assert code == 0 and "moved 1" in out
    code, out, _ = run(capsys, "event", "merge", "Renamed event", "Split off", "--db", db)
    assert code == 0 and "moved 2" in out
    code, _, err = run(capsys, "event", "move", second, "--articles", "x,y", "--db", db)
    assert code == 1 and "article ids must be numbers" in err
    code, _, err = run(capsys, "event", "rename", "Renamed event", second, "--db", db)
    assert code == 1 and "already exists" in err


def test_report_command(db, capsys, tmp_path) -> None:
    assert run(capsys, "demo", "--db", db, "-q")[0] == 0
    from analysis.store import Store

    name = Store(db).list_events()[0]["name"]
    out = tmp_path / "report.html"
    code, stdout, _ = run(capsys, "report", "--event", name, "--out", str(out), "--db", db)
    html = out.read_text("utf-8")
    assert code == 0 and "wrote" in stdout
    assert "plotly" in html.lower() and "<script src=" not in html
    code, _, err = run(capsys, "report", "--event", "nope", "--out", str(out), "--db", db)
    assert code == 1 and "no event named" in err


def test_cross_outlet_commands_on_demo(db, capsys) -> None:
    assert run(capsys, "demo", "--db", db, "-q")[0] == 0
    from analysis.store import Store

    event = next(e["name"] for e in Store(db).list_events() if "Dunmore" in e["name"])
    code, out, _ = run(capsys, "words", "--event", event, "--top", "3", "--db", db)
    assert code == 0 and "== The Daily Blaze" in out and "z" in out
    code, out, _ = run(capsys, "omissions", "--event", event, "--db", db)
    assert code == 0 and "Key facts" in out and "Key figures" in out and "Meridian Wire" in out
    code, out, _ = run(capsys, "headlines", "--event", event, "--db", db)
    assert code == 0 and "sentiment_gap" in out
    code, out, _ = run(capsys, "actors", "--event", event, "--db", db)
    assert code == 0 and "Halvorsen" in out and "sentiment" in out
    code, out, _ = run(capsys, "blindspots", "--db", db)
    # the business paper covered only the factory story: the other three events are its blindspots
    assert code == 0 and "business" in out


def test_headlines_counts_the_body_as_compare_does(db, capsys) -> None:
    """A word dismissed everywhere no longer counts in the body's loaded rate of ``headlines``."""
    assert run(capsys, "demo", "--db", db, "-q")[0] == 0
    from analysis.store import Store

    store = Store(db)
    event = next(e["name"] for e in store.list_events() if "Dunmore" in e["name"])
    rows = store.event_articles(store.find_event(event).id)
    word = next(sp["text"] for r in rows for sp in r["spans"] if not sp["quoted"] and sp["rule"] == "lexicon")
    before = run(capsys, "headlines", "--event", event, "--db", db)[1]
    store.set_correction("dismiss", word, user="test")
    after = run(capsys, "headlines", "--event", event, "--db", db)[1]
    assert before != after


def test_voices_labels_search_on_demo(db, capsys) -> None:
    assert run(capsys, "demo", "--db", db, "-q")[0] == 0
    from analysis.store import Store

    event = next(e["name"] for e in Store(db).list_events() if "Dunmore" in e["name"])
    code, out, _ = run(capsys, "voices", "--event", event, "--db", db)
    assert code == 0 and "Frank Oduya" in out and "Attribution verbs" in out
    code, out, _ = run(capsys, "voices", "--event", event, "--format", "json", "--db", db)
    rows = json.loads(out)
    assert code == 0 and set(rows[0]) == {
        "outlet",
        "article_id",
        "title",
        "speaker",
        "role",
        "verb",
        "kind",
        "text",
    }
    assert any(r["speaker"] == "Frank Oduya" and r["role"] == "advocacy" for r in rows)
    code, out, _ = run(capsys, "role", "frank oduya", "business", "--db", db)
    assert code == 0
    code, out, _ = run(capsys, "voices", "--event", event, "--format", "json", "--db", db)
    assert {r["role"] for r in json.loads(out) if r["speaker"] == "Frank Oduya"} == {"business"}
    code, _, err = run(capsys, "role", "Frank Oduya", "villain", "--db", db)
    assert code != 0 and "role must be one of" in err
    assert run(capsys, "role", "Frank Oduya", "clear", "--db", db)[0] == 0
    code, out, _ = run(capsys, "labels", "--event", event, "--db", db)
    assert code == 0 and "Helena Brandt" in out and "basis" in out
    code, out, _ = run(capsys, "labels", "--event", event, "--format", "json", "--db", db)
    assert code == 0 and "meaning" not in {r["basis"] for r in json.loads(out)}  # head words: default
    code, out, _ = run(
        capsys, "labels", "--event", event, "--group-by", "meaning", "--format", "json", "--db", db
    )
    assert code == 0 and "meaning" in {r["basis"] for r in json.loads(out)}
    code, out, _ = run(capsys, "search", "pay freeze", "--event", event, "--format", "json", "--db", db)
    hits = json.loads(out)
    assert code == 0 and hits and all(h["match"].lower() == "pay freeze" for h in hits)
    code, out, _ = run(capsys, "search", "Dunmore", "--outlet", "Meridian Wire", "--db", db)
    assert code == 0 and "hits for 'Dunmore'" in out and "Daily Blaze" not in out
    code, _, err = run(capsys, "search", "!!", "--db", db)
    assert code != 0 and "at least one word" in err


def test_discover_lists_then_ingests_and_groups(db, capsys, http_server) -> None:
    base = http_server.url("").rstrip("/")
    # two hosts, so two outlets: 127.0.0.1 and localhost (both loopback, allowed with --allow-private)
    feed = (FIXTURES / "pipeline" / "feed.xml").read_text("utf-8")
    feed = feed.replace("BASE_LOCALHOST", base.replace("127.0.0.1", "localhost")).replace("BASE", base)
    url = http_server.add_page("/pipeline/feed.rss", feed.encode(), "application/rss+xml")
    code, out, _ = run(capsys, "discover", url, "--all-dates", "--list", "--allow-private", "--db", db, "-q")
    assert code == 0 and "terminal-wire.html" in out and "terminal-tabloid.html" in out
    code, out, _ = run(capsys, "discover", url, "--all-dates", "--allow-private", "--db", db, "-q")
    assert code == 0 and "2 stored" in out and "Grouped 2 articles" in out
    from analysis.store import Store

    [event] = Store(db).list_events()  # two articles on the same story: one automatic event
    assert event["articles"] == 2 and event["auto"]


def test_discover_bad_source_is_reported(db, capsys, http_server) -> None:
    code, out, _ = run(capsys, "discover", http_server.url("/nope.xml"), "--allow-private", "--db", db, "-q")
    assert code == 1 and "http-error" in out


def test_fuzz_command(capsys) -> None:
    code, out, _ = run(capsys, "fuzz", "--n", "20")
    assert code == 0 and "20" in out


def test_import_html_of_a_folder_in_parallel_batches(db, capsys, tmp_path, monkeypatch) -> None:
    """A folder of saved pages: addresses from each page's canonical link, the batch goes on past a
    page without an address and a page that breaks extraction, then the pages are grouped."""
    from analysis import parallel

    demo = Path(__file__).resolve().parents[1] / "data" / "demo"
    folder = tmp_path / "archive"
    (folder / "sub").mkdir(parents=True)
    for i, page in enumerate(sorted(demo.glob("storm-oriel-floods/*.html"))[:3]):
        (folder / ("sub" if i else ".") / page.name).write_text(page.read_text("utf-8"), "utf-8")
    (folder / "no-address.html").write_text("<html><body><p>Text without an address.</p></body></html>")
    (folder / "notes.txt").write_text("not a page")  # ignored: not .html
    real = parallel.extract_article
    from analysis.ingest.extract import page_url_hint

    broken = page_url_hint(sorted(demo.glob("storm-oriel-floods/*.html"))[1].read_text("utf-8"))

    def flaky(html: str, url: str, settings=None):
        if url == broken:
            raise RecursionError("maximum recursion depth exceeded")
        return real(html, url, settings)

    monkeypatch.setattr(parallel, "extract_article", flaky)
    code, out, _ = run(capsys, "import-html", str(folder), "--db", db, "--engine", "serial", "--quiet")
    assert code == 3, out  # some inputs failed, each listed; the others are stored
    assert "no address in the page" in out and "archive/no-address.html" in out
    assert "archive/sub/" in out and "extract-error" in out and "RecursionError" in out
    assert "Grouped 2 articles" in out
    page = str(folder / "no-address.html")
    args = ("--url", "https://paper.example/story", "--event", "E", "--engine", "serial", "--quiet")
    code, out, _ = run(capsys, "import-html", page, "--db", db, *args)
    assert code == 0 and "1 stored" in out
    code, _, err = run(capsys, "import-html", str(folder), "--url", "https://x.example/", "--db", db)
    assert code == 1 and "exactly one file" in err


# --- issue 12: inputs and errors ---------------------------------------------------------------


def one_line_error(code: int, err: str, fragment: str) -> None:
    assert code == 1, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert fragment in err, err


def test_database_folder_blocked_by_a_file_is_one_line_error(capsys, tmp_path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    code, _, err = run(capsys, "events", "--db", f"sqlite:///{tmp_path / 'afile' / 'sub' / 'x.db'}")
    one_line_error(code, err, "cannot create the database folder")
    assert "Not a directory" in err


def test_database_folder_on_a_read_only_mount_is_one_line_error(capsys, tmp_path, monkeypatch) -> None:
    import errno

    def read_only(self, *args, **kwargs):  # what mkdir raises on a read-only file system
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    code, _, err = run(capsys, "demo", "--db", f"sqlite:///{tmp_path / 'new' / 'x.db'}", "-q")
    one_line_error(code, err, "cannot create the database folder")
    assert "Read-only file system" in err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--timeout", "inf"], "--timeout must be a finite number, not inf"),
        (["--timeout", "nan"], "--timeout must be a finite number, not nan"),
        (["--timeout", "0"], "--timeout must be greater than 0, not 0"),
        (["--max-age-days", "nan"], "--max-age-days must be a finite number, not nan"),
        (["--max-age-days", "-1"], "--max-age-days must be at least 0, not -1"),
        (["--workers", "0"], "--workers must be at least 1, not 0"),
        (["--limit", "0"], "--limit must be at least 1, not 0"),
    ],
)
def test_out_of_range_number_flags_are_one_line_errors(flags, message, db, capsys) -> None:
    code, _, err = run(capsys, "discover", "http://127.0.0.1:9/feed.xml", *flags, "--db", db)
    one_line_error(code, err, message)


def test_an_age_limit_beyond_the_calendar_means_no_limit(db, capsys, http_server) -> None:
    base = http_server.url("").rstrip("/")
    feed = (FIXTURES / "pipeline" / "feed.xml").read_text("utf-8")
    feed = feed.replace("BASE_LOCALHOST", base.replace("127.0.0.1", "localhost")).replace("BASE", base)
    url = http_server.add_page("/pipeline/feed-age.rss", feed.encode(), "application/rss+xml")
    args = ("--list", "--allow-private", "--db", db, "-q")
    code, out, err = run(capsys, "discover", url, "--max-age-days", "1e308", *args)
    assert code == 0 and "Traceback" not in err, err
    assert "terminal-wire.html" in out and "terminal-tabloid.html" in out


PAGE = str(FIXTURES / "pipeline" / "terminal-tabloid.html")
ADD_TEXT = ["add-text", "-", "--outlet", "O", "--title", "T"]
NO_EVENT = "--event: the event name is empty"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import-html", PAGE, "--url", "https://x.example/a", "--event", ""], NO_EVENT),
        (["import-html", PAGE, "--url", "https://x.example/a", "--event", " \t "], NO_EVENT),
        (["ingest", "https://x.example/a", "--event", ""], NO_EVENT),
        ([*ADD_TEXT, "--event", ""], NO_EVENT),
        (["show", "--event", ""], NO_EVENT),
        (["export", "--event", "  "], NO_EVENT),
        (
            [*ADD_TEXT[:2], "--event", "E", "--outlet", " ", "--title", "T"],
            "--outlet: the outlet name is empty",
        ),
    ],
)
def test_empty_event_is_refused(argv, message, db, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"some text " * 50)))
    code, out, err = run(capsys, *argv, "--db", db, "-q")
    one_line_error(code, err, message)
    assert "stored" not in out


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript://x.example/%0Aalert(1)",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "ftp://x.example/a",
        "//x.example/a",
        "x.example/a",
        "https://",
        "",
    ],
)
@pytest.mark.parametrize("command", ["import-html", "add-text"])
def test_url_must_be_http_or_https(command, url, db, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"some text " * 50)))
    argv = [PAGE] if command == "import-html" else ["-", "--outlet", "O", "--title", "T"]
    code, out, err = run(capsys, command, *argv, "--event", "E", "--url", url, "--db", db, "-q")
    one_line_error(code, err, "--url must be an http:// or https:// address")
    from analysis.store import Store

    assert Store(db).counts()["articles"] == 0


def run_with_time_limit(capsys, argv: list[str], fifos: list[Path], seconds: float = 60) -> tuple:
    """``run`` in a thread: a call stuck opening a FIFO fails the test instead of hanging it (the
    FIFO is then opened for writing, which releases the stuck reader)."""
    import threading

    done: list[tuple] = []
    worker = threading.Thread(target=lambda: done.append(run(capsys, *argv)), daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        for fifo in fifos:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(10)
        pytest.fail(f"{argv[0]} blocked on a FIFO")
    return done[0]


def test_import_html_lists_a_fifo_or_device_and_stores_the_others(db, capsys, tmp_path) -> None:
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    folder = tmp_path / "archive"
    folder.mkdir()
    demo = sorted((Path(__file__).resolve().parents[1] / "data" / "demo").glob("storm-oriel-floods/*.html"))
    (folder / "story.html").write_text(demo[0].read_text("utf-8"), "utf-8")  # has a canonical link
    os.mkfifo(folder / "inner-pipe.html")
    argv = ["import-html", str(fifo), "/dev/null", str(folder), "--event", "E", "--engine", "serial"]
    code, out, err = run_with_time_limit(
        capsys, [*argv, "--db", db, "-q"], [fifo, folder / "inner-pipe.html"]
    )
    assert code == 3, err  # the batch ran, some inputs failed
    assert f"cannot read {str(fifo)!r}: it is a named pipe (FIFO), not a regular file" in out
    assert "cannot read '/dev/null': it is a character device, not a regular file" in out
    assert "inner-pipe.html" in out and "1 stored, 0 duplicate, 3 failed" in out


@pytest.mark.parametrize("special", ["fifo", "/dev/null", "folder"])
def test_add_text_refuses_anything_but_a_regular_file(special, db, capsys, tmp_path) -> None:
    path = tmp_path / "pipe.txt" if special == "fifo" else Path(special if special != "folder" else tmp_path)
    if special == "fifo":
        os.mkfifo(path)
    argv = ["add-text", str(path), "--event", "E", "--outlet", "O", "--title", "T", "--db", db]
    code, _, err = run_with_time_limit(capsys, argv, [path] if special == "fifo" else [])
    kind = {"fifo": "a named pipe (FIFO)", "/dev/null": "a character device"}.get(special)
    # a folder is a batch of .txt/.md files now: one without any is a usage error
    one_line_error(code, err, f"it is {kind}, not a regular file" if kind else "contains no .txt/.md files")


def _not_writable(monkeypatch) -> None:
    """What ``os.access`` tells a normal user about a chmod 444 database (tests run as root, where
    permission bits do not stop writes)."""
    from analysis.store import engine as store_mod

    real = os.access
    monkeypatch.setattr(store_mod.os, "access", lambda p, mode: False if mode & os.W_OK else real(p, mode))


def test_reading_commands_open_a_read_only_database_read_only(db, capsys, tmp_path, monkeypatch) -> None:
    assert run(capsys, "demo", "--db", db, "-q")[0] == 0
    from analysis.store import Store

    event = Store(db).list_events()[0]["name"]
    path = Path(db.removeprefix("sqlite:///"))
    # The demo's writes may still sit in the WAL file; whichever of its connections closes last would
    # copy them into the database file at an unknown moment (garbage collection).  Do it now.
    import gc
    import sqlite3

    gc.collect()
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = path.read_bytes()
    _not_writable(monkeypatch)
    opened: list[Store] = []
    real_init = Store.__init__

    def spy(self, *args, **kwargs) -> None:
        real_init(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(Store, "__init__", spy)
    for argv in (
        ["events"],
        ["show", "--event", event],
        ["export", "--event", event, "--format", "json"],
        ["words", "--event", event, "--top", "3"],
        ["headlines"],
        ["report", "--event", event, "--out", str(tmp_path / "r.html")],
    ):
        code, out, err = run(capsys, *argv, "--db", db)
        assert code == 0, (argv, err)
    assert opened and all(s.read_only and "mode=ro" in str(s.engine.url) for s in opened)
    for s in opened:
        s.engine.dispose()
    assert path.read_bytes() == before  # nothing written, not even a schema check

    page = str(FIXTURES / "pipeline" / "terminal-tabloid.html")
    for argv in (
        ["import-html", page, "--url", "https://x.example/a", "--event", "E"],
        ["event", "rename", event, "New name"],
        ["demo", "-q"],
        ["rescore", "--all"],
    ):
        code, _, err = run(capsys, *argv, "--db", db)
        one_line_error(code, err, "the file is read-only; '")
        assert "changes the database" in err


def test_read_only_mount_is_read_by_reading_commands(capsys, tmp_path) -> None:
    """The real thing: the database on a read-only bind mount (EROFS stops root too), in a private
    mount namespace; skipped where mounts are not allowed."""
    import shutil
    import subprocess
    import sys

    src, ro = tmp_path / "src", tmp_path / "ro"
    src.mkdir()
    ro.mkdir()
    assert run(capsys, "demo", "--db", f"sqlite:///{src / 'x.db'}", "-q")[0] == 0
    if shutil.which("unshare") is None:
        pytest.skip("no unshare(1)")
    mount = f"mount --bind {src} {ro} && mount -o remount,bind,ro {ro}"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", mount], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a read-only bind mount here: {probe.stderr.strip()}")
    cli = f"{sys.executable} -m analysis"
    db_ro = f"sqlite:///{ro / 'x.db'}"
    script = (
        f"{mount} && {cli} events --db {db_ro}; echo rc=$?; "
        f"{cli} add-text /etc/hostname --event E --outlet O --title T --db {db_ro}; echo rc=$?; "
        f"{cli} events --db sqlite:///{ro / 'new.db'}; echo rc=$?; "
        f"{cli} events --db sqlite:///{ro / 'sub' / 'new.db'}; echo rc=$?"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, cwd=root, timeout=120
    )
    assert "Storm Oriel floods the Lannet valley" in done.stdout and "rc=0" in done.stdout, done
    assert done.stdout.count("rc=1") == 3 and "cannot write to the database" in done.stderr, done
    assert f"cannot create the database file {str(ro / 'new.db')!r}: its folder is read-only" in done.stderr
    assert f"cannot create the database folder {str(ro / 'sub')!r}: Read-only file system" in done.stderr
    assert done.stderr.count("\n") == 3 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_database_is_refused(url, capsys) -> None:
    code, _, err = run(capsys, "demo", "--db", url, "-q")
    one_line_error(code, err, "is an in-memory database that disappears when the command ends")


@pytest.mark.parametrize(
    "url",
    [
        "nosuchdriver://ann:s3cretpw@db.example/news",
        "postgresql://ann:s3cretpw@db.example:notaport/news",
        "postgresql+psycopg://ann:s3cretpw@127.0.0.1:1/news",
    ],
)
def test_database_password_is_never_printed(url, capsys) -> None:
    code, out, err = run(capsys, "events", "--db", url)
    assert code == 1 and err.startswith("error: ") and err.count("\n") == 1
    assert "s3cretpw" not in err + out


def test_database_password_is_hidden_in_database_errors(capsys, monkeypatch) -> None:
    from analysis.cli import events as cli
    from analysis.store import DatabaseError

    url = "postgresql+psycopg://ann:s3cretpw@db.example/news"

    def failing(args):
        raise DatabaseError(f"(psycopg.OperationalError) no answer from {url} (password=s3cretpw)")

    monkeypatch.setattr(cli, "_store", failing)
    code, _, err = run(capsys, "events", "--db", url)
    assert code == 1 and err.startswith("error: database problem:") and "s3cretpw" not in err
    assert "ann:***@db.example" in err


def test_show_and_export_leave_out_topic_words(db, capsys, tmp_path) -> None:
    body = "Officials confirmed the plague outbreak. The plague spread to two villages. Schools stayed open."
    for outlet in ("Wire One", "Wire Two", "Wire Three"):
        text = tmp_path / f"{outlet}.txt"
        text.write_text(f"{body} {outlet} reported it.", "utf-8")
        code, _, _ = run(
            capsys,
            "add-text",
            str(text),
            "--event",
            "Plague",
            "--outlet",
            outlet,
            "--title",
            "Plague",
            "--db",
            db,
            "-q",
        )
        assert code == 0
    code, out, _ = run(capsys, "show", "--event", "Plague", "--db", db)
    assert code == 0 and "not counted: plague — used by 3 of 3 outlets" in out
    code, out, _ = run(capsys, "export", "--event", "Plague", "--format", "json", "--db", db)
    data = json.loads(out)
    assert all(r["loaded_rate"] == 0 for r in data)
    assert all(sp["category"] == "topic" for r in data for sp in r["spans"])
