"""Charts of one event on the Compare page: outlets' sentiment and loaded language, sentence arcs,
categories, headline against body and the actors (Plotly figures, no Streamlit)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.present.charts_common import (
    BASE_HEIGHT,
    EDGE_PAD,
    EVENT_LABEL_CHARS,
    HOVER_SNIPPET,
    LEGEND_SPACE,
    MAX_ARC_POINTS,
    MISSING_COLOR,
    ROW_HEIGHT,
    SENTIMENT_SCALE,
    SMOOTH_MIN,
    SMOOTH_SHARE,
    _color,
    _empty,
    _style,
    _truncate,
    category_colors,
    label,
    outlet_axis,
    outlet_x,
)

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
    thinned = False
    for outlet, per_outlet in sentences.groupby("outlet", sort=True):
        several = per_outlet["article_id"].nunique() > 1
        for i, (_, art) in enumerate(per_outlet.groupby("article_id", sort=True)):
            art = art.sort_values("position")
            window = max(SMOOTH_MIN, round(SMOOTH_SHARE * len(art)))
            smooth = art["compound"].rolling(window, center=True, min_periods=1).mean()
            name = label(outlet) + (f" ({i + 1})" if several else "")
            if len(art) > MAX_ARC_POINTS:
                step = -(-len(art) // MAX_ARC_POINTS)  # ceiling division
                art, smooth = art.iloc[::step], smooth.iloc[::step]
                name += f" (1 in {step:,} sentences drawn)"
                thinned = True
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
                    line=dict(color=_color(colors, str(outlet)), width=2.2, dash=dashes[i % len(dashes)]),
                    marker=dict(size=4),
                    hovertext=hover,
                    hovertemplate="%{hovertext}<extra></extra>",
                )
            )
    fig.add_hline(y=0, line=dict(color="#999", width=1, dash="dot"))
    fig.update_xaxes(title="position in the article (%)", range=[0, 100], ticksuffix="%")
    fig.update_yaxes(title="sentence sentiment", range=[-1.05, 1.05], zeroline=False)
    if thinned:
        title += f"; over {MAX_ARC_POINTS:,} sentences only some are drawn, the mean uses all"
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


ACTOR_TOP = 15  # actors (most mentioned over all outlets) shown in the actor heatmap


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


ACTOR_SHRINK_MENTIONS = 2  # pseudo-mentions of neutral tone added to each cell's colour (not its hover)


def actor_chart(actors: pd.DataFrame, outlets: list[str] | None = None, *, top: int = ACTOR_TOP) -> go.Figure:
    """Outlet × actor heatmap of the sentiment toward each actor; the cell text is the mention count.

    ``actors``: ``actors.actor_table`` (outlet, actor, kind, mentions, quoted, positive, neutral,
    negative, sentiment).  Rows: the ``top`` actors with most mentions over all outlets; columns:
    ``outlets`` (default: sorted).  Blank cell: the outlet does not mention the actor.
    """
    title = "Actors: sentiment toward each person, place or organisation (cell: mentions · ❞ quoted)"
    # Colour: tone toward the actor, paler with fewer mentions (see ACTOR_SHRINK_MENTIONS).
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
                # Few mentions are weak evidence: the colour is shrunk toward neutral (one mention
                # of ACTOR_SHRINK_MENTIONS=2 shows a third of its tone); the hover gives the raw value.
                zr.append(float(rec["sentiment"]) * m / (m + ACTOR_SHRINK_MENTIONS))
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
            x=outlet_x(outlets),
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
    space = outlet_axis(fig, outlets)  # outlet names above the columns
    fig = _style(fig, title, BASE_HEIGHT + 20 + space + 30 * len(chosen))
    fig.update_layout(margin=dict(t=fig.layout.margin.t + space, b=20), title=dict(y=0.98, yanchor="top"))
    return fig
