"""Wires the steps for a batch: fetch -> extract -> score -> store, with progress reporting.

Fetching runs in a thread pool (see ``fetch.fetch_many``); each page is extracted,
scored and committed in the calling thread as soon as it arrives, so one bad page
never holds up or loses the others, and the database sees one writer.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.compare.derived import DERIVED_VERSION, article_derived
from analysis.ingest.extract import article_from_text
from analysis.ingest.fetch import canonical_url, check_batch_size, fetch_many
from analysis.ingest.pagecache import open_page_cache
from analysis.models import Article, FetchAttempt, IngestResult, Page, Scores
from analysis.parallel import PageFailure, analyse_page_safely, scores_for
from analysis.settings import DATA_DIR, Settings
from analysis.store import GroupPlan, Store, StoreError, event_name_key

Progress = Callable[[int, int, IngestResult], None]
if TYPE_CHECKING:
    from analysis.parallel import Engine


class BatchError(ValueError):
    """The batch as a whole cannot be run (too many URLs ...); nothing was fetched."""


DEMO_DIR = DATA_DIR / "demo"


def _analyse(html: str, url: str, settings: Settings | None) -> tuple[Article, Scores | None] | IngestResult:
    """Extract and score one page, or an "extract-error" result: a page that breaks the
    extractor or a scorer (a bug) is recorded with the exception and never stops a batch."""
    done = analyse_page_safely(url, html, settings)
    return done.result() if isinstance(done, PageFailure) else done


def _safe_canonical(url: str) -> str:
    try:
        return canonical_url(url)
    except ValueError:
        return url.strip()


# Texts longer than this (characters; a long feature is ~60k) get their term counts and quotes
# computed when a page first needs them, not while being stored.
PRECOMPUTE_MAX_CHARS = 200_000


def _store_article(
    store: Store,
    article: Article,
    scores: Scores | None,
    *,
    html: str | None,
    event_id: int | None,
    source: str,
    input_url: str,
) -> IngestResult:
    """Store ``article`` and its scores; a duplicate canonical URL is reported, not stored again."""
    canon = _safe_canonical(article.canonical_url or article.url)
    existing = store.article_id_for(canon)
    if existing is not None:
        return _duplicate(store, input_url, existing, article)
    article_id, created = store.add_article(
        article, scores, canonical_url=canon, event_id=event_id, source=source, html=html
    )
    if not created:
        return _duplicate(store, input_url, article_id, article)
    # its term counts and quotes now, so that no page has to find them in its text (a huge text:
    # when a page first asks, so that storing it stays within its time budget)
    if len(article.text or "") <= PRECOMPUTE_MAX_CHARS:
        store.refresh_derived(article_derived, DERIVED_VERSION, [article_id])
    return IngestResult(
        source=input_url,
        health=article.health,
        reason=article.reason,
        article_id=article_id,
        article=article,
        scores=scores,
    )


def _duplicate(store: Store, input_url: str, article_id: int, article: Article | None) -> IngestResult:
    where = store.event_name_of_article(article_id)
    return IngestResult(
        source=input_url,
        health="ok",
        reason=f"already stored as article {article_id}" + (f" in event {where!r}" if where else ""),
        article_id=article_id,
        duplicate=True,
        article=article,
    )


def ingest_urls(
    store: Store,
    urls: Iterable[str],
    *,
    event: str | None,
    settings: Settings,
    progress: Progress | None = None,
) -> list[IngestResult]:
    """Fetch, extract, score and store every URL; returns one result per input line, in order.

    Blank lines are skipped; a URL already stored (same canonical URL) or repeated in the
    batch is reported as a duplicate without refetching.
    """
    inputs = [u.strip() for u in urls if u and u.strip()]
    total = len(inputs)
    too_many = check_batch_size(total, settings)
    if too_many:
        raise BatchError(too_many)
    event_id = store.get_or_create_event(event) if event else None
    results: list[IngestResult | None] = [None] * total
    done = 0

    def finish(i: int, res: IngestResult) -> None:
        nonlocal done
        results[i] = res
        done += 1
        if progress:
            progress(done, total, res)

    to_fetch: list[int] = []
    seen: dict[str, int] = {}
    repeats: list[tuple[int, int]] = []  # (line, first line with the same canonical URL)
    for i, url in enumerate(inputs):
        canon = _safe_canonical(url)
        existing = store.article_id_for(canon)
        if existing is not None:
            finish(i, _duplicate(store, url, existing, None))
        elif canon in seen:
            repeats.append((i, seen[canon]))
        else:
            seen[canon] = i
            to_fetch.append(i)

    # Inputs are unique by canonical URL here, so the requested URL identifies its line.
    line_of = {inputs[i]: i for i in to_fetch}
    pages: queue.Queue[Page | None] = queue.Queue()
    fetch_urls = [inputs[i] for i in to_fetch]

    crash: list[str] = []

    cache = open_page_cache(settings) if fetch_urls else None  # None when cache_ttl is 0

    def run_fetch() -> None:
        try:
            fetch_many(fetch_urls, settings, on_result=pages.put, cache=cache)
        except Exception as exc:  # noqa: BLE001 - reported on every unfinished line below
            crash.append(f"{type(exc).__name__}: {exc}")
        finally:
            pages.put(None)

    worker = threading.Thread(target=run_fetch, name="fetch", daemon=True)
    worker.start()
    while True:
        item = pages.get()
        if item is None:
            break
        finish(line_of[item.url], _process_page(store, item, event_id=event_id, settings=settings))
    worker.join()
    if cache is not None:
        cache.close()
    for i, first in repeats:
        original = results[first]
        finish(
            i,
            IngestResult(
                source=inputs[i],
                health="ok",
                duplicate=True,
                article_id=original.article_id if original else None,
                reason=f"repeated in this batch (same article as line {first + 1})",
            ),
        )
    # A page the fetcher never reported (should not happen) is still listed, never lost silently.
    for i, res in enumerate(results):
        if res is None:
            reason = "fetcher stopped: " + crash[0] if crash else "no result from the fetcher"
            results[i] = IngestResult(source=inputs[i], health="network-error", reason=reason)
    return [r for r in results if r is not None]


def _process_page(store: Store, page: Page, *, event_id: int | None, settings: Settings) -> IngestResult:
    canon = _safe_canonical(page.final_url or page.url)
    attempt = FetchAttempt(
        url=page.url,
        status=page.status,
        health=page.health,
        reason=page.reason,
        elapsed=page.elapsed,
        at=page.fetched_at or datetime.now(UTC),
    )
    if not page.ok:
        store.record_attempt(attempt, canonical_url=canon, event_id=event_id)
        return IngestResult(source=page.url, health=page.health, reason=page.reason)
    analysed = _analyse(page.html or "", page.final_url or page.url, settings)
    if isinstance(analysed, IngestResult):
        failed = replace(attempt, health=analysed.health, reason=analysed.reason)
        store.record_attempt(failed, canonical_url=canon, event_id=event_id)
        return replace(analysed, source=page.url)
    article, scores = analysed
    res = _store_article(
        store, article, scores, html=page.html, event_id=event_id, source="url", input_url=page.url
    )
    store.record_attempt(attempt, canonical_url=canon, event_id=event_id, article_id=res.article_id)
    return res


def ingest_html(
    store: Store,
    html: str,
    url: str,
    *,
    event: str | None,
    settings: Settings,
    source: str = "html-file",
) -> IngestResult:
    """Store a page the user saved themselves (paywall, bot block): extraction as for fetched pages."""
    event_id = store.get_or_create_event(event) if event else None
    analysed = _analyse(html, url, settings)
    if isinstance(analysed, IngestResult):
        return analysed
    article, scores = analysed
    return _store_article(store, article, scores, html=html, event_id=event_id, source=source, input_url=url)


def ingest_html_pages(
    store: Store,
    pages: Sequence[tuple[str, str, str]],
    *,
    event: str | None,
    settings: Settings,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> list[IngestResult]:
    """Store many saved pages, (source, url, html) each (source: where the page came from, e.g. its
    file), with extraction and scoring on ``engine`` (in parallel; default: this process).

    Results come back in input order; a page that breaks extraction is an "extract-error" result
    and the rest go on.  With ``event`` every page is put into that event (pinned), otherwise
    they are left for :func:`regroup`.
    """
    from analysis import parallel

    event_id = store.get_or_create_event(event) if event else None
    stream = parallel.iter_analysed(
        [(url, html) for _src, url, html in pages], settings, engine or parallel.SerialEngine()
    )
    results: list[IngestResult] = []
    for n, ((source, _url, html), done) in enumerate(zip(pages, stream, strict=True), 1):
        if isinstance(done, PageFailure):
            res = done.result(source)
        else:
            article, scores = done
            res = _store_article(
                store, article, scores, html=html, event_id=event_id, source="html-file", input_url=source
            )
        results.append(res)
        if progress:
            progress(n, len(pages), res)
    return results


def ingest_text(
    store: Store,
    text: str,
    *,
    title: str,
    outlet: str,
    event: str | None,
    url: str | None = None,
    published: datetime | None = None,
    authors: tuple[str, ...] = (),
) -> IngestResult:
    """Store pasted article text (for pages the server cannot fetch)."""
    event_id = store.get_or_create_event(event) if event else None
    article = article_from_text(
        text, title=title, outlet=outlet, url=url, published=published, authors=authors
    )
    scores = scores_for(article)
    return _store_article(
        store, article, scores, html=None, event_id=event_id, source="text", input_url=article.url
    )


def load_demo(
    store: Store, settings: Settings, demo_dir: Path = DEMO_DIR, progress: Progress | None = None
) -> list[IngestResult]:
    """Load the bundled demo corpus through the same extraction and scoring code as real pages.

    The demo is fiction: it goes only into an empty database or one that holds the demo alone
    (so loading again adds nothing and completes a partial load).  Anything else — an article not
    from the demo, a fetch attempt, an event that is neither a demo event nor holds demo articles
    — raises StoreError and nothing is loaded."""
    manifest = json.loads((demo_dir / "manifest.json").read_text("utf-8"))
    _refuse_demo_beside_other_data(store, {event_name_key(ev["name"]) for ev in manifest["events"]})
    jobs = [(ev, art) for ev in manifest["events"] for art in ev["articles"]]
    results = []
    for n, (ev, art) in enumerate(jobs, 1):
        store.get_or_create_event(ev["name"], ev.get("description", ""))
        html = (demo_dir / art["file"]).read_text("utf-8")
        res = ingest_html(store, html, art["url"], event=ev["name"], settings=settings, source="demo")
        results.append(res)
        if progress:
            progress(n, len(jobs), res)
    return results


def _refuse_demo_beside_other_data(store: Store, demo_event_keys: set[str]) -> None:
    other = sum(n for src, n in store.article_sources().items() if src != "demo")
    attempts = store.counts()["fetch_attempts"]
    found = [f"{other} article(s) not from the demo"] if other else []
    found += [f"{attempts} fetch attempt(s)"] if attempts else []
    if not found:  # only demo articles: few events, each can be looked at
        foreign = [
            e["name"]
            for e in store.list_events()
            if event_name_key(e["name"]) not in demo_event_keys
            and not (e["articles"] and _only_demo_articles(store, e["id"]))
        ]
        if foreign:
            more = " …" if len(foreign) > 3 else ""
            found.append(f"{len(foreign)} other event(s): {', '.join(foreign[:3])}{more}")
    if found:
        raise StoreError(
            "this database already holds " + "; ".join(found) + ". The demo corpus is fiction and "
            "loads only into an empty database (or one with the demo alone): use another, "
            "e.g. --db sqlite:///data/demo.db"
        )


def _only_demo_articles(store: Store, event_id: int) -> bool:
    return all(a["source"] == "demo" for a in store.event_articles(event_id, with_text=False))


def rescore(
    store: Store, *, everything: bool = False, progress: Progress | None = None, engine: Engine | None = None
) -> int:
    """Re-score articles scored by another scorer version (or all); returns how many.

    ``engine`` runs the scoring (``analysis.parallel``: serial, a local process pool or Dask);
    the database writes stay in this process."""
    from analysis import parallel

    return parallel.rescore(
        store, engine or parallel.SerialEngine(), everything=everything, progress=progress
    )


def reextract(
    store: Store, settings: Settings, progress: Progress | None = None, engine: Engine | None = None
) -> int:
    """Re-run extraction and scoring on the stored HTML of every article (no refetch)."""
    from analysis import parallel

    return parallel.reextract(store, settings, engine or parallel.SerialEngine(), progress)


def regroup(store: Store, settings: Settings, engine: Engine | None = None) -> dict[str, int]:
    """Group every article a person has not placed into events (``analysis.events.grouper``).

    Pinned articles (placed with ``--event``, moved, merged or split by a person) keep their
    event and anchor it; free articles join such an event when similar enough, or form
    automatic events.  An automatic event keeps its id and name when most of its articles
    stay together, so links to it survive re-grouping.  Returns counts for a summary.
    """
    from collections import Counter, defaultdict
    from functools import partial

    from analysis import parallel
    from analysis.events.grouper import event_title

    with store.grouping_lock():  # one run at a time: a second run waits, then sees this one's result
        docs = store.grouping_docs()
        if not docs:
            return {"articles": 0, "free": 0, "events_created": 0, "events_removed": 0}
        fixed = [d["event_id"] if d["pinned"] and d["event_id"] is not None else None for d in docs]
        labels = parallel.group_events(
            docs,
            engine or parallel.SerialEngine(),
            fixed_labels=fixed,
            window_days=settings.event_window_days,
        )
        fixed_ids = {f for f in fixed if f is not None}
        joins: dict[int, int] = {}
        new_groups: dict[int, list[dict]] = defaultdict(list)
        for doc, label in zip(docs, labels, strict=True):
            if doc["pinned"] and doc["event_id"] is not None:
                continue
            if label in fixed_ids:
                joins[doc["id"]] = label
            else:
                new_groups[label].append(doc)
        plans = []
        # Largest groups first, so they get first claim on the automatic event they came from.
        for members in sorted(new_groups.values(), key=len, reverse=True):
            previous = Counter(
                m["event_id"] for m in members if m["event_auto"] and m["event_id"] is not None
            )
            plans.append(
                GroupPlan(
                    article_ids=[m["id"] for m in members],
                    previous=[eid for eid, _ in previous.most_common()],
                    title=partial(event_title, members),
                )
            )
        created, removed = store.apply_grouping(joins, plans)
    return {
        "articles": len(docs),
        "free": sum(1 for f in fixed if f is None),
        "events_created": created,
        "events_removed": removed,
    }
