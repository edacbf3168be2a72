"""The real path end to end: local HTTP server -> fetch -> extract -> score -> store."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from analysis import parallel
from analysis.pipeline import ingest_html, ingest_text, ingest_urls, load_demo, reextract, rescore
from analysis.settings import Settings
from analysis.store.database import Store


@pytest.fixture
def fixtures_dir() -> Path:
    return Path(__file__).parent / "fixtures"


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'db.sqlite'}")


def test_batch_stores_good_pages_and_explains_bad_ones(store, http_server, fetch_settings) -> None:
    urls = [
        http_server.url("/pipeline/terminal-wire.html"),
        http_server.url("/pipeline/missing-page.html"),  # 404
        http_server.url("/pipeline/report.pdf"),  # not HTML
        "not a url",
        http_server.url("/pipeline/terminal-tabloid.html"),
        http_server.url("/pipeline/terminal-wire.html?utm_source=feed"),  # same article again
    ]
    seen = []
    results = ingest_urls(
        store, urls, event="Ferry terminal", settings=fetch_settings, progress=lambda d, t, r: seen.append(d)
    )
    assert [r.source for r in results] == urls  # one result per input, in input order
    assert sorted(seen) == list(range(1, len(urls) + 1))
    wire, missing, pdf, bad, tabloid, dup = results
    assert wire.article_id and wire.health in {"ok", "no-date"} and not wire.duplicate
    assert tabloid.article_id and tabloid.article_id != wire.article_id
    assert missing.article_id is None and missing.health == "http-error" and "404" in missing.reason
    assert pdf.article_id is None and pdf.health == "not-html" and "pdf" in pdf.reason.lower()
    assert bad.article_id is None and bad.health == "invalid-url" and bad.reason
    assert dup.duplicate and dup.article_id == wire.article_id

    ev = store.find_event("Ferry terminal")
    rows = {r["title"]: r for r in store.event_articles(ev.id)}
    assert len(rows) == 2
    calm = rows["Port Elsin to close northern ferry terminal for 11 weeks of repairs"]
    loud = next(r for t, r in rows.items() if t.startswith("FERRY FIASCO"))
    assert "corrosion" in calm["text"] and "outrageous waste" not in calm["text"]  # comments dropped
    assert calm["authors"] == ["Lena Dorsk"]
    assert calm["published"].isoformat().startswith("2026-04-07T08:15")
    assert loud["sentiment"] < calm["sentiment"]
    assert loud["loaded_rate"] > calm["loaded_rate"]
    assert any(s["quoted"] for s in loud["spans"])  # the traveller's words are attributed to him
    failures = {a["health"] for a in store.attempts(ev.id, failed_only=True)}
    assert {"http-error", "not-html", "invalid-url"} <= failures

    again = ingest_urls(store, urls[:1], event="Ferry terminal", settings=fetch_settings)
    assert again[0].duplicate and store.counts()["articles"] == 2  # never duplicated


def test_loopback_is_refused_by_default(store, http_server) -> None:
    url = http_server.url("/pipeline/terminal-wire.html")
    [res] = ingest_urls(store, [url], event="E", settings=Settings(database_url="sqlite://"))
    assert res.health == "refused" and res.article_id is None
    assert "ANALYSIS_ALLOW_PRIVATE" in res.reason or "--allow-private" in res.reason
    assert store.counts()["articles"] == 0


def test_html_file_and_pasted_text(store, fixtures_dir) -> None:
    html = (fixtures_dir / "pipeline" / "terminal-tabloid.html").read_text("utf-8")
    res = ingest_html(
        store, html, "https://www.klaxon.example/news/ferry", event="Ferry", settings=Settings()
    )
    assert res.article_id and res.article.outlet and res.scores.loaded.rate_per_1000 > 0
    text = "The council approved the plan on Monday. " * 40
    t1 = ingest_text(store, text, title="Plan approved", outlet="Paper X", event="Ferry")
    t2 = ingest_text(store, text, title="Plan approved", outlet="Paper X", event="Ferry")
    assert t1.article_id and t2.duplicate and t2.article_id == t1.article_id
    assert t1.article.outlet == "Paper X" and t1.article.extractor == "text"


def test_rescore_and_reextract(store, fixtures_dir, monkeypatch) -> None:
    html = (fixtures_dir / "pipeline" / "terminal-wire.html").read_text("utf-8")
    ingest_html(store, html, "https://wire.example/ferry", event="Ferry", settings=Settings())
    assert rescore(store) == 0  # already current
    monkeypatch.setattr(parallel, "SCORER_VERSION", "a-newer-version")
    assert rescore(store) == 1
    assert reextract(store, Settings()) == 1
    assert store.event_articles()[0]["title"].startswith("Port Elsin")


def test_demo_corpus_loads_through_the_real_path(store) -> None:
    results = load_demo(store, replace(Settings(), database_url="sqlite://"))
    events = store.list_events()
    assert len(events) >= 3 and all(e["outlets"] >= 4 for e in events)
    assert all(r.article_id for r in results)
    for ev in events:
        rows = store.event_articles(ev["id"], with_text=False)
        sentiments = [r["sentiment"] for r in rows]
        rates = [r["loaded_rate"] for r in rows]
        assert max(sentiments) - min(sentiments) > 0.2, ev["name"]  # outlets visibly differ
        assert max(rates) > 2 * max(min(rates), 1.0), ev["name"]
    assert all(r.duplicate for r in load_demo(store, Settings()))  # loading twice adds nothing


def test_batch_limit_is_a_clear_error(store) -> None:
    from analysis.pipeline import BatchError

    urls = [f"https://x.example/{i}" for i in range(4)]
    with pytest.raises(BatchError, match="4 URLs in one batch; the limit is 3"):
        ingest_urls(store, urls, event="E", settings=Settings(max_batch_urls=3))
    assert store.counts() == {"events": 0, "articles": 0, "scores": 0, "fetch_attempts": 0}


def test_a_page_that_breaks_extraction_does_not_stop_the_batch(
    store, http_server, fetch_settings, monkeypatch
):
    from analysis import parallel

    real = parallel.extract_article

    def flaky(html: str, url: str, settings=None):
        if "tabloid" in url:
            raise RecursionError("maximum recursion depth exceeded")
        return real(html, url, settings)

    monkeypatch.setattr(parallel, "extract_article", flaky)
    urls = [
        http_server.url("/pipeline/terminal-tabloid.html"),
        http_server.url("/pipeline/terminal-wire.html"),
    ]
    bad, good = ingest_urls(store, urls, event="E", settings=fetch_settings)
    assert bad.health == "extract-error" and "RecursionError" in bad.reason and bad.article_id is None
    assert good.article_id is not None
    assert [a["health"] for a in store.attempts(failed_only=True)] == ["extract-error"]


def test_unused_event_name_avoids_slug_clashes() -> None:
    from analysis.pipeline import _unused_event_name

    assert _unused_event_name({"storm-hits-coast"}, "Storm hits coast!") == "Storm hits coast! (2)"
    assert (
        _unused_event_name({"storm-hits-coast", "storm-hits-coast-2"}, "Storm hits coast")
        == "Storm hits coast (3)"
    )
    assert _unused_event_name(set(), "  ") == "Untitled event"
