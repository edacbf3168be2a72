"""Charts of the Events and Outlets pages: the event × outlet heatmap, outlets against each other,
change over time, flagged words, coverage over time and blindspots (Plotly figures, no Streamlit)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.present.charts_common import (
    BASE_HEIGHT,
    EVENT_LABEL_CHARS,
    LOADED_SCALE,
    MISSING_COLOR,
    ROW_HEIGHT,
    SENTIMENT_SCALE,
    _color,
    _empty,
    _style,
    _truncate,
    category_colors,
    label,
    outlet_axis,
    outlet_x,
)

# The loaded-language heatmap's colour scale runs from 0 to the largest rate, and at least this far
# (weight per 1,000 words), so that a few small rates are not painted as if they were large.
MIN_LOADED_SCALE_TOP = 5.0
GAP_PERIODS = 1.5  # a gap longer than this many periods breaks the line of a timeline

# --- the events page ---------------------------------------------------------------


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
    full = [[f"{label(ev)}<br>{label(o)}" for o in grid.columns] for ev in grid.index]
    extra: dict = {}
    if is_sent:
        bound = max(0.2, float(pd.DataFrame(z).abs().max().max()))
        extra = dict(zmid=0, zmin=-bound, zmax=bound)
    else:
        # Rates start at 0 (the palest colour); without a fixed range, all-zero cells got the
        # scale's middle colour and a colour bar from -0.5 to 0.5.
        top = float(np.nanmax(z)) if np.isfinite(z).any() else 0.0
        extra = dict(zmin=0.0, zmax=max(MIN_LOADED_SCALE_TOP, top))
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=outlet_x(list(grid.columns)),
            y=[label(_truncate(str(ev), EVENT_LABEL_CHARS)) for ev in grid.index],
            text=text,
            customdata=full,
            texttemplate="%{text}",
            colorscale=SENTIMENT_SCALE if is_sent else LOADED_SCALE,
            colorbar=dict(title=dict(text="sentiment" if is_sent else "per 1k"), thickness=12),
            hoverongaps=False,
            hovertemplate="%{customdata}: %{text}<extra></extra>",
            xgap=2,
            ygap=2,
            **extra,
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    space = outlet_axis(fig, list(grid.columns))  # outlet names above the columns
    fig = _style(fig, title, BASE_HEIGHT + 20 + space + ROW_HEIGHT * len(grid.index))
    fig.update_layout(margin=dict(t=fig.layout.margin.t + space, b=20), title=dict(y=0.98, yanchor="top"))
    return fig


# --- the outlets page --------------------------------------------------------------


def outlet_scatter(overview: pd.DataFrame, colors: Mapping[str, str] | None = None) -> go.Figure:
    """Each outlet as a point: mean sentiment (x) against loaded language (y), with 95% intervals.

    ``overview``: outlet, sentiment(_lo/_hi), loaded(_lo/_hi), articles (``compare.outlet_overview``).
    """
    title = "Outlets: sentiment against loaded language (bars: 95% interval; none for one article)"
    data = overview.dropna(subset=["sentiment", "loaded"]) if len(overview) else overview
    if data.empty:
        return _empty(title, "No scored articles")
    fig = go.Figure()
    for _, row in data.iterrows():
        name = label(row["outlet"])
        n = int(row["articles"])
        # One article: no interval (resampling one article says nothing); no bar is drawn.
        has_ci = n > 1 and pd.notna(row["sentiment_lo"]) and pd.notna(row["loaded_lo"])
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
                    visible=has_ci,
                ),
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=[max(0.0, row["loaded_hi"] - row["loaded"])],
                    arrayminus=[max(0.0, row["loaded"] - row["loaded_lo"])],
                    thickness=1.5,
                    visible=has_ci,
                ),
                hovertemplate=(
                    f"<b>{name}</b><br>sentiment %{{x:+.2f}}<br>loaded %{{y:.1f}} per 1,000 words"
                    f"<br>{n} article{'s' if n != 1 else ''}"
                    f"{'' if has_ci else ' (no interval)'}<extra></extra>"
                ),
            )
        )
    fig.add_vline(x=0, line=dict(color="#999", width=1, dash="dot"))
    fig.update_xaxes(title="mean sentiment (−1 negative … +1 positive)")
    fig.update_yaxes(title="loaded language per 1,000 words", rangemode="tozero")
    # Outlets are named in the legend (colour), not next to the points: labels of close points overlap.
    return _style(fig, title, 480, legend=True)


def _adjacent(prev: pd.Timestamp, cur: pd.Timestamp, freq: str | None, step: pd.Timedelta | None) -> bool:
    """Whether period ``cur`` directly follows ``prev`` (by the frequency when known)."""
    if freq:
        try:
            return (pd.Period(cur, freq) - pd.Period(prev, freq)).n <= 1
        except (ValueError, TypeError):
            pass
    return step is not None and cur - prev <= step * GAP_PERIODS


def _break_gaps(part: pd.DataFrame, freq: str | None, step: pd.Timedelta | None) -> pd.DataFrame:
    """``part`` with an empty row wherever a period is missing, so lines join only adjacent periods:
    points months apart stay separate markers instead of a line that suggests a trend."""
    if len(part) < 2:
        return part
    periods = list(pd.to_datetime(part["period"]))
    rows: list[dict] = []
    for i, row in enumerate(part.to_dict("records")):
        if i and not _adjacent(periods[i - 1], periods[i], freq, step):
            rows.append({"period": periods[i - 1] + (periods[i] - periods[i - 1]) / 2})
        rows.append(row)
    return pd.DataFrame(rows, columns=part.columns)


def _period_step(periods: pd.Series) -> pd.Timedelta | None:
    """The smallest gap between two distinct periods (when the frequency is unknown), or None."""
    distinct = pd.Series(sorted(pd.to_datetime(periods).dropna().unique()))
    gaps = distinct.diff().dropna()
    return gaps.min() if len(gaps) else None


def timeline_chart(timeline: pd.DataFrame, metric: str, colors: Mapping[str, str] | None = None) -> go.Figure:
    """Change over time: one line per outlet of ``metric`` by period.

    A line joins two points only when their periods are adjacent; isolated periods are markers.

    ``timeline``: outlet, period (datetime), sentiment, loaded_rate, articles
    (``compare.outlet_timeline``).
    """
    is_sent = metric == "sentiment"
    title = "Sentiment over time" if is_sent else "Loaded language over time (per 1,000 words)"
    data = timeline.dropna(subset=[metric]) if len(timeline) else timeline
    if data.empty:
        return _empty(title, "No dated articles")
    freq = timeline.attrs.get("freq")
    step = None if freq else _period_step(data["period"])
    fig = go.Figure()
    for outlet, part in data.groupby("outlet", sort=True):
        part = _break_gaps(part.sort_values("period"), freq, step)
        n = part["articles"].fillna(0).astype(int)
        fig.add_trace(
            go.Scatter(
                x=part["period"],
                y=part[metric],
                mode="lines+markers",
                connectgaps=False,
                name=label(outlet),
                line=dict(color=_color(colors, str(outlet)), width=2.5),
                marker=dict(size=8),
                customdata=[f"{k} article{'s' if k != 1 else ''}" for k in n],
                hovertemplate=(
                    f"{label(outlet)}<br>%{{x|%Y-%m-%d}}<br>{metric}: %{{y:.2f}}"
                    "<br>%{customdata}<extra></extra>"
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
