"""The Compare page's "Edit article" expander: fix an article's date, headline, outlet or authors,
delete it or bring it back.  Every change is written to the history (who, when, before → after)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import streamlit as st

from analysis.store import StoreError
from app_pages import common


def _save(article_id: int, key: str) -> None:
    d: date | None = st.session_state.get(f"ae-date-{key}")
    try:
        changed = common.store().edit_article(
            article_id,
            published=datetime(d.year, d.month, d.day, tzinfo=UTC) if d else None,
            title=st.session_state.get(f"ae-title-{key}"),
            outlet=st.session_state.get(f"ae-outlet-{key}"),
            authors=[a for a in st.session_state.get(f"ae-authors-{key}", "").split(";") if a.strip()],
            user=common.current_user(),
        )
    except StoreError as exc:
        st.session_state["_article_edit_message"] = ("error", str(exc))
        return
    what = ", ".join(changed) if changed else "nothing (the values were already so)"
    st.session_state["_article_edit_message"] = ("ok", f"Article {article_id}: changed {what}")


def _delete(article_id: int, deleted: bool) -> None:
    s, user = common.store(), common.current_user()
    (s.delete_article if deleted else s.restore_article)(article_id, user=user)
    word = "deleted (hidden everywhere; restore it below)" if deleted else "restored"
    st.session_state["_article_edit_message"] = ("ok", f"Article {article_id} {word}")


def show_message() -> None:
    msg = st.session_state.pop("_article_edit_message", None)
    if msg:
        (st.error if msg[0] == "error" else st.success)(msg[1])


def edit_panel(art: dict, key: str) -> None:
    """Fields and buttons for one article (``art``: a row of ``Store.event_articles``)."""
    with st.expander("Edit article"):
        published = art.get("published")
        st.date_input(
            "Date",
            value=published.date() if published else None,
            max_value=datetime.now(UTC).date() + timedelta(days=1),
            key=f"ae-date-{key}",
        )
        st.text_input("Headline", value=art["title"], key=f"ae-title-{key}")
        st.text_input("Outlet", value=art["outlet"], key=f"ae-outlet-{key}")
        st.text_input(
            "Authors (separated by ;)", value="; ".join(art.get("authors") or []), key=f"ae-authors-{key}"
        )
        c1, c2 = st.columns(2)
        c1.button("Save", key=f"ae-save-{key}", on_click=_save, args=(art["id"], key))
        c2.button("Delete article", key=f"ae-delete-{key}", on_click=_delete, args=(art["id"], True))


def restore_panel() -> None:
    """Deleted articles, each with a Restore button (shown only when there are some)."""
    gone = common.store().deleted_articles()
    if gone:
        with st.expander(f"{len(gone)} deleted article(s)"):
            for g in gone:
                st.button(
                    f"Restore {g['id']}: {g['title'][:80]} ({g['outlet']})",
                    key=f"ae-restore-{g['id']}",
                    on_click=_delete,
                    args=(g["id"], False),
                )
