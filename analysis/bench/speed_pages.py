"""Every page of the dashboard, and its chart export, timed in headless Chromium.

Driven by :mod:`analysis.bench.speed` (``python -m analysis bench speed``).  On one ``streamlit run``
of the real ``app.py`` serving the benchmark's database:

* the **first page** after the server start (the Events page, the default), cold: nothing is cached;
* each page of the navigation visited once (its **first visit** on this server: what it computes
  the first time) and then ``repeats`` more times (**warm**: the median), each visit a full page load;
* each of the Compare page's cross-outlet tabs, clicked (a rerun), first click and warm;
* PNG and SVG **export** of different charts (the first export starts the renderer; the others
  should reuse it).

A page is *complete* when Streamlit is idle (no "Running…" status widget, no stale element) and
every Plotly chart on it is drawn, and has stayed so for :data:`QUIET_MS`; the time reported is the
moment it became so, measured inside the page from the start of the navigation (or of the click).
The server's CPU time and the machine's load average are recorded with each measurement: the
machine may be shared, and a load above the CPU count inflates wall-clock times.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analysis.bench.browser import VIEWPORT, Server, browser_unavailable, launched, serving

# --- targets ------------------------------------------------------------------------------------
TARGET_PAGE_WARM_S = 2.0  # each page complete on a warm server, 10k articles stored
TARGET_FIRST_PAGE_S = 4.0  # the first page after `streamlit run`
TARGET_EXPORT_S = 1.0  # each PNG/SVG export after the first one

# --- how ----------------------------------------------------------------------------------------
QUIET_MS = 500  # idle this long before a page counts as complete (a rerun may follow at once)
CLICK_SETTLE_MS = 1500  # after a click, wait this long for the rerun to start before trusting idle
PAGE_TIMEOUT_MS = 300_000  # one page (a first visit at 10k on a loaded machine can be slow)
WARM_REPEATS = 3  # warm visits per page (the median is reported)
EXPORTS = 6  # PNG/SVG downloads, alternating formats, each of a different chart

# (name, url path; {slug} is the event's); the order of app.py's navigation
PAGES: tuple[tuple[str, str], ...] = (
    ("Events", ""),
    ("Compare", "compare?event={slug}"),
    ("Outlets", "outlets"),
    ("Add articles", "add"),
    ("Search", "search"),
    ("Data", "data"),
    ("Corrections", "corrections"),
    ("Method & limits", "method"),
)
COMPARE_TABS_SELECTOR = ".st-key-cross-tabs [role='tab']"

# Resolves at the first moment the page is complete (idle, charts drawn, content shown) that then
# lasted QUIET_MS; returns that moment in ms of performance.now().  ``clickSelector``/``clickIndex``:
# click that element first (the time then counts from the click).  ``settle``: after a click, idle
# counts only once a rerun was seen or this many ms passed.
_COMPLETE_JS = """([quietMs, clickSelector, clickIndex, settle]) => new Promise(resolve => {
  const t0 = performance.now();
  if (clickSelector) document.querySelectorAll(clickSelector)[clickIndex].click();
  let sawRun = !clickSelector, since = null;
  const busy = () => {
    if (document.querySelector('[data-testid="stStatusWidget"]')) { sawRun = true; return true; }
    if (document.querySelector('[data-stale="true"]')) { sawRun = true; return true; }
    if (!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]')) return true;
    if (!document.querySelector('[data-testid="stNavSectionHeader"], [data-testid="stTopNavLink"], nav'))
      return true;
    for (const c of document.querySelectorAll('[data-testid="stPlotlyChart"]'))
      if (!c.querySelector('.main-svg')) return true;
    return !sawRun && performance.now() - t0 < settle;
  };
  const check = () => {
    const now = performance.now();
    if (busy()) since = null;
    else if (since === null) since = now;
    else if (now - since >= quietMs) { resolve([since, t0]); return; }
    setTimeout(check, 20);
  };
  check();
})"""


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` and its children so far."""
    try:
        import psutil

        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
        total = 0.0
        for p in procs:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        return total
    except Exception:  # psutil missing or the process gone: no CPU figure
        return float("nan")


def _load() -> float:
    return round(os.getloadavg()[0], 2)


class _Timer:
    """Runs the in-page measurements and keeps the server's CPU time next to each."""

    def __init__(self, page: Any, server: Server) -> None:
        self.page, self.server = page, server
        page.set_default_timeout(PAGE_TIMEOUT_MS)

    def visit(self, path: str) -> dict[str, Any]:
        cpu = _cpu_s(self.server.proc.pid)
        try:
            self.page.goto(self.server.url + path, wait_until="commit")
            done, _t0 = self.page.evaluate(_COMPLETE_JS, [QUIET_MS, None, 0, 0])
        except Exception as exc:  # a timeout: recorded, the other pages are still measured
            return self._row(None, cpu, f"{type(exc).__name__}"[:80])
        return self._row(float(done) / 1000.0, cpu)

    def click(self, selector: str, index: int) -> dict[str, Any]:
        cpu = _cpu_s(self.server.proc.pid)
        try:
            done, t0 = self.page.evaluate(_COMPLETE_JS, [QUIET_MS, selector, index, CLICK_SETTLE_MS])
        except Exception as exc:  # as in visit
            return self._row(None, cpu, f"{type(exc).__name__}"[:80])
        return self._row((float(done) - float(t0)) / 1000.0, cpu)

    def _row(self, seconds: float | None, cpu0: float, failed: str = "") -> dict[str, Any]:
        errors = self.page.locator("[data-testid='stException']").count()
        cpu = _cpu_s(self.server.proc.pid) - cpu0
        row = {
            "s": None if seconds is None else round(seconds, 2),
            "server_cpu_s": round(cpu, 2),
            "load": _load(),
            "errors": errors,
        }
        return {**row, "failed": failed} if failed else row


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 2) if known else None


def _export(page: Any, key: str, fmt: str, out_dir: Path) -> dict[str, Any]:
    """Click the ``fmt`` download button of chart ``key``; seconds until the file is complete."""
    button = page.locator(f".st-key-dl-{key}-{fmt} button").first
    if button.is_disabled():
        return {"chart": key, "format": fmt, "skipped": "export buttons disabled on this server"}
    t0 = time.perf_counter()
    with page.expect_download(timeout=PAGE_TIMEOUT_MS) as info:
        button.click()
    download = info.value
    target = out_dir / f"{key}.{fmt}"
    download.save_as(target)  # waits for the whole file
    seconds = time.perf_counter() - t0
    data = target.read_bytes()
    ok = data.startswith(b"\x89PNG") if fmt == "png" else b"<svg" in data[:2000]
    return {"chart": key, "format": fmt, "s": round(seconds, 2), "bytes": len(data), "valid": ok}


def _chart_keys(page: Any) -> list[str]:
    """Keys of the charts with download buttons on the open page (``dl-<key>`` containers)."""
    keys = page.evaluate(
        """() => [...document.querySelectorAll('[class*="st-key-dl-"]')]
             .flatMap(e => [...e.classList]).filter(c => c.startsWith('st-key-dl-') && c.endsWith('-png'))
             .map(c => c.slice('st-key-dl-'.length, -'-png'.length))"""
    )
    return list(dict.fromkeys(keys))


def time_pages(
    db_path: Path,
    slug: str,
    log_dir: Path,
    *,
    repeats: int = WARM_REPEATS,
    browser: Any | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """All the measurements of this module on a dashboard serving ``db_path`` (``slug``: the event
    the Compare page opens).  ``browser``: a Playwright browser to use instead of launching one;
    ``log``: told each measurement as it is made."""
    say = log or (lambda _line: None)

    def run(browser: Any, server: Server) -> dict[str, Any]:
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        page = context.new_page()
        timer = _Timer(page, server)
        out: dict[str, Any] = {"pages": {}, "tabs": {}, "exports": []}
        try:
            paths = {name: path.format(slug=slug) for name, path in PAGES}
            first = True
            for name, path in paths.items():  # first visits, in the navigation's order
                row = timer.visit(path)
                say(f"first visit {name}: {row}")
                if first:
                    out["first_page"] = {"page": name, **row}
                    first = False
                out["pages"][name] = {"first_visit": row, "warm": []}
            for _ in range(repeats):
                for name, path in paths.items():
                    out["pages"][name]["warm"].append(timer.visit(path))
                    say(f"warm {name}: {out['pages'][name]['warm'][-1]}")
            timer.visit(paths["Compare"])
            names = page.locator(COMPARE_TABS_SELECTOR).all_inner_texts()
            # the first tab is open: start with the second, so that every click opens another tab
            tabs = [(i, names[i]) for i in [*range(1, len(names)), 0][: len(names)]]
            for i, tab in tabs:
                out["tabs"][tab.strip()] = {"first_visit": timer.click(COMPARE_TABS_SELECTOR, i), "warm": []}
                say(f"first click {tab.strip()}: {out['tabs'][tab.strip()]['first_visit']}")
            for _ in range(repeats):
                for i, tab in tabs:
                    out["tabs"][tab.strip()]["warm"].append(timer.click(COMPARE_TABS_SELECTOR, i))
            keys = _chart_keys(page)
            pairs = [(key, fmt) for key in keys for fmt in ("png", "svg")][:EXPORTS]  # all different
            with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
                for key, fmt in pairs:
                    out["exports"].append(_export(page, key, fmt, Path(tmp)))
                    say(f"export: {out['exports'][-1]}")
        finally:
            context.close()
        return out

    with serving(f"sqlite:///{db_path}", log_dir / "streamlit-pages.log") as server, launched(browser) as b:
        healthy = time.monotonic() - server.started
        out = run(b, server)
    for group in ("pages", "tabs"):
        for row in out[group].values():
            row["warm_median_s"] = _median([r["s"] for r in row["warm"]])
    timed = [e["s"] for e in out["exports"] if "s" in e]
    out["export_first_s"] = timed[0] if timed else None
    out["export_next_median_s"] = _median(timed[1:])
    out["export_next_max_s"] = max(timed[1:]) if len(timed) > 1 else None
    return {"server_start_s": round(healthy, 2), **out}


def pages_browser(
    db_path: Path,
    repeats: int = WARM_REPEATS,
    browser: Any | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """:func:`time_pages` on ``db_path`` (the Compare page opens the event with most outlets), with
    the store's counts and the load average; ``{"skipped": reason}`` when it cannot run."""
    from analysis.store import Store

    reason = browser_unavailable()
    if reason:
        return {"skipped": reason}
    store = Store(f"sqlite:///{db_path}")
    events = sorted(store.list_events(), key=lambda e: (-e["outlets"], -e["articles"], e["id"]))
    counts = store.counts()
    store.engine.dispose()
    if not events:
        return {"skipped": "no event in the database"}
    load0 = _load()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
            out = time_pages(db_path, events[0]["slug"], Path(tmp), repeats=repeats, browser=browser, log=log)
    except Exception as exc:  # a benchmark stage: report why it failed and go on with the others
        return {"skipped": f"page measurement failed: {type(exc).__name__}: {exc}"[:400]}
    return {
        "articles_stored": counts["articles"],
        "events": counts["events"],
        "load_average_start": load0,
        "load_average_end": _load(),
        **out,
    }


def page_targets(pb: dict[str, Any]) -> list[tuple[str, object, str, bool | None]]:
    """(measure, value, target, ok) rows of :func:`pages_browser`'s result for the speed table; ``ok``
    is None (no verdict) below 10k articles stored."""
    if "skipped" in pb:
        return [("dashboard pages in the browser", pb["skipped"], "", None)]
    n = pb["articles_stored"]
    big = n >= 10_000
    rows: list[tuple[str, object, str, bool | None]] = []
    fp = pb["first_page"]
    rows.append(
        (
            f"first page after streamlit run ({fp['page']}), {n:,} stored",
            f"{fp['s']} s (server up in {pb['server_start_s']} s)",
            f"<= {TARGET_FIRST_PAGE_S:g} s",
            fp["s"] <= TARGET_FIRST_PAGE_S if big and fp["s"] is not None else None,
        )
    )
    warm_target = f"<= {TARGET_PAGE_WARM_S:g} s warm"
    for group, label in (("pages", "page"), ("tabs", "Compare tab")):
        for name, row in pb[group].items():
            warm = row["warm_median_s"]
            first = row["first_visit"]["s"]
            rows.append(
                (
                    f"{label} {name}, {n:,} stored",
                    f"{warm} s warm (first visit {first} s)",
                    warm_target,
                    warm <= TARGET_PAGE_WARM_S if big and warm is not None else None,
                )
            )
    if pb["export_first_s"] is not None:
        nxt = pb["export_next_max_s"]
        rows.append(
            (
                "PNG/SVG chart export",
                f"first {pb['export_first_s']} s, then median {pb['export_next_median_s']} s, max {nxt} s",
                f"<= {TARGET_EXPORT_S:g} s after the first",
                nxt <= TARGET_EXPORT_S if nxt is not None else None,
            )
        )
    else:
        skipped = [e.get("skipped") for e in pb["exports"] if "skipped" in e]
        rows.append(("PNG/SVG chart export", skipped[0] if skipped else "no chart", "", None))
    return rows


def _cli(argv: list[str] | None = None) -> int:
    """``python -m analysis.bench.speed_pages --db FILE [--json OUT]``: the pages of an existing
    SQLite database (for before/after comparisons on the same data)."""
    import argparse
    import json

    ap = argparse.ArgumentParser(prog="python -m analysis.bench.speed_pages", description=_cli.__doc__)
    ap.add_argument("--db", required=True, help="a SQLite file made by the benchmark (or any)")
    ap.add_argument("--repeats", type=int, default=WARM_REPEATS)
    ap.add_argument("--json", dest="out_json")
    args = ap.parse_args(argv)
    result = pages_browser(Path(args.db), repeats=args.repeats, log=lambda line: print(line, flush=True))
    for row in page_targets(result):
        print(" | ".join(str(x) for x in row))
    if args.out_json:
        Path(args.out_json).write_text(json.dumps(result, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(_cli())
