"""Plotly figures for the dashboard and the event report.

Every chart is a function that takes a pandas DataFrame (built by ``analysis.compare.summary``)
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

# Outlet groups (data/outlets.csv's "group" column) take colours from a different palette (Dark2)
# than outlets, so a group is never mistaken for the outlet that happens to share its colour.
GROUP_PALETTE: tuple[str, ...] = (
    "#1B9E77",
    "#D95F02",
    "#7570B3",
    "#E7298A",
    "#66A61E",
    "#E6AB02",
    "#A6761D",
    "#666666",
)

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


def group_colors(groups: Iterable[str]) -> dict[str, str]:
    """Deterministic colour per outlet group (sorted names onto GROUP_PALETTE)."""
    names = sorted({g for g in groups if g is not None}, key=str)
    return {name: GROUP_PALETTE[i % len(GROUP_PALETTE)] for i, name in enumerate(names)}


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


# --- cross-outlet comparisons -------------------------------------------------------

Z_GUIDE = 1.96  # |z| beyond this: the two-sided 5 % level of the log-odds z-score (guide lines)
FADED_OPACITY = 0.45  # bars of terms whose |z| stays under Z_GUIDE are drawn faded
LESS_COLOR = "#8C959F"  # bars of terms an outlet uses less than the others (neutral grey)
WORD_TOP = 8  # terms shown at each end of an outlet's word-choice panel
WORD_COLUMNS = 3  # word-choice panels per row
WORD_BAR_HEIGHT = 17  # pixels per term row in a word-choice panel
WORD_PANEL_EXTRA = 40  # pixels of panel title and x axis per row of panels
WORD_PANEL_GAP = 50  # pixels between two rows of panels (room for the x ticks and the next title)
NOT_CARRIED_COLOR = "#F0F1F3"  # an empty cell of the who-reported-what matrix
FACT_LABEL_CHARS = 90  # characters of a fact's sentence shown as its row label
FACT_WRAP = 48  # characters per line of a fact's row label
FACT_ROW_HEIGHT = 34  # pixels per fact (two-line labels)
NUMBER_ROW_HEIGHT = 24  # pixels per key figure
HOVER_WRAP = 70  # characters per line of a sentence shown on hover
ACTOR_TOP = 15  # actors (most mentioned over all outlets) shown in the actor heatmap


def _swatch(name: str, colors: Mapping[str, str] | None) -> str:
    """An escaped outlet name after a square in its colour (for panel titles)."""
    return f'<span style="color:{_color(colors, name)}">■</span> <b>{label(name)}</b>'


def _hover_wrap(text: str, width: int = HOVER_WRAP, lines: int = 6) -> str:
    """Escaped ``text`` wrapped with <br> for a hover box (at most ``lines`` lines)."""
    parts = textwrap.wrap(str(text), width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] += " …"
    return "<br>".join(html.escape(p, quote=False) for p in parts)


def word_choice_chart(
    terms: pd.DataFrame,
    colors: Mapping[str, str] | None = None,
    *,
    top: int = WORD_TOP,
    columns: int = WORD_COLUMNS,
    title: str | None = None,
) -> go.Figure:
    """Distinctive word choice: one diverging bar panel of log-odds z-scores per outlet.

    ``terms``: rows of ``wordchoice.distinctive_terms`` / ``event_word_choice`` (group, term,
    count, other_count, per_1000, other_per_1000, log_odds, z).  Each panel shows the group's
    ``top`` highest z (words it uses more than the others, in the outlet's colour) above its
    ``top`` lowest (words it uses less, grey); faded bars stay within ±Z_GUIDE (dashed lines).
    Terms are written next to the zero line, on the side away from their bar.  All panels share
    one symmetric x range, so bar lengths compare across outlets.
    """
    title = title or "Distinctive word choice: each outlet against all the others (log-odds z-score)"
    data = terms.dropna(subset=["z"]) if len(terms) else terms
    if data.empty:
        return _empty(title, "Not enough text to compare word choice (needs two outlets)")
    groups = list(dict.fromkeys(data["group"]))
    panels = []
    for g in groups:
        part = data[data["group"] == g]
        more = part[part["z"] > 0].sort_values(["z", "term"], ascending=[False, True]).head(top)
        less = part[part["z"] < 0].sort_values(["z", "term"], ascending=[True, True]).head(top)
        panels.append((g, more, less.iloc[::-1]))  # least negative first, most negative at the bottom
    ncols = max(1, min(columns, len(groups)))
    nrows = -(-len(groups) // ncols)
    rows_per_panel = max(1, max(len(m) + len(le) for _, m, le in panels))
    panel_height = rows_per_panel * WORD_BAR_HEIGHT + WORD_PANEL_EXTRA
    fig = make_subplots(
        rows=nrows,
        cols=ncols,
        # One panel: the chart title names the outlet already.
        subplot_titles=[_swatch(str(g), colors) for g in groups] if len(groups) > 1 else None,
        horizontal_spacing=0.04,
        vertical_spacing=WORD_PANEL_GAP / max(1, nrows * panel_height) if nrows > 1 else 0.0,
    )
    bound = max(Z_GUIDE + 0.5, float(data.loc[data["group"].isin(groups), "z"].abs().max()) * 1.05)
    axes: dict[str, dict] = {}
    shapes: list[dict] = []
    for i, (g, more, less) in enumerate(panels):
        r, c = divmod(i, ncols)
        order = [label(t) for t in [*more["term"], *less["term"]]]
        for part, color, name in ((more, _color(colors, g), label(g)), (less, LESS_COLOR, "uses less")):
            if part.empty:
                continue
            hover = [
                f"<b>{label(t)}</b><br>{label(g)}: {n} ({p:.1f} per 1,000 terms)<br>"
                f"the others: {o} ({op:.1f} per 1,000)<br>z = {z:+.2f} · log-odds {lo:+.2f}"
                for t, n, p, o, op, z, lo in zip(
                    part["term"],
                    part["count"],
                    part["per_1000"],
                    part["other_count"],
                    part["other_per_1000"],
                    part["z"],
                    part["log_odds"],
                    strict=True,
                )
            ]
            fig.add_trace(
                go.Bar(
                    x=part["z"],
                    y=[label(t) for t in part["term"]],
                    orientation="h",
                    name=name,
                    legendgroup=name,
                    marker=dict(
                        color=color,
                        opacity=[1.0 if abs(z) >= Z_GUIDE else FADED_OPACITY for z in part["z"]],
                    ),
                    hovertext=hover,
                    hovertemplate="%{hovertext}<extra></extra>",
                ),
                row=r + 1,
                col=c + 1,
            )
            fig.add_trace(
                go.Scatter(
                    x=[0.0] * len(part),
                    y=[label(t) for t in part["term"]],
                    mode="text",
                    text=[f" {label(t)} " for t in part["term"]],
                    textposition="middle left" if name != "uses less" else "middle right",
                    textfont=dict(size=12, color="#1f2328"),
                    hoverinfo="skip",
                    showlegend=False,
                    cliponaxis=False,
                ),
                row=r + 1,
                col=c + 1,
            )
        # Padding rows keep every panel's bars the same thickness.
        pad = [f"{' ' * (k + 1)}" for k in range(rows_per_panel - len(order))]
        suffix = "" if i == 0 else str(i + 1)
        axes[f"yaxis{suffix}"] = dict(
            categoryorder="array",
            categoryarray=order + pad,
            autorange="reversed",
            showticklabels=False,
            showgrid=False,
        )
        # Guide lines as plain shapes: fig.add_vline per subplot is slow (~0.1 s each).
        for x, color, dash in ((-Z_GUIDE, "#999", "dot"), (Z_GUIDE, "#999", "dot"), (0.0, "#555", "solid")):
            shapes.append(
                dict(
                    type="line",
                    xref=f"x{suffix}",
                    yref=f"y{suffix} domain",
                    x0=x,
                    x1=x,
                    y0=0,
                    y1=1,
                    line=dict(color=color, width=1, dash=dash),
                    layer="below" if x else "above",
                )
            )
    fig.update_layout(shapes=shapes, **axes)
    fig.update_xaxes(range=[-bound, bound], zeroline=False, tickfont=dict(size=10))
    fig.update_layout(bargap=0.25)
    height = nrows * panel_height + 70
    fig = _style(fig, title, height)
    fig.update_annotations(font_size=13)
    return fig


def _two_lines(text: str, width: int, limit: int) -> str:
    """``text`` (escaped) shortened to ``limit`` characters and wrapped into at most two lines."""
    parts = textwrap.wrap(_truncate(" ".join(str(text).split()), limit), width) or [""]
    if len(parts) > 2:
        parts = [parts[0], _truncate(" ".join(parts[1:]), width)]
    return "<br>".join(html.escape(p, quote=False) for p in parts)


def _carried_heatmap(
    row_labels: list[str],
    hover_rows: list[str],
    carried: pd.DataFrame,
    cell_hover: pd.DataFrame | None,
    colors: Mapping[str, str] | None,
    title: str,
    row_height: int,
    empty_message: str,
) -> go.Figure:
    """Rows × outlets, a cell filled in the outlet's colour when the outlet carries the row.

    One heatmap whose value is 0 (not carried) or k + 1 for the k-th outlet, on a stepped colour
    scale with one band per outlet: each column is drawn in its outlet's colour.
    """
    if carried.empty or not len(carried.columns):
        return _empty(title, empty_message)
    outlets = list(carried.columns)
    n = len(outlets)
    bands = [NOT_CARRIED_COLOR, *(_color(colors, o) for o in outlets)]
    scale = []
    for v, c in enumerate(bands):
        scale += [[v / (n + 1), c], [(v + 1) / (n + 1), c]]
    flags = carried.astype(bool).to_numpy()
    z = [[(k + 1) if flags[r, k] else 0 for k in range(n)] for r in range(len(flags))]
    text = [["✓" if flags[r, k] else "" for k in range(n)] for r in range(len(flags))]
    hover = []
    for r in range(len(flags)):
        cells = []
        for k, o in enumerate(outlets):
            if not flags[r, k]:
                said = "not in its coverage"
            elif cell_hover is not None and str(cell_hover.iloc[r, k]).strip():
                said = f"“{_hover_wrap(cell_hover.iloc[r, k])}”"
            else:
                said = "reported"
            cells.append(f"{hover_rows[r]}<br><b>{label(o)}</b>: {said}")
        hover.append(cells)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[label(o, OUTLET_WRAP) for o in outlets],
            y=row_labels,
            text=text,
            texttemplate="%{text}",
            textfont=dict(color="white", size=13),
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=scale,
            zmin=-0.5,
            zmax=n + 0.5,
            showscale=False,
            xgap=3,
            ygap=3,
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False, tickfont=dict(size=12))
    fig.update_xaxes(side="top", tickangle=0, showgrid=False)
    fig = _style(fig, title, BASE_HEIGHT + 40 + row_height * len(row_labels))
    fig.update_layout(margin=dict(t=96, b=20), title=dict(y=0.98, yanchor="top"))
    return fig


def fact_coverage_chart(
    matrix: object, colors: Mapping[str, str] | None = None, *, order: list[str] | None = None
) -> go.Figure:
    """Who reported what: facts (rows, most widely carried first) × outlets, hover = the outlet's sentence.

    ``matrix``: an ``omissions.CoverageMatrix`` (``.facts`` with label/kind/n_outlets, ``.carried``
    bool facts × outlets, ``.sentences`` the outlet's sentence per fact).  Row labels are the
    fact's representative sentence, numbered, shortened to FACT_LABEL_CHARS and wrapped.  ``order``:
    the outlets' column order (default: the matrix's).
    """
    title = "Who reported what: statements (rows) and the outlets that carry them"
    facts: pd.DataFrame = matrix.facts  # type: ignore[attr-defined]
    carried: pd.DataFrame = matrix.carried  # type: ignore[attr-defined]
    sentences: pd.DataFrame = matrix.sentences  # type: ignore[attr-defined]
    if facts.empty:
        return _empty(title, "No statements to compare")
    row_labels = [
        _two_lines(f"{i + 1}. {s}", FACT_WRAP, FACT_LABEL_CHARS)
        for i, s in enumerate(facts["representative"])
    ]
    hover_rows = [
        f"<i>{label(k)} · carried by {n} outlet{'s' if n != 1 else ''}</i>"
        for k, n in zip(facts["kind"], facts["n_outlets"], strict=True)
    ]
    cols = [o for o in (order or list(carried.columns)) if o in carried.columns]
    return _carried_heatmap(
        row_labels,
        hover_rows,
        carried[cols],
        sentences[cols],
        colors,
        title,
        FACT_ROW_HEIGHT,
        "No statements to compare",
    )


def key_figures_chart(
    numbers: pd.DataFrame, colors: Mapping[str, str] | None = None, *, order: list[str] | None = None
) -> go.Figure:
    """Key figures (percentages, money, counts; rows) × outlets: who reports which number.

    ``numbers``: ``omissions.numbers_matrix`` (number, kind, value, n_outlets, context, then one
    bool column per outlet); ``order``: the outlets' column order (default: the frame's).
    """
    title = "Key figures: which outlet reports which number"
    meta = ["number", "kind", "value", "n_outlets", "context"]
    if numbers.empty:
        return _empty(title, "No percentages, amounts or counts in these articles")
    outlets = [c for c in numbers.columns if c not in meta]
    outlets = [o for o in (order or outlets) if o in outlets]
    seen: dict[str, int] = {}
    row_labels = []
    for num, kind in zip(numbers["number"], numbers["kind"], strict=True):
        text = f"{label(num)}  ({label(kind)})"
        seen[text] = seen.get(text, 0) + 1
        row_labels.append(text if seen[text] == 1 else f"{text} #{seen[text]}")
    hover_rows = [
        f"<b>{label(n)}</b> · {k}<br><i>{_hover_wrap(c)}</i>"
        for n, k, c in zip(numbers["number"], numbers["kind"], numbers["context"], strict=True)
    ]
    return _carried_heatmap(
        row_labels,
        hover_rows,
        numbers[outlets].astype(bool).reset_index(drop=True),
        None,
        colors,
        title,
        NUMBER_ROW_HEIGHT,
        "No percentages, amounts or counts in these articles",
    )


def headline_body_chart(summary: pd.DataFrame, colors: Mapping[str, str] | None = None) -> go.Figure:
    """Headline against body, per outlet: a dumbbell of sentiment and one of loaded language.

    ``summary``: ``coverage.headline_body_summary`` (outlet, articles, headline_sentiment,
    body_sentiment, headline_loaded_per_1000, body_loaded_rate, loaded_headline_share ...), in
    display order.  Diamonds: the headline; open circles: the body; the line joins them.
    """
    title = "Headline against body: is the headline darker or more loaded than the story?"
    data = summary.dropna(subset=["headline_sentiment", "body_sentiment"]) if len(summary) else summary
    if data.empty:
        return _empty(title, "No headlines to compare")
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.06,
        subplot_titles=("Sentiment (−1 negative … +1 positive)", "Loaded language per 1,000 words"),
    )
    ylabels = [label(o) for o in data["outlet"]]
    for (_, row), ylab in zip(data.iterrows(), ylabels, strict=True):
        color = _color(colors, row["outlet"])
        share = row.get("loaded_headline_share", float("nan"))
        note = (
            f"<br>{share:.0%} of its headlines use loaded words" if not pd.isna(share) else ""
        ) + f"<br>{int(row['articles'])} article{'s' if row['articles'] != 1 else ''}"
        for col, head_key, body_key, fmt in (
            (1, "headline_sentiment", "body_sentiment", "+.2f"),
            (2, "headline_loaded_per_1000", "body_loaded_rate", ".1f"),
        ):
            head, body = row[head_key], row[body_key]
            if pd.isna(head) or pd.isna(body):
                continue
            fig.add_trace(
                go.Scatter(
                    x=[body, head],
                    y=[ylab, ylab],
                    mode="lines+markers",
                    name=ylab,
                    legendgroup=ylab,
                    showlegend=False,
                    line=dict(color=color, width=3),
                    marker=dict(
                        color=["white", color],
                        symbol=["circle", "diamond"],
                        size=[11, 14],
                        opacity=1,  # Plotly fades array-coloured markers by default
                        line=dict(color=color, width=2),
                    ),
                    customdata=["body", "headline"],
                    hovertemplate=(
                        f"<b>{ylab}</b><br>%{{customdata}}: %{{x:{fmt}}}<br>headline {head:{fmt}} · "
                        f"body {body:{fmt}}{note}<extra></extra>"
                    ),
                ),
                row=1,
                col=col,
            )
    for name, symbol, fill in (("headline", "diamond", "#555"), ("body", "circle", "white")):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=name,
                marker=dict(symbol=symbol, size=12, color=fill, line=dict(color="#555", width=2)),
                showlegend=True,
            )
        )
    fig.add_vline(x=0, line=dict(color="#999", width=1, dash="dot"), row=1, col=1)
    fig.update_yaxes(categoryorder="array", categoryarray=ylabels, autorange="reversed")
    lo = min(-0.1, float(data[["headline_sentiment", "body_sentiment"]].min().min()) - 0.05)
    hi = max(0.1, float(data[["headline_sentiment", "body_sentiment"]].max().max()) + 0.05)
    fig.update_xaxes(range=[max(-1.05, lo), min(1.05, hi)], zeroline=False, row=1, col=1)
    top = max(1.0, float(data[["headline_loaded_per_1000", "body_loaded_rate"]].max().max()))
    fig.update_xaxes(range=[-EDGE_PAD * top, (1 + EDGE_PAD) * top], zeroline=False, row=1, col=2)
    fig = _style(fig, title, BASE_HEIGHT + LEGEND_SPACE + ROW_HEIGHT * len(data), legend=True)
    fig.update_layout(legend_traceorder="normal")  # the two marker keys side by side, not stacked
    fig.update_annotations(font_size=13)
    return fig


def actor_chart(actors: pd.DataFrame, outlets: list[str] | None = None, *, top: int = ACTOR_TOP) -> go.Figure:
    """Outlet × actor heatmap of the sentiment toward each actor; the cell text is the mention count.

    ``actors``: ``actors.actor_table`` (outlet, actor, kind, mentions, quoted, positive, neutral,
    negative, sentiment).  Rows: the ``top`` actors with most mentions over all outlets; columns:
    ``outlets`` (default: sorted).  Blank cell: the outlet does not mention the actor.
    """
    title = "Actors: sentiment toward each person, place or organisation (cell: mentions · ❞ quoted)"
    if actors.empty:
        return _empty(title, "No people or organisations found")
    totals = actors.groupby("actor")["mentions"].sum().sort_values(ascending=False, kind="mergesort")
    chosen = list(totals.head(top).index)
    outlets = outlets or sorted(actors["outlet"].unique())
    part = actors[actors["actor"].isin(chosen)].set_index(["actor", "outlet"])
    z, text, hover = [], [], []
    kinds = actors.drop_duplicates("actor").set_index("actor")["kind"]
    for actor in chosen:
        zr, tr, hr = [], [], []
        for outlet in outlets:
            if (actor, outlet) in part.index:
                rec = part.loc[(actor, outlet)]
                if isinstance(rec, pd.DataFrame):
                    rec = rec.iloc[0]
                m, q = int(rec["mentions"]), int(rec.get("quoted", 0) or 0)
                zr.append(float(rec["sentiment"]))
                tr.append(f"{m}" + (f" · {q}❞" if q else ""))
                hr.append(
                    f"<b>{label(actor)}</b> ({label(kinds.get(actor, ''))}) in {label(outlet)}<br>"
                    f"{m} mention{'s' if m != 1 else ''}, quoted {q}×<br>"
                    f"positive {int(rec.get('positive', 0))} · neutral {int(rec.get('neutral', 0))} · "
                    f"negative {int(rec.get('negative', 0))}<br>sentiment toward: {rec['sentiment']:+.2f}"
                )
            else:
                zr.append(float("nan"))
                tr.append("")
                hr.append(f"{label(outlet)} does not mention {label(actor)}")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[label(o, OUTLET_WRAP) for o in outlets],
            y=[label(_truncate(a, EVENT_LABEL_CHARS)) for a in chosen],
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            colorscale=SENTIMENT_SCALE,
            zmid=0,
            zmin=-1,
            zmax=1,
            colorbar=dict(title=dict(text="toward"), thickness=12),
            hoverongaps=False,
            hovertemplate="%{customdata}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(side="top", tickangle=0, showgrid=False)
    fig = _style(fig, title, BASE_HEIGHT + 60 + 30 * len(chosen))
    fig.update_layout(margin=dict(t=96, b=20), title=dict(y=0.98, yanchor="top"))
    return fig


def coverage_time_chart(
    counts: pd.DataFrame, colors: Mapping[str, str] | None = None, *, by: str = "outlet"
) -> go.Figure:
    """Articles per period, one stacked line per outlet (or group): the top line is the total.

    ``counts``: ``coverage.coverage_over_time`` (index: period start; one int column per outlet or
    group).  ``colors`` maps the column names (outlets, or groups via ``outlet_colors``).  Stacked,
    because outlets with the same counts would otherwise hide each other's lines.
    """
    title = f"Articles per period, by {by}"
    if counts.empty or not len(counts.columns):
        return _empty(title, "No dated articles")
    fig = go.Figure()
    for name in counts.columns:
        fig.add_trace(
            go.Scatter(
                x=counts.index,
                y=counts[name],
                mode="lines+markers" if len(counts) > 1 else "markers",
                stackgroup="one",
                name=label(name),
                line=dict(color=_color(colors, name), width=1.5),
                marker=dict(size=5),
                customdata=counts[name],
                hovertemplate=f"{label(name)}<br>%{{x|%Y-%m-%d}}: %{{customdata}} articles<extra></extra>",
            )
        )
    fig.update_yaxes(title="articles", rangemode="tozero", dtick=1 if counts.sum(axis=1).max() <= 8 else None)
    return _style(fig, title, 360, legend=True)


def blindspot_chart(summary: pd.DataFrame, colors: Mapping[str, str] | None = None) -> go.Figure:
    """Share of events each outlet group missed while other groups covered them (horizontal bars).

    ``summary``: ``coverage.blindspot_summary`` (group, events, covered, blindspots, blindspot_share).
    """
    title = "Blindspots: share of events each group missed"
    if summary.empty:
        return _empty(title, "No outlet groups")
    data = summary.sort_values(["blindspot_share", "group"], ascending=[False, True], kind="mergesort")
    fig = go.Figure(
        go.Bar(
            x=data["blindspot_share"],
            y=[label(g) for g in data["group"]],
            orientation="h",
            marker_color=[_color(colors, g) for g in data["group"]],
            text=[f"{b} of {e}" for b, e in zip(data["blindspots"], data["events"], strict=True)],
            textposition="outside",
            cliponaxis=False,
            customdata=data["covered"],
            hovertemplate=(
                "%{y}: missed %{text} events (%{x:.0%})<br>covered %{customdata} events<extra></extra>"
            ),
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, 1.1], tickformat=".0%", title="share of events")
    return _style(fig, title, BASE_HEIGHT + 30 * len(data))


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
