"""The real path end to end: local HTTP server -> fetch -> extract -> score -> store."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from analysis import parallel
from analysis.pipeline import ingest_html, ingest_text, ingest_urls, load_demo, reextract, rescore
from analysis.settings import Settings
from analysis.store import Store


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


def test_demo_loads_only_into_an_empty_database(tmp_path) -> None:
    from analysis.store import StoreError

    settings = replace(Settings(), database_url="sqlite://")
    with_event = Store(f"sqlite:///{tmp_path / 'event.sqlite'}")
    with_event.get_or_create_event("My own event")  # e.g. every URL of a first ingest failed
    with pytest.raises(StoreError, match=r"1 other event.*My own event.*fiction"):
        load_demo(with_event, settings)
    with_articles = Store(f"sqlite:///{tmp_path / 'articles.sqlite'}")
    _free_articles(with_articles, TOPICS[:1])  # articles, no events yet
    with pytest.raises(StoreError, match="4 article\\(s\\) not from the demo"):
        load_demo(with_articles, settings)
    assert with_event.counts()["articles"] == 0 and with_articles.counts()["events"] == 0


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


def test_unused_event_name_avoids_name_clashes() -> None:
    from analysis.store import event_name_key, unused_event_name

    taken = {event_name_key("Storm hits coast!")}
    assert unused_event_name(taken, "STORM hits  coast!") == "STORM hits coast! (2)"
    taken |= {event_name_key("Storm hits coast (2)")}
    assert unused_event_name(taken | {event_name_key("storm hits coast")}, "Storm hits coast") == (
        "Storm hits coast (3)"
    )
    assert unused_event_name(set(), "  ") == "Untitled event"
    # Finding 1 of issue 12: names whose slugs agreed in their first 80 characters looped forever.
    long = "Storm " + "x" * 120
    assert unused_event_name({event_name_key(long[:150])}, long) == long[:150] + " (2)"
    assert unused_event_name({event_name_key(long[:150])}, long[:149] + "y") == long[:149] + "y"


# --- automatic grouping against a database ------------------------------------------------

TOPICS = [
    ("harbour", "Harbour bridge collapses after storm", "bridge girders harbour engineers collapse"),
    ("council", "Council passes city budget", "council budget vote taxes councillors"),
    ("rail", "Rail strike halts trains", "rail strike union trains commuters"),
    ("fire", "Forest fire reaches villages", "forest fire villages firefighters evacuated"),
    ("vaccine", "Clinic opens vaccine centre", "vaccine clinic doses nurses patients"),
]
OUTLETS = ["Wire", "Blaze", "Courier", "Ledger"]


def _free_articles(store: Store, topics=TOPICS, day: int = 1) -> list[int]:
    """Articles without an event (as ingested without --event): each topic by every outlet."""
    from datetime import UTC, datetime

    from analysis.models import Article

    ids = []
    for t, (slug, title, words) in enumerate(topics):
        for o, outlet in enumerate(OUTLETS):
            url = f"https://{outlet.lower()}.example/{slug}-{day}-{t}"
            text = " ".join(f"{w} {words.split()[(i + o) % 5]}" for i, w in enumerate(words.split() * 12))
            art = Article(
                url=url,
                canonical_url=url,
                title=f"{title} ({outlet})",
                authors=(),
                published=datetime(2026, 3, day, 9, tzinfo=UTC),
                text=text,
                outlet=outlet,
                domain=f"{outlet.lower()}.example",
                language="en",
                health="ok",
                word_count=len(text.split()),
            )
            ids.append(store.add_article(art, None, canonical_url=url, event_id=None, source="url")[0])
    return ids


def test_grouping_names_whose_slugs_agree_in_80_characters(tmp_path, monkeypatch) -> None:
    """Finding 1 of issue 12: two automatic events whose titles share their first 80 slug characters
    made ``group`` loop forever at 100% CPU."""
    import threading

    import analysis.events.grouper
    from analysis.pipeline import regroup

    long = "Storm floods the valley and the harbour town while engineers inspect the old bridge at dawn, "
    monkeypatch.setattr(analysis.events.grouper, "event_title", lambda members: long + members[0]["outlet"])
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store.get_or_create_event(long + "Wire")  # a person's event with that very name: never reused
    ids = _free_articles(store, TOPICS[:2])
    result: list[dict] = []
    worker = threading.Thread(target=lambda: result.append(regroup(store, Settings())), daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "grouping did not finish (the event-name loop never ends)"
    assert result[0]["events_created"] == 2
    names = sorted(e["name"] for e in store.list_events())
    assert names == sorted([long + "Wire", long + "Wire (2)", long + "Wire (3)"])
    grouped = {d["id"]: d["event_id"] for d in store.grouping_docs()}
    assert None not in grouped.values() and store.find_event(long + "Wire").id not in grouped.values()
    assert len({grouped[i] for i in ids}) == 2


def _group_in_child(url: str, barrier, out) -> None:  # noqa: ANN001 - multiprocessing objects
    from analysis.pipeline import regroup

    store = Store(url)
    barrier.wait(timeout=60)
    try:
        out.put(("ok", regroup(store, Settings())))
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        out.put(("error", f"{type(exc).__name__}: {exc}"))


@pytest.mark.parametrize("round_", range(4))
def test_concurrent_grouping_runs_lose_nothing(tmp_path, round_: int) -> None:
    """Finding 5 of issue 12: two ``group`` runs started together lost assignments (an event
    deleted as empty by one run just after the other filled it) and reported wrong counts."""
    import multiprocessing

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    store = Store(url)
    _free_articles(store, TOPICS, day=1)
    if round_ % 2:  # half the rounds: the database was grouped before and has new free articles
        from analysis.pipeline import regroup

        regroup(store, Settings())
        _free_articles(store, TOPICS[:3], day=20)
    before = {e["id"] for e in store.list_events()}
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_group_in_child, args=(url, barrier, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    assert [r[0] for r in results] == ["ok", "ok"], results
    runs = [r[1] for r in results]
    docs = store.grouping_docs()
    assert all(d["event_id"] is not None for d in docs), "an article lost its event"
    after = {e["id"] for e in store.list_events()}
    # each run reports its own changes: together they account for exactly the events now there
    assert sum(r["events_created"] for r in runs) == len(after - before)
    assert sum(r["events_removed"] for r in runs) == len(before - after)
    assert all(r["articles"] == len(docs) == r["free"] for r in runs)
    # the later run found the earlier one's result and had nothing left to do
    assert min(r["events_created"] for r in runs) == 0
