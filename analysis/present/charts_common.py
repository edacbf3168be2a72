"""Shared pieces of the Plotly charts: colours, layout, safe labels and the common figure style.

Colours: one per outlet, the same in every chart.  The store keeps each outlet's colour, given once
when the outlet is first seen (``next_outlet_colour``: the first palette colour no stored outlet
uses, then hash-derived colours kept apart from the others), so adding an outlet never repaints
another; ``outlet_colors`` (sorted names onto the palette) serves callers without a store.  One
colour per loaded-language category
(``category_colors``, shared with the highlighted text).  Labels that come from the web
(outlet, event and article names) are HTML-escaped, because Plotly renders a subset of
HTML tags in text.  No Streamlit here.
"""

from __future__ import annotations

import html
import textwrap
import zlib
from collections.abc import Iterable, Mapping

import plotly.graph_objects as go

from analysis.palette import (  # noqa: F401 - re-exported for the charts' callers
    COLOUR_RE,
    OUTLET_PALETTE,
    next_outlet_colour,
    normalise_colour,
)

# --- colours -----------------------------------------------------------------------

# The outlet palette and the colour of a new outlet live in analysis/palette.py (the store uses them).

# Fixed colours for the scorer's known categories (Okabe-Ito/IBM colour-blind-safe hues);
# unknown categories get a stable colour from CATEGORY_FALLBACK by a hash of their name.
CATEGORY_PALETTE: dict[str, str] = {
    "emotional": "#D81B60",
    "doubt": "#009E73",
    "loaded-verb": "#56B4E9",
    "intensifier": "#E69F00",
    "labelling": "#785EF0",
    "labeling": "#785EF0",
    "framing": "#0072B2",
    "partisan": "#8C564B",
    "sarcasm": "#CC79A7",
    "euphemism": "#17BECF",
    "hyperbole": "#FE6100",
    "topic": "#B0B0B0",  # a topic word of the event: shown, not counted
}
CATEGORY_FALLBACK: tuple[str, ...] = ("#8C564B", "#17BECF", "#BCBD22", "#7F7F7F", "#9467BD", "#2CA02C")
MISSING_COLOR = "#888888"

# Outlet groups (data/outlets.csv's "group" column) take colours from a different palette (Dark2)
# than outlets, so a group is never mistaken for the outlet that happens to share its colour.
GROUP_PALETTE: tuple[str, ...] = (
    "#1B9E77",
    "#D95F02",
    "#7570B3",
    "#E7298A",
    "#66A61E",
    "#E6AB02",
    "#A6761D",
    "#666666",
)

SENTIMENT_SCALE = "RdBu"  # diverging, red = negative, blue = positive (matches the text shading)
LOADED_SCALE = "YlOrRd"  # sequential: more loaded language is darker

# --- layout ------------------------------------------------------------------------

FONT = dict(family="Inter, 'Source Sans Pro', 'Helvetica Neue', Arial, sans-serif", size=13)
BASE_HEIGHT = 110  # pixels of title, axis and margins around a per-outlet chart
ROW_HEIGHT = 42  # pixels per outlet row in horizontal charts
SMOOTH_MIN = 3  # fewest sentences in the centred rolling mean of the sentence-by-sentence chart
SMOOTH_SHARE = 0.2  # otherwise the window spans this share of the article's sentences
EDGE_PAD = 0.04  # share of an axis left free beyond the data so markers at 0 are not cut
LEGEND_SPACE = 60  # extra bottom margin (pixels) for a legend under the plot
LABEL_WRAP = 22  # characters per line of wrapped axis labels
OUTLET_WRAP = 14  # characters per line of outlet names under heatmap columns
EVENT_LABEL_CHARS = 48  # event names longer than this are cut (in full on hover)
HOVER_SNIPPET = 110  # characters of a sentence shown on hover
# Chart titles wrap at this many characters: a 15 px line of it fits the narrowest width a chart is
# drawn at (540 px, the dashboard's minimum; narrower screens scroll the chart sideways).
TITLE_WRAP = 62
TITLE_LINE_PX = 20  # height of each extra title line (the top margin and the figure grow by it)
CHART_MIN_WIDTH = 540  # px: the narrowest a chart is drawn (the dashboard scrolls it sideways below)
# Outlet columns of a heatmap: up to UPRIGHT_OUTLETS names stand upright, wrapped, in columns of at
# least UPRIGHT_COLUMN_PX; with more, names are turned upwards and cut to OUTLET_TICK_CHARS (in full
# on hover), so a column needs only TURNED_COLUMN_PX (a 13 px line) and 30 outlets fit 1280 px.
UPRIGHT_OUTLETS = 6
UPRIGHT_COLUMN_PX = 100
TURNED_COLUMN_PX = 24
OUTLET_TICK_CHARS = 24  # a longer name keeps its start and its end ("The Northern …hronicle 12")
CHAR_PX = 7.2  # mean width of one character of 13 px text (to size margins and minimum widths)
HEATMAP_FRAME_PX = 110  # colour bar, its labels and the side margins of a heatmap
# Points drawn per article in the sentence-by-sentence chart.  A longer article's rolling mean is
# computed over all its sentences, then every k-th sentence is drawn (each point still shows that
# sentence's own score), and the chart says so: a 5 MB text of one-word sentences would otherwise
# send ~800k points, with a hover text each, to the browser.
MAX_ARC_POINTS = 1000


def outlet_colors(outlets: Iterable[str]) -> dict[str, str]:
    """Deterministic colour per outlet: the sorted unique outlets, in order, take the palette's colours."""
    names = sorted({o for o in outlets if o is not None})
    return {name: OUTLET_PALETTE[i % len(OUTLET_PALETTE)] for i, name in enumerate(names)}


def group_colors(groups: Iterable[str]) -> dict[str, str]:
    """Deterministic colour per outlet group (sorted names onto GROUP_PALETTE)."""
    names = sorted({g for g in groups if g is not None}, key=str)
    return {name: GROUP_PALETTE[i % len(GROUP_PALETTE)] for i, name in enumerate(names)}


def category_colors(categories: Iterable[str]) -> dict[str, str]:
    """Colour per category: fixed for known ones, else stable by name (independent of the others)."""
    out = {}
    for cat in categories:
        if cat in CATEGORY_PALETTE:
            out[cat] = CATEGORY_PALETTE[cat]
        else:
            out[cat] = CATEGORY_FALLBACK[zlib.crc32(str(cat).encode()) % len(CATEGORY_FALLBACK)]
    return out


def label(text: object, wrap: int | None = None) -> str:
    """A web-supplied string made safe for Plotly text (escaped), optionally wrapped with <br>."""
    s = html.escape(str(text), quote=False)
    if wrap and len(s) > wrap:
        s = "<br>".join(textwrap.wrap(s, wrap, break_long_words=True)[:3])
    return s


def wrap_title(title: str, width: int = TITLE_WRAP) -> tuple[str, int]:
    """``title`` with long lines wrapped at ``width`` characters (<br>), and its number of lines.

    Lines holding markup (``<sup>`` notes) are kept whole; escaped web text has no spaces inside
    its entities, so wrapping at spaces never splits one.
    """
    lines: list[str] = []
    for part in title.split("<br>"):
        lines += [part] if "<" in part or len(part) <= width else textwrap.wrap(part, width)
    return "<br>".join(lines), max(1, len(lines))


def _style(fig: go.Figure, title: str, height: int, *, legend: bool = False) -> go.Figure:
    text, lines = wrap_title(title)
    extra = TITLE_LINE_PX * (lines - 1)
    fig.update_layout(
        template="plotly_white",
        font=FONT,
        title=dict(text=text, x=0, xanchor="left", font=dict(size=15)),
        height=height + extra,
        margin=dict(l=10, r=20, t=(56 + extra) if title else 20, b=40 + (LEGEND_SPACE if legend else 0)),
        showlegend=legend,
        # Legend under the plot: at the top it collides with long titles at narrow widths.
        legend=dict(
            orientation="h", yref="container", yanchor="bottom", y=0, xanchor="left", x=0, title_text=""
        ),
        hoverlabel=dict(font_size=12),
    )
    return fig


def outlet_x(outlets: list[str]) -> list[str]:
    """The x values of a heatmap's outlet columns: the escaped names (wrapped when upright)."""
    upright = len(outlets) <= UPRIGHT_OUTLETS
    return [label(o, OUTLET_WRAP) if upright else label(o) for o in outlets]


def outlet_axis(fig: go.Figure, outlets: list[str]) -> int:
    """Label the x axis of ``fig`` (a heatmap whose x values are ``outlet_x(outlets)``) and return
    the pixels its labels take above the plot (the axis is on top).  Upright and wrapped for a few
    outlets; turned upwards and cut for many, in full on hover (see UPRIGHT_OUTLETS)."""
    values = outlet_x(outlets)
    if len(outlets) <= UPRIGHT_OUTLETS:
        text, angle = values, 0
        space = 16 * max((t.count("<br>") + 1 for t in text), default=1) + 8
    else:
        cut = [_cut_middle(" ".join(str(o).split()), OUTLET_TICK_CHARS) for o in outlets]
        text, angle = [label(c) for c in cut], -90
        space = int(CHAR_PX * max((len(c) for c in cut), default=1)) + 12
    fig.update_xaxes(
        side="top", tickangle=angle, tickmode="array", tickvals=values, ticktext=text, showgrid=False
    )
    return space


def min_width(fig: go.Figure) -> int:
    """The narrowest width (px) at which ``fig`` stays readable: ``CHART_MIN_WIDTH``, or for a
    heatmap enough for its row labels, one readable column per outlet and the colour bar."""
    width = CHART_MIN_WIDTH
    for trace in fig.data:
        if trace.type != "heatmap" or trace.z is None or not len(trace.z):
            continue
        columns = len(trace.z[0])
        column = UPRIGHT_COLUMN_PX if columns <= UPRIGHT_OUTLETS else TURNED_COLUMN_PX
        rows = [str(y) for y in (trace.y if trace.y is not None else [])]
        longest = max((max(len(part) for part in r.split("<br>")) for r in rows), default=0)
        width = max(width, int(CHAR_PX * longest) + column * columns + HEATMAP_FRAME_PX)
    return width


def _color(colors: Mapping[str, str] | None, outlet: str) -> str:
    return (colors or {}).get(outlet, MISSING_COLOR)


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _style(fig, title, 220)


def _cut_middle(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters in its middle, so names that differ only at the end
    ("… Chronicle 03", "… Chronicle 04") stay apart."""
    if len(text) <= limit:
        return text
    tail = (limit - 1) * 2 // 5
    return text[: limit - 1 - tail].rstrip() + "…" + text[-tail:].lstrip()


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


HOVER_WRAP = 70  # characters per line of a sentence shown on hover


def _hover_wrap(text: str, width: int = HOVER_WRAP, lines: int = 6) -> str:
    """Escaped ``text`` wrapped with <br> for a hover box (at most ``lines`` lines)."""
    parts = textwrap.wrap(str(text), width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] += " …"
    return "<br>".join(html.escape(p, quote=False) for p in parts)
