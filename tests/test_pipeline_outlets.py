"""Pages fetched from the local test server (127.0.0.1) are named by their site, not by the address."""

from __future__ import annotations

from analysis.pipeline import ingest_urls
from analysis.store import Store


def test_local_pages_are_named_by_their_site_not_127_0_0_1(tmp_path, http_server, fetch_settings) -> None:
    store = Store(f"sqlite:///{tmp_path / 'local.db'}")
    urls = [
        http_server.url("/pipeline/terminal-wire.html"),
        http_server.url("/pipeline/terminal-tabloid.html"),
    ]
    results = ingest_urls(store, urls, event="Ferry terminal", settings=fetch_settings)
    assert all(r.article_id for r in results)
    outlets = {o["name"]: o for o in store.outlets()}
    assert set(outlets) == {"Harbour Wire", "The Daily Klaxon"}
    assert all(o["domains"] == ["127.0.0.1"] for o in outlets.values())  # the address kept beside
    assert {r["outlet"] for r in store.event_articles(with_text=False)} == {
        "Harbour Wire",
        "The Daily Klaxon",
    }
