"""Views of who gets to speak and what things are called: the Voices tab of the Compare page and
the voices section of the Outlets page (widgets only; the analysis is in analysis/compare)."""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd
import streamlit as st

from analysis.compare import summary as compare
from analysis.compare.labels import label_table, labels_side_by_side
from analysis.compare.roles import ROLES
from analysis.compare.voice_tables import event_voices, outlet_voice_mix, verb_table, voice_share
from analysis.present.charts_voices import voice_roles_chart
from app_pages import common

VOICE_SHOWN = ["outlet", "speaker", "role", "verb", "kind", "words", "text", "title"]


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=16)
def event_voice_frame(url: str, version: tuple, event_id: int, overrides: tuple = ()) -> pd.DataFrame:
    rows = [r for r in common.event_rows(url, version, event_id) if compare.usable(r)]
    return event_voices(rows, dict(overrides), common.stored_quotes(url, version, _ids(rows)))


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=16)
def _labels(url: str, version: tuple, event_id: int, by_meaning: bool = False) -> pd.DataFrame:
    rows = [r for r in common.event_rows(url, version, event_id) if compare.usable(r)]
    return labels_side_by_side(label_table(rows, by_meaning=by_meaning))


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=4)
def _all_voices(url: str, version: tuple, overrides: tuple = ()) -> pd.DataFrame:
    rows = [r for r in common.article_meta(url, version) if compare.usable(r)]  # no text needed:
    return event_voices(rows, dict(overrides), common.stored_quotes(url, version, None))  # stored quotes


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=4)
def _outlet_voices(url: str, version: tuple, overrides: tuple = ()) -> tuple[Any, pd.DataFrame]:
    """The Outlets page's voices chart (None: no quote) and mix table, cached as they are shown (a
    cache hit then does not copy every quote of the database)."""
    voices = _all_voices(url, version, overrides)
    if voices.empty:
        return None, pd.DataFrame()
    chart = voice_roles_chart(voices, "Whose words each outlet carries, all events")
    return chart, outlet_voice_mix(voices)


def _ids(rows: list[dict]) -> tuple[int, ...]:
    return tuple(sorted(int(r["id"]) for r in rows))


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def _json(frame: pd.DataFrame) -> bytes:
    return frame.to_json(orient="records", force_ascii=False, date_format="iso").encode("utf-8")


def table_downloads(frame: pd.DataFrame, filename: str, key: str) -> None:
    """CSV and JSON download buttons for ``frame`` (``<filename>.csv`` / ``.json``)."""
    with st.container(horizontal=True, gap="small", key=f"tdl-{key}"):
        for fmt, fn, mime in (("csv", _csv, "text/csv"), ("json", _json, "application/json")):
            st.download_button(
                fmt.upper(),
                data=functools.partial(fn, frame),
                file_name=f"{filename}.{fmt}",
                mime=mime,
                on_click="ignore",
                icon=":material/download:",
                key=f"tdl-{key}-{fmt}",
            )


def _overrides() -> tuple:
    """The user's speaker roles: stored ones, then this session's (a read-only database)."""
    roles = dict(common.store().speaker_roles())
    roles.update(st.session_state.get("voice_role_overrides", {}))
    return tuple(sorted(roles.items()))


def voices_tab(ev: Any) -> None:  # noqa: ANN401 - app_pages.compare._Event (url, version, event_id, slug)
    """Per event: who each outlet quotes, how much room they get, verbs, one-outlet voices, labels."""
    url, version, event_id, slug = ev.url, ev.version, ev.event_id, ev.slug
    voices = event_voice_frame(url, version, event_id, _overrides())
    if voices.empty:
        st.info("No quotes found in this event's articles.")
        return
    common.chart(voice_roles_chart(voices), slug, "voices-roles", key="voices-roles")
    share = voice_share(voices)
    st.markdown("**Who gets room** — share of each outlet's quoted words; ★ quoted by this outlet only")
    shown = share.assign(only_outlet=share["only_outlet"].map({True: "★", False: ""}))
    st.dataframe(shown, hide_index=True, key="voices-share")
    table_downloads(share, f"{slug}_voices_share", "voices-share")
    st.markdown("**Attribution verbs per outlet** — the verb is itself a choice (said / claimed / admitted)")
    verbs = verb_table(voices).reset_index()
    st.dataframe(verbs, hide_index=True, key="voices-verbs")
    table_downloads(verbs, f"{slug}_voices_verbs", "voices-verbs")
    with st.expander(f"All {len(voices)} quotes, and speaker roles you can correct"):
        st.dataframe(voices[VOICE_SHOWN], hide_index=True, key="voices-all")
        table_downloads(voices, f"{slug}_voices", "voices-all")
        speakers = sorted(s for s in voices["speaker"].unique() if s != "(unattributed)")
        with st.form("voice-role-form", border=False):
            who = st.selectbox("Speaker", speakers, key="voice-role-speaker")
            role = st.selectbox("Role", ROLES, key="voice-role-role")
            if st.form_submit_button("Set role") and who:
                store = common.store()
                if store.read_only:
                    st.session_state.setdefault("voice_role_overrides", {})[who] = role
                else:
                    store.set_speaker_role(who, role)
                st.rerun()
        st.caption(
            "A role you set is saved in the database and used in every event and on the Outlets page "
            "(for a read-only database: for this session). Command line: python -m analysis role NAME ROLE."
        )
    st.markdown("**Labels** — what each outlet calls the same person, group or thing")
    by_meaning = st.toggle(
        "Group labels by meaning",
        value=False,
        key="voices-labels-meaning",
        help="Off (default): only phrases with the same last word are grouped. On: phrases with "
        "different words are also grouped by an embedding model (basis 'meaning'); on unseen events "
        "that grouping is less accurate than head words alone (Method & limits).",
    )
    labels = _labels(url, version, event_id, by_meaning)
    st.dataframe(labels, hide_index=True, key="voices-labels")
    if not labels.empty:
        table_downloads(labels, f"{slug}_labels", "voices-labels")
    st.caption(
        "Quotes and speakers are found by rules (reporting verbs, names, 'according to', a colon "
        "before a quotation; 'he said' goes to the last person named). Roles come from titles and "
        "descriptions ('a Kelby councillor') and a word table: check surprising rows. Labels are "
        "grouped by name, by the last word of a noun phrase and (basis 'meaning') by an embedding "
        "model; that grouping finds more pairs but is often wrong (see Method & limits)."
    )


def outlet_voices_section() -> None:
    """Per outlet across events: its mix of voices and its share of unnamed sources."""
    url, version = common.current()
    st.subheader("Voices")
    fig, mix = _outlet_voices(url, version, _overrides())
    if fig is None:
        st.info("No quotes found.")
        return
    common.chart(fig, "outlets", "voices-roles", key="outlets-voices")
    st.dataframe(mix, hide_index=True, key="outlets-voice-mix")
    table_downloads(mix, "outlets_voice_mix", "outlets-voice-mix")
    st.caption(
        "Share of each outlet's attributed quotes per speaker role; unnamed_share: quotes from "
        "unnamed sources ('officials', 'a spokesperson', 'critics')."
    )
