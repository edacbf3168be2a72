"""The dashboard: ``streamlit run app.py``.

A router only: page set-up, the first-run demo load, and navigation.  Each page lives in
``app_pages/`` and holds widgets and cached calls; the analysis is in ``analysis/``.
"""

from __future__ import annotations

import streamlit as st

from app_pages import common, screen

st.set_page_config(
    page_title="Media bias dashboard",
    page_icon="📰",
    layout="wide",
    initial_sidebar_state="collapsed",
)

screen.inject()  # shared CSS (margins, chart toolbar, sideways-scroll cue): app_pages/screen.py

screen.intro()  # two lines on first visit, dismissible for the browser session

problem = common.ensure_data()
if problem:
    st.warning(problem)

pages = [
    st.Page(common.PAGE_EVENTS, title="Events", icon=":material/event:", default=True),
    st.Page(common.PAGE_COMPARE, title="Compare an event", icon=":material/view_column:", url_path="compare"),
    st.Page(common.PAGE_OUTLETS, title="Outlets", icon=":material/newspaper:", url_path="outlets"),
    st.Page(
        common.PAGE_OUTLETS_MANAGE,
        title="Manage outlets",
        icon=":material/edit_note:",
        url_path="manage-outlets",
    ),
    st.Page(common.PAGE_ADD, title="Add articles", icon=":material/add_link:", url_path="add"),
    st.Page(common.PAGE_SEARCH, title="Search", icon=":material/search:", url_path="search"),
    st.Page(common.PAGE_DATA, title="Data", icon=":material/table:", url_path="data"),
    st.Page(common.PAGE_CORRECTIONS, title="Corrections", icon=":material/rule:", url_path="corrections"),
    st.Page(
        common.PAGE_METHOD, title="Method & limits", icon=":material/science:", url_path=common.METHOD_URL
    ),
]
st.navigation(pages, position="top").run()
