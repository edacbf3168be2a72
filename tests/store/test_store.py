"""The database layer on its own: events, de-duplication, scores, attempts, compression."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from analysis.models import Article, FetchAttempt, Loaded, Scores, SentenceSentiment, Sentiment, Span
from analysis.store import (
    DatabaseError,
    Store,
    StoreError,
    compress_html,
    decompress_html,
    event_name_key,
    event_slug,
    slug_prefix,
    validate_event_name,
)
from tests.store.pg import postgres_database


def make_article(url: str = "https://news.example/a", **kw) -> Article:
    base = dict(
        url=url,
        canonical_url=url,
        title="A <b>title</b>",
        authors=("Ann Writer",),
        published=datetime(2026, 3, 12, 9, 30, tzinfo=UTC),
        text="The council voted. Critics called it a disaster.",
        outlet="News Example",
        domain="news.example",
        language="en",
        health="ok",
    )
    base.update(kw)
    return Article(**base)


def make_scores(version: str = "v1", compound: float = -0.4) -> Scores:
    span = Span(start=38, end=46, text="disaster", category="emotional", weight=0.8)
    return Scores(
        sentiment=Sentiment(
            compound=compound,
            positive_share=0.0,
            negative_share=0.5,
            n_sentences=2,
            sentences=(SentenceSentiment(0, 18, 0.0, "neutral"), SentenceSentiment(19, 47, -0.6, "negative")),
        ),
        loaded=Loaded(
            spans=(span,),
            word_count=8,
            rate_per_1000=100.0,
            quoted_rate_per_1000=0.0,
            categories=(("emotional", 0.8),),
            loaded_sentences=1,
        ),
        scorer_version=version,
    )


def _postgres_store() -> Iterator[Store]:
    """A Store on a database of its own (tests/store/pg.py), dropped after the test."""
    for url in postgres_database():
        store = Store(url)
        try:
            yield store
        finally:
            store.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> Iterator[Store]:
    if request.param == "postgresql":
        yield from _postgres_store()
    else:
        yield Store(f"sqlite:///{tmp_path / 'db.sqlite'}")


def test_sqlite_uses_wal(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_old_database_gets_new_columns(tmp_path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, name VARCHAR(200), slug VARCHAR(200), "
        "description TEXT, created_at DATETIME)"
    )
    con.execute("INSERT INTO events (name, slug, description) VALUES ('Old', 'old', '')")
    con.commit()
    con.close()
    store = Store(f"sqlite:///{path}")
    [event] = store.list_events()
    assert event["name"] == "Old" and event["auto"] is False


def test_old_database_gets_new_indexes(tmp_path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite"
    Store(f"sqlite:///{path}").engine.dispose()
    con = sqlite3.connect(path)
    con.execute("DROP INDEX ix_articles_updated_at")  # as made before the index existed,
    con.execute("DROP TABLE alembic_version")  # and before Alembic
    con.commit()
    con.close()
    Store(f"sqlite:///{path}").engine.dispose()
    con = sqlite3.connect(path)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    plan = " ".join(r[-1] for r in con.execute("EXPLAIN QUERY PLAN SELECT max(updated_at) FROM articles"))
    con.close()
    assert {"ix_articles_updated_at", "ix_scores_scored_at", "ix_fetch_attempts_at"} <= names
    assert "ix_articles_updated_at" in plan  # Store.version() reads the index, not every row


def test_user_edits(store: Store) -> None:
    a = store.get_or_create_event("Auto 1", auto=True)
    b = store.get_or_create_event("Auto 2", auto=True)
    ids = []
    for i, ev in enumerate([a, a, a, b]):
        url = f"https://x.example/{i}"
        aid, _ = store.add_article(make_article(url), None, canonical_url=url, event_id=None, source="url")
        ids.append(aid)
        store.assign_auto({aid: ev})
    docs = {d["id"]: d for d in store.grouping_docs()}
    assert [docs[i]["event_id"] for i in ids] == [a, a, a, b] and not any(d["pinned"] for d in docs.values())

    store.rename_event(a, "Harbour repairs")
    assert store.find_event(store.find_event("Harbour repairs").slug).id == a
    assert all(d["pinned"] for d in store.grouping_docs() if d["event_id"] == a)
    with pytest.raises(StoreError, match="already exists"):
        store.rename_event(b, "Harbour repairs")

    new = store.split_event(a, [ids[2]], "Ferry fares")
    assert {d["id"]: d["event_id"] for d in store.grouping_docs()}[ids[2]] == new
    with pytest.raises(StoreError, match="belong to the event"):
        store.split_event(a, [ids[3]], "Nope")

    store.assign_auto({ids[0]: b})  # pinned articles are never moved by grouping
    assert {d["id"]: d["event_id"] for d in store.grouping_docs()}[ids[0]] == a

    assert store.move_articles([ids[3]], "Ferry fares") == 1
    assert store.delete_empty_auto_events() == 1  # "Auto 2" lost its only article
    assert store.merge_events(["Ferry fares"], "Harbour repairs") == 2
    assert [e["name"] for e in store.list_events()] == ["Harbour repairs"]
    assert store.list_events()[0]["articles"] == 4


def test_event_names_are_validated_and_slugged(store: Store) -> None:
    a = store.get_or_create_event("  Paris   visit,  2026! ")
    assert store.get_or_create_event("Paris visit, 2026!") == a
    slug = store.find_event("paris visit, 2026!").slug
    assert slug == event_slug("Paris visit, 2026!") and slug.startswith("paris-visit-2026-")
    assert store.find_event(slug).id == a
    with pytest.raises(StoreError, match="empty"):
        validate_event_name("   ")
    with pytest.raises(StoreError, match="control"):
        validate_event_name("bad\x07name")
    with pytest.raises(StoreError, match="longer"):
        validate_event_name("x" * 500)
    with pytest.raises(StoreError, match=r"no event named 'nope'.*Paris visit"):
        store.find_event("nope")
    assert slug_prefix("Ünïcode — Ärger") == "unicode-arger"


# Finding 3 of issue 12: names that differ only after 80 characters, or only in non-Latin letters,
# used to share one slug and were matched by it, so they became one event.
DISTINCT_NAMES = [
    "Наводнение в Москве",
    "Выборы в Киеве",
    "北京暴雨",
    "上海台风",
    "東京の地震",
    "انتخابات في القاهرة",
    "!!!",
    "???",
    "Ψηφοφορία στην Αθήνα",
    "x" * 85 + " first",
    "x" * 85 + " second",
    "Straße in Köln",
    "Strasse in Koln",  # ß is "ss" by meaning; ö is not o
]


def test_different_names_stay_different_events(store: Store) -> None:
    ids = [store.get_or_create_event(n) for n in DISTINCT_NAMES]
    assert len(set(ids)) == len(DISTINCT_NAMES)
    events = {e["id"]: e for e in store.list_events()}
    assert [events[i]["name"] for i in ids] == DISTINCT_NAMES  # Unicode names kept as typed
    assert len({e["slug"] for e in events.values()}) == len(DISTINCT_NAMES)
    for name, i in zip(DISTINCT_NAMES, ids, strict=True):
        assert store.find_event(name).id == i
        assert store.find_event(events[i]["slug"]).id == i  # a slug finds its event (unique now)
        assert store.get_or_create_event(events[i]["slug"]) == i  # ingest --event SLUG
    # non-Latin scripts keep a readable prefix; only punctuation falls back to "event"
    assert events[ids[0]]["slug"].startswith("наводнение-в-москве-")
    assert events[ids[6]]["slug"].startswith("event-") and events[ids[7]]["slug"].startswith("event-")
    # renaming onto a name that differs only after 80 characters is no clash either
    store.rename_event(ids[9], "x" * 85 + " third")
    assert store.find_event("x" * 85 + " third").id == ids[9]
    with pytest.raises(StoreError, match="no event named"):
        store.find_event("x" * 85 + " first")
    with pytest.raises(StoreError, match="no event named"):
        store.find_event("x" * 85)  # the shared beginning is no event


def test_same_name_by_meaning_is_one_event(store: Store) -> None:
    a = store.get_or_create_event("Storm  Oriel floods")
    assert store.get_or_create_event("STORM oriel FLOODS") == a
    assert store.get_or_create_event("Ｓｔｏｒｍ Ｏｒｉｅｌ floods") == a  # full-width letters (NFKC)
    assert store.get_or_create_event("Straße") == store.get_or_create_event("STRASSE")  # case folding
    assert event_name_key(" Cre\u0300me  brûlée ") == event_name_key("CRÈME BRÛLÉE")  # composed or not
    with pytest.raises(StoreError, match="already exists"):
        store.rename_event("Straße", "storm oriel FLOODS")
    store.rename_event(a, "storm oriel floods")  # a change of case is a rename of the same event
    assert [e["name"] for e in store.list_events() if e["id"] == a] == ["storm oriel floods"]


def test_old_database_gets_unique_slugs_and_name_keys(tmp_path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, name VARCHAR(200) UNIQUE, slug VARCHAR(200) UNIQUE, "
        "description TEXT, auto BOOLEAN DEFAULT 0, created_at DATETIME)"
    )
    old = [  # (name, slug as the old slugify made it)
        ("Harbour bridge collapse", "harbour-bridge-collapse"),
        ("Наводнение", "event"),
        ("Straße", "strae"),
        ("STRASSE", "strasse"),  # one name with "Straße" by the new rule: kept apart, renamed
        ("Old slug twin", "old-slug-twin-" + event_slug("Harbour bridge collapse").rsplit("-", 1)[1]),
    ]
    con.executemany("INSERT INTO events (name, slug, description) VALUES (?, ?, '')", old)
    con.commit()
    con.close()
    store = Store(f"sqlite:///{path}")
    events = {e["id"]: e for e in store.list_events()}
    assert [events[i]["name"] for i in range(1, 6)] == [
        "Harbour bridge collapse",
        "Наводнение",
        "Straße",
        "STRASSE (2)",
        "Old slug twin",
    ]
    assert events[1]["slug"] == event_slug("Harbour bridge collapse")
    assert len({e["slug"] for e in events.values()}) == 5
    assert store.find_event("straße").id == 3 and store.find_event("strasse (2)").id == 4
    assert store.get_or_create_event("наводнение") == 2
    assert store.get_or_create_event("Другое событие") not in events  # no longer lands in "event"
    Store(f"sqlite:///{path}").engine.dispose()  # a second start changes nothing
    assert {e["id"]: e["slug"] for e in Store(f"sqlite:///{path}").list_events()} == {
        e["id"]: e["slug"] for e in store.list_events()
    }


def test_article_is_stored_once_with_scores_and_html(store: Store) -> None:
    ev = store.get_or_create_event("Budget")
    html = "<html><body><p>The council voted.</p></body></html>" * 50
    aid, created = store.add_article(
        make_article(),
        make_scores(),
        canonical_url="https://news.example/a",
        event_id=ev,
        source="url",
        html=html,
    )
    assert created
    again, created2 = store.add_article(
        make_article(title="other"),
        make_scores(),
        canonical_url="https://news.example/a",
        event_id=ev,
        source="url",
    )
    assert (again, created2) == (aid, False)
    rows = store.event_articles(ev)
    assert len(rows) == 1
    row = rows[0]
    assert row["title"] == "A <b>title</b>"  # stored as the page said it, escaping is the display's job
    assert row["sentiment"] == pytest.approx(-0.4)
    assert row["spans"][0]["text"] == "disaster"
    assert row["categories"] == {"emotional": 0.8}
    assert row["published"].year == 2026
    [(_, _, stored_html)] = list(store.raw_pages())
    assert stored_html == html
    assert len(compress_html(html)) < len(html) / 5


def test_rescore_selects_other_versions(store: Store) -> None:
    ev = store.get_or_create_event("E")
    a1, _ = store.add_article(
        make_article("https://x.example/1"),
        make_scores("old"),
        canonical_url="https://x.example/1",
        event_id=ev,
        source="url",
    )
    store.add_article(
        make_article("https://x.example/2"),
        make_scores("new"),
        canonical_url="https://x.example/2",
        event_id=ev,
        source="url",
    )
    a3, _ = store.add_article(
        make_article("https://x.example/3"),
        None,
        canonical_url="https://x.example/3",
        event_id=ev,
        source="url",
    )
    todo = [r[0] for r in store.articles_to_rescore("new")]
    assert todo == [a1, a3]
    store.set_scores(a1, make_scores("new", compound=0.3))
    assert [r[0] for r in store.articles_to_rescore("new")] == [a3]
    assert len(store.articles_to_rescore("new", everything=True)) == 3
    assert {r["id"]: r["sentiment"] for r in store.event_articles(ev)}[a1] == pytest.approx(0.3)


def test_attempts_are_recorded_per_event(store: Store) -> None:
    ev = store.get_or_create_event("E")
    store.record_attempt(
        FetchAttempt("https://x.example/p", 403, "blocked", "HTTP 403", 0.1),
        canonical_url="https://x.example/p",
        event_id=ev,
    )
    store.record_attempt(
        FetchAttempt("https://x.example/q", 200, "ok", "", 0.1),
        canonical_url="https://x.example/q",
        event_id=ev,
    )
    failed = store.attempts(ev, failed_only=True)
    assert [f["health"] for f in failed] == ["blocked"]
    assert store.counts()["fetch_attempts"] == 2


def test_list_events_counts_outlets(store: Store) -> None:
    ev = store.get_or_create_event("E")
    store.get_or_create_event("Empty")
    for i, outlet in enumerate(["A", "B", "B"]):
        url = f"https://x.example/{i}"
        store.add_article(
            make_article(url, outlet=outlet), None, canonical_url=url, event_id=ev, source="url"
        )
    events = {e["name"]: e for e in store.list_events()}
    assert (events["E"]["articles"], events["E"]["outlets"]) == (3, 2)
    assert events["Empty"]["articles"] == 0


def test_bad_database_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot use database URL"):
        Store("nosuchdb://x")


def test_decompress_none() -> None:
    assert decompress_html(None) is None


def test_version_changes_on_writes(store: Store) -> None:
    before = store.version()
    ev = store.get_or_create_event("E")
    store.add_article(
        make_article(), make_scores(), canonical_url="https://news.example/a", event_id=ev, source="url"
    )
    after = store.version()
    assert after != before and store.version() == after  # stable while nothing changes


def test_outlet_names_and_an_even_text_sample(store: Store) -> None:
    assert store.outlet_names() == [] and store.text_sample(5) == []
    ev = store.get_or_create_event("Sample event")
    for i in range(10):
        outlet = "B Paper" if i % 2 else "A Wire"
        url = f"https://news.example/{i}"
        store.add_article(
            make_article(url, outlet=outlet, title=f"T{i}", text=f"Text {i}."),
            make_scores(),
            canonical_url=url,
            event_id=ev,
            source="test",
        )
    assert store.outlet_names() == ["A Wire", "B Paper"]
    sample = store.text_sample(4)
    # every k-th article by id (k = ceil(10 / 4) = 3): the same data always gives the same sample
    assert [r["title"] for r in sample] == ["T0", "T3", "T6", "T9"]
    assert set(sample[0]) == {"id", "title", "text", "outlet", "event"}
    assert sample[1] == {
        "id": sample[1]["id"],
        "title": "T3",
        "text": "Text 3.",
        "outlet": "B Paper",
        "event": "Sample event",
    }
    assert len(store.text_sample(100)) == 10 and store.text_sample(0) == []


def _count_queries(store: Store, fn) -> int:  # noqa: ANN001
    from sqlalchemy import event

    seen: list[str] = []

    def before(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(store.engine, "before_cursor_execute", before)
    return len(seen)


def test_dashboard_reads_do_not_grow_with_the_number_of_articles(tmp_path) -> None:
    """No N+1: the queries behind a dashboard page are the same in number for 2 or 12 articles."""
    from functools import partial

    counts = []
    for n in (2, 12):
        store = Store(f"sqlite:///{tmp_path / f'n{n}.db'}")
        ev = store.get_or_create_event("Event")
        for i in range(n):
            url = f"https://news.example/{i}"
            store.add_article(
                make_article(url, outlet=f"Outlet {i % 3}"),
                make_scores(),
                canonical_url=url,
                event_id=ev,
                source="t",
            )
        counts.append(
            [
                _count_queries(store, fn)
                for fn in (
                    store.version,
                    store.list_events,
                    partial(store.event_articles, ev, with_text=True),
                    partial(store.event_articles, None, with_text=False),
                    store.outlet_names,
                    partial(store.text_sample, 5),
                )
            ]
        )
        store.engine.dispose()
    assert counts[0] == counts[1], counts


def test_grouping_lock_is_one_run_at_a_time(store: Store) -> None:
    import threading

    other = Store(store.engine.url.render_as_string(hide_password=False))  # as another process would
    entered = threading.Event()
    release = threading.Event()

    def first() -> None:
        with store.grouping_lock():
            entered.set()
            release.wait(30)

    t = threading.Thread(target=first)
    t.start()
    assert entered.wait(30)
    with pytest.raises(StoreError, match="another grouping run"), other.grouping_lock(wait=0.3):
        pass
    release.set()
    t.join(30)
    with other.grouping_lock(wait=5):
        pass


def test_apply_grouping_checks_again_inside_its_transaction(store: Store) -> None:
    from analysis.store import GroupPlan

    ids = []
    for i in range(4):
        url = f"https://x.example/{i}"
        ids.append(
            store.add_article(make_article(url), None, canonical_url=url, event_id=None, source="url")[0]
        )
    gone = store.get_or_create_event("Merged away meanwhile", auto=True)
    mine = store.get_or_create_event("Made mine meanwhile", auto=True)
    keep = store.get_or_create_event("Still automatic", auto=True)
    empty = store.get_or_create_event("Empty automatic", auto=True)
    store.assign_auto({ids[0]: gone, ids[1]: mine, ids[2]: keep})
    store.merge_events([gone], keep)  # ids[0] is pinned in "Still automatic" now, which is a person's
    store.rename_event(mine, "Made mine")  # no longer automatic
    plans = [
        GroupPlan([ids[0], ids[3]], previous=[gone], title=lambda: "Fresh"),  # gone: a new event
        GroupPlan([ids[1]], previous=[mine], title=lambda: "Made mine"),  # a person's: a new event
    ]
    created, removed = store.apply_grouping({ids[2]: 999_999}, plans)  # an event id that is gone
    # "Empty automatic" removed; "Made mine (2)" was made for ids[1], which the rename had pinned
    assert (created, removed) == (1, 1)
    events = {e["name"]: e for e in store.list_events()}
    assert set(events) == {"Still automatic", "Made mine", "Fresh"}
    assert empty not in {e["id"] for e in events.values()}
    docs = {d["id"]: d["event_id"] for d in store.grouping_docs()}
    assert docs[ids[0]] == keep  # pinned by the merge: not moved
    assert docs[ids[3]] == events["Fresh"]["id"] and docs[ids[1]] == mine  # ids[1] was pinned by the rename
    assert docs[ids[2]] == keep


def test_edits_are_refused_when_the_event_changed_since_it_was_chosen(store: Store) -> None:
    from analysis.store import EventChangedError

    a = store.get_or_create_event("Harbour repairs")
    b = store.get_or_create_event("Ferry fares")
    url = "https://x.example/1"
    aid, _ = store.add_article(make_article(url), None, canonical_url=url, event_id=b, source="url")
    store.rename_event(a, "Harbour works")  # elsewhere, after the person chose "Harbour repairs"
    for edit in (
        lambda: store.rename_event(a, "Mine", expected_names={a: "Harbour repairs"}),
        lambda: store.merge_events([b], a, expected_names={a: "Harbour repairs", b: "Ferry fares"}),
        lambda: store.move_articles([aid], a, expected_names={a: "Harbour repairs"}),
        lambda: store.split_event(a, [aid], "New", expected_names={a: "Harbour repairs"}),
    ):
        with pytest.raises(EventChangedError, match="“Harbour repairs” was renamed to “Harbour works”"):
            edit()
    assert {e["name"] for e in store.list_events()} == {"Harbour works", "Ferry fares"}
    assert store.merge_events([b], a, expected_names={a: "Harbour works", b: "Ferry fares"}) == 1
    with pytest.raises(EventChangedError, match="“Ferry fares” no longer exists"):
        store.rename_event(b, "Back", expected_names={b: "Ferry fares"})


# --- issue 12: read-only databases, in-memory URLs, passwords in messages ----------------------


def _filled(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'ro.db'}"
    store = Store(url)
    ev = store.get_or_create_event("E")
    store.add_article(
        make_article(), make_scores(), canonical_url="https://news.example/a", event_id=ev, source="url"
    )
    store.engine.dispose()
    return url


def test_a_read_only_store_reads_and_sqlite_itself_refuses_writes(tmp_path) -> None:
    """Opened ``mode=ro``: SQLite refuses every write, even for root (for whom a chmod 444 file is
    still writable), and nothing is written on opening (no schema upgrade, no WAL switch)."""
    url = _filled(tmp_path)
    path = tmp_path / "ro.db"
    before = path.read_bytes()
    store = Store(url, read_only=True)
    assert store.read_only and "mode=ro" in str(store.engine.url)
    assert [e["name"] for e in store.list_events()] == ["E"]
    assert store.event_articles(with_text=False)[0]["title"] == "A <b>title</b>"
    with pytest.raises(DatabaseError, match="readonly database"):
        store.get_or_create_event("Another")
    store.engine.dispose()
    assert path.read_bytes() == before


def test_the_store_opens_read_only_by_itself_when_the_file_cannot_be_written(tmp_path, monkeypatch) -> None:
    """Tests run as root, where permission bits do not stop writes: ``os.access`` says what a
    normal user on a chmod 444 file (or a read-only mount) would be told."""
    from analysis.store import engine as store_mod

    url = _filled(tmp_path)
    assert Store(url).read_only is False and store_mod.read_only_reason(url) is None
    real = os.access
    monkeypatch.setattr(store_mod.os, "access", lambda p, mode: False if mode & os.W_OK else real(p, mode))
    assert store_mod.read_only_reason(url) == "the file is read-only"
    store = Store(url)
    assert store.read_only and [e["name"] for e in store.list_events()] == ["E"]


def test_a_read_only_database_with_an_older_schema_is_explained(tmp_path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, name TEXT)")
    with pytest.raises(
        StoreError, match=r"read-only database lacks .*articles.*open it once with write"
    ) as err:
        Store(f"sqlite:///{path}", read_only=True)
    # the review tables are optional (read as empty), never named as missing
    assert "corrections" not in str(err.value) and "history" not in str(err.value)


def test_in_memory_urls_are_recognised() -> None:
    from analysis.store import is_memory_database, sqlite_file

    for url in ("sqlite://", "sqlite:///:memory:", "sqlite:///file::memory:?uri=true", "sqlite+pysqlite://"):
        assert is_memory_database(url), url
        assert sqlite_file(url) is None
    for url in ("sqlite:///data/x.db", "postgresql+psycopg://u:p@h/db", "not a url"):
        assert not is_memory_database(url), url
    assert str(sqlite_file("sqlite:////tmp/x.db")) == "/tmp/x.db"


def test_passwords_are_hidden_in_urls_and_messages() -> None:
    from analysis.store import hide_passwords, safe_url

    assert safe_url("postgresql+psycopg://ann:s3cr%40t@db.example:5432/news") == (
        "postgresql+psycopg://ann:***@db.example:5432/news"
    )
    assert safe_url("postgresql://ann:s3cret@db.example:notaport/news") == (
        "postgresql://ann:***@db.example:notaport/news"
    )
    assert safe_url("sqlite:///data/analysis.db") == "sqlite:///data/analysis.db"
    message = "failed: postgresql://bob:hunter22@h/db (dsn: host=h password=hunter22 user=bob)"
    assert "hunter22" not in hide_passwords(message)
    assert hide_passwords("auth for s3cr@t failed", "postgresql://ann:s3cr%40t@h/db") == "auth for *** failed"
    with pytest.raises(StoreError) as exc:
        Store("nosuchdb://ann:s3cret@h/db")
    assert "s3cret" not in str(exc.value) and "ann:***@h" in str(exc.value)
