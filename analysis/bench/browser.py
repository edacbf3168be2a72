"""The real dashboard in a real browser, for the speed benchmark and the browser tests.

:class:`Server` runs ``streamlit run app.py`` on a free local port with its own database (a child
process: nothing here imports Streamlit).  :func:`time_event_page` opens the Compare page of an event
in headless Chromium (Playwright with Debian's binary; ``playwright install`` is not needed) and
measures the time until it is interactive: the page script has finished (its last text is visible)
and the first screen's Plotly charts are drawn.

Playwright is a development dependency: without it, or without a Chromium binary,
:func:`browser_unavailable` says why and the benchmark reports the measurement as skipped.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
START_TIMEOUT = 40  # seconds for `streamlit run` to answer /_stcore/health
PAGE_TIMEOUT_MS = 60_000  # for one page to finish rendering (10k articles on a loaded machine)
# The Compare page writes this last: once visible, its script run has finished.
COMPARE_DONE_TEXT = "Scores describe wording"
COMPARE_FIRST_SCREEN_CHARTS = 3  # Plotly charts above the page's cross-outlet tabs
SETTLE_MS = 300  # after the charts appear, let the last rendering finish


def find_chromium() -> str | None:
    """Path of a Chromium binary (Debian's first), or None."""
    found = next((p for p in CHROMIUM_CANDIDATES if os.access(p, os.X_OK)), None)
    return found or shutil.which("chromium")


def browser_unavailable() -> str | None:
    """Why the browser measurement cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401 - presence check
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    if find_chromium() is None:
        return "no Chromium binary (apt-get install chromium)"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run app.py` on a free local port with its own database, output to ``log``."""

    def __init__(self, db_url: str, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = dict(os.environ, ANALYSIS_DATABASE_URL=db_url, ANALYSIS_ALLOW_PRIVATE="0")
        self.started = time.monotonic()
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "app.py"),
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.log = log

    def wait_healthy(self) -> None:
        """Return when the server answers its health check; raise if it exits or takes too long."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError("streamlit did not become healthy in time")

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop)."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._log.close()


@contextmanager
def launched(browser: Any | None = None) -> Iterator[Any]:
    """Headless Chromium (Debian's binary through Playwright), closed on exit; or ``browser``, when
    given, as it is (launched by the caller: Playwright's sync API runs one per thread)."""
    if browser is not None:
        yield browser
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        own = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield own
        finally:
            own.close()


@contextmanager
def serving(db_url: str, log: Path) -> Iterator[Server]:
    """A :class:`Server` on ``db_url``, healthy on entry and stopped on exit (also on failure)."""
    server = Server(db_url, log)
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


def open_page(
    page: Any, url: str, done_text: str, charts: int = 0, timeout_ms: int = PAGE_TIMEOUT_MS
) -> None:
    """Load ``url`` and wait until the script has finished and ``charts`` Plotly charts are drawn."""
    page.goto(url)
    page.get_by_text(done_text).first.wait_for(state="visible", timeout=timeout_ms)
    if charts:
        page.wait_for_function(
            f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}",
            timeout=timeout_ms,
        )


# Resolves, in the page, at the first animation frame where the script's last text is in the page
# and the first screen's charts are drawn; returns milliseconds since the navigation started.
_READY_JS = """([doneText, charts]) => new Promise(resolve => {
  const check = () => {
    const drawn = document.querySelectorAll('.js-plotly-plot .main-svg').length >= charts;
    if (drawn && document.body.textContent.includes(doneText)) resolve(performance.now());
    else requestAnimationFrame(check);
  };
  check();
})"""


def _open_compare(page: Any, base_url: str, slug: str) -> float:
    """Open the Compare page of ``slug``; seconds from the navigation's start until interactive,
    timed inside the page (no polling delay)."""
    page.goto(f"{base_url}compare?event={slug}", wait_until="commit")
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    ms = page.evaluate(_READY_JS, [COMPARE_DONE_TEXT, COMPARE_FIRST_SCREEN_CHARTS])
    return float(ms) / 1000.0


def time_event_page(
    db_path: Path, slugs: list[str], log_dir: Path, browser: Any | None = None
) -> dict[str, Any]:
    """Seconds until the Compare page is interactive for each event of ``slugs`` (the first is the
    largest), on a dashboard serving ``db_path``.

    Each time runs from the start of the navigation (a full page load, as opening a link from the
    Events page is) until the page script's last text is shown and the first screen's charts are
    drawn, measured in the page.  Reported: the server start (``streamlit run`` until healthy); the
    first visit (cold: the server process has computed nothing yet); other events opened next (the
    event list and outlet colours are cached by then, the event itself is not: what a user clicking
    through events waits for); and a reload of the first (Streamlit's data cache answers).
    ``browser``: a Playwright browser to use instead of launching one.
    """

    def visit(browser: Any) -> tuple[list[float], float, int]:
        page = browser.new_page(viewport=VIEWPORT)
        try:
            times = []
            for slug in slugs:
                times.append(_open_compare(page, server.url, slug))
                page.wait_for_timeout(SETTLE_MS)
            reload = _open_compare(page, server.url, slugs[0])
            return times, reload, page.locator("[data-testid='stException']").count()
        finally:
            page.close()

    with serving(f"sqlite:///{db_path}", log_dir / "streamlit-bench.log") as server, launched(browser) as b:
        healthy = time.monotonic() - server.started
        times, reload, errors = visit(b)
    others = times[1:]
    return {
        "server_start_s": round(healthy, 2),
        "first_visit_s": round(times[0], 2),
        "next_events_s": [round(x, 2) for x in others],
        "next_event_median_s": round(sorted(others)[len(others) // 2], 2) if others else None,
        "reload_s": round(reload, 2),
        "page_errors": errors,
    }
