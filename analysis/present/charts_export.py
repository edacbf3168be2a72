"""Chart export: server-side PNG/SVG via kaleido (needs Chrome/Chromium), the Plotly modebar
config, self-contained interactive HTML, and chart file names."""

from __future__ import annotations

import html
import os
import shutil

import plotly.graph_objects as go

EXPORT_WIDTH = 1100  # width of server-side PNG/SVG exports (screen charts stretch)
EXPORT_ERROR_CHARS = 160  # characters of a renderer error repeated to the user
EXPORT_SCALE = 2  # PNG pixel density (2 = sharp on high-DPI screens and in slides)


class ExportUnavailable(RuntimeError):
    """Server-side PNG/SVG export cannot run here (no Chromium, or it failed); the message says why."""


def _export_errors() -> tuple[type[BaseException], ...]:
    errs: list[type[BaseException]] = [RuntimeError, OSError, TimeoutError, ValueError]
    try:
        from kaleido.errors import KaleidoError

        errs.append(KaleidoError)
    except ImportError:
        pass
    try:
        from choreographer.errors import DevtoolsProtocolError

        errs.append(DevtoolsProtocolError)
    except ImportError:
        pass
    return tuple(errs)


BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
BROWSER_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/google-chrome")


def find_chromium() -> str | None:
    """Path of a Chrome/Chromium binary kaleido can drive, or None (BROWSER_PATH wins)."""
    env = os.environ.get("BROWSER_PATH")
    if env and os.access(env, os.X_OK):
        return env
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    for path in BROWSER_PATHS:
        if os.access(path, os.X_OK):
            return path
    return None


def static_export_status() -> tuple[bool, str]:
    """Whether PNG/SVG export can run on this server, with a sentence to show when it cannot."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return False, (
            "PNG/SVG export on the server needs the kaleido package, which is not installed: use the "
            "camera icon in each chart's toolbar, or download the interactive HTML."
        )
    if find_chromium() is None:
        return False, (
            "PNG/SVG export on the server needs Chrome or Chromium, which was not found here: use the "
            "camera icon in each chart's toolbar, or download the interactive HTML."
        )
    return True, ""


def figure_image(
    fig: go.Figure, fmt: str, *, width: int = EXPORT_WIDTH, scale: float = EXPORT_SCALE
) -> bytes:
    """PNG or SVG bytes of ``fig`` rendered on the server by kaleido; ExportUnavailable if it cannot."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"unsupported image format {fmt!r} (png or svg)")
    ok, why = static_export_status()
    if not ok:
        raise ExportUnavailable(why)
    height = fig.layout.height or 450
    from analysis.present.export_renderer import renderer

    try:
        # the long-lived browser of export_renderer: only the first export starts Chromium
        return renderer().render(fig.to_dict(), fmt, width, height, scale if fmt == "png" else 1)
    except _export_errors() as exc:
        detail = " ".join(str(exc).split())[:EXPORT_ERROR_CHARS]
        raise ExportUnavailable(
            f"PNG/SVG export failed on the server ({type(exc).__name__}: {detail}). Use the camera icon "
            "in the chart's toolbar, or download the interactive HTML."
        ) from exc


def plotly_config(filename: str, fmt: str = "png") -> dict:
    """Plotly ``config``: the modebar camera button downloads ``filename``.png at 2× (works offline)."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": fmt, "filename": filename, "scale": EXPORT_SCALE},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }


def figure_html(fig: go.Figure, filename: str) -> str:
    """A self-contained interactive HTML page of ``fig`` (plotly.js embedded: works offline)."""
    page = fig.to_html(include_plotlyjs=True, full_html=True, config=plotly_config(filename))
    return page.replace("<head>", f"<head><title>{html.escape(filename)}</title>", 1)


def chart_filename(slug: str, chart: str) -> str:
    """``<event-slug>_<chart>`` (no extension), safe as a file name."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in f"{slug}_{chart}")
    return safe.strip("-_") or "chart"
