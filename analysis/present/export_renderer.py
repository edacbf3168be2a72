"""A warm PNG/SVG renderer: one long-lived kaleido (headless Chromium) reused by every export.

``fig.to_image`` starts a Chromium, renders one chart and closes it: 3–9 s per export on a shared
2-core machine.  :class:`WarmRenderer` keeps one kaleido browser open in a background thread (its own
asyncio loop) and hands it each figure; only the first export, or one after the renderer died,
pays for the start.  :func:`warm_up` starts it in the background (the dashboard calls it at its
first page load), so that even the first click usually finds it running.

Exports are serialised (one tab; figures are small) and bounded by :data:`RENDER_TIMEOUT_S`; a
renderer that failed or timed out is closed and started again at the next export.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any

START_TIMEOUT_S = 60.0  # for Chromium to start (a loaded machine)
RENDER_TIMEOUT_S = 60.0  # for one chart
# The dashboard's first page starts the renderer this many seconds later: starting Chromium costs
# ~1 CPU-second, which the first page (Python imports, its own data) should not compete with.
WARM_UP_DELAY_S = 10.0


class WarmRenderer:
    """One kaleido browser in a daemon thread; :meth:`render` is thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one export (and one start) at a time
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido: Any = None
        self._thread: threading.Thread | None = None
        self._exit_hook = False

    @property
    def running(self) -> bool:
        return self._kaleido is not None and self._thread is not None and self._thread.is_alive()

    def _run(self, coro: Coroutine[Any, Any, Any], timeout: float) -> Any:
        assert self._loop is not None
        fut: Future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return fut.result(timeout=timeout)
        except BaseException:
            fut.cancel()
            raise

    def _start(self) -> None:
        import kaleido

        from analysis.present.charts_export import find_chromium

        if not self._exit_hook:  # no Chromium left behind when the process ends
            atexit.register(self.close)
            self._exit_hook = True
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="kaleido-renderer", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        path = find_chromium()

        async def open_browser() -> Any:
            k = kaleido.Kaleido(n=1, timeout=RENDER_TIMEOUT_S, **({"path": path} if path else {}))
            await k.open()
            return k

        try:
            self._kaleido = self._run(open_browser(), START_TIMEOUT_S)
        except BaseException:
            self._stop()
            raise

    def _stop(self) -> None:
        loop, k = self._loop, self._kaleido
        self._kaleido = None
        if loop is not None and k is not None:
            with contextlib.suppress(Exception):  # closing a broken browser: nothing more to do
                self._run(k.close(), 10.0)
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._loop = self._thread = None

    def start(self) -> None:
        """Start the browser now (no-op when it runs)."""
        with self._lock:
            if not self.running:
                self._start()

    def render(self, fig_dict: dict, fmt: str, width: int, height: int, scale: float) -> bytes:
        """PNG/SVG bytes of a Plotly figure dict (``fig.to_dict()``), started if needed."""
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        with self._lock:
            if not self.running:
                self._start()
            try:
                data = self._run(self._kaleido.calc_fig(fig_dict, opts=opts), RENDER_TIMEOUT_S)
            except BaseException:
                self._stop()  # the next export starts a fresh browser
                raise
        return data if isinstance(data, bytes) else bytes(data)

    def close(self) -> None:
        with self._lock:
            self._stop()


_renderer = WarmRenderer()
_warm_started = threading.Event()


def renderer() -> WarmRenderer:
    """The process-wide renderer."""
    return _renderer


def warm_up(delay: float = WARM_UP_DELAY_S) -> None:
    """Start the renderer in a background thread after ``delay`` seconds, once per process (later
    calls do nothing).  A failure is left for the first export to report."""
    if _warm_started.is_set():
        return
    _warm_started.set()

    def start() -> None:
        with contextlib.suppress(Exception):  # the first export retries and reports it
            _renderer.start()

    timer = threading.Timer(delay, start)
    timer.daemon = True
    timer.name = "kaleido-warm-up"
    timer.start()
