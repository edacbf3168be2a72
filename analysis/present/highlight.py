"""Article text as safe HTML: loaded words marked by category, sentences shaded by sentiment.

The text comes from the open web, so every piece of it is escaped with ``html.escape``
*before* any markup is added: the only tags in the output are the ones built here, and
their attribute values are escaped too.  Offsets index the stored (scored) text.

``highlight_html(text, spans, sentences)`` takes spans and sentences in the shapes the
store returns them (span dicts or ``Span`` objects; ``[start, end, compound]`` lists or
``SentenceSentiment`` objects) and never raises on bad offsets: they are clipped or
skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.compare.rows import span_field
from analysis.present.charts_common import category_colors
from analysis.present.overlaps import without_overlaps
from analysis.present.provenance import interval_text

NEUTRAL_BAND = 0.05  # |compound| below this is "neutral" (VADER's own convention): no shading
MAX_SHADE_ALPHA = 0.28  # background opacity of a sentence with |compound| = 1
NEGATIVE_RGB = (214, 96, 77)  # the red end of the RdBu scale used by the sentiment charts
POSITIVE_RGB = (67, 147, 195)  # the blue end
MARK_ALPHA = 0.22  # background opacity behind an outlet's own loaded word
DISMISSED_STYLE = "background: none; color: #8c959f; text-decoration: line-through; padding: 0 1px;"
LINK_STYLE = "color: inherit; text-decoration: none; cursor: pointer;"

# Characters replaced by entities in one pass: HTML's own (&, <, >, quotes) and markdown's
# (emphasis, code, links, headings, maths, tables).  As entities they show literally both in
# HTML and in markdown renderers; one pass means nothing is escaped twice.
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#x27;",
        "*": "&#42;",
        "_": "&#95;",
        "`": "&#96;",
        "[": "&#91;",
        "]": "&#93;",
        "#": "&#35;",
        "~": "&#126;",
        "$": "&#36;",
        "|": "&#124;",
        "\\": "&#92;",
    }
)


def escape_text(text: str | None) -> str:
    """HTML-escape ``text`` and neutralise markdown syntax (``**``, ``_``, backticks, links, ``$``).

    Safe inside element content and inside double- or single-quoted attribute values, both
    for ``st.html`` and for markdown renderers.
    """
    return (text or "").translate(_ESCAPES)


@dataclass(frozen=True)
class _Mark:
    start: int
    end: int
    category: str
    weight: float
    quoted: bool
    rule: str
    status: str | None = None  # "dismissed": a person's correction leaves it out of the rates


@dataclass(frozen=True)
class _Sent:
    start: int
    end: int
    compound: float


def _marks(text: str, spans: Iterable[object]) -> list[_Mark]:
    """Valid spans, overlaps resolved: the heavier (then longer, then earlier) span wins."""
    n = len(text)
    cands: list[_Mark] = []
    for sp in spans or ():
        try:
            start, end = int(span_field(sp, "start")), int(span_field(sp, "end"))
            weight = float(span_field(sp, "weight", 0.0) or 0.0)
        except (TypeError, ValueError):
            continue
        start, end = max(0, start), min(n, end)
        if end <= start:
            continue
        expected = span_field(sp, "text")
        if isinstance(expected, str) and expected and text[start:end] != expected:
            continue  # offsets from another version of the text: do not mark the wrong words
        cands.append(
            _Mark(
                start,
                end,
                str(span_field(sp, "category", "") or "loaded"),
                weight,
                bool(span_field(sp, "quoted", False)),
                str(span_field(sp, "rule", "") or ""),
                str(span_field(sp, "status") or "") or None,
            )
        )
    return without_overlaps(cands)


def _sentences(text: str, sentences: Iterable[object]) -> list[_Sent]:
    n = len(text)
    out: list[_Sent] = []
    for s in sentences or ():
        try:
            if isinstance(s, Sequence) and not isinstance(s, str):
                start, end, compound = int(s[0]), int(s[1]), float(s[2])
            else:
                start, end = int(span_field(s, "start")), int(span_field(s, "end"))
                compound = float(span_field(s, "compound"))
        except (TypeError, ValueError, IndexError):
            continue
        start, end = max(0, start), min(n, end)
        if end > start:
            out.append(_Sent(start, end, compound))
    out.sort(key=lambda s: s.start)
    # Overlapping sentences (should not happen): a later one starts where the earlier ended.
    clean: list[_Sent] = []
    for s in out:
        if clean and s.start < clean[-1].end:
            if s.end <= clean[-1].end:
                continue
            s = _Sent(clean[-1].end, s.end, s.compound)
        clean.append(s)
    return clean


def sentence_style(compound: float) -> str:
    """Inline CSS background for a sentence: red for negative, blue for positive, none if neutral."""
    if abs(compound) < NEUTRAL_BAND:
        return ""
    r, g, b = NEGATIVE_RGB if compound < 0 else POSITIVE_RGB
    alpha = round(MAX_SHADE_ALPHA * min(1.0, abs(compound)), 3)
    return f"background-color: rgba({r},{g},{b},{alpha});"


def _hex_to_rgba(color: str, alpha: float) -> str:
    c = color.lstrip("#")
    if len(c) != 6:
        return color
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def mark_style(category: str, quoted: bool, colors: Mapping[str, str]) -> str:
    """Inline CSS for a loaded word: solid underline and tint; dashed and no tint when quoted."""
    color = colors.get(category, "#888888")
    if quoted:
        return f"background: none; border-bottom: 2px dashed {color}; padding: 0 1px;"
    return (
        f"background: {_hex_to_rgba(color, MARK_ALPHA)}; border-bottom: 3px solid {color}; "
        "padding: 0 1px; font-weight: 600;"
    )


def mark_title(category: str, weight: float, quoted: bool, rule: str = "") -> str:
    """The hover text of a loaded word (plain text; escaped by the caller)."""
    title = f"{category} (weight {weight:.2f})"
    if rule and rule != "lexicon":
        title += f", {rule}"
    if quoted:
        title += " — quoted: attributed to the speaker, not counted in the outlet's rate"
    return title


def highlight_html(
    text: str,
    spans: Iterable[object] = (),
    sentences: Iterable[object] = (),
    *,
    colors: Mapping[str, str] | None = None,
    link_prefix: str | None = None,
) -> str:
    """``text`` as escaped HTML with loaded words in ``<mark>`` and sentences in shaded ``<span>``.

    Whitespace and newlines are kept as characters: render inside an element with
    ``white-space: pre-wrap`` (``article_html`` does).  Spans crossing a sentence boundary
    are split into one mark per sentence.  A span with a ``status`` (dismissed by a person) is
    struck through in grey; a topic word of the event (category ``topic``) is shown in grey.
    ``link_prefix``: every mark becomes a link to
    ``link_prefix + str(span start)`` (the Compare page's click-to-review).
    """
    text = text or ""
    marks = _marks(text, spans)
    sents = _sentences(text, sentences)
    if colors is None:
        colors = category_colors(sorted({m.category for m in marks}))
    cuts = {0, len(text)}
    for m in marks:
        cuts.update((m.start, m.end))
    for s in sents:
        cuts.update((s.start, s.end))
    bounds = sorted(cuts)

    out: list[str] = []
    mi = si = 0
    for a, b in itertools.pairwise(bounds):
        if a >= b:
            continue
        while mi < len(marks) and marks[mi].end <= a:
            mi += 1
        while si < len(sents) and sents[si].end <= a:
            si += 1
        piece = escape_text(text[a:b])
        mark = marks[mi] if mi < len(marks) and marks[mi].start <= a else None
        sent = sents[si] if si < len(sents) and sents[si].start <= a else None
        if mark is not None:
            kind = "loaded quoted" if mark.quoted else "loaded"
            title = mark_title(mark.category, mark.weight, mark.quoted, mark.rule)
            style = mark_style(mark.category, mark.quoted, colors)
            if mark.status:
                kind += f" {mark.status}"
                title += f" — {mark.status} by a person: not counted"
                style = DISMISSED_STYLE
            if link_prefix is not None:
                title += " (click to review)"
            category = escape_text(mark.category)
            piece = (
                f'<mark class="{kind}" data-category="{category}" title="{escape_text(title)}" '
                f'style="{style}">{piece}</mark>'
            )
            if link_prefix is not None:
                href = escape_text(f"{link_prefix}{mark.start}")
                piece = f'<a class="flag-link" href="{href}" target="_self" style="{LINK_STYLE}">{piece}</a>'

        if sent is not None:
            style = sentence_style(sent.compound)
            piece = (
                f'<span class="sentence" title="sentence sentiment {sent.compound:+.2f}" '
                f'style="{style}">{piece}</span>'
            )
        out.append(piece)
    return "".join(out)


# Characters of an article shown highlighted on the Compare page and in the report.  Every sentence
# and loaded word becomes an HTML element, so a hostile 5 MB text of one-word sentences made ~150 MB
# of HTML per column.  100,000 characters is about 16,000 words, longer than almost any article;
# beyond it the text is cut for display with a visible note.  Only the display is cut: the scores,
# charts and exports cover the whole text.
MAX_HIGHLIGHT_CHARS = 100_000


def display_cut(text: str, max_chars: int = MAX_HIGHLIGHT_CHARS) -> int:
    """Where ``text`` is cut for display: its length when it fits in ``max_chars``, else the last
    white space within the final 200 characters before the limit (the limit itself if none)."""
    if len(text) <= max_chars:
        return len(text)
    space = max(text.rfind(" ", max_chars - 200, max_chars), text.rfind("\n", max_chars - 200, max_chars))
    return space if space > 0 else max_chars


def truncation_note_html(shown: int, total: int) -> str:
    """The visible note under an article cut for display."""
    return (
        '<div class="truncated" style="color: #9a6700; font-size: 0.85rem; margin-top: 6px;">'
        f"Text truncated for display: the first {shown:,} of {total:,} characters are shown. The "
        "scores and charts cover the whole text; <code>python -m analysis export</code> writes all of "
        "it with every loaded-language span.</div>"
    )


def _starts_before(item: object, cut: int) -> bool:
    """Whether a span or sentence (any shape :func:`highlight_html` takes) starts before ``cut``;
    True when its start cannot be read (highlight_html skips it then)."""
    try:
        if isinstance(item, Sequence) and not isinstance(item, str):
            return int(item[0]) < cut
        return int(span_field(item, "start")) < cut
    except (TypeError, ValueError, IndexError):
        return True


def article_html(
    text: str,
    spans: Iterable[object] = (),
    sentences: Iterable[object] = (),
    *,
    colors: Mapping[str, str] | None = None,
    max_height: int | None = None,
    link_prefix: str | None = None,
    max_chars: int = MAX_HIGHLIGHT_CHARS,
) -> str:
    """``highlight_html`` wrapped in a pre-wrap block (scrolling when ``max_height`` pixels is given).

    A text longer than ``max_chars`` is highlighted up to :func:`display_cut` only, with a visible
    "text truncated for display" note under it.
    """
    text = text or ""
    scroll = f"max-height: {int(max_height)}px; overflow-y: auto;" if max_height else ""
    cut = display_cut(text, max_chars)
    if cut < len(text):  # what starts after the cut is not shown: not even looked at
        spans = [sp for sp in spans or () if _starts_before(sp, cut)]
        sentences = [s for s in sentences or () if _starts_before(s, cut)]
    body = highlight_html(text[:cut], spans, sentences, colors=colors, link_prefix=link_prefix)
    note = truncation_note_html(cut, len(text)) if cut < len(text) else ""
    return (
        '<div class="article-text" style="white-space: pre-wrap; line-height: 1.55; font-size: 0.92rem; '
        f'{scroll} padding-right: 4px;">{body}</div>{note}'
    )


def category_legend_html(colors: Mapping[str, str]) -> str:
    """Chips naming each category in its colour, plus the quoted and sentence-shading keys."""
    chips = [
        f'<span style="{mark_style(cat, False, colors)} margin-right: 10px;">{escape_text(cat)}</span>'
        for cat in colors
    ]
    any_color = next(iter(colors.values()), "#888888")
    chips.append(
        f'<span style="background: none; border-bottom: 2px dashed {any_color}; margin-right: 10px;">'
        "quoted (the speaker's words)</span>"
    )
    chips.append(f'<span style="{sentence_style(-0.7)} margin-right: 6px;">negative sentence</span>')
    chips.append(f'<span style="{sentence_style(0.7)}">positive sentence</span>')
    return '<div style="font-size: 0.85rem; line-height: 1.9;">' + "".join(chips) + "</div>"


# --- fragments shared by the compare page and the event report ------------------------

HEALTH_COLORS = {  # (text, background) per health level
    "ok": ("#1a7f37", "#dafbe1"),
    "warn": ("#9a6700", "#fff8c5"),
    "fail": ("#cf222e", "#ffebe9"),
}
SAFE_LINK_SCHEMES = ("http://", "https://")


def health_badge_html(health: str | None, reason: str = "") -> str:
    """A coloured pill: green for ok, amber for short/no-date/…, red for failures; reason on hover."""
    from analysis.compare.summary import health_level

    level = health_level(health)
    fg, bg = HEALTH_COLORS[level]
    text = "ok" if level == "ok" else (health or "unknown")
    title = f' title="{escape_text(reason)}"' if reason else ""
    return (
        f'<span class="health health-{level}"{title} style="display: inline-block; padding: 1px 8px; '
        f"border-radius: 10px; font-size: 0.78rem; font-weight: 600; color: {fg}; background: {bg}; "
        f'border: 1px solid {fg}33;">{escape_text(text)}</span>'
    )


def outlet_dot_html(outlet: str, colors: Mapping[str, str]) -> str:
    color = colors.get(outlet, "#888888")
    return (
        f'<span style="display: inline-block; width: 10px; height: 10px; border-radius: 50%; '
        f'background: {color}; margin-right: 6px; vertical-align: baseline;"></span>'
    )


def safe_link_html(url: str | None, text: str) -> str:
    """An anchor to ``url`` only for http(s) URLs (no javascript:, data: ...); else just the text."""
    if url and url.lower().startswith(SAFE_LINK_SCHEMES):
        return (
            f'<a href="{escape_text(url)}" target="_blank" rel="noopener noreferrer nofollow">'
            f"{escape_text(text)}</a>"
        )
    return escape_text(text)


def _num(value: object, fmt: str) -> str:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    return "–" if v != v else format(v, fmt)


def categories_html(categories: Mapping[str, float], words: float | None, colors: Mapping[str, str]) -> str:
    """Category breakdown as chips: weight per 1,000 words (or raw weight when words are unknown)."""
    if not categories:
        return '<span style="color: #666; font-size: 0.85rem;">no loaded language of its own</span>'
    items = sorted(categories.items(), key=lambda kv: -kv[1])
    chips = []
    for cat, w in items:
        value = 1000.0 * w / words if words else w
        chips.append(
            f'<span title="{escape_text(cat)}: weight {w:.2f}" style="{mark_style(cat, False, colors)} '
            f'font-weight: 500; margin: 0 6px 4px 0; display: inline-block;">{escape_text(cat)} '
            f"{value:.1f}</span>"
        )
    return '<div style="font-size: 0.82rem; line-height: 1.7;">' + "".join(chips) + "</div>"


def summary_table_html(summary: object, colors: Mapping[str, str]) -> str:
    """The side-by-side summary as an HTML table (``summary``: ``compare.outlet_summary`` frame).

    Estimates in bold with their 95% interval underneath; scrolls sideways rather than
    overlapping its neighbours when the column is narrow.
    """
    small = 'style="color: #666; font-size: 0.78rem; white-space: nowrap;"'
    head = "<tr><th>Outlet</th><th>Sentiment</th><th>Loaded / 1k words</th><th>Top flagged words</th></tr>"
    body = []
    for _, r in summary.iterrows():  # type: ignore[attr-defined]
        words = ", ".join(f"{escape_text(w)}&nbsp;×{c}" for w, c in r["top_words"]) or "–"
        n = int(r["articles"])
        body.append(
            "<tr>"
            f'<td style="white-space: nowrap;">{outlet_dot_html(r["outlet"], colors)}'
            f"<b>{escape_text(r['outlet'])}</b><br>"
            f"<span {small}>{n} article{'s' if n != 1 else ''}</span></td>"
            f"<td><b>{_num(r['sentiment'], '+.2f')}</b><br><span {small}>"
            f"{escape_text(interval_text(r['sentiment_lo'], r['sentiment_hi'], '+.2f', articles=n))}"
            "</span></td>"
            f"<td><b>{_num(r['loaded'], '.1f')}</b><br><span {small}>"
            f"{escape_text(interval_text(r['loaded_lo'], r['loaded_hi'], '.1f', articles=n))}</span></td>"
            f"<td>{words}</td>"
            "</tr>"
        )
    return (
        '<div class="xscroll" style="overflow-x: auto;">'
        '<table class="summary" style="border-collapse: collapse; width: 100%; font-size: 0.88rem;">'
        f"<thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"
        '<div style="color: #666; font-size: 0.78rem; margin-top: 3px;">Under each estimate: its 95% '
        "interval. Sentiment from −1 (negative) to +1 (positive).</div></div>"
        "<style>table.summary th {text-align: left; font-weight: 600; border-bottom: 2px solid #ddd; "
        "padding: 3px 8px; white-space: nowrap;} table.summary td {border-bottom: 1px solid #eee; "
        "padding: 4px 8px; vertical-align: top; line-height: 1.3;}</style>"
    )


def article_header_html(row: Mapping[str, Any], colors: Mapping[str, str]) -> str:
    """Headline, outlet, date, authors, health badge and scores of one article (all escaped)."""
    published: Any = row.get("published")
    date = published.strftime("%Y-%m-%d %H:%M") if hasattr(published, "strftime") else "no date"
    authors = ", ".join(str(a) for a in (row.get("authors") or [])) or "no author listed"
    outlet = str(row.get("outlet") or "")
    words = row.get("words") or 0
    link = safe_link_html(str(row.get("url") or ""), "original")
    return (
        '<div class="article-head" style="margin-bottom: 6px;">'
        f'<div style="font-size: 1.02rem; font-weight: 700; line-height: 1.3; margin-bottom: 4px;">'
        f"{escape_text(str(row.get('title') or '(no title)'))}</div>"
        f'<div style="font-size: 0.85rem; color: #444;">{outlet_dot_html(outlet, colors)}'
        f"<b>{escape_text(outlet)}</b> · {escape_text(date)} · {link}</div>"
        f'<div style="font-size: 0.82rem; color: #666; margin: 2px 0 4px;">by {escape_text(authors)}</div>'
        f"<div>{health_badge_html(row.get('health'), str(row.get('reason') or ''))} "
        f'<span style="font-size: 0.8rem; color: #666;">{int(words)} words</span></div>'
        + _stat_chips(
            [
                ("article", _num(row.get("sentiment"), "+.2f"), "article sentiment, −1 … +1"),
                ("headline", _num(row.get("headline_sentiment"), "+.2f"), "headline sentiment, −1 … +1"),
                ("loaded/1k", _num(row.get("loaded_rate"), ".1f"), "loaded-language weight per 1,000 words"),
                ("quoted/1k", _num(row.get("quoted_rate"), ".1f"), "the same inside quotations (speakers)"),
            ]
        )
        + "</div>"
    )


def _stat_chips(stats: list[tuple[str, str, str]]) -> str:
    """Small label-over-number boxes that wrap in narrow columns."""
    chips = "".join(
        f'<div title="{escape_text(tip)}" style="display: inline-block; margin: 0 10px 4px 0; '
        'vertical-align: top;">'
        f'<div style="font-size: 0.72rem; color: #666; text-transform: uppercase; letter-spacing: 0.02em;">'
        f"{escape_text(name)}</div>"
        f'<div style="font-size: 0.98rem; font-weight: 700;">{value}</div></div>'
        for name, value, tip in stats
    )
    return f'<div style="margin-top: 6px;">{chips}</div>'
