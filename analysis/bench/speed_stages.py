"""The speed benchmark's measurements of the pipeline: ingest from stored HTML (on an engine, and
on a Dask cluster of 1 and 2 workers), extraction and scoring against the plain VADER loop, fetching
from a slow local server, grouping in a fresh process, and cProfile tops.

Driven by :mod:`analysis.bench.speed` (the targets, the table and the command line).
"""

from __future__ import annotations

import cProfile
import io
import itertools
import json
import os
import pstats
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from analysis.bench.generate import GeneratedPage
from analysis.compare.derived import DERIVED_VERSION, article_derived
from analysis.ingest.extract import extract_article
from analysis.models import Article
from analysis.parallel import PageFailure, _EngineBase, iter_analysed
from analysis.settings import Settings

FETCH_PAGES = QUICK_FETCH_PAGES = 200  # 200 pages take ~1.4 s: the quick run measures all of them
FETCH_LATENCY = 0.1  # seconds the local server waits before each response
FETCH_CONCURRENCY = 16
GROUP_TIMEOUT = 900  # seconds for one grouping subprocess
PROFILE_TOP = 15  # functions listed per profile


def _now() -> float:
    return time.perf_counter()


# ================================================================================================
# Ingest: extract + score (engine) + store (this process)
# ================================================================================================


INGEST_BLOCK = 2000  # pages handed to the engine at a time (a 100k corpus is streamed, not held)


def ingest(
    pages: Iterable[GeneratedPage],
    engine: _EngineBase,
    db_path: Path,
    keep: list | None = None,
    block: int = INGEST_BLOCK,
) -> dict[str, Any]:
    """Extract, score and store ``pages`` into a new SQLite database; articles/s and a breakdown.

    ``pages`` may be a generator (taken ``block`` at a time).  ``keep``: a list that receives each
    (page, article, scores), for :func:`replicate_store`."""
    from analysis.ingest.fetch import canonical_url
    from analysis.store import Store

    store = Store(f"sqlite:///{db_path}")
    events: dict[str, int] = {}
    t_store = 0.0
    health: dict[str, int] = {}
    n = 0
    cpu0 = time.process_time()
    t0 = _now()
    it = iter(pages)
    while chunk := list(itertools.islice(it, block)):
        stream = iter_analysed([(p.url, p.html) for p in chunk], None, engine)
        for page, done in zip(chunk, stream, strict=True):
            if isinstance(done, PageFailure):
                health["extract-error"] = health.get("extract-error", 0) + 1
                continue
            article, scores = done
            t1 = _now()
            if page.event not in events:
                events[page.event] = store.get_or_create_event(page.event)
            store.add_article(
                article,
                scores,
                canonical_url=canonical_url(article.canonical_url or page.url),
                event_id=events[page.event],
                source="bench",
                html=page.html,
            )
            t_store += _now() - t1
            health[article.health] = health.get(article.health, 0) + 1
            if keep is not None:
                keep.append((page, article, scores))
        t1 = _now()
        store.refresh_derived(article_derived, DERIVED_VERSION)  # as the pipeline does per article
        t_store += _now() - t1
        n += len(chunk)
    elapsed = _now() - t0
    store.engine.dispose()
    return {
        "engine": engine.name,
        "workers": engine.workers,
        "articles": n,
        "seconds": round(elapsed, 2),
        "articles_per_s": round(n / elapsed, 1) if elapsed else None,
        "store_s": round(t_store, 2),
        "parent_cpu_s": round(time.process_time() - cpu0, 2),
        "load_average": round(os.getloadavg()[0], 2),
        "db_mb": round(db_path.stat().st_size / 2**20, 1) if db_path.exists() else None,
        "health": health,
    }


def replicate_store(analysed: Sequence[tuple], n: int, per_event: int, db_path: Path) -> int:
    """A database of ``n`` articles made by storing the ``analysed`` (page, article, scores) again and
    again under new URLs and new events of ``per_event`` articles (real texts, spans and sentences;
    no extraction).  For the dashboard measurement when ingesting ``n`` pages would take too long."""
    from dataclasses import replace

    from analysis.store import Store

    store = Store(f"sqlite:///{db_path}")
    event_id = None
    for i in range(n):
        page, article, scores = analysed[i % len(analysed)]
        if i % per_event == 0:
            event_id = store.get_or_create_event(f"replica event {i // per_event:05d}")
        url = f"{article.canonical_url}/copy-{i}"
        store.add_article(
            replace(article, url=url, canonical_url=url),
            scores,
            canonical_url=url,
            event_id=event_id,
            source="bench",
            html=page.html,
        )
    store.refresh_derived(article_derived, DERIVED_VERSION)
    store.engine.dispose()
    return n


# ================================================================================================
# Dask: the same work on a LocalCluster of 1 and of 2 workers
# ================================================================================================

DASK_WORKER_COUNTS = (1, 2)


def dask_scaling(pages: Sequence[GeneratedPage], tmp: Path) -> dict[str, Any]:
    """Extract + score ``pages`` on a Dask LocalCluster of 1 and of 2 worker processes.

    For each: the analysis alone (the pure functions over partitions, results gathered in this
    process) and the whole ingest (plus storing in this process's SQLite, which shares the machine's
    cores with the workers).  ``speedup_*``: 1-worker time / 2-worker time.  Cluster start-up is not
    counted (a cluster serves many jobs).  ``{"skipped": reason}`` without dask/distributed."""
    from analysis.parallel import DaskEngine

    runs: dict[int, dict[str, Any]] = {}
    for n in DASK_WORKER_COUNTS:
        try:
            t0 = _now()
            engine = DaskEngine(n_workers=n)
        except RuntimeError as exc:  # dask/distributed not installed
            return {"skipped": str(exc)}
        start = _now() - t0
        with engine:
            t0 = _now()
            for _ in iter_analysed([(p.url, p.html) for p in pages], None, engine):
                pass
            analyse_s = _now() - t0
            res = ingest(pages, engine, tmp / f"dask-{n}.db")
        runs[n] = {
            "cluster_start_s": round(start, 2),
            "analyse_s": round(analyse_s, 2),
            "analyse_per_s": round(len(pages) / analyse_s, 1),
            "ingest_s": res["seconds"],
            "ingest_per_s": res["articles_per_s"],
            "load_average": res["load_average"],
        }
    one, two = runs[DASK_WORKER_COUNTS[0]], runs[DASK_WORKER_COUNTS[-1]]
    return {
        "pages": len(pages),
        "runs": {str(k): v for k, v in runs.items()},
        "speedup_analyse": round(one["analyse_s"] / two["analyse_s"], 2),
        "speedup_ingest": round(one["ingest_s"] / two["ingest_s"], 2),
    }


# ================================================================================================
# Extraction alone, scoring alone, plain VADER
# ================================================================================================


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z][a-z'-]*", text.lower()))


def scoring(pages: Sequence[GeneratedPage]) -> dict[str, Any]:
    """Per-core times of extraction, ``score_text`` and the plain VADER loop on the same pages."""
    from analysis.scoring.scorer import score_text
    from analysis.scoring.sentiment import (
        analyzer,
        plain_analyzer,
        plain_compound,
        sentence_sentiment,
        without_names,
    )
    from analysis.scoring.text import split_sentences

    extract_article(pages[0].html, pages[0].url)  # warm up caches and imports
    score_text("Warm up. Done.", title="Warm up")
    # CPU time of this process: per-core cost, unaffected by other work on the machine
    t0 = time.process_time()
    articles: list[Article] = [extract_article(p.html, p.url) for p in pages]
    t_extract = time.process_time() - t0
    texts = [(a.title, a.text) for a in articles]
    words = sum(a.word_count for a in articles)

    t0 = time.process_time()
    scores = [score_text(text, title=title) for title, text in texts]
    t_score = time.process_time() - t0
    t0 = time.process_time()
    for _title, text in texts:
        sentence_sentiment(text)
    t_sentiment = time.process_time() - t0

    plain = plain_analyzer()
    t0 = time.process_time()
    plain_values = [
        [plain.polarity_scores(text[s:e])["compound"] for s, e in split_sentences(text)] for _, text in texts
    ]
    t_plain = time.process_time() - t0

    # identical values: every sentence's score against vaderSentiment's own polarity_scores with the
    # same lexicon and input (news-adapted: the news supplement, names removed), and the fast plain
    # scorer against the plain loop above
    news = analyzer()
    comparable = identical = plain_identical = 0
    all_sentences: list[str] = []
    for (_title, text), sc, pv in zip(texts, scores, plain_values, strict=True):
        by_span = {(s.start, s.end): s.compound for s in sc.sentiment.sentences}
        for (s, e), value in zip(split_sentences(text), pv, strict=True):
            sentence = text[s:e]
            all_sentences.append(sentence)
            plain_identical += plain_compound(sentence) == value
            if (s, e) not in by_span:  # no word in it: not scored
                continue
            comparable += 1
            identical += by_span[(s, e)] == news.polarity_scores(without_names(sentence))["compound"]
    n = len(articles)
    distinct = len(set(all_sentences))
    return {
        "articles": n,
        "mean_words": round(words / n) if n else 0,
        "clock": "process CPU time",
        "extract_ms_per_article": round(t_extract / n * 1000, 2),
        "score_ms_per_article": round(t_score / n * 1000, 2),
        "sentiment_ms_per_article": round(t_sentiment / n * 1000, 2),
        "plain_vader_ms_per_article": round(t_plain / n * 1000, 2),
        "score_articles_per_s_per_core": round(n / t_score, 1),
        "plain_vader_articles_per_s_per_core": round(n / t_plain, 1),
        "score_vs_plain_vader": round(t_plain / t_score, 2),  # >1: score_text faster than plain VADER
        "sentiment_vs_plain_vader": round(t_plain / t_sentiment, 2),
        "scoring_adds_to_extraction": round(t_score / t_extract, 3),
        "sentences": len(all_sentences),
        "distinct_sentence_share": round(distinct / len(all_sentences), 3) if all_sentences else None,
        "comparable_sentences": comparable,
        "identical_sentences": identical,
        "plain_identical_sentences": plain_identical,
    }


# ================================================================================================
# Fetching from a slow local server
# ================================================================================================


@contextmanager
def slow_server(body: bytes, latency: float):
    """A threaded HTTP server on 127.0.0.1 that waits ``latency`` seconds, then serves ``body``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # http.server writes the headers and the body in two sends; with Nagle's algorithm on, the
        # body then waits for the client's delayed ACK of the headers (~40 ms on Linux), a stall no
        # real web server adds.  Measured: 44 ms per fetch with Nagle, ~2 ms without.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            time.sleep(latency)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fetching(
    body: str,
    n_pages: int = FETCH_PAGES,
    latency: float = FETCH_LATENCY,
    concurrency: int = FETCH_CONCURRENCY,
) -> dict[str, Any]:
    """``fetch_many`` of ``n_pages`` URLs of one local site, against pages x latency / concurrency."""
    from analysis.ingest.fetch import fetch_many

    settings = Settings(
        allow_private=True,
        domain_delay=0.0,
        cache_ttl=0.0,
        workers=concurrency,
        per_domain=concurrency,
        respect_robots=False,  # one robots.txt request would add one latency; pages only
        max_batch_urls=max(n_pages, Settings().max_batch_urls),
    )
    with slow_server(body.encode("utf-8"), latency) as base:
        urls = [f"{base}/page/{i}.html" for i in range(n_pages)]
        t0 = _now()
        got = fetch_many(urls, settings)
        elapsed = _now() - t0
    bound = n_pages * latency / concurrency
    return {
        "pages": n_pages,
        "latency_s": latency,
        "concurrency": concurrency,
        "ok": sum(p.ok for p in got),
        "seconds": round(elapsed, 2),
        "bound_s": round(bound, 2),
        "factor": round(elapsed / bound, 2),
    }


# ================================================================================================
# Grouping (fresh process: clean peak memory)
# ================================================================================================


def grouping(n: int) -> dict[str, Any]:
    """``bench_grouping(n)`` in a new Python process (its peak RSS is the grouping's alone)."""
    try:
        from analysis.bench import grouping_eval  # noqa: F401 - presence check
    except ImportError as exc:
        return {"n": n, "skipped": f"analysis.events.grouper / grouping_eval not available: {exc}"}
    cmd = [sys.executable, "-m", "analysis.bench.grouping_eval", "--bench", str(n)]
    try:
        done = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=GROUP_TIMEOUT,
            cwd=Path(__file__).resolve().parents[2],
        )
    except subprocess.TimeoutExpired:
        return {"n": n, "skipped": f"did not finish in {GROUP_TIMEOUT} s"}
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"n": n, "skipped": f"failed: {done.stderr.strip()[-300:]}"}
    return json.loads(lines[-1])


# ================================================================================================
# Profiles
# ================================================================================================


def profile(pages: Sequence[GeneratedPage], top: int = PROFILE_TOP) -> dict[str, list[str]]:
    """cProfile of extraction and of scoring on ``pages``: the top functions by own time."""
    from analysis.scoring.scorer import score_text

    out: dict[str, list[str]] = {}
    articles = [extract_article(p.html, p.url) for p in pages[:5]]  # warm up
    for name, job in (
        ("extract", lambda: [extract_article(p.html, p.url) for p in pages]),
        ("score", lambda: [score_text(a.text, title=a.title) for a in articles * max(1, len(pages) // 5)]),
    ):
        prof = cProfile.Profile()
        prof.enable()
        job()
        prof.disable()
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        total = sum(v[2] for v in stats.stats.values()) or 1.0  # type: ignore[attr-defined]
        rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]  # type: ignore[attr-defined]
        out[name] = [
            f"{tt / total:6.1%} own  {ct / total:6.1%} cum  {Path(f).name}:{ln} {fn}"
            for (f, ln, fn), (_cc, _nc, tt, ct, _callers) in rows
        ]
    return out
