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
* "who reported what": aligning a 6-outlet event by meaning, cold and warm
  (:mod:`analysis.bench.speed_align`);
* the Compare page's data (the store queries and :mod:`analysis.compare.summary` frames the page builds)
  on the ingest database (10k articles in 500 events at size 10k);
* every page of the dashboard, the Compare page's tabs and PNG/SVG chart export in headless Chromium,
  cold and warm (:mod:`analysis.bench.speed_pages`).

Numbers depend on the machine and its load (reported with the results).  Tests check the structure
of the output only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.bench.generate import CorpusGenerator, generate_pages
from analysis.bench.speed_align import TARGET_ALIGN_WARM_S, alignment_speed
from analysis.bench.speed_page import event_page, event_page_browser
from analysis.bench.speed_pages import page_targets, pages_browser
from analysis.bench.speed_stages import (
    FETCH_PAGES,
    QUICK_FETCH_PAGES,
    _now,
    dask_scaling,
    fetching,
    grouping,
    ingest,
    profile,
    replicate_store,
    scoring,
)
from analysis.bench.speed_voices import voices_event
from analysis.parallel import LocalEngine, SerialEngine, _EngineBase

# --- targets (printed next to each number) ----------------------------------------------------
TARGET_INGEST_PER_S = 25.0  # articles/s from stored HTML on 2 cores
TARGET_SCORING_SHARE = 0.30  # scoring adds at most this share to extraction time
TARGET_SCORING_VS_VADER = 2.0  # score_text at least this many times the plain VADER loop's speed
TARGET_FETCH_FACTOR = 1.5  # fetch time within this factor of pages x latency / concurrency
TARGET_GROUP_100K_S = 60.0
TARGET_GROUP_100K_MB = 4096.0
TARGET_EVENT_PAGE_S = 2.0  # compare page data ready, 10k articles stored
TARGET_VOICES_EVENT_S = 1.0  # every quote of a 6-outlet event, with speakers, roles and verbs

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
IN_MEMORY_MAX = 10_000  # larger ingest sizes generate their pages on the fly
DASK_PAGES, QUICK_DASK_PAGES = 600, 200


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


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
        with engine or LocalEngine(workers) as pool:
            for n in sorted(sizes):
                db = Path(tmp) / f"ingest-{n}.db"
                keep = analysed if n == in_memory else None
                pages = pages_all[:n] if n <= len(pages_all) else CorpusGenerator().pages(n)
                res = ingest(pages, pool, db, keep=keep)
                log(f"ingest {n:,} on {pool.workers} cores: {res['articles_per_s']} articles/s")
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
        result["voices"] = voices_event()
        log(f"voices of a {result['voices']['outlets']}-outlet event: {result['voices']['voices_s']} s")
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
                result["pages_browser"] = pages_browser(biggest_db)
                pb = result["pages_browser"]
                log(f"every page in the browser: first page {pb.get('first_page', pb.get('skipped'))}")
        result["alignment"] = alignment_speed()
        log(f"who reported what, 6 outlets: {result['alignment']['warm_s']} s warm")
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
    vo = result.get("voices")
    if vo:
        add(
            f"voices, one event ({vo['outlets']} outlets, {vo['words']:,} words; labels {vo['labels_s']} s)",
            f"{vo['voices_s']} s",
            f"<= {TARGET_VOICES_EVENT_S:g} s",
            vo["voices_s"] <= TARGET_VOICES_EVENT_S,
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
    pb = result.get("pages_browser")
    if pb:
        for name, value, target, ok in page_targets(pb):
            add(name, value, target, ok)
    al = result.get("alignment")
    if al:
        add(
            f"who reported what, {al['outlets']} outlets ({al['sentences']} sentences), warm",
            f"{al['warm_s']} s (cold {al['cold_s']} s, model load {al['model_load_s']} s)",
            f"<= {TARGET_ALIGN_WARM_S:g} s",
            al["warm_s"] <= TARGET_ALIGN_WARM_S,
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
    ap.add_argument("--no-browser", action="store_true", help="skip the dashboard pages in Chromium")
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
