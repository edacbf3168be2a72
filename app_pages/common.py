"""Shared Streamlit plumbing for the pages: the cached Store, cached DataFrames, chart downloads.

Pages import this module; it holds widgets and cached calls only.  All computing lives in
``analysis`` (compare, charts, highlight, report), which knows nothing about Streamlit.
"""

from __future__ import annotations

import functools
import threading
import time
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from analysis.compare import summary as compare
from analysis.compare import wordchoice
from analysis.compare.derived import DERIVED_VERSION, article_derived
from analysis.compare.reviewed import ReviewedEvent, reviewed_event, reviewed_rows
from analysis.outlet_table import complete_outlets, label_rows, labelled_colours
from analysis.present import charts, export_renderer
from analysis.present.provenance import TOOL_NAME, Provenance, with_caption
from analysis.scoring.scorer import SCORER_VERSION
from analysis.settings import Settings
from analysis.settings import current_user as settings_user
from analysis.store import Store, StoreError, hide_passwords

PAGE_EVENTS = "app_pages/events.py"
PAGE_COMPARE = "app_pages/compare.py"
PAGE_OUTLETS = "app_pages/outlets.py"
PAGE_ADD = "app_pages/add.py"
PAGE_DATA = "app_pages/data.py"
PAGE_CORRECTIONS = "app_pages/corrections.py"
PAGE_METHOD = "app_pages/method.py"
METHOD_URL = "method"  # the Method & limits page's url_path: links go to METHOD_URL#<section>
PAGE_SEARCH = "app_pages/search.py"
PAGE_OUTLETS_MANAGE = "app_pages/outlets_manage.py"

CACHE_TTL = 600  # seconds; the data version in the cache key makes new articles show at once
IMAGE_CACHE_ENTRIES = 64  # server-rendered PNG/SVG files kept in memory

_demo_lock = threading.Lock()  # one first-run demo load at a time, across sessions


@st.cache_resource(show_spinner=False)
def _store_for(url: str) -> Store:
    store = Store(url)
    complete_outlets(store)  # outlets stored before groups were get data/outlets.csv's groups
    return store


def settings() -> Settings:
    return Settings.from_env()


def current_user() -> str:
    """The name written into the history: ANALYSIS_USER, else the operating-system user."""
    return settings_user(settings())


def store() -> Store:
    """The Store for ``Settings.from_env().database_url`` (one engine per process)."""
    return _store_for(settings().database_url)


def database_url() -> str:
    return settings().database_url


def data_version(s: Store) -> tuple:
    """Changes whenever articles or scores are added or replaced: part of every data cache key."""
    return s.version()


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def events(url: str, version: tuple) -> list[dict]:
    return _store_for(url).list_events()


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def outlet_labels(url: str, version: tuple) -> dict[str, str]:
    """Outlet name (as stored on articles) -> display name: the one place outlet labels come from."""
    return _store_for(url).outlet_labels()


def labelled(rows: list[dict], labels: dict[str, str]) -> list[dict]:
    """``rows`` with each ``outlet`` replaced by its display name.  Every loader below goes through
    here, so every chart and table shows display names."""
    return label_rows(rows, labels)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def article_meta(url: str, version: tuple) -> list[dict]:
    """Every article's fields and scores as dicts (outlets by display name), without text, spans
    or sentences."""
    return labelled(_store_for(url).event_articles(None, with_text=False), outlet_labels(url, version))


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def all_articles(url: str, version: tuple) -> pd.DataFrame:
    """Every article's scores (no text) as a DataFrame."""
    return compare.articles_frame(article_meta(url, version))


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=32)
def stored_quotes(url: str, version: tuple, ids: tuple[int, ...] | None) -> dict[int, list]:
    """The quotes of the articles ``ids`` (None: every article), found once per article and kept in
    the database (``analysis.compare.derived``): not searched again on every page."""
    found = _store_for(url).article_derived(article_derived, DERIVED_VERSION, ids, fields=("quotes",))
    return {i: d["quotes"] for i, d in found.items()}


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def outlet_term_table(url: str, version: tuple) -> pd.DataFrame:
    """Every outlet's word-choice term counts over all its articles (term x outlet), from the sums
    the database keeps per outlet (equal to ``wordchoice.term_counts`` of every article's row, by outlet)."""
    table = wordchoice.count_table(_store_for(url).outlet_terms(article_derived, DERIVED_VERSION))
    return table.rename(columns=outlet_labels(url, version))


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=32)
def corrections(url: str, version: tuple, event_id: int | None) -> list[dict]:
    """The corrections in force in one event (None: all of them)."""
    return _store_for(url).corrections(event_id)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=32)
def event_view(url: str, version: tuple, event_id: int) -> ReviewedEvent:
    """One event's articles with text, spans and sentences as every view counts them
    (``analysis.compare.reviewed``): the corrections applied (the spans they leave out in
    ``dismissed_spans``; nothing is re-scored), then the topic words shown but not counted."""
    rows = labelled(_store_for(url).event_articles(event_id, with_text=True), outlet_labels(url, version))
    return reviewed_event(rows, corrections(url, version, event_id), event_id)


def event_rows(url: str, version: tuple, event_id: int) -> list[dict]:
    """The rows of :func:`event_view`."""
    return event_view(url, version, event_id).rows


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def all_counted_rows(url: str, version: tuple) -> list[dict]:
    """Every article as the Compare page counts it: corrections, then each event's topic words."""
    rows = labelled(_store_for(url).event_articles(None, with_text=True), outlet_labels(url, version))
    return reviewed_rows(rows, corrections(url, version, None))


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def counted_summary(url: str, version: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every article's scores without text, every outlet's flagged words), loaded language as the
    Compare page counts it (:func:`all_counted_rows`), so that the Outlets and Data pages agree with
    Compare and with the exports.  Both from one read of the rows: a cache hit of the rows costs a
    copy of every article (~1 s at 10,000 articles)."""
    rows = all_counted_rows(url, version)
    return compare.articles_frame(rows), compare.flagged_words(rows)


def counted_articles(url: str, version: tuple) -> pd.DataFrame:
    """Every article's scores (no text) as a DataFrame, counted as on the Compare page."""
    return counted_summary(url, version)[0]


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=4)
def word_prior(url: str, version: tuple) -> pd.Series:
    """Background term counts over every event (the informative prior of the word-choice charts),
    from an even sample of the database (``wordchoice.PRIOR_SAMPLE_ARTICLES``)."""
    s = _store_for(url)
    ids = s.sample_ids(wordchoice.PRIOR_SAMPLE_ARTICLES)  # the articles of text_sample, their terms stored
    return wordchoice.prior_from_terms(s.event_article_terms(article_derived, DERIVED_VERSION, ids))


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=32)
def failed_attempts(url: str, version: tuple, event_id: int) -> list[dict]:
    """URLs of this event whose latest fetch failed (url, health, reason, at)."""
    return compare.unresolved_failures(_store_for(url).attempts(event_id))


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def failed_attempts_by_event(url: str, version: tuple) -> dict[int, list[dict]]:
    """:func:`failed_attempts` of every event at once (one query, not one per event)."""
    by_event: dict[int, list[dict]] = {}
    for a in _store_for(url).attempts(None):
        if a["event_id"] is not None:
            by_event.setdefault(int(a["event_id"]), []).append(a)
    return {e: compare.unresolved_failures(rows) for e, rows in by_event.items()}


def current() -> tuple[str, tuple]:
    """(database URL, data version) for the cache keys of this run; the version includes the newest
    correction (history row), so a correction shows at once."""
    s = store()
    return database_url(), (*data_version(s), s.corrections_stamp(), *s.outlets_stamp())


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def outlet_colors(url: str, version: tuple) -> dict[str, str]:
    """The stored colour of every outlet, by display name (the same in every chart and column; given
    once when the outlet was first seen, so a new outlet never repaints another)."""
    return labelled_colours(_store_for(url))


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=16)
def outlet_groups(url: str, version: tuple, dimension: str) -> dict[str, str]:
    """Display name -> the outlet's value in the group ``dimension`` (outlets without one left out)."""
    labels = outlet_labels(url, version)
    return {labels.get(n, n): g for n, g in _store_for(url).outlet_groups(dimension).items()}


def ensure_data() -> str | None:
    """On first run (an empty database: no event, no article, no fetch attempt) load the demo
    corpus with a spinner.  A database with anything in it never gets the fictional demo.

    Returns a message to show when something went wrong, else None.
    """
    if st.session_state.get("_data_checked"):
        return None
    try:
        s = store()
        if not s.is_empty():
            st.session_state["_data_checked"] = True
            return None
        from analysis.pipeline import DEMO_DIR, load_demo

        if not (DEMO_DIR / "manifest.json").exists():
            st.session_state["_data_checked"] = True
            return (
                "The database is empty and no demo corpus was found: add articles on the Add articles page."
            )
        with _demo_lock:
            if s.is_empty():  # another session may have loaded it meanwhile
                bar = st.progress(0.0, text="First run: loading the demo corpus …")

                def progress(done: int, total: int, _res: object) -> None:
                    text = f"First run: loading the demo corpus ({done}/{total})"
                    bar.progress(done / max(1, total), text=text)

                load_demo(s, settings(), progress=progress)
                bar.empty()
        st.cache_data.clear()
    except (StoreError, OSError, ValueError, ImportError) as exc:
        why = hide_passwords(str(exc), database_url())
        return f"Could not open or fill the database: {type(exc).__name__}: {why}"
    st.session_state["_data_checked"] = True
    return None


# --- charts with downloads -------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=IMAGE_CACHE_ENTRIES)
def _static_image(fig_json: str, fmt: str) -> bytes:
    return charts.figure_image(pio.from_json(fig_json), fmt)


EXPORT_RETRY_SECONDS = 300  # after a failed PNG/SVG export, the buttons stay off this long, then retry
_export_failure: dict[str, object] = {}  # process-wide: the last server-side export failure, if any


def _image_bytes(fig_json: str, fmt: str) -> bytes:
    """Runs when a PNG/SVG button is clicked (a deferred download, in a worker thread)."""
    try:
        return _static_image(fig_json, fmt)
    except charts.ExportUnavailable as exc:
        # The button shows this message for a few seconds; later runs of any page show it
        # under the charts and disable the PNG/SVG buttons.
        _export_failure.update(message=str(exc), at=time.monotonic())
        raise


def _html_bytes(fig_json: str, filename: str) -> str:
    return charts.figure_html(pio.from_json(fig_json), filename)


@functools.cache
def _export_setup() -> tuple[bool, str]:
    ok, why = charts.static_export_status()
    if ok:  # the first page with a chart starts the PNG/SVG renderer in the background
        export_renderer.warm_up()
    return ok, why


def export_status() -> tuple[bool, str]:
    """Whether the PNG/SVG buttons can work here, and why not (Chromium missing or a failed export)."""
    failed_at = _export_failure.get("at")
    if isinstance(failed_at, float) and time.monotonic() - failed_at < EXPORT_RETRY_SECONDS:
        return False, str(_export_failure["message"])
    return _export_setup()


def chart(fig: go.Figure, slug: str, name: str, key: str, *, caption: Provenance | str | None = None) -> None:
    """Show ``fig`` with PNG, SVG and HTML download buttons named ``<slug>_<name>.<ext>``.

    ``caption`` (what the chart shows: event or outlet, dates, counts, scorer version, this tool) is
    drawn under the plot, on screen and in every file, so a saved chart identifies itself.  The
    files are generated only when a button is clicked (deferred callables); the buttons do not
    rerun the page.
    """
    # Without a caption (a call that does not pass one yet) the chart still names the tool and scorer.
    fig = with_caption(
        fig, caption if caption is not None else f"made with {TOOL_NAME}, scorer {SCORER_VERSION}"
    )
    filename = charts.chart_filename(slug, name)
    with st.container(key=f"xs-{key}"):  # scrolls sideways below its minimum width (app_pages/screen.py)
        wide = charts.min_width(fig)
        if wide > charts.CHART_MIN_WIDTH:  # a heatmap with many columns or long row labels
            st.html(f"<style>.st-key-xs-{key} > * {{min-width: {wide}px;}}</style>")
        st.plotly_chart(fig, config=charts.plotly_config(filename), theme=None, key=f"chart-{key}")
    fig_json = fig.to_json()
    ok, why = export_status()
    with st.container(horizontal=True, gap="small", key=f"dl-{key}"):
        for fmt, mime in (("png", "image/png"), ("svg", "image/svg+xml")):
            st.download_button(
                fmt.upper(),
                data=functools.partial(_image_bytes, fig_json, fmt),
                file_name=f"{filename}.{fmt}",
                mime=mime,
                key=f"dl-{key}-{fmt}",
                on_click="ignore",
                icon=":material/download:",
                disabled=not ok,
                help=why or f"Download this chart as {fmt.upper()} (rendered on the server)",
            )
        st.download_button(
            "HTML",
            data=functools.partial(_html_bytes, fig_json, filename),
            file_name=f"{filename}.html",
            mime="text/html",
            key=f"dl-{key}-html",
            on_click="ignore",
            icon=":material/download:",
            help="Interactive chart as a self-contained HTML file (works offline)",
        )
    if not ok:
        st.caption(why)


_MD_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~$:"})


def md_escape(text: object) -> str:
    """Web text made literal inside a widget or expander label (which Streamlit reads as Markdown)."""
    return " ".join(str(text).split()).translate(_MD_SPECIALS)


def fmt_date(value: object, missing: str = "–") -> str:
    if isinstance(value, datetime | pd.Timestamp) and not pd.isna(value):
        return value.strftime("%Y-%m-%d")
    return missing
