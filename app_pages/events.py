"""Events: every event with its coverage, outlet × event heatmaps, and editing the events."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from analysis import charts, compare
from analysis.store import StoreError
from app_pages import common

TITLE_CHARS = 80  # characters of an article's headline in the article pickers
EDIT_KEYS = (  # widget state dropped after a successful edit (its options may have changed)
    "ed-rename-event",
    "ed-rename-name",
    "ed-merge-sources",
    "ed-merge-target",
    "ed-move-articles",
    "ed-move-target",
    "ed-split-event",
    "ed-split-articles",
    "ed-split-name",
)


def _edit(action, success: str) -> None:  # noqa: ANN001 - a zero-argument callable
    """Run one edit; remember its outcome for the next run, clear the caches and rerun on success."""
    try:
        result = action()
    except (StoreError, SQLAlchemyError) as exc:
        st.session_state["_edit_message"] = ("error", f"{exc}")
        st.rerun()  # the message is drawn above the buttons: show it now, keep what was typed
    st.session_state["_edit_message"] = ("success", success.replace("{result}", str(result)))
    for k in EDIT_KEYS:
        st.session_state.pop(k, None)
    st.cache_data.clear()
    st.rerun()


def _regroup() -> None:
    try:
        import analysis.events  # noqa: F401 - regroup imports it lazily: fail here, not halfway
        from analysis.pipeline import regroup
    except ImportError as exc:
        st.session_state["_edit_message"] = (
            "error",
            f"Automatic grouping is not available in this installation yet ({exc}).",
        )
        st.rerun()
    try:
        with st.spinner("Grouping articles without an event …"):
            res = regroup(common.store(), common.settings())
    except (StoreError, SQLAlchemyError, ValueError) as exc:
        st.session_state["_edit_message"] = ("error", f"Grouping failed: {exc}")
        st.rerun()
    st.session_state["_edit_message"] = (
        "success",
        f"Grouped {res.get('free', 0)} article(s) that no person had placed (of {res.get('articles', 0)}): "
        f"{res.get('events_created', 0)} new automatic event(s), {res.get('events_removed', 0)} emptied "
        "automatic event(s) removed. Events you edited or filled yourself are left as they are.",
    )
    st.cache_data.clear()
    st.rerun()


def _edit_controls(events: list[dict], articles: pd.DataFrame) -> None:
    s = common.store()
    by_id = {e["id"]: e for e in events}
    ids = list(by_id)

    def ev_name(i: int) -> str:
        e = by_id[i]
        return f"{e['name']} ({e['articles']})" + (" · auto" if e.get("auto") else "")

    art = articles.dropna(subset=["id"])
    art_label = {
        int(i): f"{o} — {compare_title(t)}" + (f"  [{ev}]" if isinstance(ev, str) else "  [no event]")
        for i, o, t, ev in zip(art["id"], art["outlet"], art["title"], art["event"], strict=True)
    }
    message = st.session_state.pop("_edit_message", None)
    if message:
        (st.error if message[0] == "error" else st.success)(common.md_escape(message[1]))
    t_rename, t_merge, t_move, t_split, t_group = st.tabs(
        ["Rename", "Merge", "Move articles", "Split", "Group automatically"]
    )
    with t_rename:
        c1, c2, c3 = st.columns([4, 4, 1], vertical_alignment="bottom")
        which = c1.selectbox("Event", ids, format_func=ev_name, key="ed-rename-event")
        new = c2.text_input("New name", key="ed-rename-name", max_chars=200)
        if c3.button("Rename", key="ed-rename", width="stretch"):
            _edit(lambda: s.rename_event(which, new), f"Renamed to “{new.strip()}”.")
    with t_merge:
        c1, c2, c3 = st.columns([4, 4, 1], vertical_alignment="bottom")
        sources = c1.multiselect("Merge these events", ids, format_func=ev_name, key="ed-merge-sources")
        target = c2.selectbox("into", ids, format_func=ev_name, key="ed-merge-target")
        if c3.button("Merge", key="ed-merge", width="stretch", disabled=not sources):
            _edit(
                lambda: s.merge_events(sources, target),
                f"Merged into “{by_id[target]['name']}”: " + "{result} article(s) moved.",
            )
    with t_move:
        c1, c2, c3 = st.columns([5, 3, 1], vertical_alignment="bottom")
        picked = c1.multiselect(
            "Articles", list(art_label), format_func=art_label.get, key="ed-move-articles"
        )
        target = c2.selectbox("to event", ids, format_func=ev_name, key="ed-move-target")
        if c3.button("Move", key="ed-move", width="stretch", disabled=not picked):
            _edit(
                lambda: s.move_articles(picked, target),
                "{result} article(s) moved to " + f"“{by_id[target]['name']}”.",
            )
    with t_split:
        c1, c2 = st.columns([4, 4], vertical_alignment="bottom")
        which = c1.selectbox("Event", ids, format_func=ev_name, key="ed-split-event")
        in_event = set(art[art["event"] == by_id[which]["name"]]["id"])  # once, not once per article
        inside = {i: lab for i, lab in art_label.items() if i in in_event}
        new = c2.text_input("New event name", key="ed-split-name", max_chars=200)
        c3, c4 = st.columns([8, 1], vertical_alignment="bottom")
        picked = c3.multiselect(
            "Articles that go to the new event", list(inside), format_func=inside.get, key="ed-split-articles"
        )
        if c4.button("Split", key="ed-split", width="stretch", disabled=not picked):
            _edit(
                lambda: s.split_event(which, picked, new),
                f"{len(picked)} article(s) split into “{new.strip()}”.",
            )
    with t_group:
        st.caption(
            "Groups the articles no person has placed (added without an event name, or in an automatic "
            "event) by their words, names and dates. Events marked auto were made this way; renaming, "
            "merging, moving or splitting makes an event yours, and grouping never changes it again."
        )
        if st.button("Group articles without an event", key="ed-regroup", icon=":material/auto_awesome:"):
            _regroup()


def compare_title(title: object) -> str:
    t = " ".join(str(title or "").split())
    return t if len(t) <= TITLE_CHARS else t[: TITLE_CHARS - 1] + "…"


url, version = common.current()
events = common.events(url, version)
articles = common.all_articles(url, version)

st.html('<div style="font-size: 1.5rem; font-weight: 700;">Events</div>')
if not events:
    st.info("No events yet: add articles, or run `python -m analysis demo` to load the demo corpus.")
    st.page_link(common.PAGE_ADD, label="Add articles", icon=":material/add_link:")
    st.stop()

with st.expander(
    "Edit events", icon=":material/edit:", expanded="_edit_message" in st.session_state, key="ev-edit"
):
    _edit_controls(events, articles)

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

selected_events = set(sel["event"].dropna()) if len(sel) else set()  # once, not once per event
shown = [e for e in events if e["name"] in selected_events]
if not outlet_filter and not search.strip():
    shown_ids = {e["id"] for e in shown}  # empty events stay listed
    shown += [e for e in events if e["articles"] == 0 and e["id"] not in shown_ids]
coverage = compare.event_coverage(shown, sel)

if coverage.empty:
    st.info("No event matches these filters.")
    st.stop()

coverage["open"] = [f"./compare?event={quote(s)}" for s in coverage["slug"]]  # slugs may be Unicode
auto = {e["name"]: bool(e.get("auto")) for e in events}
coverage["made"] = ["auto" if auto.get(n) else "" for n in coverage["event"]]
st.dataframe(
    coverage[["event", "made", "articles", "outlet_count", "outlets", "first", "last", "problems", "open"]],
    hide_index=True,
    column_config={
        "event": st.column_config.TextColumn("Event", width="large"),
        "made": st.column_config.TextColumn(
            "",
            width=48,
            help="auto: made by automatic grouping (not yet reviewed); edit it to make it yours",
        ),
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
