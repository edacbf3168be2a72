"""Search: every article containing a word or phrase, each hit in its sentence (keyword in context)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from analysis.compare.search import query_words, search_hits
from app_pages import common
from app_pages.voices_view import table_downloads


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=32)
def _search(
    url: str,
    version: tuple,
    query: str,
    event_id: int | None,
    outlets: tuple[str, ...],
    since,
    until,  # noqa: ANN001
) -> pd.DataFrame:
    articles = common.store().search_texts(
        query_words(query), event_id=event_id, outlets=list(outlets) or None, since=since, until=until
    )
    return search_hits(articles, query)


url, version = common.current()
st.header("Search all articles")
query = st.text_input("Words or a phrase", key="search-query", placeholder="tax relief")
events = common.events(url, version)
cols = st.columns(3)
with cols[0]:
    names = {e["name"]: e["id"] for e in events}
    event = st.selectbox("Event", ["(all events)", *names], key="search-event")
with cols[1]:
    labels = common.outlet_labels(url, version)
    outlets = st.multiselect(
        "Outlets",
        common.store().outlet_names(),
        key="search-outlets",
        format_func=lambda name: labels.get(name, name),
    )
with cols[2]:
    dates = st.date_input("Published between", value=[], key="search-dates")
since = until = None
if isinstance(dates, tuple) and len(dates) == 2:
    since = dt.datetime.combine(dates[0], dt.time.min)
    until = dt.datetime.combine(dates[1], dt.time.max)
if query_words(query):
    hits = _search(url, version, query, names.get(event), tuple(outlets), since, until)
    if len(hits):
        hits = hits.assign(outlet=hits["outlet"].map(lambda name: labels.get(name, name)))
    st.caption(f"{len(hits)} hits in {hits['article_id'].nunique()} articles")
    st.dataframe(
        hits[["outlet", "event", "published", "title", "left", "match", "right"]],
        hide_index=True,
        key="search-hits",
    )
    if len(hits):
        table_downloads(hits, "search", "search-hits")
else:
    st.caption("Type a word or phrase: matched as whole words, ignoring case, in titles and texts.")
