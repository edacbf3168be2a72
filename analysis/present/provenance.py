"""Where a chart or table comes from, in words a reader can cite: captions and the settings behind
the numbers.

Every exported chart (PNG, SVG, HTML, the report) carries a caption naming what it shows (an event
or an outlet), the date range, how many articles and outlets, the scorer version and this tool, so a
saved file can be identified on its own.  Pure: rows in, text or figures out; no Streamlit.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from analysis.compare import summary as compare
from analysis.present.charts_common import label
from analysis.scoring.scorer import SCORER_VERSION

TOOL_NAME = "media-bias-dashboard"  # named in every caption (the User-Agent's product name too)
CAPTION_WRAP = 60  # characters per caption line: fits a 390 px phone screen at CAPTION_FONT_SIZE
CAPTION_FONT_SIZE = 10
CAPTION_LINE_PX = 14  # pixels per caption line
CAPTION_COLOR = "#555555"
CAPTION_META = "captioned"  # layout.meta of a figure that carries its caption
SUBJECT_CHARS = 60  # an event or outlet name longer than this is cut with "…" in captions


def plural(n: int, one: str, many: str | None = None) -> str:
    """``"1 article"``, ``"2 articles"``, ``"0 articles"``."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def shorten(text: object, limit: int) -> str:
    """``text`` cut to ``limit`` characters with "…" (whitespace collapsed); "" for None."""
    s = " ".join(str(text if text is not None else "").split())
    return s if len(s) <= limit else s[: max(1, limit - 1)].rstrip() + "…"


def interval_text(lo: object, hi: object, fmt: str, *, articles: int | None = None) -> str:
    """A 95% interval in words: ``"−0.20 to +0.05"``; never ``"0.0 to 0.0"``.

    No interval (NaN) with one article: ``"1 article: no interval"``; a zero-width interval (every
    resample alike): ``"no spread (0.0 in every resample)"``.
    """
    try:
        a, b = float(lo), float(hi)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        a = b = float("nan")
    if a != a or b != b:  # NaN
        return "1 article: no interval" if articles == 1 else "no interval"
    # U+2212 minus: typographically right, and a text cell that starts with "-" is not a formula.
    left, right = f"{a:{fmt}}".replace("-", "−"), f"{b:{fmt}}".replace("-", "−")
    return f"no spread ({left} in every resample)" if left == right else f"{left} to {right}"


def _day(value: object) -> str | None:
    """``YYYY-MM-DD`` of a datetime or pandas Timestamp; None for None, NaT or anything else."""
    if value is None or value != value or not hasattr(value, "strftime"):  # NaT != NaT
        return None
    try:
        return str(value.strftime("%Y-%m-%d"))
    except ValueError:
        return None


def date_range_text(dates: Iterable[object]) -> str:
    """``"2026-03-01 to 2026-03-04"``, one day alone, or ``"no dates"``."""
    days = sorted(d for d in (_day(v) for v in dates) if d)
    if not days:
        return "no dates"
    return days[0] if days[0] == days[-1] else f"{days[0]} to {days[-1]}"


@dataclass(frozen=True)
class Provenance:
    """What a chart or table shows, for its caption."""

    subject: str  # event name, outlet name, or "All events"
    dates: str  # date_range_text of the articles
    articles: int
    outlets: int
    scorer_versions: tuple[str, ...] = (SCORER_VERSION,)
    corrections: tuple[str, ...] = field(default=())  # hook: user corrections applied to the numbers

    def lines(self) -> list[str]:
        """The caption as short lines (each at most CAPTION_WRAP characters, except a long version)."""
        versions = ", ".join(self.scorer_versions) or "unscored"
        counts = f"{plural(self.articles, 'article')} from {plural(self.outlets, 'outlet')}"
        out = [shorten(self.subject, SUBJECT_CHARS), f"{self.dates} · {counts}", f"scorer {versions}"]
        if self.corrections:
            out.append(shorten("corrections: " + "; ".join(self.corrections), CAPTION_WRAP))
        out.append(f"made with {TOOL_NAME}")
        return out

    def text(self) -> str:
        """The caption on one line (file metadata, HTML titles, CSV headers)."""
        return " · ".join(self.lines())


def provenance(
    subject: str, rows: Sequence[Mapping[str, object]], *, corrections: Sequence[str] = ()
) -> Provenance:
    """The provenance of article rows (``Store.event_articles`` or an ``articles_frame`` as records)."""
    versions = sorted({str(r.get("scorer_version")) for r in rows if r.get("scorer_version")})
    return Provenance(
        subject=str(subject),
        dates=date_range_text(r.get("published") for r in rows),
        articles=len(rows),
        outlets=len({r.get("outlet") for r in rows if r.get("outlet")}),
        scorer_versions=tuple(versions) or (SCORER_VERSION,),
        corrections=tuple(corrections),
    )


def frame_provenance(subject: str, articles: pd.DataFrame, *, corrections: Sequence[str] = ()) -> Provenance:
    """:func:`provenance` of a DataFrame of articles (``compare.articles_frame``)."""
    cols = [c for c in ("outlet", "published", "scorer_version") if c in articles.columns]
    records = [{str(k): v for k, v in r.items()} for r in articles[cols].to_dict("records")]
    return provenance(subject, records, corrections=corrections)


def with_caption(fig: go.Figure, prov: Provenance | str) -> go.Figure:
    """A copy of ``fig`` with the caption in small grey type under its title (a Plotly subtitle).

    Under the title rather than under the plot: the plot's bottom holds legends whose height
    depends on the screen width, and a caption there would collide with them on a phone.  The top
    margin and the height grow by the caption's lines, so the plot keeps its size.
    """
    lines = prov.lines() if isinstance(prov, Provenance) else textwrap.wrap(str(prov), CAPTION_WRAP)[:4]
    out = go.Figure(fig)
    if out.layout.meta == CAPTION_META:  # already captioned
        return out
    extra = CAPTION_LINE_PX * len(lines) + 6
    top = int(out.layout.margin.t if out.layout.margin.t is not None else 100)
    out.update_layout(
        height=int(out.layout.height or 450) + extra,
        margin=dict(t=top + extra),
        meta=CAPTION_META,
        title=dict(
            subtitle=dict(
                text="<br>".join(label(line) for line in lines),
                font=dict(size=CAPTION_FONT_SIZE, color=CAPTION_COLOR),
            ),
        ),
    )
    if out.layout.title.yanchor is None:  # place the title block at the top, not centred in the margin
        out.update_layout(title=dict(y=1, yref="container", yanchor="top", pad=dict(t=10)))
    return out


# --- the settings that change the numbers --------------------------------------------


def number_settings(corrections: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(name, value) of everything that changes the numbers of a summary or report.

    ``corrections``: the user's corrections applied to the scores (a hook for the corrections
    feature: pass their one-line descriptions; "none" when empty).
    """
    return [
        ("tool", TOOL_NAME),
        ("scorer version", SCORER_VERSION),
        ("sentiment", "VADER compound per sentence, mean weighted by sentence length (−1 … +1)"),
        ("loaded language", f"weight of the outlet's own flagged words per {compare.PER_WORDS:,.0f} words"),
        (
            "intervals",
            f"{compare.LEVEL:.0%} percentile bootstrap over sentences, "
            f"{compare.N_RESAMPLES:,} resamples, seed {compare.SEED}",
        ),
        ("thin evidence", f"fewer than {plural(compare.THIN_ARTICLES, 'usable article')} per outlet"),
        ("corrections applied", "; ".join(corrections) if corrections else "none"),
    ]
