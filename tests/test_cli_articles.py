"""``article edit/delete/restore`` and ``event delete/restore``, run in process."""

from __future__ import annotations

import pytest

from analysis.store import Store
from tests.test_cli import run


@pytest.fixture
def demo(tmp_path, capsys) -> str:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run(capsys, "demo", "--db", db, "-q")[0] == 0
    return db


def test_article_edit_shows_in_history(demo, capsys) -> None:
    store = Store(demo)
    first, second = [e["name"] for e in store.list_events()][:2]
    aid = store.event_articles(store.find_event(first).id, with_text=False)[0]["id"]
    code, out, err = run(
        capsys, "article", "edit", str(aid), "--date", "2025-01-02", "--title", "Fixed headline",
        "--outlet", "Fixed Outlet", "--authors", "A One; B Two", "--event", second, "--db", demo,
    )  # fmt: skip
    assert code == 0, err
    assert "changed published, title, outlet, authors, event" in out
    art = next(a for a in store.event_articles(with_text=False) if a["id"] == aid)
    assert (art["title"], art["outlet"], art["event"]) == ("Fixed headline", "Fixed Outlet", second)
    assert list(art["authors"]) == ["A One", "B Two"]
    assert art["published"].date().isoformat() == "2025-01-02"
    code, out, _ = run(capsys, "history", "--article", str(aid), "--db", demo)
    assert code == 0
    for word in ("2025-01-02", "Fixed headline", "Fixed Outlet", "A One; B Two"):
        assert word in out
    code, out, _ = run(capsys, "article", "edit", str(aid), "--title", "Fixed headline", "--db", demo)
    assert code == 0 and "nothing changed" in out


def test_article_edit_errors(demo, capsys) -> None:
    for argv, message in [
        (["article", "edit", "99999", "--title", "x"], "no article with id 99999"),
        (["article", "edit", "1"], "nothing to change"),
        (["article", "edit", "1", "--date", "2025-13-01"], "expected YYYY-MM-DD"),
        (["article", "edit", "1", "--date", "2999-01-01"], "in the future"),
        (["article", "edit", "1", "--event", "No such event"], "no event named"),
        (["article", "delete", "99999"], "no article with id 99999"),
        (["event", "delete", "No such event"], "no event named"),
    ]:
        code, _, err = run(capsys, *argv, "--db", demo)
        assert code == 1, argv
        assert message in err and len(err.strip().splitlines()) == 1, err


def test_article_and_event_delete_restore(demo, capsys) -> None:
    store = Store(demo)
    name = store.list_events()[0]["name"]
    n_events, n_articles = store.counts()["events"], store.counts()["articles"]
    aid = store.event_articles(with_text=False)[0]["id"]
    code, out, _ = run(capsys, "article", "delete", str(aid), "--db", demo)
    assert code == 0 and "deleted article" in out
    assert aid not in [a["id"] for a in store.event_articles(with_text=False)]
    assert "already deleted" in run(capsys, "article", "delete", str(aid), "--db", demo)[1]
    code, out, _ = run(capsys, "article", "restore", str(aid), "--db", demo)
    assert code == 0 and "restored" in out and store.counts()["articles"] == n_articles
    code, out, _ = run(capsys, "event", "delete", name, "--db", demo)
    assert code == 0 and "deleted" in out
    assert name not in run(capsys, "events", "--db", demo)[1]
    assert store.counts()["events"] == n_events - 1 and store.counts()["articles"] < n_articles
    code, out, _ = run(capsys, "event", "restore", name, "--db", demo)
    assert code == 0 and "restored" in out
    assert store.counts() == {**store.counts(), "events": n_events, "articles": n_articles}
    code, out, _ = run(capsys, "history", "--event", name, "--db", demo)
    assert "event.delete" in out and "event.restore" in out
