"""Outlets: each outlet across all events, with intervals, change over time and its flagged words."""

from __future__ import annotations

import streamlit as st

from analysis import charts, compare
from app_pages import common


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=8)
def _overview(url: str, version: tuple) -> dict:
    articles = common.all_articles(url, version)
    return {
        "overview": compare.outlet_overview(articles),
        "words": compare.flagged_words(common.all_rows(url, version)),
    }


url, version = common.current()
articles = common.all_articles(url, version)
st.html('<div style="font-size: 1.5rem; font-weight: 700;">Outlets</div>')
if articles.empty:
    st.info("No articles yet.")
    st.page_link(common.PAGE_ADD, label="Add articles", icon=":material/add_link:")
    st.stop()

data = _overview(url, version)
overview, words = data["overview"], data["words"]
colors = common.outlet_colors(url, version)

table = overview.assign(
    sentiment_ci=[
        f"{lo:+.2f} to {hi:+.2f}"
        for lo, hi in zip(overview["sentiment_lo"], overview["sentiment_hi"], strict=True)
    ],
    loaded_ci=[
        f"{lo:.1f} to {hi:.1f}" for lo, hi in zip(overview["loaded_lo"], overview["loaded_hi"], strict=True)
    ],
    top_words=[", ".join(words[words["outlet"] == o].head(5)["word"]) for o in overview["outlet"]],
)
st.dataframe(
    table[
        [
            "outlet",
            "articles",
            "events",
            "sentiment",
            "sentiment_ci",
            "loaded",
            "loaded_ci",
            "top_words",
            "first",
            "last",
        ]
    ],
    hide_index=True,
    column_config={
        "outlet": "Outlet",
        "articles": st.column_config.NumberColumn("Articles", width="small"),
        "events": st.column_config.NumberColumn("Events", width="small"),
        "sentiment": st.column_config.NumberColumn("Sentiment", format="%+.2f", width="small"),
        "sentiment_ci": st.column_config.TextColumn("95% interval", width="small"),
        "loaded": st.column_config.NumberColumn("Loaded / 1k", format="%.1f", width="small"),
        "loaded_ci": st.column_config.TextColumn("95% interval ", width="small"),
        "top_words": st.column_config.TextColumn("Most flagged words", width="medium"),
        "first": st.column_config.DatetimeColumn("First", format="YYYY-MM-DD", width="small"),
        "last": st.column_config.DatetimeColumn("Last", format="YYYY-MM-DD", width="small"),
    },
    key="outlet-table",
)
st.caption(
    "Across all events, weighted by article length. Intervals resample the outlet's articles (1,000 "
    "bootstrap resamples): with one or two articles they are narrow only because there is little data."
)

left, right = st.columns(2, gap="medium")
with left:
    common.chart(charts.outlet_scatter(overview, colors), "outlets", "scatter", key="scatter")
with right:
    controls = st.container(horizontal=True, gap="medium")
    metric = controls.segmented_control(
        "Over time",
        ["sentiment", "loaded_rate"],
        default="sentiment",
        format_func=lambda m: "Sentiment" if m == "sentiment" else "Loaded language",
        key="tl-metric",
        required=True,
    )
    freq = controls.segmented_control(
        "Period",
        ["D", "W", "M"],
        default="W",
        key="tl-freq",
        required=True,
        format_func={"D": "day", "W": "week", "M": "month"}.get,
    )
    timeline = compare.outlet_timeline(articles, freq=freq or "W")
    common.chart(
        charts.timeline_chart(timeline, metric or "sentiment", colors),
        "outlets",
        f"{metric}-over-time",
        key="timeline",
    )

st.subheader("Flagged words by outlet")
outlets = list(overview["outlet"])
pick = st.selectbox("Outlet", outlets, key="words-outlet", width=360) if outlets else None
if pick:
    mine = words[words["outlet"] == pick].head(15)
    w1, w2 = st.columns([3, 2], gap="medium")
    with w1:
        common.chart(charts.flagged_words_chart(mine, pick), "outlets", f"{pick}-words", key="words")
    with w2:
        st.dataframe(
            mine[["word", "category", "count", "weight"]],
            hide_index=True,
            column_config={"weight": st.column_config.NumberColumn("Total weight", format="%.2f")},
        )
        st.caption(
            "The outlet's own words only: words inside quotations are the speakers' and are not counted."
        )
