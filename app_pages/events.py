"""Events: every event with its coverage, outlet × event heatmaps, and editing the events."""

from __future__ import annotations

from typing import NoReturn

import pandas as pd
import streamlit as st

from analysis.compare import summary as compare
from analysis.present import charts
from analysis.present.provenance import Provenance, frame_provenance, plural
from analysis.store import EventChangedError, StoreError
from app_pages import common

# Up to this many events shown, the loaded-language heatmap counts as the Compare page does (each
# event's rows with text, corrections and topic words: ~0.1 s an event, cached with the Compare page);
# beyond it, the stored scores (reading every text would make the page slow at 10k articles).
COUNTED_EVENTS_MAX = 40
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


PICK_KEYS = tuple(k for k in EDIT_KEYS if not k.endswith("-name"))  # the pickers, not typed names


def _edit(action, success: str) -> None:  # noqa: ANN001 - a zero-argument callable
    """Run one edit; remember its outcome for the next run, clear the caches and rerun on success."""
    try:
        result = action()
    except EventChangedError as exc:
        _refuse(f"{exc}.", reset_picks=True)
    except StoreError as exc:
        _refuse(f"{exc}")
    st.session_state["_edit_message"] = ("success", success.replace("{result}", str(result)))
    for k in EDIT_KEYS:
        st.session_state.pop(k, None)
    st.session_state.pop("_edit_chosen", None)
    st.cache_data.clear()
    st.rerun()


def _refuse(message: str, *, reset_picks: bool = False) -> NoReturn:
    """Show ``message`` as an error above the buttons (now: rerun), keeping what was typed; with
    ``reset_picks`` the pickers are emptied too (what they showed is out of date)."""
    st.session_state["_edit_message"] = ("error", message)
    if reset_picks:
        for k in PICK_KEYS:
            st.session_state.pop(k, None)
        st.session_state.pop("_edit_chosen", None)
        st.cache_data.clear()  # the page is redrawn from the database as it is now
    st.rerun()


def _track(
    key: str, chosen: list[int], labels: dict[int, str], names: dict[int, str], *, single: bool = False
) -> tuple[dict[int, str], list[str]]:
    """What the person chose in picker ``key``: ({id: name as shown when chosen}, [lost labels]).

    Streamlit identifies a choice by its label: when a chosen event (or article) is renamed,
    merged, moved or deleted elsewhere, its label changes and the browser's choice no longer
    matches any option, so Streamlit drops it (a selectbox falls back to its placeholder here).
    Such dropped choices are "lost" and the action is refused.  A choice the person removed
    themselves still has its label among the options, so it is not lost; a new choice in a
    single-choice picker replaces what was lost.  The names are those shown when the person
    chose, so the Store can refuse the edit if the event has been renamed since."""
    every = st.session_state.setdefault("_edit_chosen", {})
    state = every.setdefault(key, {"chosen": {}, "lost": []})
    before: dict[int, tuple[str, str]] = state["chosen"]
    lost = state["lost"] + [
        lab for i, (lab, _n) in before.items() if i not in chosen and labels.get(i) != lab
    ]
    if single and chosen and chosen[0] not in before:
        lost = []
    state["chosen"] = {i: before.get(i, (labels[i], names[i])) for i in chosen if i in labels}
    state["lost"] = lost
    return {i: name for i, (_lab, name) in state["chosen"].items()}, lost


def _refuse_lost(lost: list[str]) -> NoReturn:
    names = ", ".join(f"“{x}”" for x in dict.fromkeys(lost))
    _refuse(
        f"{names} changed since you chose it (renamed, merged, moved or deleted elsewhere): "
        "nothing was done. Check the list and choose again.",
        reset_picks=True,
    )


def _regroup() -> None:
    try:
        import analysis.events.grouper  # noqa: F401 - regroup imports it lazily: fail here, not halfway
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
    except (StoreError, ValueError) as exc:
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


def _event_labels(events: list[dict]) -> dict[int, str]:
    """The label of each event in the pickers: its name (and "auto"), no article count — a count
    changes with every ingest, and a changed label drops the choice (see _changed_choices)."""
    labels = {e["id"]: e["name"] + (" · auto" if e.get("auto") else "") for e in events}
    seen: dict[str, int] = {}
    for lab in labels.values():
        seen[lab] = seen.get(lab, 0) + 1
    return {i: lab if seen[lab] == 1 else f"{lab} · #{i}" for i, lab in labels.items()}


def _edit_controls(events: list[dict], articles: pd.DataFrame) -> None:
    """Every action targets events by id, names them in its message, and is refused when what the
    person chose has changed since (see _track; the Store checks the names again in its
    transaction: ``expected_names``)."""
    s = common.store()
    by_id = {e["id"]: e for e in events}
    ids = list(by_id)
    labels = _event_labels(events)
    names = {i: e["name"] for i, e in by_id.items()}

    def ev_label(i: int) -> str:
        return labels.get(i, f"event #{i}")

    def pick_event(box, label: str, key: str) -> tuple[int | None, dict[int, str], list[str]]:  # noqa: ANN001
        which = box.selectbox(
            label, ids, index=None, format_func=ev_label, placeholder="Choose an event", key=key
        )
        seen, lost = _track(key, [] if which is None else [which], labels, names, single=True)
        return which, seen, lost

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
        which, seen, lost = pick_event(c1, "Event", "ed-rename-event")
        new = c2.text_input("New name", key="ed-rename-name", max_chars=200)
        if c3.button("Rename", key="ed-rename", width="stretch"):
            if lost:
                _refuse_lost(lost)
            if which is None:
                _refuse("Choose the event to rename.")
            _edit(
                lambda: s.rename_event(which, new, expected_names=seen, user=common.current_user()),
                f"Renamed “{seen[which]}” to “{' '.join(new.split())}”.",
            )
    with t_merge:
        c1, c2, c3 = st.columns([4, 4, 1], vertical_alignment="bottom")
        sources = c1.multiselect("Merge these events", ids, format_func=ev_label, key="ed-merge-sources")
        seen_sources, lost = _track("ed-merge-sources", sources, labels, names)
        target, seen_target, lost_target = pick_event(c2, "into", "ed-merge-target")
        if c3.button("Merge", key="ed-merge", width="stretch", disabled=not sources and not lost):
            if lost or lost_target:
                _refuse_lost(lost + lost_target)
            if target is None or not sources:
                _refuse("Choose the events to merge and the event they go into.")
            merged = ", ".join(f"“{n}”" for i, n in seen_sources.items() if i != target) or "nothing"
            _edit(
                lambda: s.merge_events(
                    sources, target, expected_names=seen_sources | seen_target, user=common.current_user()
                ),
                f"Merged {merged} into “{seen_target[target]}”: " + "{result} article(s) moved.",
            )
    with t_move:
        c1, c2, c3 = st.columns([5, 3, 1], vertical_alignment="bottom")
        picked = c1.multiselect(
            "Articles", list(art_label), format_func=lambda i: art_label[i], key="ed-move-articles"
        )
        _seen, lost = _track("ed-move-articles", picked, art_label, art_label)
        target, seen_target, lost_target = pick_event(c2, "to event", "ed-move-target")
        if c3.button("Move", key="ed-move", width="stretch", disabled=not picked and not lost):
            if lost or lost_target:
                _refuse_lost(lost + lost_target)
            if target is None or not picked:
                _refuse("Choose the articles to move and the event they go to.")
            _edit(
                lambda: s.move_articles(
                    picked, target, expected_names=seen_target, user=common.current_user()
                ),
                "{result} article(s) moved to " + f"“{seen_target[target]}”.",
            )
    with t_split:
        c1, c2 = st.columns([4, 4], vertical_alignment="bottom")
        which, seen, lost = pick_event(c1, "Event", "ed-split-event")
        in_event = set(art[art["event"] == names[which]]["id"]) if which is not None else set()
        inside = {i: lab for i, lab in art_label.items() if i in in_event}
        new = c2.text_input("New event name", key="ed-split-name", max_chars=200)
        c3, c4 = st.columns([8, 1], vertical_alignment="bottom")
        picked = c3.multiselect(
            "Articles that go to the new event",
            list(inside),
            format_func=lambda i: inside[i],
            key="ed-split-articles",
        )
        lost += _track("ed-split-articles", picked, inside, inside)[1]
        if c4.button("Split", key="ed-split", width="stretch", disabled=not picked and not lost):
            if lost:
                _refuse_lost(lost)
            if which is None or not picked:
                _refuse("Choose the event and the articles that go to the new event.")
            _edit(
                lambda: s.split_event(which, picked, new, expected_names=seen, user=common.current_user()),
                f"{plural(len(picked), 'article')} of “{seen[which]}” split into “{' '.join(new.split())}”.",
            )
    with t_group:
        st.caption(
            "Groups the articles no person has placed (added without an event name, or in an automatic "
            "event) by their words, names and dates. Events marked auto were made this way; renaming, "
            "merging, moving or splitting makes an event yours, and grouping never changes it again."
        )
        if st.button("Group articles without an event", key="ed-regroup", icon=":material/auto_awesome:"):
            _regroup()


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=16)
def _event_coverage(
    url: str, version: tuple, filters: tuple, _shown: list[dict], _sel: pd.DataFrame
) -> pd.DataFrame:
    """``compare.event_coverage`` (~0.7 s at 10k articles), once per data version and filters (which
    ``_shown`` and ``_sel`` follow from: not hashed)."""
    return compare.event_coverage(_shown, _sel)


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=16)
@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=8)
def _counted_rates(url: str, version: tuple, event_ids: tuple[int, ...]) -> dict[int, float]:
    """Article id -> loaded rate as the Compare page counts it (``common.event_view``: corrections,
    then the event's topic words), for the events ``event_ids``."""
    out: dict[int, float] = {}
    for event_id in event_ids:
        for r in common.event_rows(url, version, event_id):
            if r.get("id") is not None and r.get("loaded_rate") is not None:
                out[int(r["id"])] = float(r["loaded_rate"])
    return out


def _provenance(url: str, version: tuple, filters: tuple, _sel: pd.DataFrame) -> Provenance:
    return frame_provenance("Events shown in the table", _sel)


def compare_title(title: object) -> str:
    t = " ".join(str(title or "").split())
    return t if len(t) <= TITLE_CHARS else t[: TITLE_CHARS - 1] + "…"


url, version = common.current()
events = common.events(url, version)
articles = common.all_articles(url, version)

st.html('<div style="font-size: 1.5rem; font-weight: 700;">Events</div>')
if not events:
    if len(articles):  # a real database whose articles nobody has grouped yet (the demo is not loaded)
        st.info(f"{plural(len(articles), 'article')} stored, none in an event yet: group them, or add more.")
        message = st.session_state.pop("_edit_message", None)
        if message:
            (st.error if message[0] == "error" else st.success)(common.md_escape(message[1]))
        if st.button("Group articles without an event", key="ed-regroup", icon=":material/auto_awesome:"):
            _regroup()
    else:
        st.info("No events yet: add articles, or run `python -m analysis demo` to load the demo corpus.")
    st.page_link(common.PAGE_ADD, label="Add articles", icon=":material/add_link:")
    st.stop()

with st.expander(
    "Edit events", icon=":material/edit:", expanded="_edit_message" in st.session_state, key="ev-edit"
):
    _edit_controls(events, articles)

dates = articles["published"].dropna()
# The filters keep their values for the whole session (persist_state): back from an event's
# comparison, or from any other page, the table shows what it showed before.
f1, f2, f3 = st.columns([3, 4, 3], vertical_alignment="bottom")
with f1:
    search = st.text_input(
        "Search events",
        placeholder="name, description or headline",
        key="ev-search",
        persist_state="session",
    )
with f2:
    outlet_filter = st.multiselect(
        "Outlets",
        sorted(articles["outlet"].dropna().unique()),
        placeholder="all outlets",
        key="ev-outlets",
        persist_state="session",
    )
with f3:
    if len(dates):
        lo, hi = dates.min().date(), dates.max().date()
        picked = st.date_input(
            "Published between",
            value=(lo, hi),
            min_value=lo,
            max_value=hi,
            key="ev-dates",
            persist_state="session",
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
filters = (tuple(outlet_filter), str(picked), search.strip())  # what ``shown`` and ``sel`` follow from
coverage = _event_coverage(url, version, filters, shown, sel)

if coverage.empty:
    st.info("No event matches these filters.")
    st.stop()

auto = {e["name"]: bool(e.get("auto")) for e in events}
coverage["made"] = ["auto" if auto.get(n) else "" for n in coverage["event"]]
st.caption("Tap an event's row (the box on its left) to compare its outlets.")
table = st.dataframe(
    coverage[["event", "made", "articles", "outlet_count", "outlets", "first", "last", "problems"]],
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
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
    },
    key="ev-table",
)
if table.selection.rows:  # open the event in this tab; the filters are restored on the way back
    st.switch_page(
        common.PAGE_COMPARE, query_params={"event": coverage["slug"].iloc[table.selection.rows[0]]}
    )

caption = _provenance(url, version, filters, sel)
event_ids = tuple(sorted({int(e["id"]) for e in shown if e["articles"]}))
counted = len(event_ids) <= COUNTED_EVENTS_MAX
loaded_sel = sel
if counted and len(sel):  # the rates as the Compare page counts them (corrections, topic words)
    rates = _counted_rates(url, version, event_ids)
    loaded_sel = sel.assign(loaded_rate=sel["id"].map(rates).fillna(sel["loaded_rate"]))
common.chart(
    charts.heatmap_chart(compare.outlet_event_matrix(sel, "sentiment"), "sentiment"),
    "events",
    "sentiment-heatmap",
    key="hm-sent",
    caption=caption,
)
common.chart(
    charts.heatmap_chart(compare.outlet_event_matrix(loaded_sel, "loaded_rate"), "loaded_rate"),
    "events",
    "loaded-heatmap",
    key="hm-loaded",
    caption=caption,
)
st.caption(
    "Cells: word-weighted mean over an outlet's articles on the event; blank: no article. Failed "
    "fetches and empty pages are left out. Open an event (tap its row in the table) for the details."
    + (
        " Loaded language is counted as on the Compare page: your corrections applied, each event's "
        "topic words not counted."
        if counted
        else f" Loaded language: the scores as stored (with more than {COUNTED_EVENTS_MAX} events "
        "shown, your corrections and the events' topic words are applied on the Compare page only; "
        "narrow the filters to see them here)."
    )
)
