"""Plotly figures for the dashboard and the event report.

Every chart is a function that takes a pandas DataFrame (built by ``analysis.compare``)
and returns a ``plotly.graph_objects.Figure``: usable from a notebook as well as from the
Streamlit pages.  No Streamlit here.

Colours: one per outlet, the same in every chart (``outlet_colors`` maps the *sorted*
list of all outlets onto a fixed qualitative palette), one per loaded-language category
(``category_colors``, shared with the highlighted text).  Labels that come from the web
(outlet, event and article names) are HTML-escaped, because Plotly renders a subset of
HTML tags in text.
"""

from __future__ import annotations

import html
import os
import shutil
import textwrap
import zlib
from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# --- colours -----------------------------------------------------------------------

# Tableau 10 first (distinct, readable on white), then Plotly's Dark24 for large sets.
OUTLET_PALETTE: tuple[str, ...] = (
    "#4E79A7",
    "#F28E2B",
    "#59A14F",
    "#B07AA1",
    "#76B7B2",
    "#EDC948",
    "#9C755F",
    "#FF9DA7",
    "#E15759",
    "#BAB0AC",
    "#2E91E5",
    "#E15F99",
    "#1CA71C",
    "#DA16FF",
    "#222A2A",
    "#B68100",
    "#750D86",
    "#EB663B",
    "#511CFB",
    "#00A08B",
    "#FB00D1",
    "#FC0080",
    "#B2828D",
    "#6C7C32",
    "#778AAE",
    "#862A16",
    "#A777F1",
    "#620042",
    "#1616A7",
    "#DA60CA",
    "#6C4516",
    "#0D2A63",
    "#AF0038",
)

# Fixed colours for the scorer's known categories (Okabe-Ito/IBM colour-blind-safe hues);
# unknown categories get a stable colour from CATEGORY_FALLBACK by a hash of their name.
CATEGORY_PALETTE: dict[str, str] = {
    "emotional": "#D81B60",
    "doubt": "#009E73",
    "loaded-verb": "#56B4E9",
    "intensifier": "#E69F00",
    "labelling": "#785EF0",
    "labeling": "#785EF0",
    "framing": "#0072B2",
    "partisan": "#8C564B",
    "sarcasm": "#CC79A7",
    "euphemism": "#17BECF",
    "hyperbole": "#FE6100",
}
CATEGORY_FALLBACK: tuple[str, ...] = ("#8C564B", "#17BECF", "#BCBD22", "#7F7F7F", "#9467BD", "#2CA02C")
MISSING_COLOR = "#888888"

SENTIMENT_SCALE = "RdBu"  # diverging, red = negative, blue = positive (matches the text shading)
LOADED_SCALE = "YlOrRd"  # sequential: more loaded language is darker

# --- layout ------------------------------------------------------------------------

FONT = dict(family="Inter, 'Source Sans Pro', 'Helvetica Neue', Arial, sans-serif", size=13)
BASE_HEIGHT = 110  # pixels of title, axis and margins around a per-outlet chart
ROW_HEIGHT = 42  # pixels per outlet row in horizontal charts
EXPORT_WIDTH = 1100  # width of server-side PNG/SVG exports (screen charts stretch)
EXPORT_ERROR_CHARS = 160  # characters of a renderer error repeated to the user
EXPORT_SCALE = 2  # PNG pixel density (2 = sharp on high-DPI screens and in slides)
SMOOTH_MIN = 3  # fewest sentences in the centred rolling mean of the sentence-by-sentence chart
SMOOTH_SHARE = 0.2  # otherwise the window spans this share of the article's sentences
EDGE_PAD = 0.04  # share of an axis left free beyond the data so markers at 0 are not cut
LEGEND_SPACE = 60  # extra bottom margin (pixels) for a legend under the plot
LABEL_WRAP = 22  # characters per line of wrapped axis labels
OUTLET_WRAP = 14  # characters per line of outlet names under heatmap columns
EVENT_LABEL_CHARS = 48  # event names longer than this are cut (in full on hover)
HOVER_SNIPPET = 110  # characters of a sentence shown on hover


def outlet_colors(outlets: Iterable[str]) -> dict[str, str]:
    """Deterministic colour per outlet: the sorted unique outlets, in order, take the palette's colours."""
    names = sorted({o for o in outlets if o is not None})
    return {name: OUTLET_PALETTE[i % len(OUTLET_PALETTE)] for i, name in enumerate(names)}


def category_colors(categories: Iterable[str]) -> dict[str, str]:
    """Colour per category: fixed for known ones, else stable by name (independent of the others)."""
    out = {}
    for cat in categories:
        if cat in CATEGORY_PALETTE:
            out[cat] = CATEGORY_PALETTE[cat]
        else:
            out[cat] = CATEGORY_FALLBACK[zlib.crc32(str(cat).encode()) % len(CATEGORY_FALLBACK)]
    return out


def label(text: object, wrap: int | None = None) -> str:
    """A web-supplied string made safe for Plotly text (escaped), optionally wrapped with <br>."""
    s = html.escape(str(text), quote=False)
    if wrap and len(s) > wrap:
        s = "<br>".join(textwrap.wrap(s, wrap, break_long_words=True)[:3])
    return s


def _style(fig: go.Figure, title: str, height: int, *, legend: bool = False) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        font=FONT,
        title=dict(text=title, x=0, xanchor="left", font=dict(size=15)),
        height=height,
        margin=dict(l=10, r=20, t=56 if title else 20, b=40 + (LEGEND_SPACE if legend else 0)),
        showlegend=legend,
        # Legend under the plot: at the top it collides with long titles at narrow widths.
        legend=dict(
            orientation="h", yref="container", yanchor="bottom", y=0, xanchor="left", x=0, title_text=""
        ),
        hoverlabel=dict(font_size=12),
    )
    return fig


def _color(colors: Mapping[str, str] | None, outlet: str) -> str:
    return (colors or {}).get(outlet, MISSING_COLOR)


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _style(fig, title, 220)


# --- the compare page --------------------------------------------------------------


def outlet_interval_chart(summary: pd.DataFrame, colors: Mapping[str, str] | None = None) -> go.Figure:
    """Two panels sharing the outlet axis: sentiment and loaded language, each with its 95% interval.

    ``summary``: one row per outlet, in display order (first row at the top), with columns
    outlet, sentiment, sentiment_lo, sentiment_hi, loaded, loaded_lo, loaded_hi
    (``compare.outlet_summary``).
    """
    title = "Sentiment and loaded language by outlet (dots: estimate, bars: 95% interval)"
    data = summary.dropna(subset=["sentiment"]) if len(summary) else summary
    if data.empty:
        return _empty(title, "No scored articles")
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.06,
        subplot_titles=(
            "Mean sentence sentiment (−1 negative … +1 positive)",
            "Loaded language per 1,000 words",
        ),
    )
    ylabels = [label(o) for o in data["outlet"]]
    for (_, row), ylab in zip(data.iterrows(), ylabels, strict=True):
        color = _color(colors, row["outlet"])
        for col, key, fmt in ((1, "sentiment", "+.2f"), (2, "loaded", ".1f")):
            est, lo, hi = row[key], row[f"{key}_lo"], row[f"{key}_hi"]
            fig.add_trace(
                go.Scatter(
                    x=[est],
                    y=[ylab],
                    mode="markers",
                    name=ylab,
                    legendgroup=ylab,
                    marker=dict(color=color, size=13, line=dict(color="white", width=1)),
                    error_x=dict(
                        type="data",
                        symmetric=False,
                        array=[max(0.0, hi - est)],
                        arrayminus=[max(0.0, est - lo)],
                        color=color,
                        thickness=2.5,
                        width=6,
                    ),
                    hovertemplate=(
                        f"<b>{ylab}</b><br>{key}: %{{x:{fmt}}}<br>95% interval: {lo:{fmt}} to {hi:{fmt}}"
                        "<extra></extra>"
                    ),
                ),
                row=1,
                col=col,
            )
    fig.add_vline(x=0, line=dict(color="#999", width=1, dash="dot"), row=1, col=1)
    fig.update_yaxes(categoryorder="array", categoryarray=ylabels, autorange="reversed")
    fig.update_xaxes(zeroline=False)
    lo_all = min(-0.1, float(data["sentiment_lo"].min()) - 0.05)
    hi_all = max(0.1, float(data["sentiment_hi"].max()) + 0.05)
    fig.update_xaxes(range=[max(-1.0, lo_all), min(1.0, hi_all)], row=1, col=1)
    top = max(1.0, float(data["loaded_hi"].max()))
    fig.update_xaxes(range=[-EDGE_PAD * top, (1 + EDGE_PAD) * top], row=1, col=2)
    fig = _style(fig, title, BASE_HEIGHT + ROW_HEIGHT * len(data))
    fig.update_annotations(font_size=13)
    return fig


def sentence_arc_chart(sentences: pd.DataFrame, colors: Mapping[str, str] | None = None) -> go.Figure:
    """Sentiment sentence by sentence along each article (x: position in the article, 0–100%).

    ``sentences``: one row per sentence with article_id, outlet, title, position, compound
    and snippet (``compare.sentence_frame``).  Lines are a centred rolling mean over
    max(SMOOTH_MIN, SMOOTH_SHARE × sentences); hover shows each sentence's own score.
    """
    title = "Sentiment along each article (rolling mean over a fifth of its sentences)"
    if sentences.empty:
        return _empty(title, "No sentences to show")
    fig = go.Figure()
    dashes = ("solid", "dash", "dot", "dashdot", "longdash")
    for outlet, per_outlet in sentences.groupby("outlet", sort=True):
        for i, (_, art) in enumerate(per_outlet.groupby("article_id", sort=True)):
            art = art.sort_values("position")
            window = max(SMOOTH_MIN, round(SMOOTH_SHARE * len(art)))
            smooth = art["compound"].rolling(window, center=True, min_periods=1).mean()
            name = label(outlet) + (f" ({i + 1})" if per_outlet["article_id"].nunique() > 1 else "")
            hover = [
                f"{label(outlet)} — {p:.0f}%<br>sentence {c:+.2f}<br>{label(s[:HOVER_SNIPPET])}"
                for p, c, s in zip(art["position"], art["compound"], art["snippet"], strict=True)
            ]
            fig.add_trace(
                go.Scatter(
                    x=art["position"],
                    y=smooth,
                    mode="lines+markers",
                    name=name,
                    legendgroup=label(outlet),
                    line=dict(color=_color(colors, outlet), width=2.2, dash=dashes[i % len(dashes)]),
                    marker=dict(size=4),
                    hovertext=hover,
                    hovertemplate="%{hovertext}<extra></extra>",
                )
            )
    fig.add_hline(y=0, line=dict(color="#999", width=1, dash="dot"))
    fig.update_xaxes(title="position in the article (%)", range=[0, 100], ticksuffix="%")
    fig.update_yaxes(title="sentence sentiment", range=[-1.05, 1.05], zeroline=False)
    return _style(fig, title, 400, legend=True)


def category_chart(
    categories: pd.DataFrame, order: list[str] | None = None, colors: Mapping[str, str] | None = None
) -> go.Figure:
    """Stacked bars: loaded-language weight per 1,000 words by category, one bar per outlet.

    ``categories``: outlet, category, per_1000 (``compare.category_frame``); ``order`` gives
    the outlets' order on the axis; ``colors`` maps categories (default ``category_colors``).
    """
    title = "Loaded-language categories by outlet (weight per 1,000 words, outlet's own words)"
    if categories.empty or categories["per_1000"].sum() <= 0:
        return _empty(title, "No loaded language found")
    order = order or sorted(categories["outlet"].unique())
    cat_totals = categories.groupby("category")["per_1000"].sum().sort_values(ascending=False)
    colors = colors or category_colors(cat_totals.index)
    fig = go.Figure()
    for cat in cat_totals.index:
        part = categories[categories["category"] == cat].set_index("outlet")["per_1000"]
        values = [float(part.get(o, 0.0)) for o in order]
        fig.add_trace(
            go.Bar(
                y=[label(o) for o in order],
                x=values,
                orientation="h",
                name=label(cat),
                marker_color=colors.get(cat, MISSING_COLOR),
                hovertemplate=f"%{{y}}<br>{label(cat)}: %{{x:.1f}} per 1,000 words<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(categoryorder="array", categoryarray=[label(o) for o in order], autorange="reversed")
    fig.update_xaxes(title="weight per 1,000 words")
    return _style(fig, title, BASE_HEIGHT + 30 + ROW_HEIGHT * len(order), legend=True)


# --- the events page ---------------------------------------------------------------


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def heatmap_chart(matrix: pd.DataFrame, metric: str) -> go.Figure:
    """Event × outlet heatmap of ``metric`` ("sentiment" or "loaded_rate").

    ``matrix``: index = outlets, columns = events, values = the metric (NaN: no article), as
    ``compare.outlet_event_matrix`` returns it.  Drawn with one row per event (long names
    stay readable and the chart grows downwards) and one column per outlet.
    """
    is_sent = metric == "sentiment"
    title = (
        "Sentiment by event and outlet (mean article sentiment)"
        if is_sent
        else "Loaded language by event and outlet (weight per 1,000 words)"
    )
    if matrix.empty:
        return _empty(title, "No scored articles")
    grid = matrix.T  # rows: events, columns: outlets
    z = grid.to_numpy(dtype=float)
    fmt = "{:+.2f}" if is_sent else "{:.1f}"
    text = [["" if pd.isna(v) else fmt.format(v) for v in row] for row in z]
    full = [[label(ev)] * len(grid.columns) for ev in grid.index]
    extra: dict = {}
    if is_sent:
        bound = max(0.2, float(pd.DataFrame(z).abs().max().max()))
        extra = dict(zmid=0, zmin=-bound, zmax=bound)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[label(o, OUTLET_WRAP) for o in grid.columns],
            y=[label(_truncate(str(ev), EVENT_LABEL_CHARS)) for ev in grid.index],
            text=text,
            customdata=full,
            texttemplate="%{text}",
            colorscale=SENTIMENT_SCALE if is_sent else LOADED_SCALE,
            colorbar=dict(title=dict(text="sentiment" if is_sent else "per 1k"), thickness=12),
            hoverongaps=False,
            hovertemplate="%{customdata}<br>%{x}: %{text}<extra></extra>",
            xgap=2,
            ygap=2,
            **extra,
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(side="top", tickangle=0, showgrid=False)
    fig = _style(fig, title, BASE_HEIGHT + 60 + ROW_HEIGHT * len(grid.index))
    fig.update_layout(margin=dict(t=96, b=20), title=dict(y=0.98, yanchor="top"))
    return fig


# --- the outlets page --------------------------------------------------------------


def outlet_scatter(overview: pd.DataFrame, colors: Mapping[str, str] | None = None) -> go.Figure:
    """Each outlet as a point: mean sentiment (x) against loaded language (y), with 95% intervals.

    ``overview``: outlet, sentiment(_lo/_hi), loaded(_lo/_hi), articles (``compare.outlet_overview``).
    """
    title = "Outlets: sentiment against loaded language (bars: 95% interval)"
    data = overview.dropna(subset=["sentiment", "loaded"]) if len(overview) else overview
    if data.empty:
        return _empty(title, "No scored articles")
    fig = go.Figure()
    for _, row in data.iterrows():
        name = label(row["outlet"])
        fig.add_trace(
            go.Scatter(
                x=[row["sentiment"]],
                y=[row["loaded"]],
                mode="markers",
                name=name,
                marker=dict(color=_color(colors, row["outlet"]), size=14, line=dict(color="white", width=1)),
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=[max(0.0, row["sentiment_hi"] - row["sentiment"])],
                    arrayminus=[max(0.0, row["sentiment"] - row["sentiment_lo"])],
                    thickness=1.5,
                ),
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=[max(0.0, row["loaded_hi"] - row["loaded"])],
                    arrayminus=[max(0.0, row["loaded"] - row["loaded_lo"])],
                    thickness=1.5,
                ),
                hovertemplate=(
                    f"<b>{name}</b><br>sentiment %{{x:+.2f}}<br>loaded %{{y:.1f}} per 1,000 words"
                    f"<br>{int(row['articles'])} articles<extra></extra>"
                ),
            )
        )
    fig.add_vline(x=0, line=dict(color="#999", width=1, dash="dot"))
    fig.update_xaxes(title="mean sentiment (−1 negative … +1 positive)")
    fig.update_yaxes(title="loaded language per 1,000 words", rangemode="tozero")
    # Outlets are named in the legend (colour), not next to the points: labels of close points overlap.
    return _style(fig, title, 480, legend=True)


def timeline_chart(timeline: pd.DataFrame, metric: str, colors: Mapping[str, str] | None = None) -> go.Figure:
    """Change over time: one line per outlet of ``metric`` by period.

    ``timeline``: outlet, period (datetime), sentiment, loaded_rate, articles
    (``compare.outlet_timeline``).
    """
    is_sent = metric == "sentiment"
    title = "Sentiment over time" if is_sent else "Loaded language over time (per 1,000 words)"
    data = timeline.dropna(subset=[metric]) if len(timeline) else timeline
    if data.empty:
        return _empty(title, "No dated articles")
    fig = go.Figure()
    for outlet, part in data.groupby("outlet", sort=True):
        part = part.sort_values("period")
        fig.add_trace(
            go.Scatter(
                x=part["period"],
                y=part[metric],
                mode="lines+markers",
                name=label(outlet),
                line=dict(color=_color(colors, outlet), width=2.5),
                marker=dict(size=8),
                customdata=part["articles"],
                hovertemplate=(
                    f"{label(outlet)}<br>%{{x|%Y-%m-%d}}<br>{metric}: %{{y:.2f}}"
                    "<br>%{customdata} articles<extra></extra>"
                ),
            )
        )
    if is_sent:
        fig.add_hline(y=0, line=dict(color="#999", width=1, dash="dot"))
    fig.update_yaxes(title="mean sentiment" if is_sent else "per 1,000 words")
    return _style(fig, title, 360, legend=True)


def flagged_words_chart(
    words: pd.DataFrame, outlet: str, colors: Mapping[str, str] | None = None
) -> go.Figure:
    """The words an outlet is most often flagged for (its own words, not quotes), coloured by category.

    ``words``: word, category, count (``compare.flagged_words`` for one outlet).
    """
    title = f"Words {label(outlet)} is most often flagged for"
    if words.empty:
        return _empty(title, "No loaded words found")
    colors = colors or category_colors(words["category"].unique())
    data = words.sort_values("count", ascending=False)
    fig = go.Figure(
        go.Bar(
            x=data["count"],
            y=[label(w) for w in data["word"]],
            orientation="h",
            marker_color=[colors.get(c, MISSING_COLOR) for c in data["category"]],
            customdata=[label(c) for c in data["category"]],
            hovertemplate="%{y}: %{x} times<br>%{customdata}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="times flagged", dtick=1 if data["count"].max() <= 10 else None)
    return _style(fig, title, BASE_HEIGHT + 24 * len(data))


# --- export ------------------------------------------------------------------------


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
    try:
        return fig.to_image(format=fmt, width=width, height=height, scale=scale if fmt == "png" else 1)
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
