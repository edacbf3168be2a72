"""Outlets: each outlet across all events: intervals, change over time, its words, coverage, blindspots."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.compare import coverage, wordchoice
from analysis.compare import summary as compare
from analysis.outlet_table import pick_dimension
from analysis.present import charts
from analysis.present.provenance import frame_provenance, interval_text, plural
from app_pages import common
from app_pages.voices_view import outlet_voices_section

WORD_TOP = 8  # terms at each end of an outlet's distinctive-words panel
PERIOD_NAMES = {"D": "day", "W": "week", "M": "month"}  # the time-line periods (pandas aliases)


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=8)
def _overview(url: str, version: tuple) -> dict:
    """Each outlet's estimates and flagged words, loaded language counted as on the Compare page
    (corrections applied, each event's topic words not counted)."""
    articles, words = common.counted_summary(url, version)
    return {"overview": compare.outlet_overview(articles), "words": words}


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=8)
def _outlet_words(url: str, version: tuple) -> pd.DataFrame:
    """Each outlet's distinctive terms over all events, against all other outlets pooled."""
    counts = common.outlet_term_table(url, version)  # kept per outlet in the database
    return wordchoice.distinctive_terms(counts, common.word_prior(url, version), top=WORD_TOP)


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=8)
def _blindspots(url: str, version: tuple, groups: tuple[tuple[str, str], ...]) -> tuple:
    frame = coverage.blindspots(common.article_meta(url, version), dict(groups))  # no text needed
    return frame, coverage.blindspot_summary(frame)


def _groups(url: str, version: tuple, dimension: str | None, outlets: set[str]) -> dict[str, str]:
    """Outlet (display name) -> its group in ``dimension`` (stored groups: Manage outlets), for the
    outlets with articles only."""
    if not dimension:
        return {}
    return {o: g for o, g in common.outlet_groups(url, version, dimension).items() if o in outlets}


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=16)
def _timeline(url: str, version: tuple, freq: str) -> pd.DataFrame:
    return compare.outlet_timeline(common.counted_articles(url, version), freq=freq)


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=16)
def _coverage(
    url: str, version: tuple, freq: str, by: str, groups: tuple[tuple[str, str], ...]
) -> pd.DataFrame:
    """Articles per period and outlet (or group): outlet, event and date of each, no text needed."""
    rows = common.article_meta(url, version)
    return coverage.coverage_over_time(
        rows, freq, by=by, outlet_groups=dict(groups) if by == "group" else None
    )


url, version = common.current()
articles = common.counted_articles(url, version)
st.html('<div style="font-size: 1.5rem; font-weight: 700;">Outlets</div>')
if articles.empty:
    st.info("No articles yet.")
    st.page_link(common.PAGE_ADD, label="Add articles", icon=":material/add_link:")
    st.stop()

data = _overview(url, version)
overview, words = data["overview"], data["words"]
colors = common.outlet_colors(url, version)

caption = frame_provenance("All outlets, all events", articles)
table = overview.assign(
    sentiment_ci=[
        interval_text(lo, hi, "+.2f", articles=n)
        for lo, hi, n in zip(
            overview["sentiment_lo"], overview["sentiment_hi"], overview["articles"], strict=True
        )
    ],
    loaded_ci=[
        interval_text(lo, hi, ".1f", articles=n)
        for lo, hi, n in zip(overview["loaded_lo"], overview["loaded_hi"], overview["articles"], strict=True)
    ],
    top_words=[", ".join(words[words["outlet"] == o].head(5)["word"]) for o in overview["outlet"]],
)
st.dataframe(
    table[
        [
            "outlet",
            "articles",
            "events",
            "sentiment",
            "sentiment_ci",
            "loaded",
            "loaded_ci",
            "top_words",
            "first",
            "last",
        ]
    ],
    hide_index=True,
    column_config={
        "outlet": "Outlet",
        "articles": st.column_config.NumberColumn("Articles", width="small"),
        "events": st.column_config.NumberColumn("Events", width="small"),
        "sentiment": st.column_config.NumberColumn("Sentiment", format="%+.2f", width="small"),
        "sentiment_ci": st.column_config.TextColumn("95% interval", width="small"),
        "loaded": st.column_config.NumberColumn("Loaded / 1k", format="%.1f", width="small"),
        "loaded_ci": st.column_config.TextColumn("95% interval ", width="small"),
        "top_words": st.column_config.TextColumn("Most flagged words", width="medium"),
        "first": st.column_config.DatetimeColumn("First", format="YYYY-MM-DD", width="small"),
        "last": st.column_config.DatetimeColumn("Last", format="YYYY-MM-DD", width="small"),
    },
    key="outlet-table",
)
st.caption(
    "Across all events, weighted by article length; loaded language counted as on the Compare page "
    "(your corrections applied, each event's topic words not counted). Intervals resample the "
    "outlet's articles (1,000 bootstrap resamples); an outlet with a single article has none. With two "
    "or three articles they are narrow only because there is little data."
)

left, right = st.columns(2, gap="medium")
with left:
    common.chart(
        charts.outlet_scatter(overview, colors), "outlets", "scatter", key="scatter", caption=caption
    )
with right:
    controls = st.container(horizontal=True, gap="medium")
    metric = controls.segmented_control(
        "Over time",
        ["sentiment", "loaded_rate"],
        default="sentiment",
        format_func=lambda m: "Sentiment" if m == "sentiment" else "Loaded language",
        key="tl-metric",
        required=True,
    )
    freq = controls.segmented_control(
        "Period",
        ["D", "W", "M"],
        default="W",
        key="tl-freq",
        required=True,
        format_func=PERIOD_NAMES.__getitem__,
    )
    timeline = _timeline(url, version, freq or "W")
    common.chart(
        charts.timeline_chart(timeline, metric or "sentiment", colors),
        "outlets",
        f"{metric}-over-time",
        key="timeline",
        caption=caption,
    )

st.subheader("Words by outlet")
outlets = list(overview["outlet"])
pick = st.selectbox("Outlet", outlets, key="words-outlet", width=360) if outlets else None
if pick:
    mine = words[words["outlet"] == pick].head(15)
    outlet_caption = frame_provenance(pick, articles[articles["outlet"] == pick])
    distinctive = _outlet_words(url, version)
    w1, w2 = st.columns([3, 2], gap="medium")
    with w1:
        common.chart(
            charts.word_choice_chart(
                distinctive[distinctive["group"] == pick],
                colors,
                columns=1,
                title=f"Words {charts.label(pick)} uses more and less than the other outlets (all events)",
            ),
            "outlets",
            f"{pick}-distinctive-words",
            key="distinctive",
            caption=outlet_caption,
        )
        st.caption(
            "Log-odds ratio with an informative Dirichlet prior: the outlet's words against all other "
            "outlets' words over every event, as a z-score (beyond the dotted lines, |z| > 1.96, unlikely "
            "to be chance). Quotations are left out. Outlets that covered different events differ in topic "
            "words too (place and people names), not only in word choice."
        )
    with w2:
        common.chart(
            charts.flagged_words_chart(mine, pick),
            "outlets",
            f"{pick}-words",
            key="words",
            caption=outlet_caption,
        )
        with st.expander("Flagged words as a table"):
            st.dataframe(
                mine[["word", "category", "count", "weight"]],
                hide_index=True,
                column_config={"weight": st.column_config.NumberColumn("Total weight", format="%.2f")},
            )
        st.caption(
            "The outlet's own words only: words inside quotations are the speakers' and are not counted."
        )

st.subheader("Coverage over time")
db_outlets = set(articles["outlet"].dropna())
cov_controls = st.container(horizontal=True, gap="medium")
dimensions = common.store().outlet_dimensions()
dimension = cov_controls.selectbox(
    "Outlet groups by",
    dimensions,
    index=dimensions.index(d) if (d := pick_dimension(common.store())) in dimensions else None,
    key="group-dimension",
    help="A group dimension of the outlets (type, country, leaning …): set them under Manage outlets.",
    width=220,
)
groups = _groups(url, version, dimension, db_outlets)
by = cov_controls.segmented_control(
    "Count by",
    ["outlet", "group"],
    default="outlet",
    key="cov-by",
    required=True,
    format_func=lambda b: "outlet" if b == "outlet" else "outlet group",
)
cov_freq = cov_controls.segmented_control(
    "Period",
    ["D", "W", "M"],
    default="W",
    key="cov-freq",
    required=True,
    format_func=PERIOD_NAMES.__getitem__,
)
by = by or "outlet"
counts = _coverage(url, version, cov_freq or "W", by, tuple(sorted(groups.items())))
cov_colors = colors if by == "outlet" else charts.group_colors([*groups.values(), coverage.UNGROUPED])
common.chart(
    charts.coverage_time_chart(counts, cov_colors, by="outlet" if by == "outlet" else "outlet group"),
    "outlets",
    f"coverage-by-{by}",
    key="coverage",
    caption=caption,
)
undated = counts.attrs.get("undated", 0)
if undated:
    st.caption(
        f"{plural(undated, 'article')} without a publication date "
        f"{'is' if undated == 1 else 'are'} not counted here."
    )

st.subheader("Blindspots")
if not groups:
    st.info(
        "No outlet groups: give outlets a group (for example leaning=left, type=tabloid) under "
        "Manage outlets, or import your own ratings file there, to see which events each group did not cover."
    )
    st.page_link(common.PAGE_OUTLETS_MANAGE, label="Manage outlets", icon=":material/edit:")
else:
    frame, summary_b = _blindspots(url, version, tuple(sorted(groups.items())))
    gcolors = charts.group_colors(groups.values())
    b1, b2 = st.columns([5, 7], gap="medium")
    with b1:
        common.chart(
            charts.blindspot_chart(summary_b, gcolors),
            "outlets",
            "blindspots",
            key="blindspots",
            caption=caption,
        )
    with b2:
        missing = frame[frame["n_missing"] > 0]
        if missing.empty:
            st.success("Every group covered every event.")
        else:
            st.dataframe(
                missing.assign(missing_list=[", ".join(m) for m in missing["missing_groups"]])[
                    ["event", "missing_list", "articles"]
                ],
                hide_index=True,
                column_config={
                    "event": st.column_config.TextColumn("Event", width="large"),
                    "missing_list": st.column_config.TextColumn("Groups with no article", width="medium"),
                    "articles": st.column_config.NumberColumn("Articles", width="small"),
                },
                key="blindspot-table",
            )
st.caption(
    "Groups are the outlets' stored groups in the chosen dimension (shipped: only plain facts such as wire "
    "agency or public broadcaster; the rest your own labels, not a rating of the outlets); "
    "outlets without a group are left out. A blindspot: an event a group has no article on while another "
    "group covered it; with few articles per event, a missing article may only mean it was not collected."
)

outlet_voices_section()
