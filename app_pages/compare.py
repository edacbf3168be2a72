"""Compare an event: how each outlet covered it, side by side, with uncertainty."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from analysis.compare import coverage, topics
from analysis.compare import summary as compare
from analysis.present import charts
from analysis.present.highlight import (
    article_header_html,
    article_html,
    categories_html,
    category_legend_html,
    escape_text,
    summary_table_html,
)
from analysis.present.provenance import Provenance, plural, provenance
from analysis.present.report import build_event_report
from analysis.store import event_name_key
from app_pages import article_edit, common, review
from app_pages.compare_parts import article_label, findings_html, omissions_html, summary_downloads
from app_pages.voices_view import voices_tab  # the Voices tab: who each outlet quotes, and its labels

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

MAX_SIDE_BY_SIDE = 6  # more outlets than this: a multiselect chooses which columns to show
ARTICLE_HEIGHT = 640  # pixels of article text before a column scrolls
MAX_FACTS = 25  # statements shown in the who-reported-what matrix (most widely carried first)
MAX_FIGURES = 25  # key figures shown in their matrix
CROSS_TABS = ("Word choice", "Who reported what", "Headline vs body", "Actors", "Voices")


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=16)
def _analysis(url: str, version: tuple, event_id: int) -> dict:
    # corrections first, then the topic words (found ∪ marked − unmarked): shown, weighing nothing
    view = common.event_view(url, version, event_id)
    rows, topic_words = view.rows, view.topic_words
    sentences = compare.sentence_frame(rows)
    summary = compare.outlet_summary(rows, sentences=sentences)
    found = compare.findings(summary)
    found["topics"] = topics.topic_notes(topic_words, len({r["outlet"] for r in rows if compare.usable(r)}))
    return {
        "sentences": sentences,
        "summary": summary,
        "categories": compare.category_frame(rows),
        "findings": found,
    }


def _usable_rows(url: str, version: tuple, event_id: int) -> list[dict]:
    return [r for r in common.event_rows(url, version, event_id) if compare.usable(r)]


# The cross-outlet analyses, one cached function per tab: the first screen computes only the open
# tab's (word choice: ~50 ms; the sentence alignment of "who reported what" takes ~0.4 s).
@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=16)
def _words(url: str, version: tuple, event_id: int) -> pd.DataFrame:
    """Distinctive word choice of the event's outlets (log-odds against the database prior)."""
    # Imported here, not at the top: the first screen's summary and charts are drawn before it runs.
    from analysis.compare import wordchoice

    rows = _usable_rows(url, version, event_id)
    return wordchoice.event_word_choice(rows, prior=common.word_prior(url, version))


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=16)
def _alignment(url: str, version: tuple, event_id: int) -> dict:
    """Who reported what: the sentence alignment's matrices and each outlet's omissions."""
    # Imported here: scikit-learn takes a second or two to import, and only this tab needs it.
    from analysis.compare import omissions
    from analysis.compare.alignment import align_event

    alignment = align_event(_usable_rows(url, version, event_id))
    return {
        "matrix": omissions.coverage_matrix(alignment, max_facts=MAX_FACTS),
        "numbers": omissions.numbers_matrix(alignment).head(MAX_FIGURES),
        "omissions": omissions.omissions(alignment),
        "omission_summary": omissions.omissions_summary(alignment),
    }


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=16)
def _headlines(url: str, version: tuple, event_id: int) -> dict:
    """Headline against body, per article and per outlet."""
    headlines = coverage.headline_vs_body(_usable_rows(url, version, event_id))
    return {"headlines": headlines, "headline_summary": coverage.headline_body_summary(headlines)}


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=16)
def _actors(url: str, version: tuple, event_id: int) -> pd.DataFrame | str:
    """``actors.actor_table`` of the event, or a sentence saying why it is not available."""
    try:
        from analysis.compare.actors import actor_table
    except ImportError as exc:
        return f"The actor analysis is not available in this installation ({exc})."
    rows = [r for r in common.event_rows(url, version, event_id) if compare.usable(r)]
    return actor_table(rows)


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=64)
def _cross_figure(url: str, version: tuple, event_id: int, outlets: tuple[str, ...], which: str) -> go.Figure:
    """One cross-outlet chart (cached: building the word-choice panels takes ~0.3 s)."""
    colors = common.outlet_colors(url, version)
    order = sorted(outlets)
    if which == "words":
        return charts.word_choice_chart(_words(url, version, event_id), colors)
    if which == "facts":
        return charts.fact_coverage_chart(_alignment(url, version, event_id)["matrix"], colors, order=order)
    if which == "figures":
        return charts.key_figures_chart(_alignment(url, version, event_id)["numbers"], colors, order=order)
    if which == "headline":
        return charts.headline_body_chart(_headlines(url, version, event_id)["headline_summary"], colors)
    if which == "actors":
        table = _actors(url, version, event_id)
        if isinstance(table, str):  # the actors tab shows this sentence and never asks for the chart
            raise ValueError(table)
        return charts.actor_chart(table, order)
    raise ValueError(f"unknown chart {which!r}")


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=4)
def _report(url: str, version: tuple, event_id: int, name: str, description: str, slug: str) -> str:
    view = common.event_view(url, version, event_id)
    return build_event_report(
        name,
        view.rows,
        description=description,
        slug=slug,
        colors=common.outlet_colors(url, version),
        prior=common.word_prior(url, version),
        history=common.store().history(event_id=event_id),
        corrections=view.corrections,
        topic_words=view.topic_words,
    )


def _report_bytes(url: str, version: tuple, event_id: int, name: str, description: str, slug: str) -> str:
    return _report(url, version, event_id, name, description, slug)


@dataclass(frozen=True)
class _Event:
    """What the cross-outlet tabs need about the event on show."""

    url: str
    version: tuple
    event_id: int
    slug: str
    outlets: tuple[str, ...]
    caption: Provenance

    def figure(self, which: str) -> go.Figure:
        return _cross_figure(self.url, self.version, self.event_id, self.outlets, which)

    def alignment(self) -> dict:
        return _alignment(self.url, self.version, self.event_id)

    def headlines(self) -> dict:
        return _headlines(self.url, self.version, self.event_id)


def _words_tab(ev: _Event) -> None:
    """Distinctive word choice."""
    common.chart(ev.figure("words"), ev.slug, "word-choice", key="words", caption=ev.caption)
    st.caption(
        "Each panel: the words and two-word phrases an outlet uses more (coloured, top) or less (grey, "
        "bottom) than all the other outlets together, as the z-score of a log-odds ratio with an "
        "informative Dirichlet prior (word frequencies over the whole database, from an even sample of up "
        "to 500 articles, so rare words do not dominate); beyond the dotted lines (|z| > 1.96) the "
        "difference is unlikely to be chance, fainter bars are within it. Direct quotations are left out: "
        "they are the speakers' words. With one article per outlet this describes that article, not the "
        "outlet's habits."
    )


def _facts_tab(ev: _Event) -> None:
    """Who reported what: facts and key figures by outlet, and each outlet's omissions."""
    common.chart(ev.figure("facts"), ev.slug, "who-reported-what", key="facts", caption=ev.caption)
    common.chart(ev.figure("figures"), ev.slug, "key-figures", key="figures", caption=ev.caption)
    st.caption(
        'Sentences are matched by meaning ("sales fell" matches "sales declined"), shared words and '
        "figures (a different figure counts against a match); check the match against the sentences: "
        'hover over a cell for the outlet\'s own. "Left out" lists statements most other outlets carry.'
    )
    summ = ev.alignment()["omission_summary"]
    if len(summ):
        st.dataframe(
            summ.assign(unique_share=summ["unique_share"] * 100)[
                ["outlet", "n_sentences", "n_unique", "unique_share", "n_missing", "n_missing_numbers"]
            ],
            hide_index=True,
            column_config={
                "outlet": "Outlet",
                "n_sentences": st.column_config.NumberColumn("Statements", width="small"),
                "n_unique": st.column_config.NumberColumn("Only here", width="small"),
                "unique_share": st.column_config.NumberColumn("Share only here", format="%.0f%%"),
                "n_missing": st.column_config.NumberColumn("Left out", width="small"),
                "n_missing_numbers": st.column_config.NumberColumn("Figures left out", width="small"),
            },
            key="omission-table",
        )
    for outlet in ev.outlets:
        om = ev.alignment()["omissions"].get(outlet)
        if om is None:
            continue
        with st.expander(
            f"{common.md_escape(outlet)}: {om.n_unique} statements only it carries · "
            f"leaves out {len(om.missing)}",
            key=f"omit-{ev.slug}-{outlet}",
        ):
            st.html(omissions_html(om))


def _headline_tab(ev: _Event) -> None:
    """Headline against body, per outlet and per article."""
    hsum = ev.headlines()["headline_summary"]
    common.chart(ev.figure("headline"), ev.slug, "headline-vs-body", key="headline", caption=ev.caption)
    if len(hsum):
        st.dataframe(
            hsum.assign(
                darker_headline_share=hsum["darker_headline_share"] * 100,
                loaded_headline_share=hsum["loaded_headline_share"] * 100,
            )[
                [
                    "outlet",
                    "articles",
                    "headline_sentiment",
                    "body_sentiment",
                    "sentiment_gap",
                    "darker_headline_share",
                    "loaded_headline_share",
                ]
            ],
            hide_index=True,
            column_config={
                "outlet": "Outlet",
                "articles": st.column_config.NumberColumn("Articles", width="small"),
                "headline_sentiment": st.column_config.NumberColumn("Headline", format="%+.2f"),
                "body_sentiment": st.column_config.NumberColumn("Body", format="%+.2f"),
                "sentiment_gap": st.column_config.NumberColumn("Gap", format="%+.2f"),
                "darker_headline_share": st.column_config.NumberColumn("Darker headlines", format="%.0f%%"),
                "loaded_headline_share": st.column_config.NumberColumn("Loaded headlines", format="%.0f%%"),
            },
            key="headline-table",
        )
    heads = ev.headlines()["headlines"]
    if len(heads):
        with st.expander("Every headline with its loaded words"):
            st.dataframe(
                heads.assign(loaded_words=[", ".join(t) for t in heads["headline_loaded_terms"]])[
                    ["outlet", "title", "headline_sentiment", "body_sentiment", "loaded_words"]
                ],
                hide_index=True,
                column_config={
                    "title": st.column_config.TextColumn("Headline", width="large"),
                    "headline_sentiment": st.column_config.NumberColumn("Headline", format="%+.2f"),
                    "body_sentiment": st.column_config.NumberColumn("Body", format="%+.2f"),
                    "loaded_words": "Loaded words in the headline",
                },
            )
    st.caption(
        f"Gap: headline sentiment minus body sentiment (VADER compound); a darker headline is more "
        f"negative than its story by more than {coverage.HEADLINE_GAP}. Loaded headlines: share of an "
        "outlet's headlines with at least one flagged word of its own (quotes excluded)."
    )


def _actors_tab(ev: _Event) -> None:
    """Outlet x actor: sentiment toward each person, place or organisation."""
    table = _actors(ev.url, ev.version, ev.event_id)
    if isinstance(table, str):
        st.info(table)
    else:
        common.chart(ev.figure("actors"), ev.slug, "actors", key="actors", caption=ev.caption)
        st.caption(
            "Names are found by rules (capitalised words, titles, an alias list), not by a trained "
            "model: check surprising rows. Colour: the mean tone of the sentences mentioning the actor "
            "(+1 all positive, −1 all negative); cell: mentions, ❞ direct quotations attributed to "
            "them; blank: the outlet does not name them."
        )


def _cross_section(slug: str, event_id: int, outlets: list[str], caption: Provenance) -> None:
    """The tabs under the first screen: word choice, who reported what, headline vs body, actors."""
    ev = _Event(url, version, event_id, slug, tuple(outlets), caption)
    st.subheader("How the outlets differ")
    # Lazy tabs: only the open tab runs and is sent.  Every Plotly chart costs the browser time (all
    # five charts, hidden or not, doubled the page's load time); a tab switch is a (cached) rerun.
    tabs = st.tabs(list(CROSS_TABS), key="cross-tabs", on_change="rerun")
    for tab, draw in zip(tabs, (_words_tab, _facts_tab, _headline_tab, _actors_tab, voices_tab), strict=True):
        if tab.open:
            with tab:
                draw(ev)


url, version = common.current()
review.show_message()
article_edit.show_message()
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
    wanted_key = event_name_key(wanted)  # a name matches by meaning, in full; a slug exactly
    match = next(
        (s for s, e in by_slug.items() if wanted == s or event_name_key(e["name"]) == wanted_key), None
    )
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
        format_func=lambda s: f"{by_slug[s]['name']} ({plural(by_slug[s]['articles'], 'article')})",
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
        st.caption(f"{plural(len(outlets), 'outlet')} side by side below")
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
meta = f"{plural(len(rows), 'article')} from {plural(len(outlets), 'outlet')} · {first} to {last}"
if bad:
    meta += f" · {len(bad)} with health problems"
desc = event.get("description") or ""
auto_badge = (
    ' <span title="Made by automatic grouping: rename, merge, move or split it on the Events page to '
    'make it yours" style="font-size: 0.75rem; font-weight: 500; color: #57606a; border: 1px solid '
    '#8c959f; border-radius: 8px; padding: 0 6px; vertical-align: middle;">auto</span>'
    if event.get("auto")
    else ""
)
st.html(
    f'<div style="font-size: 1.5rem; font-weight: 700; line-height: 1.2;">{escape_text(event["name"])}'
    f"{auto_badge}</div>"
    f'<div style="color: #555; font-size: 0.9rem;">{escape_text(desc)}'
    f"{' · ' if desc else ''}{escape_text(meta)}</div>"
)

left, right = st.columns([7, 5], gap="medium")
with left:
    st.html(summary_table_html(summary, colors))
with right:
    st.html(findings_html(data["findings"]))
    summary_downloads(url, version, event["id"], event["name"], slug)

review.event_history(event["id"])
caption = provenance(
    event["name"], rows, corrections=common.event_view(url, version, event["id"]).corrections
)
common.chart(charts.outlet_interval_chart(summary, colors), slug, "outlets", key="outlets", caption=caption)

c1, c2 = st.columns(2, gap="medium")
with c1:
    common.chart(
        charts.sentence_arc_chart(data["sentences"], colors),
        slug,
        "sentence-sentiment",
        key="arc",
        caption=caption,
    )
with c2:
    common.chart(
        charts.category_chart(data["categories"], outlets),
        slug,
        "loaded-categories",
        key="cats",
        caption=caption,
    )

failed = common.failed_attempts(url, version, event["id"])
if failed:
    with st.expander(f"{plural(len(failed), 'URL')} of this event could not be fetched"):
        st.dataframe(
            [{"url": f["url"], "problem": f["health"], "reason": f["reason"]} for f in failed],
            hide_index=True,
        )

_cross_section(slug, event["id"], outlets, caption)

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
clicked = review.clicked_flag()
corrections = common.corrections(url, version, event["id"])
for col, outlet in zip(columns, shown, strict=True):
    arts = sorted(
        (r for r in rows if r["outlet"] == outlet),
        key=lambda r: (r["published"] is None, r["published"] or 0, -(r["words"] or 0)),
    )
    with col:
        ids = [a["id"] for a in arts]
        if clicked and clicked[0] in ids and st.session_state.get("_clicked_flag") != clicked:
            st.session_state["_clicked_flag"] = clicked  # a clicked word shows its article once
            st.session_state[f"pick-{slug}-{outlet}"] = ids.index(clicked[0])
        if len(arts) > 1:
            pick = st.selectbox(
                f"{len(arts)} articles",
                range(len(arts)),
                format_func=functools.partial(article_label, arts),
                key=f"pick-{slug}-{outlet}",
            )
            art = arts[pick]
        else:
            art = arts[0]
        st.html(
            article_header_html(art, colors)
            + categories_html(art["categories"], art["words"], cat_colors)
            + article_html(
                art["text"],
                art["spans"] + art["dismissed_spans"],
                art["sentences"],
                colors=cat_colors,
                max_height=ARTICLE_HEIGHT,
                link_prefix=review.link_prefix(slug, art["id"]),
            )
        )
        here = clicked[1] if clicked and clicked[0] == art["id"] else None
        review.review_panel(art, event["id"], corrections, here, key=f"{slug}-{art['id']}")
        article_edit.edit_panel(art, key=f"{slug}-{art['id']}")
article_edit.restore_panel()

st.caption(
    "Click a highlighted word (or open Review flags) to see why it was flagged and to dismiss it, restore it "
    "or add words; grey struck-through words are left out by a person's correction. "
    "Sentiment: VADER compound (−1 negative … +1 positive), sentences weighted by length. Loaded language: "
    "weight of flagged words per 1,000 words, the outlet's own words only, the event's topic words "
    "(listed above) not counted (quotes are the speaker's, "
    "shown dashed). 95% intervals: 1,000 bootstrap resamples of sentences. Scores describe wording, "
    "not truth or intent."
)
