"""Reviewing the evidence on the Compare page: a "Review flags" panel under each article, the
click-to-review links of the highlighted words, and the event's history.

A click (or tap) on a highlighted word follows a link ``?event=<slug>&flag=<article id>:<offset>``;
the page then opens that article's panel with the word chosen.  In the panel a pill per flagged
word chooses one without a reload.  Each action is a correction row in the database (with a
history row); the page's cache key includes the newest history row, so the rates, charts and
findings are recomputed from the stored spans at once (nothing is re-scored)."""

from __future__ import annotations

from collections import defaultdict

import streamlit as st

from analysis.compare.corrections import CATEGORIES, USER_RULE, deciding_correction, term_key
from analysis.compare.topics import TOPIC_CATEGORY
from analysis.present.provenance import plural
from analysis.store import StoreError
from app_pages import common

FLAG_PARAM = "flag"  # query parameter of a clicked word: "<article id>:<span start>"
HISTORY_ROWS = 200  # rows of history shown on the page (the CLI and the export have them all)
_SCOPE_WORDS = {"article": "in this article", "event": "in this event", "global": "everywhere"}


def link_prefix(slug: str, article_id: int) -> str:
    """The start of a highlighted word's link; the span's start offset follows it."""
    return f"?event={slug}&{FLAG_PARAM}={article_id}:"


def clicked_flag() -> tuple[int, int] | None:
    """(article id, span start) of the word clicked, from the URL, or None."""
    raw = st.query_params.get(FLAG_PARAM)
    if not raw or ":" not in raw:
        return None
    aid, _, start = raw.partition(":")
    try:
        return int(aid), int(start)
    except ValueError:
        return None


def _act(
    kind: str, term: str, *, article_id: int | None = None, event: int | None = None, **extra: object
) -> None:
    """A button's callback: record one correction (with its history row) and say what changed."""
    try:
        done = common.store().set_correction(
            kind,
            term,
            article_id=article_id,
            event=event,
            user=common.current_user(),
            **extra,  # type: ignore[arg-type]
        )
    except StoreError as exc:
        st.session_state["_review_message"] = ("error", str(exc))
        return
    where = _SCOPE_WORDS[done["scope"]]
    st.session_state["_review_message"] = ("ok", f"“{term}” {where}: {done['before']} → {done['after']}")


def show_message() -> None:
    msg = st.session_state.pop("_review_message", None)
    if msg:
        (st.error if msg[0] == "error" else st.toast)(msg[1])


def _word_options(art: dict) -> dict[str, list[dict]]:
    """Every flagged word of the article (counted or left out), by its matching key."""
    by_word: dict[str, list[dict]] = defaultdict(list)
    for sp in [*(art.get("spans") or []), *(art.get("dismissed_spans") or [])]:
        by_word[term_key(str(sp.get("text", "")))].append(sp)
    return dict(sorted(by_word.items(), key=lambda kv: min(int(sp["start"]) for sp in kv[1])))


def review_panel(art: dict, event_id: int, corrections: list[dict], clicked: int | None, key: str) -> None:
    """The "Review flags" panel of one article; ``clicked``: the start offset of a clicked word."""
    words = _word_options(art)
    n_out = len(art.get("dismissed_spans") or [])
    # lazy: the panel's widgets are built (and sent) only while it is open; a click opens it.  The
    # label never changes, so the panel stays open after an action.
    panel = st.expander("Review flags", expanded=clicked is not None, key=f"review-{key}", on_change="rerun")
    if not panel.open:
        return
    with panel:
        st.caption(f"{len(art.get('spans') or [])} flags counted" + (f", {n_out} left out" if n_out else ""))
        read_only = common.store().read_only
        if read_only:
            st.caption("The database is open read-only: corrections cannot be saved.")
        if words:
            default = None
            if clicked is not None:
                default = next(
                    (w for w, sps in words.items() if any(int(sp["start"]) == clicked for sp in sps)), None
                )
            pick_key = f"pick-word-{key}"
            if default is not None and st.session_state.get(f"_clicked-{key}") != clicked:
                st.session_state[f"_clicked-{key}"] = clicked
                st.session_state[pick_key] = default
            word = st.pills("Flagged words", list(words), key=pick_key, selection_mode="single")
            if word:
                _word_actions(art, event_id, corrections, word, words[word], read_only, key)
        else:
            st.caption("No flagged words in this article.")
        _add_form(art, event_id, read_only, key)
        _article_history(art["id"])


def _word_actions(
    art: dict, event_id: int, corrections: list[dict], word: str, spans: list[dict], read_only: bool, key: str
) -> None:
    sp = spans[0]
    # a topic word of the event (found by the rule or marked by a person) is shown, not counted
    is_topic = sp.get("category") == TOPIC_CATEGORY
    status = sp.get("status") or ("topic word of this event" if is_topic else None)
    rule = sp.get("rule") or "lexicon"
    shown = common.md_escape(sp.get("text", word))
    category = common.md_escape(sp.get("topic_of") if is_topic else sp.get("category"))
    st.markdown(
        f"**{shown}** · category **{category}** · "
        f"weight {float(sp.get('weight') or 0):.2f} · rule `{rule}`"
        + (" (added by a person)" if rule == USER_RULE else "")
        + f" · {len(spans)}× in this article"
        + (" · quoted (the speaker's words)" if sp.get("quoted") else "")
        + (f" · **{status}**: not counted" if status else "")
    )
    aid = int(art["id"])
    flag = deciding_correction(word, corrections, aid, event_id)
    with st.container(horizontal=True, gap="small", key=f"acts-{key}"):
        if status != "dismissed":
            scopes: tuple[tuple[str, str, dict], ...] = (
                ("in this article", "a", {"article_id": aid}),
                ("in this event", "e", {"event": event_id}),
                ("everywhere", "g", {}),
            )
            for label, short, scope_kwargs in scopes:
                st.button(
                    f"Dismiss {label}",
                    key=f"dis-{short}-{key}",
                    disabled=read_only,
                    on_click=_act,
                    args=("dismiss", word),
                    kwargs=scope_kwargs,
                )
        elif flag is not None:
            scope = (
                {"article_id": aid}
                if flag.scope == "article"
                else {"event": event_id}
                if flag.scope == "event"
                else {}
            )
            st.button(
                f"Restore (undo the dismissal {_SCOPE_WORDS[flag.scope]})",
                key=f"restore-{key}",
                disabled=read_only,
                on_click=_act,
                args=("restore", word),
                kwargs=scope,
                type="primary",
            )
        if is_topic:
            st.button(
                "Not a topic word",
                key=f"untopic-{key}",
                disabled=read_only,
                on_click=_act,
                args=("not_topic", word),
                kwargs={"event": event_id},
            )
        else:
            st.button(
                "Topic word of this event",
                key=f"topic-{key}",
                disabled=read_only,
                on_click=_act,
                args=("topic", word),
                kwargs={"event": event_id},
                help="A word the event is about (the storm, the strike): shown, not counted in the rates",
            )


def _add_form(art: dict, event_id: int, read_only: bool, key: str) -> None:
    with st.form(f"add-{key}", clear_on_submit=True, border=False):
        # one per line: the outlet columns are narrow
        term = st.text_input("Add a word or phrase as loaded", key=f"add-term-{key}", max_chars=200)
        category = st.selectbox("Category", CATEGORIES, key=f"add-cat-{key}")
        scope = st.radio("Where", ("this event", "everywhere"), key=f"add-scope-{key}", horizontal=True)
        if st.form_submit_button("Add", disabled=read_only) and term.strip():
            _act("add", term.strip(), event=event_id if scope == "this event" else None, category=category)
            st.rerun()


def _article_history(article_id: int) -> None:
    rows = common.store().history(article_id=article_id, limit=HISTORY_ROWS)
    if rows:
        st.caption("History of this article")
        st.dataframe(_history_table(rows), hide_index=True, key=f"hist-article-{article_id}")


def _history_table(rows: list[dict]) -> list[dict]:
    return [
        {
            "when": r["at"],
            "who": r["user"],
            "what": r["action"],
            "word / event": r["subject"],
            "before": r["before"],
            "after": r["after"],
        }
        for r in rows
    ]


def event_history(event_id: int) -> None:
    """The event's history (its own changes, its articles', corrections made everywhere)."""
    rows = common.store().history(event_id=event_id, limit=HISTORY_ROWS)
    history = st.expander(
        f"History of this event ({plural(len(rows), 'change')})", key="event-history", on_change="rerun"
    )
    if not history.open:
        return
    with history:
        if rows:
            st.dataframe(_history_table(rows), hide_index=True, key="event-history-table")
        else:
            st.caption(
                "Nothing changed by hand yet: dismiss or add a flag under an article, or edit the event."
            )
