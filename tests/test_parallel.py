"""Parallel engines: Serial, Local (processes) and Dask give the same results, in input order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis import parallel
from analysis.events import grouper as events
from analysis.parallel import LocalEngine, SerialEngine
from analysis.scoring.scorer import score_text
from analysis.settings import DATA_DIR
from analysis.store import Store

DEMO = DATA_DIR / "demo"


def _demo_pages() -> list[tuple[str, str]]:
    manifest = json.loads((DEMO / "manifest.json").read_text("utf-8"))
    return [
        (a["url"], (DEMO / a["file"]).read_text("utf-8")) for e in manifest["events"] for a in e["articles"]
    ]


@pytest.fixture(scope="module")
def pages() -> list[tuple[str, str]]:
    return _demo_pages()


@pytest.fixture(scope="module")
def serial_results(pages):
    return parallel.analyse_pages(pages, None, SerialEngine(), partition_size=4)


@pytest.fixture(scope="module")
def local_engine():
    with LocalEngine(2) as engine:
        yield engine


@pytest.fixture(scope="module")
def dask_engine():
    pytest.importorskip("distributed")
    with parallel.DaskEngine() as engine:
        yield engine


def _docs(results) -> list[dict]:
    return [
        {"title": a.title, "text": a.text, "outlet": a.outlet, "published": a.published} for a, _s in results
    ]


def test_partitions_cut_in_order():
    assert parallel.partitions(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert parallel.partitions([], 3) == []
    with pytest.raises(ValueError):
        parallel.partitions([1], 0)


def test_serial_matches_the_plain_functions(pages, serial_results):
    assert len(serial_results) == len(pages) >= 20
    url, html = pages[3]
    article, scores = serial_results[3]
    assert article.url == url
    assert (article, scores) == parallel.analyse_page(url, html)
    assert scores == score_text(article.text, title=article.title)


def test_map_partitions_keeps_order_and_checks_lengths(local_engine):
    items = list(range(23))
    assert SerialEngine().map_partitions(list, items, 5) == items
    assert local_engine.map_partitions(list, items, 5) == items
    with pytest.raises(ValueError, match="returned 0 results"):
        SerialEngine().map_partitions(lambda part: [], items, 5)


def test_local_engine_gives_identical_results(pages, serial_results, local_engine):
    assert parallel.analyse_pages(pages, None, local_engine, partition_size=3) == serial_results
    items = [(a.title, a.text) for a, _ in serial_results]
    assert parallel.rescore_texts(items, local_engine, partition_size=4) == [s for _, s in serial_results]


def test_dask_engine_gives_identical_results(pages, serial_results, dask_engine):
    assert parallel.analyse_pages(pages, None, dask_engine, partition_size=5) == serial_results
    items = [(a.title, a.text) for a, _ in serial_results]
    assert parallel.rescore_texts(items, dask_engine) == [s for _, s in serial_results]


def test_dask_local_cluster_listens_on_loopback_only(dask_engine):
    psutil = pytest.importorskip("psutil")
    info = dask_engine.client.scheduler_info()
    assert info["address"].startswith("tcp://127.0.0.1:")
    assert all(addr.startswith("tcp://127.0.0.1:") for addr in info["workers"])
    me = psutil.Process()
    listening = [
        c.laddr
        for proc in [me, *me.children(recursive=True)]
        for c in proc.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]
    assert listening
    assert all(addr.ip in ("127.0.0.1", "::1") for addr in listening), listening
    assert all(addr.port != 8787 for addr in listening)  # no fixed dashboard port


def test_grouping_labels_identical_on_every_engine(serial_results, local_engine, dask_engine):
    docs = _docs(serial_results)
    fixed = [None] * len(docs)
    fixed[0] = 7  # one pinned article
    expected = events.group_events(docs, fixed_labels=fixed)
    assert parallel.group_events(docs, SerialEngine(), fixed_labels=fixed) == expected
    assert parallel.group_events(docs, local_engine, fixed_labels=fixed) == expected
    assert parallel.group_events(docs, dask_engine, fixed_labels=fixed) == expected


def test_make_engine_validates_its_arguments():
    assert isinstance(parallel.make_engine("serial"), SerialEngine)
    with pytest.raises(ValueError, match="unknown engine"):
        parallel.make_engine("spark")
    with pytest.raises(ValueError, match="--scheduler"):
        parallel.make_engine("local", scheduler="tcp://127.0.0.1:8786")


def test_store_helpers_reextract_and_rescore(tmp_path: Path, pages, serial_results):
    from analysis.pipeline import ingest_html
    from analysis.settings import Settings

    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    for url, html in pages[:4]:
        ingest_html(store, html, url, event="E", settings=Settings())
    before = store.event_articles(None)
    assert parallel.reextract(store, Settings(), SerialEngine()) == 4
    assert parallel.rescore(store, SerialEngine(), everything=True) == 4
    after = store.event_articles(None)
    keys = ("title", "text", "sentiment", "loaded_rate", "spans", "sentences")
    assert [{k: r[k] for k in keys} for r in after] == [{k: r[k] for k in keys} for r in before]
    assert parallel.rescore(store, SerialEngine()) == 0  # all current now


def test_a_page_that_raises_becomes_a_failure_and_the_batch_goes_on(pages, monkeypatch, tmp_path) -> None:
    real = parallel.extract_article
    bad_url = pages[1][0]

    def flaky(html: str, url: str, settings=None):
        if url == bad_url:
            raise RecursionError("maximum recursion depth exceeded")
        return real(html, url, settings)

    monkeypatch.setattr(parallel, "extract_article", flaky)
    out = parallel.analyse_pages(pages[:3], None, SerialEngine(), partition_size=2)
    assert isinstance(out[1], parallel.PageFailure) and "RecursionError" in out[1].reason
    assert out[1].result().health == "extract-error" and out[1].result("file.html").source == "file.html"
    assert [type(o) for o in (out[0], out[2])] == [tuple, tuple]

    # reextract: an article whose page now fails keeps its earlier extraction
    store = Store(f"sqlite:///{tmp_path / 're.db'}")
    monkeypatch.setattr(parallel, "extract_article", real)
    from analysis.ingest.fetch import canonical_url

    for url, html in pages[:3]:
        article, scores = parallel.analyse_page(url, html)
        store.add_article(
            article, scores, canonical_url=canonical_url(url), event_id=None, source="t", html=html
        )
    before = {r["url"]: r["title"] for r in store.event_articles(None, with_text=False)}
    monkeypatch.setattr(parallel, "extract_article", flaky)
    seen: list = []
    assert parallel.reextract(store, None, SerialEngine(), lambda n, total, res: seen.append(res.health)) == 3
    assert sorted(seen) == ["extract-error", "ok", "ok"]
    assert {r["url"]: r["title"] for r in store.event_articles(None, with_text=False)} == before


# --- issue 12: workers do not outlive the process that owns the pool ---------------------------

OWNER_SCRIPT = """
import sys, time
from analysis.parallel import LocalEngine

engine = LocalEngine(2)
engine.map_partitions(list, list(range(8)), 1)
print(" ".join(str(pid) for pid in engine._pool._processes), flush=True)
time.sleep(600)
"""


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (an exited child nobody has reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_local_workers_exit_when_their_owner_is_killed() -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    root = Path(__file__).resolve().parents[1]
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER_SCRIPT], cwd=root, stdout=subprocess.PIPE, text=True
    )
    workers: list[int] = []
    try:
        workers = [int(pid) for pid in owner.stdout.readline().split()]
        assert len(workers) == 2 and all(_running(pid) for pid in workers)
        owner.send_signal(signal.SIGKILL)  # no cleanup of any kind in the owner
        owner.wait(10)
        deadline = time.monotonic() + 10
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if _running(pid)], "workers outlived their owner"
    finally:
        owner.kill()
        owner.wait()
        for pid in workers:  # leave nothing behind if the test failed
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


def test_closing_the_engine_closes_its_lifeline() -> None:
    engine = LocalEngine(1)
    assert engine.map_partitions(list, [1, 2, 3], 2) == [1, 2, 3]
    lifeline = engine._lifeline
    assert lifeline is not None and not lifeline.closed
    engine.close()
    assert lifeline.closed and engine._lifeline is None
