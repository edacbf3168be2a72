"""The speed benchmark's measurements of the dashboard's Compare page: the time to build its data
from the store, and the time until it is interactive in headless Chromium.

Driven by :mod:`analysis.bench.speed`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from analysis.bench.speed_stages import _now

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
    from analysis.store import Store

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
        colors = timed("outlet_colors", store.outlet_colors)
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
    from analysis.store import Store

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
