"""One self-contained HTML report per event: summary, findings, charts and the articles side by side.

plotly.js is embedded once in the page's <head>, so the file opens offline and can be
mailed or archived; there is no external script, stylesheet or font.  Every string from
the web is escaped (``highlight.escape_text``) before it is placed in the page.

Pure: article rows in, HTML out.  Reading the event from the store and writing the file is the
CLI's part (``analysis.cli.report.write_event_report``, behind
``python -m analysis report --event NAME --out FILE.html``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from analysis.compare import summary as compare
from analysis.compare import topics, wordchoice
from analysis.compare.corrections import dismissal_summary, history_summary
from analysis.present import charts
from analysis.present.highlight import (
    article_header_html,
    article_html,
    categories_html,
    category_legend_html,
    escape_text,
    summary_table_html,
)
from analysis.present.provenance import TOOL_NAME, number_settings, plural, provenance, with_caption

ARTICLE_MAX_HEIGHT = 520  # pixels of article text shown before the column scrolls
REPORT_MAX_FACTS = 25  # statements in the who-reported-what matrix (most widely carried first)

PAGE_CSS = """
body { font-family: Inter, 'Source Sans Pro', 'Helvetica Neue', Arial, sans-serif; margin: 24px auto;
       max-width: 1400px; padding: 0 20px; color: #1f2328; }
h1 { font-size: 1.6rem; margin-bottom: 4px; }
h2 { font-size: 1.2rem; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.muted { color: #666; font-size: 0.9rem; }
.findings li { margin-bottom: 3px; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 18px; }
.column { border: 1px solid #e5e5e5; border-radius: 8px; padding: 12px; }
.chart { margin: 10px 0 18px; }
"""


def event_figures(
    rows: Sequence[dict],
    colors: Mapping[str, str] | None = None,
    *,
    prior: pd.Series | None = None,
    sentences: pd.DataFrame | None = None,
    summary: pd.DataFrame | None = None,
) -> dict[str, go.Figure]:
    """The compare page's charts for one event's article rows, keyed by their file-name part.

    ``prior``: background term counts for the word-choice chart (``wordchoice.database_prior`` over
    a sample of every event); default: the event's own totals.  ``sentences`` and ``summary``:
    ``compare.sentence_frame`` and ``compare.outlet_summary`` of the rows when already computed
    (the bootstrap over a long article's sentences takes seconds).
    """
    # Imported here: it pulls in scikit-learn (1-2 s), which the dashboard's first screen does not need.
    from analysis.compare import omissions

    colors = colors or charts.outlet_colors(r["outlet"] for r in rows)
    sentences = compare.sentence_frame(rows) if sentences is None else sentences
    summary = compare.outlet_summary(rows, sentences=sentences) if summary is None else summary
    usable = [r for r in rows if compare.usable(r)]
    order = sorted({r["outlet"] for r in usable})
    return {
        "outlets": charts.outlet_interval_chart(summary, colors),
        "sentence-sentiment": charts.sentence_arc_chart(sentences, colors),
        "loaded-categories": charts.category_chart(compare.category_frame(rows), list(summary["outlet"])),
        "word-choice": charts.word_choice_chart(wordchoice.event_word_choice(usable, prior=prior), colors),
        "who-reported-what": charts.fact_coverage_chart(
            omissions.coverage_matrix(usable, max_facts=REPORT_MAX_FACTS), colors, order=order
        ),
    }


def _findings_html(found: Mapping[str, list[str]]) -> str:
    parts = []
    for key, heading in (
        ("negative", "Who was more negative"),
        ("loaded", "Who used more loaded language"),
        ("words", "Which words"),
        ("topics", "Topic words (shown, not counted)"),
        ("caveats", "Caveats"),
    ):
        items = found.get(key) or []
        if items:
            lis = "".join(f"<li>{escape_text(s)}</li>" for s in items)
            parts.append(f"<h3 style='font-size: 1rem; margin: 12px 0 4px;'>{heading}</h3><ul>{lis}</ul>")
    return '<div class="findings">' + "".join(parts) + "</div>"


def _history_html(history: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]] = ()) -> str:
    """What people changed in this event's evidence, in sentences ("2 flags dismissed by alice"),
    and what the corrections in force (those made for every event included) change in it."""
    lines = history_summary(history)
    done = dismissal_summary(rows)
    if any(done.values()):
        lines.append(
            f"In force in this event: {done.get('dismissed', 0)} flagged words dismissed, "
            f"{done.get('added', 0)} words added by a person"
        )
    if not lines:
        return ""
    lis = "".join(f"<li>{escape_text(s)}</li>" for s in lines)
    return (
        f'<h3 style="font-size: 1rem; margin: 12px 0 4px;">Corrections</h3><ul class="corrections">{lis}</ul>'
    )


def _settings_html(settings: Sequence[tuple[str, str]]) -> str:
    rows = "".join(
        f"<tr><th style='text-align: left; padding: 2px 12px 2px 0;'>{escape_text(k)}</th>"
        f"<td>{escape_text(v)}</td></tr>"
        for k, v in settings
    )
    return f'<table class="muted settings">{rows}</table>'


def build_event_report(
    event_name: str,
    rows: Sequence[dict],
    *,
    description: str = "",
    slug: str = "event",
    colors: Mapping[str, str] | None = None,
    generated: datetime | None = None,
    prior: pd.Series | None = None,
    history: Sequence[Mapping[str, Any]] = (),
    corrections: Sequence[str] = (),
    topic_words: Mapping[str, topics.TopicWord] | None = None,
) -> str:
    """The report page for one event's article rows (``Store.event_articles(..., with_text=True)``).

    Rows as stored are counted as the Compare page counts them (``topics.event_view``: the event's
    topic words shown, not counted).  Rows already counted by ``analysis.compare.reviewed``
    (corrections, then topic words) come with their ``topic_words`` and ``corrections``.
    ``history``: the event's history rows (``Store.history``), summed up under "Corrections".
    ``prior``: background term counts for the word-choice chart (see :func:`event_figures`).
    ``corrections``: one line per user correction applied to these numbers (listed with the
    settings and in every chart's caption).
    """
    prov = provenance(event_name, rows, corrections=corrections)
    colors = colors or charts.outlet_colors(r["outlet"] for r in rows)
    if topic_words is None:  # as the Compare page counts them: topic words shown but not counted
        rows, topic_words = topics.event_view(rows)
    sentences = compare.sentence_frame(rows)
    summary = compare.outlet_summary(rows, sentences=sentences)
    found = compare.findings(summary)
    found["topics"] = topics.topic_notes(topic_words, len({r["outlet"] for r in rows if compare.usable(r)}))
    figures = event_figures(rows, colors, prior=prior, sentences=sentences, summary=summary)
    chart_divs = "".join(
        '<div class="chart">'
        + with_caption(fig, prov).to_html(
            full_html=False,
            include_plotlyjs=False,
            config=charts.plotly_config(charts.chart_filename(slug, name)),
        )
        + "</div>"
        for name, fig in figures.items()
    )
    cats = sorted(
        {c for r in rows for c in (r.get("categories") or {})}
        | {str(sp.get("category")) for r in rows for sp in (r.get("spans") or []) if isinstance(sp, Mapping)}
    )
    cat_colors = charts.category_colors(cats)
    columns = []
    for r in rows:
        columns.append(
            '<div class="column">'
            + article_header_html(r, colors)
            + categories_html(r.get("categories") or {}, r.get("words"), cat_colors)
            + article_html(
                r.get("text") or "",
                r.get("spans") or [],
                r.get("sentences") or [],
                colors=cat_colors,
                max_height=ARTICLE_MAX_HEIGHT,
            )
            + "</div>"
        )
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    outlets = sorted({r["outlet"] for r in rows})
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape_text(event_name)} — outlet comparison</title>"
        f"<style>{PAGE_CSS}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
        "</head><body>"
        f"<h1>{escape_text(event_name)}</h1>"
        + (f'<p class="muted">{escape_text(description)}</p>' if description else "")
        + f'<p class="muted">{escape_text(plural(len(rows), "article"))} from '
        f"{escape_text(plural(len(outlets), 'outlet'))} · {escape_text(prov.dates)} · scorer "
        f"{escape_text(', '.join(prov.scorer_versions))} · report generated {when} by {TOOL_NAME}</p>"
        "<h2>Summary</h2>"
        + summary_table_html(summary, colors)
        + _findings_html(found)
        + _history_html(history, rows)
        + "<h2>Charts</h2>"
        + chart_divs
        + "<h2>The articles side by side</h2>"
        + category_legend_html(cat_colors)
        + f'<div class="columns">{"".join(columns)}</div>'
        + "<h2>How to read this</h2>"
        '<p class="muted">Sentiment is VADER\'s compound score (−1 negative … +1 positive), averaged over '
        "sentences weighted by their length. Loaded language is the weight of flagged words per 1,000 words, "
        "counting only the outlet's own words: words inside direct quotations are the speaker's and are "
        "shown with a dashed underline. Intervals are 95% bootstrap intervals over sentences (1,000 "
        "resamples); when two intervals overlap the difference is within the uncertainty. Scores describe "
        "wording, not truth or intent.</p>"
        '<p class="muted">Word choice: the z-score of a log-odds ratio with an informative Dirichlet prior '
        "(word frequencies over the whole database, from an even sample of up to 500 articles): words an "
        "outlet uses more (coloured) or less "
        "(grey) than the other outlets together; beyond the dotted lines (|z| &gt; 1.96) the difference is "
        "unlikely to be chance. Direct quotations are left out. With one article per outlet it describes "
        "that article. Who reported what: sentences matched across outlets by shared words, figures and "
        "names; a paraphrase with nothing in common is missed.</p>"
        + "<h2>What the numbers depend on</h2>"
        + _settings_html(number_settings(corrections))
        + "</body></html>\n"
    )
