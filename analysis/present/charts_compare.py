"""Cross-outlet comparison charts: distinctive word choice, who reported which statement and which
key figure (Plotly figures, no Streamlit)."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.present.charts_common import (
    BASE_HEIGHT,
    _color,
    _empty,
    _hover_wrap,
    _style,
    _truncate,
    label,
    outlet_axis,
    outlet_x,
)

# --- cross-outlet comparisons -------------------------------------------------------

Z_GUIDE = 1.96  # |z| beyond this: the two-sided 5 % level of the log-odds z-score (guide lines)
FADED_OPACITY = 0.45  # bars of terms whose |z| stays under Z_GUIDE are drawn faded
LESS_COLOR = "#8C959F"  # bars of terms an outlet uses less than the others (neutral grey)
WORD_TOP = 8  # terms shown at each end of an outlet's word-choice panel
WORD_COLUMNS = 3  # word-choice panels per row
WORD_BAR_HEIGHT = 17  # pixels per term row in a word-choice panel
WORD_PANEL_EXTRA = 40  # pixels of panel title and x axis per row of panels
WORD_PANEL_GAP = 50  # pixels between two rows of panels (room for the x ticks and the next title)
NOT_CARRIED_COLOR = "#F0F1F3"  # an empty cell of the who-reported-what matrix
FACT_LABEL_CHARS = 90  # characters of a fact's sentence shown as its row label
FACT_WRAP = 48  # characters per line of a fact's row label
FACT_ROW_HEIGHT = 34  # pixels per fact (two-line labels)
NUMBER_ROW_HEIGHT = 24  # pixels per key figure


def _swatch(name: str, colors: Mapping[str, str] | None) -> str:
    """An escaped outlet name after a square in its colour (for panel titles)."""
    return f'<span style="color:{_color(colors, name)}">■</span> <b>{label(name)}</b>'


def word_choice_chart(
    terms: pd.DataFrame,
    colors: Mapping[str, str] | None = None,
    *,
    top: int = WORD_TOP,
    columns: int = WORD_COLUMNS,
    title: str | None = None,
) -> go.Figure:
    """Distinctive word choice: one diverging bar panel of log-odds z-scores per outlet.

    ``terms``: rows of ``wordchoice.distinctive_terms`` / ``event_word_choice`` (group, term,
    count, other_count, per_1000, other_per_1000, log_odds, z).  Each panel shows the group's
    ``top`` highest z (words it uses more than the others, in the outlet's colour) above its
    ``top`` lowest (words it uses less, grey); faded bars stay within ±Z_GUIDE (dashed lines).
    Terms are written next to the zero line, on the side away from their bar.  All panels share
    one symmetric x range, so bar lengths compare across outlets.
    """
    title = title or "Distinctive word choice: each outlet against all the others (log-odds z-score)"
    data = terms.dropna(subset=["z"]) if len(terms) else terms
    if data.empty:
        return _empty(title, "Not enough text to compare word choice (needs two outlets)")
    groups = list(dict.fromkeys(data["group"]))
    panels = []
    for g in groups:
        part = data[data["group"] == g]
        more = part[part["z"] > 0].sort_values(["z", "term"], ascending=[False, True]).head(top)
        less = part[part["z"] < 0].sort_values(["z", "term"], ascending=[True, True]).head(top)
        panels.append((g, more, less.iloc[::-1]))  # least negative first, most negative at the bottom
    ncols = max(1, min(columns, len(groups)))
    nrows = -(-len(groups) // ncols)
    rows_per_panel = max(1, *(len(m) + len(le) for _, m, le in panels))
    panel_height = rows_per_panel * WORD_BAR_HEIGHT + WORD_PANEL_EXTRA
    fig = make_subplots(
        rows=nrows,
        cols=ncols,
        # One panel: the chart title names the outlet already.
        subplot_titles=[_swatch(str(g), colors) for g in groups] if len(groups) > 1 else None,
        horizontal_spacing=0.04,
        vertical_spacing=WORD_PANEL_GAP / max(1, nrows * panel_height) if nrows > 1 else 0.0,
    )
    bound = max(Z_GUIDE + 0.5, float(data.loc[data["group"].isin(groups), "z"].abs().max()) * 1.05)
    axes: dict[str, dict] = {}
    shapes: list[dict] = []
    for i, (g, more, less) in enumerate(panels):
        r, c = divmod(i, ncols)
        order = [label(t) for t in [*more["term"], *less["term"]]]
        for part, color, name in ((more, _color(colors, g), label(g)), (less, LESS_COLOR, "uses less")):
            if part.empty:
                continue
            hover = [
                f"<b>{label(t)}</b><br>{label(g)}: {n} ({p:.1f} per 1,000 terms)<br>"
                f"the others: {o} ({op:.1f} per 1,000)<br>z = {z:+.2f} · log-odds {lo:+.2f}"
                for t, n, p, o, op, z, lo in zip(
                    part["term"],
                    part["count"],
                    part["per_1000"],
                    part["other_count"],
                    part["other_per_1000"],
                    part["z"],
                    part["log_odds"],
                    strict=True,
                )
            ]
            fig.add_trace(
                go.Bar(
                    x=part["z"],
                    y=[label(t) for t in part["term"]],
                    orientation="h",
                    name=name,
                    legendgroup=name,
                    marker=dict(
                        color=color,
                        opacity=[1.0 if abs(z) >= Z_GUIDE else FADED_OPACITY for z in part["z"]],
                    ),
                    hovertext=hover,
                    hovertemplate="%{hovertext}<extra></extra>",
                ),
                row=r + 1,
                col=c + 1,
            )
            fig.add_trace(
                go.Scatter(
                    x=[0.0] * len(part),
                    y=[label(t) for t in part["term"]],
                    mode="text",
                    text=[f" {label(t)} " for t in part["term"]],
                    textposition="middle left" if name != "uses less" else "middle right",
                    textfont=dict(size=12, color="#1f2328"),
                    hoverinfo="skip",
                    showlegend=False,
                    cliponaxis=False,
                ),
                row=r + 1,
                col=c + 1,
            )
        # Padding rows keep every panel's bars the same thickness.
        pad = [f"{' ' * (k + 1)}" for k in range(rows_per_panel - len(order))]
        suffix = "" if i == 0 else str(i + 1)
        axes[f"yaxis{suffix}"] = dict(
            categoryorder="array",
            categoryarray=order + pad,
            autorange="reversed",
            showticklabels=False,
            showgrid=False,
        )
        # Guide lines as plain shapes: fig.add_vline per subplot is slow (~0.1 s each).
        for x, color, dash in ((-Z_GUIDE, "#999", "dot"), (Z_GUIDE, "#999", "dot"), (0.0, "#555", "solid")):
            shapes.append(
                dict(
                    type="line",
                    xref=f"x{suffix}",
                    yref=f"y{suffix} domain",
                    x0=x,
                    x1=x,
                    y0=0,
                    y1=1,
                    line=dict(color=color, width=1, dash=dash),
                    layer="below" if x else "above",
                )
            )
    fig.update_layout(shapes=shapes, **axes)
    fig.update_xaxes(range=[-bound, bound], zeroline=False, tickfont=dict(size=10))
    fig.update_layout(bargap=0.25)
    height = nrows * panel_height + 70
    fig = _style(fig, title, height)
    fig.update_annotations(font_size=13)
    return fig


def _two_lines(text: str, width: int, limit: int) -> str:
    """``text`` (escaped) shortened to ``limit`` characters and wrapped into at most two lines."""
    parts = textwrap.wrap(_truncate(" ".join(str(text).split()), limit), width) or [""]
    if len(parts) > 2:
        parts = [parts[0], _truncate(" ".join(parts[1:]), width)]
    return "<br>".join(html.escape(p, quote=False) for p in parts)


def _carried_heatmap(
    row_labels: list[str],
    hover_rows: list[str],
    carried: pd.DataFrame,
    cell_hover: pd.DataFrame | None,
    colors: Mapping[str, str] | None,
    title: str,
    row_height: int,
    empty_message: str,
) -> go.Figure:
    """Rows × outlets, a cell filled in the outlet's colour when the outlet carries the row.

    One heatmap whose value is 0 (not carried) or k + 1 for the k-th outlet, on a stepped colour
    scale with one band per outlet: each column is drawn in its outlet's colour.
    """
    if carried.empty or not len(carried.columns):
        return _empty(title, empty_message)
    outlets = list(carried.columns)
    n = len(outlets)
    bands = [NOT_CARRIED_COLOR, *(_color(colors, o) for o in outlets)]
    scale = []
    for v, c in enumerate(bands):
        scale += [[v / (n + 1), c], [(v + 1) / (n + 1), c]]
    flags = carried.astype(bool).to_numpy()
    z = [[(k + 1) if flags[r, k] else 0 for k in range(n)] for r in range(len(flags))]
    text = [["✓" if flags[r, k] else "" for k in range(n)] for r in range(len(flags))]
    hover = []
    for r in range(len(flags)):
        cells = []
        for k, o in enumerate(outlets):
            if not flags[r, k]:
                said = "not in its coverage"
            elif cell_hover is not None and str(cell_hover.iloc[r, k]).strip():
                said = f"“{_hover_wrap(str(cell_hover.iloc[r, k]))}”"
            else:
                said = "reported"
            cells.append(f"{hover_rows[r]}<br><b>{label(o)}</b>: {said}")
        hover.append(cells)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=outlet_x(outlets),
            y=row_labels,
            text=text,
            texttemplate="%{text}",
            textfont=dict(color="white", size=13),
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=scale,
            zmin=-0.5,
            zmax=n + 0.5,
            showscale=False,
            xgap=3,
            ygap=3,
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False, tickfont=dict(size=12))
    space = outlet_axis(fig, outlets)  # outlet names above the columns
    fig = _style(fig, title, BASE_HEIGHT + space + row_height * len(row_labels))
    fig.update_layout(margin=dict(t=fig.layout.margin.t + space, b=20), title=dict(y=0.98, yanchor="top"))
    return fig


def _skipped_note(skipped: int) -> str:
    """A second title line saying that statements of long articles were not compared (if any were)."""
    if not skipped:
        return ""
    return (
        f"<br><sup>{skipped:,} statements of very long articles not compared "
        "(each article's first statements are)</sup>"
    )


def fact_coverage_chart(
    matrix: object, colors: Mapping[str, str] | None = None, *, order: list[str] | None = None
) -> go.Figure:
    """Who reported what: facts (rows, most widely carried first) × outlets, hover = the outlet's sentence.

    ``matrix``: an ``omissions.CoverageMatrix`` (``.facts`` with label/kind/n_outlets, ``.carried``
    bool facts × outlets, ``.sentences`` the outlet's sentence per fact).  Row labels are the
    fact's representative sentence, numbered, shortened to FACT_LABEL_CHARS and wrapped.  ``order``:
    the outlets' column order (default: the matrix's).
    """
    title = "Who reported what: statements (rows) and the outlets that carry them" + _skipped_note(
        getattr(matrix, "skipped", 0)
    )
    facts: pd.DataFrame = matrix.facts  # type: ignore[attr-defined]
    carried: pd.DataFrame = matrix.carried  # type: ignore[attr-defined]
    sentences: pd.DataFrame = matrix.sentences  # type: ignore[attr-defined]
    if facts.empty:
        return _empty(title, "No statements to compare")
    row_labels = [
        _two_lines(f"{i + 1}. {s}", FACT_WRAP, FACT_LABEL_CHARS)
        for i, s in enumerate(facts["representative"])
    ]
    hover_rows = [
        f"<i>{label(k)} · carried by {n} outlet{'s' if n != 1 else ''}</i>"
        for k, n in zip(facts["kind"], facts["n_outlets"], strict=True)
    ]
    cols = [o for o in (order or list(carried.columns)) if o in carried.columns]
    return _carried_heatmap(
        row_labels,
        hover_rows,
        carried[cols],
        sentences[cols],
        colors,
        title,
        FACT_ROW_HEIGHT,
        "No statements to compare",
    )


def key_figures_chart(
    numbers: pd.DataFrame, colors: Mapping[str, str] | None = None, *, order: list[str] | None = None
) -> go.Figure:
    """Key figures (percentages, money, counts; rows) × outlets: who reports which number.

    ``numbers``: ``omissions.numbers_matrix`` (number, kind, value, n_outlets, context, then one
    bool column per outlet); ``order``: the outlets' column order (default: the frame's).
    """
    title = "Key figures: which outlet reports which number" + _skipped_note(numbers.attrs.get("skipped", 0))
    meta = ["number", "kind", "value", "n_outlets", "context"]
    if numbers.empty:
        return _empty(title, "No percentages, amounts or counts in these articles")
    outlets = [c for c in numbers.columns if c not in meta]
    outlets = [o for o in (order or outlets) if o in outlets]
    seen: dict[str, int] = {}
    row_labels = []
    for num, kind in zip(numbers["number"], numbers["kind"], strict=True):
        text = f"{label(num)}  ({label(kind)})"
        seen[text] = seen.get(text, 0) + 1
        row_labels.append(text if seen[text] == 1 else f"{text} #{seen[text]}")
    hover_rows = [
        f"<b>{label(n)}</b> · {k}<br><i>{_hover_wrap(c)}</i>"
        for n, k, c in zip(numbers["number"], numbers["kind"], numbers["context"], strict=True)
    ]
    return _carried_heatmap(
        row_labels,
        hover_rows,
        numbers[outlets].astype(bool).reset_index(drop=True),
        None,
        colors,
        title,
        NUMBER_ROW_HEIGHT,
        "No percentages, amounts or counts in these articles",
    )
