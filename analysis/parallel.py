"""Run the CPU-bound steps on several cores, or on a Dask cluster: same results, in the same order.

The heavy step of ingesting, re-extracting and re-scoring is "HTML -> (Article, Scores)" (newspaper3k,
trafilatura, VADER and the loaded-language scorer: ~50 ms per page on one core).  It is a pure
function of its input (:func:`analyse_page`), so it can run anywhere; the database writes stay in the
calling process (one writer, as in :mod:`analysis.pipeline`).

Engines share one interface, ``engine.map_partitions(func, items, partition_size) -> list``: ``items``
are cut into partitions of ``partition_size``, ``func(partition) -> list`` runs once per partition
(one task per item costs ~40x more in Dask), and the results come back flattened in input order.
``engine.imap_partitions`` yields the same results in order as partitions finish (stream them into
the store while workers keep working).

* :class:`SerialEngine`: in this process (tests, small batches, debugging).
* :class:`LocalEngine`: a ``ProcessPoolExecutor`` of ``workers`` processes started with
  ``forkserver`` (never plain ``fork``: the caller may be a threaded server holding locks).
* :class:`DaskEngine`: ``distributed.Client(address)`` for an existing cluster, else a private
  ``LocalCluster`` of 2 single-threaded worker processes bound to 127.0.0.1, without dashboard.
  Workers of an existing cluster need this project importable (same code and lexicons).

Heavy objects (the VADER analyzer, the lexicons, newspaper3k's config) are cached at module level in
importable modules (``analysis.scoring.sentiment.analyzer`` ...), never in ``__main__``, so each worker
builds them once.

Grouping into events is one global computation (a shared vocabulary and a neighbour graph across all
articles).  :func:`group_events` runs it with the tokenising spread over the local engine's
processes, or as one task on a Dask worker; labels are identical to
:func:`analysis.events.grouper.group_events` in every case.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.connection import Connection
from typing import Any, Protocol, TypeVar

from analysis.ingest.extract import extract_article
from analysis.models import FAILED_HEALTH, Article, IngestResult, Scores
from analysis.scoring.scorer import SCORER_VERSION, score_text
from analysis.settings import Settings

T = TypeVar("T")
R = TypeVar("R")

# Pages per task.  A page takes ~50 ms to extract and score, so 16 pages is ~1 s of work per task:
# big enough that task overhead (pickling, scheduling: ~1 ms locally, ~10 ms in Dask) is noise,
# small enough to keep both cores busy until the end of a 1,000-page batch and to stream results.
DEFAULT_PAGE_PARTITION = 16
# Texts per task when only scoring (~7 ms per 500-word text): ~0.7 s of work per task.
DEFAULT_TEXT_PARTITION = 100
# Partitions in flight per worker in imap_partitions: keeps workers fed without holding every
# pending page's result in memory at once.
INFLIGHT_PER_WORKER = 4
# Dask's private cluster: two single-threaded worker processes (the GIL makes threads useless for
# this pure-Python work), on the loopback interface only, no dashboard (no port opened beyond
# loopback, nothing fetched from the internet).
DASK_LOCAL_WORKERS = 2
DASK_LOCAL_HOST = "127.0.0.1"
# Exit status of a pool worker that ended because the process owning its pool died.
ORPHAN_EXIT_CODE = 70

PageInput = tuple[str, str]  # (url, html)
Analysed = tuple[Article, Scores | None]
Progress = Callable[[int, int, IngestResult], None]


@dataclass(frozen=True)
class PageFailure:
    """A page that made extraction or scoring raise (a bug, recorded with the exception): it takes
    the place of its (Article, Scores) in a batch's results, and the batch goes on."""

    url: str
    reason: str

    def result(self, source: str | None = None) -> IngestResult:
        """The "extract-error" result the pipeline records for it."""
        return IngestResult(source=source or self.url, health="extract-error", reason=self.reason)


# --------------------------------------------------------------------------------------------
# The pure work functions (top-level: picklable by reference, importable by every worker)
# --------------------------------------------------------------------------------------------


def scores_for(article: Article) -> Scores | None:
    """Scores of an extracted article, as the pipeline stores them.

    None when the page had no usable text at all (fetch failures); an "empty" article gets its
    headline scored with an empty body, like :mod:`analysis.pipeline`.
    """
    if article.health not in FAILED_HEALTH:
        return score_text(article.text, title=article.title)
    if article.health == "empty":
        return score_text("", title=article.title)
    return None


def analyse_page(url: str, html: str, settings: Settings | None = None) -> Analysed:
    """Extract and score one page of HTML: no network, no database."""
    article = extract_article(html, url, settings)
    return article, scores_for(article)


def analyse_page_safely(url: str, html: str, settings: Settings | None = None) -> Analysed | PageFailure:
    """:func:`analyse_page`, or a :class:`PageFailure` with the exception when it raises."""
    try:
        return analyse_page(url, html, settings)
    except Exception as exc:  # noqa: BLE001 - batch boundary: recorded with its reason, batch goes on
        return PageFailure(url, f"extraction failed: {type(exc).__name__}: {exc}"[:500])


def analyse_batch(
    pages: Sequence[PageInput], settings: Settings | None = None
) -> list[Analysed | PageFailure]:
    """:func:`analyse_page_safely` over a partition of (url, html) pairs, in order."""
    return [analyse_page_safely(url, html, settings) for url, html in pages]


def score_batch(items: Sequence[tuple[str, str]]) -> list[Scores]:
    """``score_text(text, title=title)`` over a partition of (title, text) pairs, in order."""
    return [score_text(text or "", title=title) for title, text in items]


def warm_up() -> None:
    """Build the cached analyzers and lexicons (run once in each new worker)."""
    from analysis.scoring.loaded import load_lexicon
    from analysis.scoring.sentiment import analyzer

    analyzer()
    load_lexicon()


def exit_with_owner(lifeline: Connection) -> None:
    """End this worker process as soon as the process that owns the pool is gone.

    ``lifeline`` is the read end of a pipe whose only write end the owner holds (pipes are not
    inherited by other children): when the owner exits, however it dies (``kill -9`` included),
    the read end sees end-of-file and a daemon thread ends the worker at once.  Watching
    ``os.getppid()`` would not do: the parent of a forkserver worker is the fork server, which
    outlives a killed owner.
    """

    def watch() -> None:
        try:
            while True:
                lifeline.recv_bytes()  # the owner never sends; this returns only at EOF
        except (EOFError, OSError):
            pass
        os._exit(ORPHAN_EXIT_CODE)

    threading.Thread(target=watch, name="owner-lifeline", daemon=True).start()


def init_worker(lifeline: Connection) -> None:
    """A pool worker's initializer: tie its life to the owner's, then warm up."""
    exit_with_owner(lifeline)
    warm_up()


def partitions(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` cut into consecutive slices of ``size`` (the last one shorter)."""
    if size < 1:
        raise ValueError(f"partition size must be at least 1, got {size}")
    return [items[k : k + size] for k in range(0, len(items), size)]


# --------------------------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------------------------


class Engine(Protocol):
    name: str
    workers: int

    def map_partitions(
        self, func: Callable[[Sequence[T]], list[R]], items: Sequence[T], partition_size: int
    ) -> list[R]: ...

    def imap_partitions(
        self, func: Callable[[Sequence[T]], list[R]], items: Sequence[T], partition_size: int
    ) -> Iterator[R]: ...

    def close(self) -> None: ...


class _EngineBase:
    name = "base"
    workers = 1

    def map_partitions(
        self, func: Callable[[Sequence[T]], list[R]], items: Sequence[T], partition_size: int
    ) -> list[R]:
        """``func`` over partitions of ``items``; results flattened, in input order."""
        return list(self.imap_partitions(func, items, partition_size))

    def imap_partitions(
        self, func: Callable[[Sequence[T]], list[R]], items: Sequence[T], partition_size: int
    ) -> Iterator[R]:
        raise NotImplementedError

    def close(self) -> None:
        """Release workers (a no-op for engines without any)."""

    def __enter__(self) -> _EngineBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_length(part: Sequence[Any], out: list[Any]) -> list[Any]:
    if len(out) != len(part):
        raise ValueError(f"a partition function returned {len(out)} results for {len(part)} items")
    return out


class SerialEngine(_EngineBase):
    """Everything in the calling process, partition by partition."""

    name = "serial"
    workers = 1

    def imap_partitions(
        self, func: Callable[[Sequence[T]], list[R]], items: Sequence[T], partition_size: int
    ) -> Iterator[R]:
        for part in partitions(items, partition_size):
            yield from _check_length(part, func(part))


class LocalEngine(_EngineBase):
    """A pool of ``workers`` processes on this machine (created on first use, reused until close)."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None
        self._lifeline: Connection | None = None  # write end: workers exit when it closes

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = get_all_start_methods()
            ctx = get_context("forkserver" if "forkserver" in methods else "spawn")
            if ctx.get_start_method() == "forkserver":
                # The fork server imports the extractors and scorers once; workers fork from it.
                ctx.set_forkserver_preload(["analysis.parallel"])
            worker_end, self._lifeline = ctx.Pipe(duplex=False)
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=ctx, initializer=init_worker, initargs=(worker_end,)
            )
        return self._pool

    def imap_partitions(
        self, func: Callable[[Sequence[T]], list[R]], items: Sequence[T], partition_size: int
    ) -> Iterator[R]:
        parts = partitions(items, partition_size)
        pool = self._executor()
        window = max(1, self.workers * INFLIGHT_PER_WORKER)
        pending = [pool.submit(func, p) for p in parts[:window]]
        nxt = len(pending)
        for k, part in enumerate(parts):
            out = pending[k].result()
            pending[k] = None  # type: ignore[call-overload]  # free the result once yielded
            if nxt < len(parts):
                pending.append(pool.submit(func, parts[nxt]))
                nxt += 1
            yield from _check_length(part, out)

    def submit(self, func: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        """Run one call in the calling process (the local engine's global jobs use its pool inside)."""
        return func(*args, **kwargs)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._lifeline is not None:
            self._lifeline.close()
            self._lifeline = None


class DaskEngine(_EngineBase):
    """Partitions as tasks on a Dask cluster: ``scheduler`` address, or a private LocalCluster."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, *, n_workers: int = DASK_LOCAL_WORKERS) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # optional dependency
            raise RuntimeError(
                "the Dask engine needs the 'dask' and 'distributed' packages (pip install dask distributed)"
            ) from exc
        self._cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self._cluster = LocalCluster(
                n_workers=n_workers,
                threads_per_worker=1,
                processes=True,
                host=DASK_LOCAL_HOST,
                dashboard_address=None,
                worker_dashboard_address=None,
                # the scheduler always serves /health and /metrics over HTTP: a random loopback port
                # instead of the fixed 8787 (two clusters on one machine would clash)
                scheduler_kwargs={"dashboard": False, "dashboard_address": f"{DASK_LOCAL_HOST}:0"},
            )
            self.client = Client(self._cluster)
        self.client.run(warm_up)
        self.workers = max(1, sum(self.client.nthreads().values()))

    def imap_partitions(
        self, func: Callable[[Sequence[T]], list[R]], items: Sequence[T], partition_size: int
    ) -> Iterator[R]:
        parts = partitions(items, partition_size)
        window = max(1, self.workers * INFLIGHT_PER_WORKER)
        # pure=False: each call is a task even if two partitions hold equal items
        pending = [self.client.submit(func, list(p), pure=False) for p in parts[:window]]
        nxt = len(pending)
        for k, part in enumerate(parts):
            out = pending[k].result()
            pending[k].release()
            pending[k] = None  # type: ignore[call-overload]
            if nxt < len(parts):
                pending.append(self.client.submit(func, list(parts[nxt]), pure=False))
                nxt += 1
            yield from _check_length(part, out)

    def submit(self, func: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        """Run one call as a single task on a worker and wait for its result (big args scattered)."""
        scattered = [
            self.client.scatter([a], direct=True, hash=False)[0] if isinstance(a, list | tuple) else a
            for a in args
        ]
        return self.client.submit(func, *scattered, pure=False, **kwargs).result()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def make_engine(name: str = "local", scheduler: str | None = None, workers: int | None = None) -> _EngineBase:
    """The engine for the CLI's ``--engine serial|local|dask`` (``--scheduler ADDRESS`` for Dask)."""
    if scheduler and name != "dask":
        raise ValueError("--scheduler needs --engine dask")
    if name == "serial":
        return SerialEngine()
    if name == "local":
        return LocalEngine(workers)
    if name == "dask":
        return DaskEngine(scheduler)
    raise ValueError(f"unknown engine {name!r} (serial, local or dask)")


# --------------------------------------------------------------------------------------------
# The three jobs
# --------------------------------------------------------------------------------------------


def iter_analysed(
    pages: Sequence[PageInput],
    settings: Settings | None,
    engine: Engine,
    partition_size: int = DEFAULT_PAGE_PARTITION,
) -> Iterator[Analysed | PageFailure]:
    """(Article, Scores) for each (url, html), in input order, as partitions finish; a
    :class:`PageFailure` for a page that made extraction or scoring raise."""
    return engine.imap_partitions(partial(analyse_batch, settings=settings), pages, partition_size)


def analyse_pages(
    pages: Sequence[PageInput],
    settings: Settings | None,
    engine: Engine,
    partition_size: int = DEFAULT_PAGE_PARTITION,
) -> list[Analysed | PageFailure]:
    """(Article, Scores) for each (url, html) page, in input order (ingest or re-extract from HTML);
    a :class:`PageFailure` for a page that made extraction or scoring raise."""
    return list(iter_analysed(pages, settings, engine, partition_size))


def rescore_texts(
    items: Sequence[tuple[str, str]],
    engine: Engine,
    partition_size: int = DEFAULT_TEXT_PARTITION,
) -> list[Scores]:
    """Scores for each (title, text) pair, in input order."""
    return engine.map_partitions(score_batch, items, partition_size)


def group_events(
    docs: Sequence[Mapping[str, Any]],
    engine: Engine,
    *,
    fixed_labels: Sequence[int | None] | None = None,
    window_days: float | None = None,
    threshold: float | None = None,
) -> list[int]:
    """:func:`analysis.events.grouper.group_events` on ``engine``: the same labels.

    Serial: one process.  Local: tokenising split over the engine's worker count (the grouper's own
    process pool; the similarity graph and the linkage are one global step).  Dask: the whole
    grouping as one task on a worker (documents scattered to it first), so the calling process
    holds no vectors or graph.
    """
    job = partial(
        _group_job,
        n_jobs=engine.workers if engine.name == "local" else 1,
        window_days=window_days,
        threshold=threshold,
    )
    fixed = list(fixed_labels) if fixed_labels is not None else None
    if isinstance(engine, DaskEngine):
        return engine.submit(job, list(docs), fixed)
    return job(docs, fixed)


def _group_job(
    docs: Sequence[Mapping[str, Any]],
    fixed_labels: Sequence[int | None] | None,
    *,
    n_jobs: int,
    window_days: float | None,
    threshold: float | None,
) -> list[int]:
    import analysis.events.grouper as events

    grouper = events.EventGrouper(
        threshold=events.DEFAULT_THRESHOLD if threshold is None else threshold,
        window_days=events.DEFAULT_WINDOW_DAYS if window_days is None else window_days,
        n_jobs=n_jobs if len(docs) >= events.PARALLEL_MIN_DOCS else 1,
    )
    return [int(x) for x in grouper.fit_predict(docs, fixed_labels=fixed_labels)]


# --------------------------------------------------------------------------------------------
# Store-level helpers for the CLI (database writes in this process only)
# --------------------------------------------------------------------------------------------


def reextract(store: Any, settings: Settings, engine: Engine, progress: Progress | None = None) -> int:
    """:func:`analysis.pipeline.reextract` with extraction and scoring on ``engine``."""
    rows = [(aid, url, html) for aid, url, html in store.raw_pages() if html is not None]
    pages = [(url, html) for _aid, url, html in rows]
    for n, ((article_id, url, _html), done) in enumerate(
        zip(rows, iter_analysed(pages, settings, engine), strict=True), 1
    ):
        if isinstance(done, PageFailure):  # the stored article keeps its previous extraction
            res = done.result(url)
        else:
            article, scores = done
            store.update_article(article_id, article, scores)
            res = IngestResult(source=url, health=article.health, article_id=article_id)
        if progress:
            progress(n, len(rows), res)
    return len(rows)


def rescore(store: Any, engine: Engine, *, everything: bool = False, progress: Progress | None = None) -> int:
    """:func:`analysis.pipeline.rescore` with scoring on ``engine``."""
    todo = store.articles_to_rescore(SCORER_VERSION, everything)
    items = [(title, text or "") for _aid, title, text in todo]
    stream = engine.imap_partitions(score_batch, items, DEFAULT_TEXT_PARTITION)
    for n, ((article_id, _title, _text), scores) in enumerate(zip(todo, stream, strict=True), 1):
        store.set_scores(article_id, scores)
        if progress:
            progress(n, len(todo), IngestResult(source=str(article_id), health="ok", article_id=article_id))
    return len(todo)


def n_partitions(n_items: int, partition_size: int) -> int:
    """How many tasks ``n_items`` make (for progress messages)."""
    return math.ceil(n_items / partition_size) if n_items else 0
