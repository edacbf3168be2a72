"""Compare an event: how each outlet covered it, side by side, with uncertainty."""

from __future__ import annotations

import functools

import streamlit as st

from analysis import charts, compare
from analysis.highlight import (
    article_header_html,
    article_html,
    categories_html,
    category_legend_html,
    escape_text,
    summary_table_html,
)
from analysis.report import build_event_report
from analysis.store import slugify
from app_pages import common

MAX_SIDE_BY_SIDE = 6  # more outlets than this: a multiselect chooses which columns to show
ARTICLE_HEIGHT = 640  # pixels of article text before a column scrolls


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=16)
def _analysis(url: str, version: tuple, event_id: int) -> dict:
    rows = common.event_rows(url, version, event_id)
    sentences = compare.sentence_frame(rows)
    summary = compare.outlet_summary(rows, sentences=sentences)
    return {
        "sentences": sentences,
        "summary": summary,
        "categories": compare.category_frame(rows),
        "findings": compare.findings(summary),
    }


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=4)
def _report(url: str, version: tuple, event_id: int, name: str, description: str, slug: str) -> str:
    rows = common.event_rows(url, version, event_id)
    return build_event_report(
        name, rows, description=description, slug=slug, colors=common.outlet_colors(url, version)
    )


def _report_bytes(*args: object) -> str:
    return _report(*args)


def _findings_html(found: dict[str, list[str]]) -> str:
    blocks = []
    for key, heading in (
        ("negative", "Who was more negative?"),
        ("loaded", "Who used more loaded language?"),
        ("caveats", "Caveats"),
    ):
        items = found.get(key) or []
        if not items:
            continue
        lis = "".join(f"<li>{escape_text(s)}</li>" for s in items)
        color = "#9a6700" if key == "caveats" else "#1f2328"
        blocks.append(
            f'<div style="font-weight: 600; margin-top: 4px;">{heading}</div>'
            f'<ul style="margin: 2px 0 6px 18px; padding: 0; color: {color};">{lis}</ul>'
        )
    return '<div style="font-size: 0.88rem; line-height: 1.4;">' + "".join(blocks) + "</div>"


url, version = common.current()
events = common.events(url, version)
if not events:
    st.info("No events yet: add articles first.")
    st.page_link(common.PAGE_ADD, label="Add articles", icon=":material/add_link:")
    st.stop()

by_slug = {e["slug"]: e for e in events}
slugs = list(by_slug)
busiest = max(range(len(events)), key=lambda i: (events[i]["outlets"], events[i]["articles"]))

# The URL (?event=<slug or name>) picks the event when it changes (a shared link, the Events page);
# otherwise the selectbox keeps the user's choice.  The URL is kept in step with the choice.
wanted = st.query_params.get("event")
if wanted is not None and wanted != st.session_state.get("_event_from_url"):
    st.session_state["_event_from_url"] = wanted
    match = next((s for s, e in by_slug.items() if wanted in (s, e["name"]) or slugify(wanted) == s), None)
    if match:
        st.session_state["event"] = match
if st.session_state.get("event") not in by_slug:  # widget state is dropped on other pages
    remembered = st.session_state.get("_event_choice")
    st.session_state["event"] = remembered if remembered in by_slug else slugs[busiest]

top = st.columns([4, 5, 2], vertical_alignment="bottom")
with top[0]:
    slug = st.selectbox(
        "Event",
        slugs,
        format_func=lambda s: f"{by_slug[s]['name']} ({by_slug[s]['articles']} articles)",
        key="event",
    )
if st.query_params.get("event") != slug:
    st.query_params["event"] = slug
st.session_state["_event_from_url"] = slug
st.session_state["_event_choice"] = slug
event = by_slug[slug]
data = _analysis(url, version, event["id"])
rows = common.event_rows(url, version, event["id"])
summary = data["summary"]
colors = common.outlet_colors(url, version)
outlets = list(summary["outlet"])

with top[1]:
    if len(outlets) > MAX_SIDE_BY_SIDE:
        shown = st.multiselect(
            f"Outlets side by side (up to {MAX_SIDE_BY_SIDE})",
            outlets,
            default=outlets[:MAX_SIDE_BY_SIDE],
            max_selections=MAX_SIDE_BY_SIDE,
            key=f"outlets-{slug}",
        )
    else:
        shown = outlets
        st.caption(f"{len(outlets)} outlets side by side below")
with top[2]:
    st.download_button(
        "Event report",
        data=functools.partial(
            _report_bytes, url, version, event["id"], event["name"], event["description"] or "", slug
        ),
        file_name=f"{slug}_report.html",
        mime="text/html",
        on_click="ignore",
        icon=":material/description:",
        key="report",
        help="One self-contained HTML file: summary, charts and the articles side by side",
        width="stretch",
    )

if not rows:
    st.info("This event has no articles yet.")
    st.stop()

first, last = common.fmt_date(event["first"]), common.fmt_date(event["last"])
bad = [r for r in rows if r["health"] != "ok"]
meta = f"{len(rows)} articles from {len(outlets)} outlets · {first} to {last}"
if bad:
    meta += f" · {len(bad)} with health problems"
desc = event.get("description") or ""
st.html(
    f'<div style="font-size: 1.5rem; font-weight: 700; line-height: 1.2;">{escape_text(event["name"])}</div>'
    f'<div style="color: #555; font-size: 0.9rem;">{escape_text(desc)}'
    f"{' · ' if desc else ''}{escape_text(meta)}</div>"
)

left, right = st.columns([7, 5], gap="medium")
with left:
    st.html(summary_table_html(summary, colors))
with right:
    st.html(_findings_html(data["findings"]))

common.chart(charts.outlet_interval_chart(summary, colors), slug, "outlets", key="outlets")

c1, c2 = st.columns(2, gap="medium")
with c1:
    common.chart(charts.sentence_arc_chart(data["sentences"], colors), slug, "sentence-sentiment", key="arc")
with c2:
    common.chart(charts.category_chart(data["categories"], outlets), slug, "loaded-categories", key="cats")

failed = common.failed_attempts(url, version, event["id"])
if failed:
    with st.expander(f"{len(failed)} URL(s) of this event could not be fetched"):
        st.dataframe(
            [{"url": f["url"], "problem": f["health"], "reason": f["reason"]} for f in failed],
            hide_index=True,
        )

st.subheader("The articles side by side")
cats = sorted(
    {c for r in rows for c in r["categories"]} | {sp["category"] for r in rows for sp in r["spans"]}
)
cat_colors = charts.category_colors(cats)
st.html(category_legend_html(cat_colors))
if not shown:
    st.info("Choose at least one outlet above.")
    st.stop()
columns = st.columns(len(shown), gap="small", border=True)
for col, outlet in zip(columns, shown, strict=True):
    arts = sorted(
        (r for r in rows if r["outlet"] == outlet),
        key=lambda r: (r["published"] is None, r["published"] or 0, -(r["words"] or 0)),
    )
    with col:
        if len(arts) > 1:
            pick = st.selectbox(
                f"{len(arts)} articles",
                range(len(arts)),
                format_func=lambda i, a=arts: (
                    f"{common.fmt_date(a[i]['published'], 'no date')} · {a[i]['title'][:60]}"
                ),
                key=f"pick-{slug}-{outlet}",
            )
            art = arts[pick]
        else:
            art = arts[0]
        st.html(
            article_header_html(art, colors)
            + categories_html(art["categories"], art["words"], cat_colors)
            + article_html(
                art["text"], art["spans"], art["sentences"], colors=cat_colors, max_height=ARTICLE_HEIGHT
            )
        )

st.caption(
    "Sentiment: VADER compound (−1 negative … +1 positive), sentences weighted by length. Loaded language: "
    "weight of flagged words per 1,000 words, the outlet's own words only (quotes are the speaker's, "
    "shown dashed). 95% intervals: 1,000 bootstrap resamples of sentences. Scores describe wording, "
    "not truth or intent."
)
