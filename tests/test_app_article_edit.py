"""The Compare page's "Edit article" expander (AppTest, on a database of its own)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.store import Store, event_slug

try:  # tests/ is on sys.path while it has no __init__.py
    from dashboard_fixtures import FIXTURE_EVENT, build_fixture_db
except ModuleNotFoundError:
    from tests.dashboard_fixtures import FIXTURE_EVENT, build_fixture_db

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60  # seconds per script run


def test_compare_page_edits_deletes_and_restores_an_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = build_fixture_db(tmp_path / "edit.db")
    store = Store(url)
    monkeypatch.setenv("ANALYSIS_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/compare.py")
    at.query_params["event"] = event_slug(FIXTURE_EVENT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    key = next(b.key for b in at.button if b.key and b.key.startswith("ae-save-"))
    aid = int(key.rsplit("-", 1)[1])
    suffix = key.removeprefix("ae-save-")
    at.date_input(key=f"ae-date-{suffix}").set_value(date(2025, 1, 2))
    at.text_input(key=f"ae-title-{suffix}").input("Fixed headline")
    at.text_input(key=f"ae-authors-{suffix}").input("A One; B Two")
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("changed published, title, authors" in s.value for s in at.success)
    art = next(a for a in store.event_articles(with_text=False) if a["id"] == aid)
    assert art["title"] == "Fixed headline" and list(art["authors"]) == ["A One", "B Two"]
    assert art["published"].date() == date(2025, 1, 2)
    assert {r["action"] for r in store.history(article_id=aid)} >= {"article.title", "article.published"}
    at.button(key=f"ae-delete-{suffix}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.is_article_deleted(aid)
    at.button(key=f"ae-restore-{aid}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not store.is_article_deleted(aid)
