"""Edits of articles (date, headline, outlet, authors) and soft deletes/restores of articles and events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from analysis.store import Store, StoreError
from tests.store.test_store import make_article, make_scores


@pytest.fixture
def store() -> Store:
    return Store("sqlite:///:memory:")


def _two_articles(store: Store) -> tuple[int, int, int]:
    eid = store.get_or_create_event("Council vote")
    a, _ = store.add_article(
        make_article(), make_scores(), canonical_url="https://news.example/a", event_id=eid, source="url"
    )
    b, _ = store.add_article(
        make_article("https://other.example/b", outlet="Other"),
        make_scores(),
        canonical_url="https://other.example/b",
        event_id=eid,
        source="url",
    )
    return eid, a, b


def test_edit_article_changes_fields_and_writes_history(store: Store) -> None:
    _eid, a, _b = _two_articles(store)
    changed = store.edit_article(
        a,
        published=datetime(2026, 3, 1, tzinfo=UTC),
        title="  Right   headline ",
        outlet="The Paper",
        authors=["Bo Reporter", " ", "Cy Editor"],
        user="ed",
    )
    assert changed == ["published", "title", "outlet", "authors"]
    art = next(x for x in store.event_articles() if x["id"] == a)
    assert art["title"] == "Right headline"
    assert art["outlet"] == "The Paper"
    assert list(art["authors"]) == ["Bo Reporter", "Cy Editor"]
    assert art["published"].date().isoformat() == "2026-03-01"
    rows = {r["action"]: r for r in store.history(article_id=a)}
    assert rows["article.published"]["before"] == "2026-03-12"
    assert rows["article.published"]["after"] == "2026-03-01"
    assert rows["article.outlet"]["before"] == "News Example"
    assert rows["article.outlet"]["after"] == "The Paper"
    assert rows["article.authors"]["after"] == "Bo Reporter; Cy Editor"
    assert all(r["user"] == "ed" for r in rows.values())


def test_edit_article_without_change_writes_nothing(store: Store) -> None:
    _eid, a, _b = _two_articles(store)
    assert store.edit_article(a, outlet="News Example", published=datetime(2026, 3, 12, tzinfo=UTC)) == []
    assert store.history(article_id=a) == []


def test_edit_article_refuses_bad_values(store: Store) -> None:
    _eid, a, _b = _two_articles(store)
    with pytest.raises(StoreError, match="no article with id 999"):
        store.edit_article(999, title="x")
    with pytest.raises(StoreError, match="headline cannot be empty"):
        store.edit_article(a, title="  ")
    with pytest.raises(StoreError, match="outlet cannot be empty"):
        store.edit_article(a, outlet="")


def test_deleted_article_is_left_out_of_reads_and_restored(store: Store) -> None:
    eid, a, b = _two_articles(store)
    before = store.version()
    assert store.delete_article(a, user="ed")
    assert not store.delete_article(a)  # already deleted
    assert store.version() != before
    assert [x["id"] for x in store.event_articles()] == [b]
    assert [x["id"] for x in store.event_articles(eid)] == [b]
    assert [d["id"] for d in store.grouping_docs()] == [b]
    assert [d["id"] for d in store.text_sample(10)] == [b]
    assert [d["id"] for d in store.search_texts(["council"])] == [b]
    assert store.outlet_names() == ["Other"]
    assert store.list_events()[0]["articles"] == 1
    assert store.counts()["articles"] == 1
    assert store.is_article_deleted(a)
    assert [d["id"] for d in store.deleted_articles()] == [a]
    assert store.restore_article(a, user="ed")
    assert not store.restore_article(a)
    assert sorted(x["id"] for x in store.event_articles()) == [a, b]
    actions = [r["action"] for r in store.history(article_id=a)]
    assert sorted(actions) == ["article.delete", "article.restore"]
    with pytest.raises(StoreError, match="no article with id 5"):
        store.delete_article(5)


def test_deleted_event_hides_its_articles_and_restore_brings_both_back(store: Store) -> None:
    eid, a, b = _two_articles(store)
    other = store.get_or_create_event("Other story")
    c, _ = store.add_article(
        make_article("https://news.example/c"),
        make_scores(),
        canonical_url="https://news.example/c",
        event_id=other,
        source="url",
    )
    store.delete_article(b)
    before = store.version()
    assert store.delete_event("Council vote", user="ed")
    assert not store.delete_event(eid)
    assert store.version() != before
    assert [e["name"] for e in store.list_events()] == ["Other story"]
    assert [x["id"] for x in store.event_articles()] == [c]
    assert [d["id"] for d in store.grouping_docs()] == [c]
    assert [d["id"] for d in store.text_sample(10)] == [c]
    assert store.counts()["events"] == 1
    assert store.restore_event("Council vote", user="ed")
    assert not store.restore_event("Council vote")
    assert sorted(x["id"] for x in store.event_articles()) == [a, c]  # b stays deleted on its own
    assert [r["action"] for r in store.history(event_id=eid)][:2] == ["event.restore", "event.delete"]
    with pytest.raises(StoreError, match="no event named"):
        store.delete_event("Nothing like it")


def test_old_database_gets_the_deleted_at_columns(tmp_path) -> None:  # noqa: ANN001 - pytest fixture
    url = f"sqlite:///{tmp_path / 'old.db'}"
    Store(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE articles DROP COLUMN deleted_at"))
        conn.execute(text("ALTER TABLE events DROP COLUMN deleted_at"))
        conn.execute(text("DROP TABLE alembic_version"))  # made before Alembic too
    engine.dispose()
    store = Store(url)
    _eid, a, _b = _two_articles(store)
    assert store.delete_article(a)
    assert len(store.event_articles()) == 1
