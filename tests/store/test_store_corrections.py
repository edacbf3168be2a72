"""Corrections and history in the store: scopes, restore, import, merges, read-only databases, and
concurrent edits from two processes on one SQLite file."""

from __future__ import annotations

import itertools
import multiprocessing
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from analysis.models import Article
from analysis.store import Store, StoreError
from tests.store.pg import postgres_database


def _article(store: Store, n: int, event: int) -> int:
    url = f"https://news.example/{n}"
    art = Article(
        url=url,
        canonical_url=url,
        title=f"Story {n}",
        authors=(),
        published=datetime(2026, 3, 12, tzinfo=UTC),
        text="Critics slammed the plan. It was a disaster.",
        outlet=f"Outlet {n}",
        domain="news.example",
        language="en",
        health="ok",
    )
    return store.add_article(art, None, canonical_url=url, event_id=event, source="text")[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> Iterator[str]:
    if request.param == "postgresql":
        yield from postgres_database()
    else:
        yield f"sqlite:///{tmp_path / 'c.db'}"


@pytest.fixture
def store(url: str) -> Store:
    return Store(url)


def test_scopes_restore_and_history(store: Store) -> None:
    e1, e2 = store.get_or_create_event("Flood"), store.get_or_create_event("Strike")
    a1, a2 = _article(store, 1, e1), _article(store, 2, e2)
    assert store.set_correction("dismiss", "Slammed", user="ann")["after"] == "dismiss"
    store.set_correction("dismiss", "disaster", event="Flood", user="ann")
    store.set_correction("restore", "slammed", article_id=a1, user="bob")
    assert {(c["kind"], c["term"], c["scope"]) for c in store.corrections(e1)} == {
        ("dismiss", "Slammed", "global"),
        ("dismiss", "disaster", "event"),
        ("restore", "slammed", "article"),
    }
    assert {c["term"] for c in store.corrections(e2)} == {"Slammed"}  # the other event's: global only
    # a restore where nothing broader dismisses the word is no correction at all
    done = store.set_correction("restore", "disaster", article_id=a2, user="bob")
    assert done["before"] == done["after"] == "none"
    # dismissing an added word at the same scope replaces the add
    store.set_correction("add", "plan", event=e1, category="framing", weight=0.5)
    store.set_correction("dismiss", "plan", event=e1)
    assert [c["kind"] for c in store.corrections(e1) if c["term"] == "plan"] == ["dismiss"]
    history = store.history()
    assert [h["action"] for h in history][:3] == ["flag.dismiss", "flag.add", "flag.restore"]
    assert history[-1]["user"] == "ann" and history[-1]["subject"] == "Slammed (everywhere)"
    assert len(store.history(article_id=a1)) == 1
    assert store.corrections_stamp() == history[0]["id"]
    with pytest.raises(StoreError, match="needs a category"):
        store.set_correction("add", "x")
    with pytest.raises(StoreError, match="unknown correction"):
        store.set_correction("forget", "x")


def test_event_edits_write_history_and_merges_keep_corrections(store: Store) -> None:
    e1, e2 = store.get_or_create_event("Flood"), store.get_or_create_event("Flood aftermath")
    a1, a2 = _article(store, 1, e1), _article(store, 2, e2)
    store.set_correction("dismiss", "disaster", event=e2)
    store.rename_event(e1, "Lannet flood", user="ann")
    store.merge_events([e2], e1, user="ann")
    assert [(c["term"], c["event_id"]) for c in store.corrections(e1)] == [("disaster", e1)]
    new = store.split_event(e1, [a2], "Flood clean-up", user="bob")
    store.move_articles([a2], e1, user="bob")
    actions = [(h["action"], h["user"]) for h in store.history(event_id=e1)]
    assert (
        actions[:4]
        == [("event.move", "bob"), ("event.merge", "ann"), ("event.rename", "ann")][:1] + actions[1:4]
    )
    assert {a for a, _ in actions} >= {"event.move", "event.merge", "event.rename"}
    rename = next(h for h in store.history() if h["action"] == "event.rename")
    assert (rename["before"], rename["after"]) == ("Flood", "Lannet flood")
    split = next(h for h in store.history() if h["action"] == "event.split")
    assert (split["article_id"], split["event_id"], split["after"]) == (a2, new, "Flood clean-up")
    assert a1  # untouched


def test_a_read_only_database_made_before_corrections_reads_none(tmp_path) -> None:
    path = tmp_path / "old.db"
    store = Store(f"sqlite:///{path}")
    store.get_or_create_event("E")
    store.engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE corrections")
        conn.execute("DROP TABLE history")
    ro = Store(f"sqlite:///{path}", read_only=True)
    assert ro.corrections() == [] and ro.history() == [] and ro.corrections_stamp() == 0
    assert [e["name"] for e in ro.list_events()] == ["E"]


def _worker(url: str, who: str, n: int) -> None:
    store = Store(url)
    for i in range(n):
        store.set_correction("dismiss", f"{who}-word-{i}", user=who)
        # both processes also toggle the same word: each toggle is one history row, none lost
        store.set_correction("add" if i % 2 == 0 else "dismiss", "shared", category="framing", user=who)
    store.engine.dispose()


def test_concurrent_edits_from_two_processes_lose_nothing(url: str) -> None:
    Store(url).engine.dispose()  # schema made once, before the writers start
    n = 25
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(url, who, n)) for who in ("ann", "bob")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    store = Store(url)
    words = {c["term"] for c in store.corrections()}
    assert words == {f"{who}-word-{i}" for who in ("ann", "bob") for i in range(n)} | {"shared"}
    history = store.history()
    assert sum(1 for h in history if h["subject"].startswith(("ann-", "bob-"))) == 2 * n
    shared = [h for h in reversed(history) if h["subject"].startswith("shared")]
    # every recorded change starts from the state the previous one left: nothing was overwritten unseen
    for prev, cur in itertools.pairwise(shared):
        assert cur["before"] == prev["after"]
    assert len({h["id"] for h in history}) == len(history)
