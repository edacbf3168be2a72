"""Speed and scale benchmark: ingest, scoring, fetching, grouping and the dashboard's event page.

``python -m analysis bench speed`` (or ``python -m analysis.bench.speed [--quick] [--sizes 1000 10000]
[--json out.json] [--profile]``).  Pages come from :mod:`analysis.bench.generate` (demo templates,
fixed seed).  Measured, each next to its target (PASS/MISS):

* ingest from stored HTML: extract + score + store into a temporary SQLite, on all cores
  (:class:`analysis.parallel.LocalEngine`) and on one core, in articles/s;
* extraction alone and scoring alone per article, and how much scoring adds to extraction;
* scoring against the plain vaderSentiment loop (``polarity_scores`` on each sentence of
  ``split_sentences``) on the same texts: the sentence sentiment (``sentence_sentiment``, computed by
  :class:`analysis.scoring.vader.FastVader`) and the whole of ``score_text`` (sentiment and loaded language
  of body and headline), with a check that every sentence's value is identical to vaderSentiment's
  own ``polarity_scores`` on the same input;
* fetching 200 pages from a local threaded server adding 100 ms per response, against the bound
  ``pages x latency / concurrency``;
* event grouping at 10k and 100k (time and peak memory, in a fresh process:
  :func:`analysis.bench.grouping_eval.bench_grouping`);
* the Compare page's data (the store queries and :mod:`analysis.compare.summary` frames the page builds)
  on the ingest database (10k articles in 500 events at size 10k).

Numbers depend on the machine and its load (reported with the results).  Tests check the structure
of the output only.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import os
import platform
import pstats
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from analysis.bench.generate import CorpusGenerator, GeneratedPage, generate_pages
from analysis.ingest.extract import extract_article
from analysis.models import Article
from analysis.parallel import LocalEngine, PageFailure, SerialEngine, _EngineBase, iter_analysed
from analysis.settings import Settings

# --- targets (printed next to each number) ----------------------------------------------------
TARGET_INGEST_PER_S = 25.0  # articles/s from stored HTML on 2 cores
TARGET_SCORING_SHARE = 0.30  # scoring adds at most this share to extraction time
TARGET_SCORING_VS_VADER = 2.0  # score_text at least this many times the plain VADER loop's speed
TARGET_FETCH_FACTOR = 1.5  # fetch time within this factor of pages x latency / concurrency
TARGET_GROUP_100K_S = 60.0
TARGET_GROUP_100K_MB = 4096.0
TARGET_EVENT_PAGE_S = 2.0  # compare page data ready, 10k articles stored

# --- sizes ------------------------------------------------------------------------------------
DEFAULT_SIZES = (1000, 10_000)
QUICK_SIZES = (1000,)
GROUP_SIZES = (10_000, 100_000)
QUICK_GROUP_SIZES = (1000,)
EVENT_PAGE_ARTICLES = 10_000  # articles stored for the Compare page measurement
EVENT_PAGE_PER_EVENT = 20  # ... in events of this many articles (10k: 500 events)
ONE_CORE_MAX = 400  # pages for the one-core ingest rate (a rate: a sample is enough)
SCORING_SAMPLE = 400  # texts for scoring vs plain VADER and for extraction alone
QUICK_SAMPLE = 100
FETCH_PAGES = QUICK_FETCH_PAGES = 200  # 200 pages take ~1.4 s: the quick run measures all of them
FETCH_LATENCY = 0.1  # seconds the local server waits before each response
FETCH_CONCURRENCY = 16
GROUP_TIMEOUT = 900  # seconds for one grouping subprocess
PROFILE_TOP = 15  # functions listed per profile


def _now() -> float:
    return time.perf_counter()


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


# ================================================================================================
# Ingest: extract + score (engine) + store (this process)
# ================================================================================================


INGEST_BLOCK = 2000  # pages handed to the engine at a time (a 100k corpus is streamed, not held)
IN_MEMORY_MAX = 10_000  # larger ingest sizes generate their pages on the fly


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
    from analysis.store.database import Store

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

    from analysis.store.database import Store

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
    store.engine.dispose()
    return n


# ================================================================================================
# Dask: the same work on a LocalCluster of 1 and of 2 workers
# ================================================================================================

DASK_WORKER_COUNTS = (1, 2)
DASK_PAGES, QUICK_DASK_PAGES = 600, 200


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
# The Compare page's data
# ================================================================================================


def event_page(db_path: Path, repeats: int = 3) -> dict[str, Any]:
    """Cold time to build the Compare page's data for the largest event (no Streamlit cache).

    What the page computes for its first screen: the data version and event list, the event's rows
    with text, the sentence/summary/category frames and findings, the outlet colours, the word-choice
    prior (a sample of the database) and the event's word choice (the open tab), and the three charts.
    The best of ``repeats`` runs (the first also warms imports)."""
    from analysis.compare import summary as compare
    from analysis.compare import wordchoice
    from analysis.present import charts
    from analysis.store.database import Store

    store = Store(f"sqlite:///{db_path}")
    stages: dict[str, float] = {}

    def timed(name: str, fn, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN001
        t = _now()
        out = fn(*args, **kwargs)
        stages[name] = stages.get(name, 0.0) + _now() - t
        return out

    best: dict[str, float] | None = None
    total_best = float("inf")
    n_rows = 0
    for _ in range(repeats):
        stages = {}
        t0 = _now()
        timed("version", store.version)
        events = timed("list_events", store.list_events)
        event = max(events, key=lambda e: (e["outlets"], e["articles"]))
        rows = timed("event_rows", store.event_articles, event["id"], with_text=True)
        sentences = timed("sentence_frame", compare.sentence_frame, rows)
        summary = timed("outlet_summary", compare.outlet_summary, rows, sentences=sentences)
        cats = timed("category_frame", compare.category_frame, rows)
        timed("findings", compare.findings, summary)
        colors = timed("outlet_colors", lambda: charts.outlet_colors(store.outlet_names()))
        prior = timed(
            "word_prior",
            lambda: wordchoice.database_prior(store.text_sample(wordchoice.PRIOR_SAMPLE_ARTICLES)),
        )
        usable = [r for r in rows if compare.usable(r)]
        timed("word_choice", wordchoice.event_word_choice, usable, prior=prior)
        timed("charts", _charts, summary, sentences, cats, colors)
        total = _now() - t0
        n_rows = len(rows)
        if total < total_best:
            total_best, best = total, dict(stages)
    counts = store.counts()
    store.engine.dispose()
    return {
        "articles_stored": counts["articles"],
        "events": counts["events"],
        "event_articles": n_rows,
        "seconds": round(total_best, 3),
        "stages_s": {k: round(v, 3) for k, v in (best or {}).items()},
    }


BROWSER_EVENTS = 5  # events opened in the browser: the largest, then four more


def event_page_browser(
    db_path: Path, n_events: int = BROWSER_EVENTS, browser: Any | None = None
) -> dict[str, Any]:
    """Time until the real Compare page is interactive in headless Chromium on ``db_path``
    (:func:`analysis.bench.browser.time_event_page`; ``browser``: an already launched Playwright
    browser); ``{"skipped": reason}`` without one."""
    from analysis.bench.browser import browser_unavailable, time_event_page
    from analysis.store.database import Store

    reason = browser_unavailable()
    if reason:
        return {"skipped": reason}
    store = Store(f"sqlite:///{db_path}")
    events = sorted(store.list_events(), key=lambda e: (-e["outlets"], -e["articles"], e["id"]))
    counts = store.counts()
    store.engine.dispose()
    step = max(1, len(events) // n_events)
    slugs = [e["slug"] for e in events[::step][:n_events]]
    try:
        with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
            out = time_event_page(db_path, slugs, Path(tmp), browser=browser)
    except Exception as exc:  # a benchmark stage: report why it failed and go on with the others
        return {"skipped": f"browser measurement failed: {type(exc).__name__}: {exc}"[:400]}
    return {"articles_stored": counts["articles"], "events": counts["events"], **out}


def _charts(summary: Any, sentences: Any, cats: Any, colors: dict[str, str]) -> tuple:
    from analysis.present import charts

    return (
        charts.outlet_interval_chart(summary, colors),
        charts.sentence_arc_chart(sentences, colors),
        charts.category_chart(cats, list(summary["outlet"])),
    )


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


# ================================================================================================
# Driver
# ================================================================================================


def run(
    sizes: Sequence[int] = DEFAULT_SIZES,
    *,
    quick: bool = False,
    group_sizes: Sequence[int] | None = None,
    workers: int | None = None,
    sample: int | None = None,
    fetch_pages: int | None = None,
    one_core_max: int = ONE_CORE_MAX,
    with_profile: bool = False,
    engine: _EngineBase | None = None,
    browser: bool = True,
    dask: bool = True,
    log=print,  # noqa: ANN001
) -> dict[str, Any]:
    """All measurements; returns the JSON-ready result (``targets`` holds the PASS/MISS lines)."""
    sample = sample or (QUICK_SAMPLE if quick else SCORING_SAMPLE)
    fetch_pages = fetch_pages or (QUICK_FETCH_PAGES if quick else FETCH_PAGES)
    group_sizes = (QUICK_GROUP_SIZES if quick else GROUP_SIZES) if group_sizes is None else group_sizes
    result: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_start": round(os.getloadavg()[0], 2),
        },
        "ingest": [],
        "grouping": [],
    }
    biggest_db: Path | None = None
    analysed: list = []
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        largest = max(sizes)
        in_memory = max([n for n in sizes if n <= IN_MEMORY_MAX] or [min(sizes)])
        t0 = _now()
        pages_all = generate_pages(min(largest, in_memory))
        log(f"generated {len(pages_all):,} pages in {_now() - t0:.1f} s")
        with engine or LocalEngine(workers) as engine:
            for n in sorted(sizes):
                db = Path(tmp) / f"ingest-{n}.db"
                keep = analysed if n == in_memory else None
                pages = pages_all[:n] if n <= len(pages_all) else CorpusGenerator().pages(n)
                res = ingest(pages, engine, db, keep=keep)
                log(f"ingest {n:,} on {engine.workers} cores: {res['articles_per_s']} articles/s")
                result["ingest"].append(res)
                if biggest_db is None or n <= EVENT_PAGE_ARTICLES:
                    biggest_db = db  # the Compare page is measured on the 10k database
        one = ingest(pages_all[: min(one_core_max, largest)], SerialEngine(), Path(tmp) / "one-core.db")
        log(f"ingest on 1 core: {one['articles_per_s']} articles/s")
        result["ingest"].append(one)
        if dask:
            n_dask = min(largest, QUICK_DASK_PAGES if quick else DASK_PAGES)
            result["dask"] = dask_scaling(pages_all[:n_dask], Path(tmp))
            dk = result["dask"]
            log(f"dask, 2 workers vs 1: {dk.get('speedup_analyse', dk.get('skipped'))}x")
        # a spread of outlets and events: every k-th page
        step = max(1, len(pages_all) // sample)
        sampled = pages_all[::step][:sample]
        result["scoring"] = scoring(sampled)
        log(f"scoring: {result['scoring']['score_ms_per_article']} ms/article")
        result["fetch"] = fetching(pages_all[0].html, n_pages=fetch_pages)
        log(f"fetch: {result['fetch']['seconds']} s (bound {result['fetch']['bound_s']} s)")
        if biggest_db is not None and not quick and in_memory < EVENT_PAGE_ARTICLES:
            biggest_db = Path(tmp) / "replicated.db"
            t0 = _now()
            replicate_store(analysed, EVENT_PAGE_ARTICLES, EVENT_PAGE_PER_EVENT, biggest_db)
            log(f"stored {EVENT_PAGE_ARTICLES:,} replicated articles in {_now() - t0:.1f} s")
        analysed.clear()
        if biggest_db is not None:
            result["event_page"] = event_page(biggest_db)
            log(f"event page data: {result['event_page']['seconds']} s")
            if browser:
                result["event_page_browser"] = event_page_browser(biggest_db)
                eb = result["event_page_browser"]
                log(f"event page in the browser: {eb.get('first_visit_s', eb.get('skipped'))}")
        if with_profile:
            result["profile"] = profile(sampled[:50])
        del pages_all
    for n in group_sizes:
        res = grouping(n)
        result["grouping"].append(res)
        log(f"grouping {n:,}: {res.get('group_s', res.get('skipped'))}")
    result["machine"]["load_average_end"] = round(os.getloadavg()[0], 2)
    result["targets"] = targets(result)
    return result


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One line per target: what was measured, the target, PASS/MISS (n/a when not measured)."""
    rows: list[dict[str, Any]] = []

    def add(name: str, value: object, target: str, ok: bool | None) -> None:
        rows.append({"measure": name, "value": value, "target": target, "verdict": _verdict(ok)})

    for res in result.get("ingest", []):
        label = f"ingest {res['articles']:,} from HTML, {res['workers']} core(s)"
        ok = res["articles_per_s"] >= TARGET_INGEST_PER_S if res["workers"] >= 2 else None
        add(label, f"{res['articles_per_s']} articles/s", f">= {TARGET_INGEST_PER_S:g}/s on 2 cores", ok)
    sc = result.get("scoring")
    if sc:
        share = sc["scoring_adds_to_extraction"]
        add(
            "scoring adds to extraction",
            f"{share:.0%}",
            f"<= {TARGET_SCORING_SHARE:.0%}",
            share <= TARGET_SCORING_SHARE,
        )
        same = sc["identical_sentences"] == sc["comparable_sentences"]
        ratio = sc["sentiment_vs_plain_vader"]
        add(
            "sentence sentiment vs plain VADER loop",
            f"{ratio:.2f}x ({sc['identical_sentences']}/{sc['comparable_sentences']} identical)",
            f">= {TARGET_SCORING_VS_VADER:g}x, identical",
            ratio >= TARGET_SCORING_VS_VADER and same,
        )
        ratio = sc["score_vs_plain_vader"]
        add(
            "score_text (+ loaded language, headline) vs plain VADER loop",
            f"{ratio:.2f}x",
            f">= {TARGET_SCORING_VS_VADER:g}x",
            ratio >= TARGET_SCORING_VS_VADER,
        )
    dk = result.get("dask")
    if dk and "skipped" in dk:
        add("dask, 2 workers vs 1", dk["skipped"], "speed-up (measured, no target)", None)
    elif dk:
        one, two = dk["runs"]["1"], dk["runs"]["2"]
        add(
            f"dask extract+score {dk['pages']} pages, 2 workers vs 1",
            f"{dk['speedup_analyse']}x ({one['analyse_per_s']} -> {two['analyse_per_s']}/s)",
            "speed-up (measured, no target)",
            None,
        )
        add(
            f"dask ingest {dk['pages']} pages (+ store), 2 workers vs 1",
            f"{dk['speedup_ingest']}x ({one['ingest_per_s']} -> {two['ingest_per_s']}/s)",
            "speed-up (measured, no target)",
            None,
        )
    fe = result.get("fetch")
    if fe:
        add(
            f"fetch {fe['pages']} pages, {fe['concurrency']} at once",
            f"{fe['seconds']} s = {fe['factor']}x bound",
            f"<= {TARGET_FETCH_FACTOR:g}x {fe['bound_s']} s",
            fe["factor"] <= TARGET_FETCH_FACTOR,
        )
    for g in result.get("grouping", []):
        if "skipped" in g:
            add(f"grouping {g['n']:,}", g["skipped"], "", None)
            continue
        big = g["n"] >= 100_000
        add(
            f"grouping {g['n']:,} articles",
            f"{g['group_s']} s, peak {g['peak_rss_mb']} MB",
            f"<= {TARGET_GROUP_100K_S:g} s, <= {TARGET_GROUP_100K_MB / 1024:g} GB at 100k",
            (g["group_s"] <= TARGET_GROUP_100K_S and g["peak_rss_mb"] <= TARGET_GROUP_100K_MB)
            if big
            else None,
        )
    eb = result.get("event_page_browser")
    if eb and "skipped" in eb:
        add("compare page in the browser", eb["skipped"], f"<= {TARGET_EVENT_PAGE_S:g} s with 10k", None)
    elif eb:
        big = eb["articles_stored"] >= 10_000
        for name, key in (("first visit", "first_visit_s"), ("next events, median", "next_event_median_s")):
            if eb.get(key) is None:
                continue
            add(
                f"compare page interactive ({name}), {eb['articles_stored']:,} stored",
                f"{eb[key]} s",
                f"<= {TARGET_EVENT_PAGE_S:g} s with 10k",
                eb[key] <= TARGET_EVENT_PAGE_S if big else None,
            )
    ep = result.get("event_page")
    if ep:
        add(
            f"compare page data, {ep['articles_stored']:,} stored",
            f"{ep['seconds']} s",
            f"<= {TARGET_EVENT_PAGE_S:g} s with 10k",
            ep["seconds"] <= TARGET_EVENT_PAGE_S if ep["articles_stored"] >= 10_000 else None,
        )
    return rows


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """The targets as an aligned text table."""
    head = ("measure", "value", "target", "verdict")
    widths = [max(len(h), *(len(str(r[h])) for r in rows)) for h in head] if rows else [len(h) for h in head]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(r[h]).ljust(w) for h, w in zip(head, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def main(
    sizes: Sequence[int] | None = None,
    out_json: str | Path | None = None,
    quick: bool = False,
    *,
    group_sizes: Sequence[int] | None = None,
    with_profile: bool = False,
    browser: bool = True,
    dask: bool = True,
) -> dict[str, Any]:
    """Run the benchmark, print the table (and profiles), write ``out_json`` when given."""
    sizes = tuple(sizes) if sizes else (QUICK_SIZES if quick else DEFAULT_SIZES)
    result = run(
        sizes, quick=quick, group_sizes=group_sizes, with_profile=with_profile, browser=browser, dask=dask
    )
    m = result["machine"]
    print(
        f"\n{m['cpus']} CPUs, load average {m['load_average_start']} at start, "
        f"{m['load_average_end']} at end "
        "(above the CPU count, other work inflates wall-clock numbers)"
    )
    print(format_table(result["targets"]))
    for name, lines in result.get("profile", {}).items():
        print(f"\nprofile: {name} (share of profiled time)")
        print("\n".join(lines))
    if out_json:
        Path(out_json).parent.mkdir(parents=True, exist_ok=True)  # out/ is not in a fresh checkout
        Path(out_json).write_text(json.dumps(result, indent=2, default=str), "utf-8")
        print(f"\nwritten {out_json}")
    return result


def _cli(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m analysis.bench.speed", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", help="ingest sizes (default 1000 10000)")
    ap.add_argument("--group-sizes", type=int, nargs="*", help="grouping sizes (default 10000 100000)")
    ap.add_argument("--json", dest="out_json", help="write the results here")
    ap.add_argument("--quick", action="store_true", help="small run for CI (1k, no 100k)")
    ap.add_argument("--profile", action="store_true", help="add cProfile top functions")
    ap.add_argument("--no-browser", action="store_true", help="skip the Compare page in Chromium")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask 1-vs-2-worker runs")
    args = ap.parse_args(argv)
    main(
        args.sizes,
        args.out_json,
        args.quick,
        group_sizes=args.group_sizes,
        with_profile=args.profile,
        browser=not args.no_browser,
        dask=not args.no_dask,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(_cli())
