"""Events: every event with its coverage, and outlet × event heatmaps."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import charts, compare
from app_pages import common

url, version = common.current()
events = common.events(url, version)
articles = common.all_articles(url, version)

st.html('<div style="font-size: 1.5rem; font-weight: 700;">Events</div>')
if not events:
    st.info("No events yet: add articles, or run `python -m analysis demo` to load the demo corpus.")
    st.page_link(common.PAGE_ADD, label="Add articles", icon=":material/add_link:")
    st.stop()

dates = articles["published"].dropna()
f1, f2, f3 = st.columns([3, 4, 3], vertical_alignment="bottom")
with f1:
    search = st.text_input("Search events", placeholder="name, description or headline", key="ev-search")
with f2:
    outlet_filter = st.multiselect(
        "Outlets", sorted(articles["outlet"].dropna().unique()), placeholder="all outlets", key="ev-outlets"
    )
with f3:
    if len(dates):
        lo, hi = dates.min().date(), dates.max().date()
        picked = st.date_input(
            "Published between", value=(lo, hi), min_value=lo, max_value=hi, key="ev-dates"
        )
    else:
        picked = ()

sel = articles
if outlet_filter:
    sel = sel[sel["outlet"].isin(outlet_filter)]
if isinstance(picked, tuple | list) and len(picked) == 2:
    start = pd.Timestamp(picked[0], tz="UTC")
    end = pd.Timestamp(picked[1], tz="UTC") + pd.Timedelta(days=1)
    in_range = sel["published"].between(start, end, inclusive="left")
    sel = sel[in_range | sel["published"].isna()]  # undated articles are kept (their health says so)
if search.strip():
    q = search.strip().lower()
    text_hit = sel["title"].fillna("").str.lower().str.contains(q, regex=False)
    names = {e["name"] for e in events if q in e["name"].lower() or q in (e["description"] or "").lower()}
    sel = sel[text_hit | sel["event"].isin(names)]

shown = [e for e in events if e["name"] in set(sel["event"].dropna())] if len(sel) else []
if not outlet_filter and not search.strip():
    shown += [e for e in events if e["articles"] == 0 and e not in shown]  # empty events stay listed
coverage = compare.event_coverage(shown, sel)

if coverage.empty:
    st.info("No event matches these filters.")
    st.stop()

coverage["open"] = [f"./compare?event={s}" for s in coverage["slug"]]
st.dataframe(
    coverage[["event", "articles", "outlet_count", "outlets", "first", "last", "problems", "open"]],
    hide_index=True,
    column_config={
        "event": st.column_config.TextColumn("Event", width="large"),
        "articles": st.column_config.NumberColumn("Articles", width="small"),
        "outlet_count": st.column_config.NumberColumn("Outlets", width="small"),
        "outlets": st.column_config.TextColumn("Outlet names", width="medium"),
        "first": st.column_config.DatetimeColumn("First", format="YYYY-MM-DD", width="small"),
        "last": st.column_config.DatetimeColumn("Last", format="YYYY-MM-DD", width="small"),
        "problems": st.column_config.TextColumn("Health problems", width="medium"),
        "open": st.column_config.LinkColumn("Compare", display_text="Compare →", width="small"),
    },
    key="ev-table",
)

common.chart(
    charts.heatmap_chart(compare.outlet_event_matrix(sel, "sentiment"), "sentiment"),
    "events",
    "sentiment-heatmap",
    key="hm-sent",
)
common.chart(
    charts.heatmap_chart(compare.outlet_event_matrix(sel, "loaded_rate"), "loaded_rate"),
    "events",
    "loaded-heatmap",
    key="hm-loaded",
)
st.caption(
    "Cells: word-weighted mean over an outlet's articles on the event; blank: no article. Failed "
    "fetches and empty pages are left out. Open an event with its Compare link for the details."
)
