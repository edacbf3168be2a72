"""Data: the articles and their scores as tables, each downloadable as CSV and JSON."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from analysis.present.export import export_table
from app_pages import common


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=8)
def _export(url: str, version: tuple, fmt: str, event_id: int | None, with_text: bool) -> str:
    # as the Compare page counts them: corrections first, then each event's topic words (shown, not
    # counted); each span with its dismissed state, the corrections in force with each article
    rows = _rows(url, version, event_id)
    return export_table(
        rows, fmt, with_text=with_text, corrections=common.corrections(url, version, event_id)
    )


def _rows(url: str, version: tuple, event_id: int | None) -> list[dict]:
    if event_id is not None:
        return common.event_rows(url, version, event_id)
    return common.all_counted_rows(url, version)


def _export_bytes(url: str, version: tuple, fmt: str, event_id: int | None, with_text: bool) -> str:
    return _export(url, version, fmt, event_id, with_text)


url, version = common.current()
events = common.events(url, version)
# as the exports and the Compare page count them (corrections applied, topic words not counted)
articles = common.counted_articles(url, version)
st.html('<div style="font-size: 1.5rem; font-weight: 700;">Data</div>')
if articles.empty:
    st.info("No articles yet.")
    st.stop()

choices = [None, *[e["id"] for e in events]]
names = {e["id"]: e["name"] for e in events}
c1, c2 = st.columns([4, 6], vertical_alignment="bottom")
with c1:
    event_id = st.selectbox(
        "Event", choices, format_func=lambda i: "All events" if i is None else names[i], key="data-event"
    )
sel = articles if event_id is None else articles[articles["event"] == names[event_id]]
slug = "all-events" if event_id is None else next(e["slug"] for e in events if e["id"] == event_id)

st.subheader(f"Articles and scores ({len(sel)})")
cols = [
    "id",
    "event",
    "outlet",
    "title",
    "published",
    "health",
    "words",
    "sentiment",
    "headline_sentiment",
    "positive_share",
    "negative_share",
    "loaded_rate",
    "quoted_rate",
    "loaded_count",
    "reason",
    "url",
]
table = sel[cols].copy()
for col in ("title", "reason", "url", "health"):  # a missing text shows as blank, never as "None"
    table[col] = table[col].astype(object).where(table[col].notna(), "")
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "published": st.column_config.DatetimeColumn("published", format="YYYY-MM-DD HH:mm"),
        "sentiment": st.column_config.NumberColumn(format="%+.3f"),
        "headline_sentiment": st.column_config.NumberColumn("headline", format="%+.3f"),
        "positive_share": st.column_config.NumberColumn("pos. share", format="%.2f"),
        "negative_share": st.column_config.NumberColumn("neg. share", format="%.2f"),
        "loaded_rate": st.column_config.NumberColumn("loaded/1k", format="%.1f"),
        "quoted_rate": st.column_config.NumberColumn("quoted/1k", format="%.1f"),
        "url": st.column_config.LinkColumn("url"),
    },
    key="data-table",
)
with st.container(horizontal=True, gap="small"):
    for fmt, mime in (("csv", "text/csv"), ("json", "application/json")):
        st.download_button(
            f"Scores {fmt.upper()}",
            data=functools.partial(_export_bytes, url, version, fmt, event_id, False),
            file_name=f"{slug}_scores.{fmt}",
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            key=f"dl-scores-{fmt}",
        )
    for fmt, mime in (("csv", "text/csv"), ("json", "application/json")):
        st.download_button(
            f"Articles with text and spans {fmt.upper()}",
            data=functools.partial(_export_bytes, url, version, fmt, event_id, True),
            file_name=f"{slug}_articles.{fmt}",
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            key=f"dl-articles-{fmt}",
        )


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=8)
def _hits(url: str, version: tuple, event_id: int | None) -> pd.DataFrame:
    """The hits table, cached as one frame (a cache hit then does not copy every article's text)."""
    hits = [
        {
            "article": r["id"],
            "outlet": r["outlet"],
            "word": sp.get("text"),
            "category": sp.get("category"),
            "weight": sp.get("weight"),
            "quoted": sp.get("quoted"),
            "rule": sp.get("rule") or "",
        }
        for r in _rows(url, version, event_id)
        for sp in r.get("spans") or []
    ]
    return pd.DataFrame(hits, columns=["article", "outlet", "word", "category", "weight", "quoted", "rule"])


st.subheader("Loaded-language hits")
st.dataframe(_hits(url, version, event_id), hide_index=True, key="hits-table")

failed_by_event = common.failed_attempts_by_event(url, version)
failed = [f for e in events if event_id in (None, e["id"]) for f in failed_by_event.get(e["id"], [])]
if failed:
    st.subheader(f"URLs that could not be fetched ({len(failed)})")
    st.dataframe(
        [{"url": f["url"], "problem": f["health"], "reason": f["reason"], "at": f["at"]} for f in failed],
        hide_index=True,
    )
