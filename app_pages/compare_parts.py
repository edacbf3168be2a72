"""Pieces of the Compare page kept apart from its script: findings with links to the method page,
the summary downloads, the article picker's labels and the who-reported-what lists."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import streamlit as st

from analysis.present.highlight import escape_text
from analysis.present.provenance import shorten
from analysis.present.summary_export import SUMMARY_FORMATS, summary_file
from app_pages import common

if TYPE_CHECKING:
    from analysis.compare.omissions import OutletOmissions

LABEL_TITLE_CHARS = 60  # headline characters in the article picker
OMISSION_HEIGHT = 360  # pixels of an outlet's unique/left-out lists before they scroll
KIND_COLORS = {"quote": "#8250df", "number": "#0969da", "name": "#9a6700", "statement": "#57606a"}
# Where each block of findings is explained on the Method & limits page (its section anchors).
FINDING_SECTIONS = {
    "negative": "sentiment",
    "loaded": "loaded-language",
    "topics": "loaded-language",
    "caveats": "thin-evidence",
}
SUMMARY_MIME = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@st.cache_data(show_spinner=False, ttl=common.CACHE_TTL, max_entries=16)
def _summary(url: str, version: tuple, event_id: int, name: str, fmt: str) -> bytes:
    view = common.event_view(url, version, event_id)  # corrections, then topic words
    return summary_file(name, view.rows, fmt, corrections=view.corrections, topic_words=view.topic_words)


def _summary_bytes(url: str, version: tuple, event_id: int, name: str, fmt: str) -> bytes:
    return _summary(url, version, event_id, name, fmt)


def summary_downloads(url: str, version: tuple, event_id: int, name: str, slug: str) -> None:
    """Download buttons for the per-event summary table (estimates, intervals, findings, settings)."""
    with st.container(horizontal=True, gap="small", key="dl-summary"):
        for fmt in SUMMARY_FORMATS:
            st.download_button(
                f"Summary {fmt.upper()}",
                data=functools.partial(_summary_bytes, url, version, event_id, name, fmt),
                file_name=f"{slug}_summary.{fmt}",
                mime=SUMMARY_MIME[fmt],
                on_click="ignore",
                icon=":material/download:",
                key=f"dl-summary-{fmt}",
                help="Each outlet's estimates with 95% intervals, the findings in words, and the "
                "scorer version and settings behind the numbers",
            )


def article_label(arts: list[dict], i: int) -> str:
    """The article picker's label for ``arts[i]``: its date and the start of its headline (cut with …)."""
    title = shorten(arts[i].get("title") or "(no title)", LABEL_TITLE_CHARS)
    return f"{common.fmt_date(arts[i]['published'], 'no date')} · {title}"


def findings_html(found: dict[str, list[str]]) -> str:
    """The plain-language findings, each block with a "how sure is this?" link to its part of the
    Method & limits page."""
    blocks = []
    for key, heading in (
        ("negative", "Who was more negative?"),
        ("loaded", "Who used more loaded language?"),
        ("topics", "Topic words of this event (shown, not counted)"),
        ("caveats", "Caveats"),
    ):
        items = found.get(key) or []
        if not items:
            continue
        lis = "".join(f"<li>{escape_text(s)}</li>" for s in items)
        color = "#9a6700" if key == "caveats" else "#1f2328"
        link = (
            f'<a href="{common.METHOD_URL}#{FINDING_SECTIONS[key]}" target="_self" '
            'style="font-weight: 400; font-size: 0.8rem; margin-left: 6px;">how sure is this?</a>'
        )
        blocks.append(
            f'<div style="font-weight: 600; margin-top: 4px;">{heading}{link}</div>'
            f'<ul style="margin: 2px 0 6px 18px; padding: 0; color: {color};">{lis}</ul>'
        )
    return '<div style="font-size: 0.88rem; line-height: 1.4;">' + "".join(blocks) + "</div>"


def kind_badge(kind: str) -> str:
    color = KIND_COLORS.get(kind, "#57606a")
    return (
        f'<span style="flex: none; min-width: 62px; font-size: 0.72rem; color: {color}; '
        f"border: 1px solid {color}; border-radius: 8px; padding: 0 5px; "
        f'text-align: center;">{escape_text(kind)}</span>'
    )


def omissions_html(om: OutletOmissions) -> str:
    """What only this outlet reports and what it leaves out, as escaped HTML lists."""
    # Flex rows: a long sentence wraps beside its badge, not under it.
    li = 'style="margin: 0 0 5px 0; list-style: none; display: flex; align-items: baseline; gap: 6px;"'
    parts = [
        f'<div style="font-size: 0.86rem; line-height: 1.35; max-height: {OMISSION_HEIGHT}px; '
        'overflow-y: auto;">'
    ]
    parts.append(
        f'<div style="font-weight: 600; margin: 2px 0 4px;">Only this outlet ({om.n_unique} of '
        f"{om.n_sentences} statements)</div>"
    )
    if om.unique.empty:
        parts.append('<div style="color: #666;">Nothing: every statement is carried by another outlet.</div>')
    else:
        items = "".join(
            f"<li {li}>{kind_badge(k)}<span>{escape_text(sent)}</span></li>"
            for k, sent in zip(om.unique["kind"], om.unique["sentence"], strict=True)
        )
        parts.append(f'<ul style="margin: 0; padding: 0;">{items}</ul>')
    parts.append(
        f'<div style="font-weight: 600; margin: 10px 0 4px;">Left out: carried by most others '
        f"({len(om.missing)})</div>"
    )
    if om.missing.empty:
        parts.append('<div style="color: #666;">Nothing that most of the other outlets carry.</div>')
    else:
        items = "".join(
            f"<li {li}>{kind_badge(k)}<span>{escape_text(rep)} "
            f'<span style="color: #666;">— {escape_text(", ".join(outs))}</span></span></li>'
            for k, rep, outs in zip(
                om.missing["kind"], om.missing["representative"], om.missing["outlets"], strict=True
            )
        )
        parts.append(f'<ul style="margin: 0; padding: 0;">{items}</ul>')
    if om.missing_numbers:
        parts.append(
            '<div style="margin-top: 8px;"><span style="font-weight: 600;">Figures the others report and '
            f"it does not:</span> {escape_text(', '.join(om.missing_numbers))}</div>"
        )
    parts.append("</div>")
    return "".join(parts)
