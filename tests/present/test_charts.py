"""Plotly figures: types, order, colours shared across charts, escaping, export helpers."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.compare import summary as compare
from analysis.present import charts, charts_export
from analysis.store import Store

try:  # tests/ is on sys.path while it has no __init__.py
    from dashboard_fixtures import FIXTURE_EVENT, build_fixture_db
except ModuleNotFoundError:
    from tests.dashboard_fixtures import FIXTURE_EVENT, build_fixture_db


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict:
    store = Store(build_fixture_db(tmp_path_factory.mktemp("charts") / "fx.db"))
    rows = store.event_articles(store.find_event(FIXTURE_EVENT).id)
    articles = compare.articles_frame(store.event_articles(None, with_text=False))
    sentences = compare.sentence_frame(rows)
    return {
        "rows": rows,
        "articles": articles,
        "sentences": sentences,
        "summary": compare.outlet_summary(rows, sentences=sentences),
        "colors": charts.outlet_colors(articles["outlet"]),
    }


def _trace_colors(fig: go.Figure) -> dict[str, str]:
    """Outlet name -> colour of its marker/line in ``fig``."""
    out = {}
    for t in fig.data:
        name = (t.legendgroup or t.name or "").split(" (")[0]
        color = (t.marker.color if t.marker and t.marker.color else None) or (
            t.line.color if t.line else None
        )
        if name and color:
            out[name] = color
    return out


def test_outlet_colors_are_deterministic_and_order_independent() -> None:
    a = charts.outlet_colors(["Zeta", "Alpha", "Mid", "Alpha"])
    b = charts.outlet_colors(["Mid", "Zeta", "Alpha"])
    assert a == b
    assert list(a) == ["Alpha", "Mid", "Zeta"]
    assert len(set(a.values())) == 3
    many = charts.outlet_colors(f"Outlet {i:02d}" for i in range(len(charts.OUTLET_PALETTE)))
    assert len(set(many.values())) == len(charts.OUTLET_PALETTE)  # no repeats before the palette runs out


def test_category_colors_are_stable_whatever_else_is_present() -> None:
    assert charts.category_colors(["emotional"])["emotional"] == charts.CATEGORY_PALETTE["emotional"]
    alone = charts.category_colors(["brand-new"])["brand-new"]
    together = charts.category_colors(["zzz", "brand-new", "aaa"])["brand-new"]
    assert alone == together


def test_interval_chart_lists_the_most_negative_outlet_first(data: dict) -> None:
    fig = charts.outlet_interval_chart(data["summary"], data["colors"])
    assert all(isinstance(t, go.Scatter) for t in fig.data)
    assert fig.data[0].y[0] == "Daily Ledger"
    assert fig.data[0].x[0] == pytest.approx(data["summary"]["sentiment"].min())
    assert next(iter(fig.layout.yaxis.categoryarray)) == "Daily Ledger"
    assert fig.layout.yaxis.autorange == "reversed"  # first category drawn at the top
    # each outlet has one trace per panel, with asymmetric error bars equal to its interval
    ledger = [t for t in fig.data if t.y[0] == "Daily Ledger"]
    assert len(ledger) == 2
    row = data["summary"].iloc[0]
    assert ledger[0].error_x.arrayminus[0] == pytest.approx(row["sentiment"] - row["sentiment_lo"])
    assert ledger[1].x[0] == pytest.approx(row["loaded"])


def test_one_colour_per_outlet_across_all_charts(data: dict) -> None:
    colors = data["colors"]
    figs = [
        charts.outlet_interval_chart(data["summary"], colors),
        charts.sentence_arc_chart(data["sentences"], colors),
        charts.outlet_scatter(compare.outlet_overview(data["articles"]), colors),
        charts.timeline_chart(compare.outlet_timeline(data["articles"]), "sentiment", colors),
    ]
    for fig in figs:
        for outlet, color in _trace_colors(fig).items():
            assert color == colors[outlet], (fig.layout.title.text, outlet)


def test_sentence_arc_chart_spans_the_article(data: dict) -> None:
    fig = charts.sentence_arc_chart(data["sentences"], data["colors"])
    assert len(fig.data) == data["sentences"]["article_id"].nunique()
    assert {t.name for t in fig.data} >= {"Coast Courier (1)", "Coast Courier (2)", "Daily Ledger"}
    for t in fig.data:
        assert min(t.x) >= 0 and max(t.x) <= 100
        assert all(-1 <= y <= 1 for y in t.y)
    assert list(fig.layout.xaxis.range) == [0, 100]


def test_category_chart_is_stacked_by_category(data: dict) -> None:
    cats = compare.category_frame(data["rows"])
    order = list(data["summary"]["outlet"])
    fig = charts.category_chart(cats, order)
    assert fig.layout.barmode == "stack"
    assert all(isinstance(t, go.Bar) for t in fig.data)
    assert {t.name for t in fig.data} == set(cats["category"])
    for t in fig.data:
        assert t.marker.color == charts.category_colors([t.name])[t.name]
        assert list(t.y) == order
    emotional = next(t for t in fig.data if t.name == "emotional")
    assert emotional.x[0] == pytest.approx(
        cats[(cats.outlet == "Daily Ledger") & (cats.category == "emotional")]["per_1000"].iloc[0]
    )


def test_heatmaps(data: dict) -> None:
    sent = charts.heatmap_chart(compare.outlet_event_matrix(data["articles"], "sentiment"), "sentiment")
    (hm,) = sent.data
    assert isinstance(hm, go.Heatmap)
    assert hm.zmid == 0 and hm.zmin == -hm.zmax
    assert len(hm.y) == 2 and len(hm.x) == 4  # one row per event, one column per outlet
    assert hm.x[0] == "Coast Courier"
    loaded = charts.heatmap_chart(compare.outlet_event_matrix(data["articles"], "loaded_rate"), "loaded_rate")
    assert loaded.data[0].zmid is None
    assert "Loaded language" in loaded.layout.title.text


def test_web_text_is_escaped_in_labels() -> None:
    summary = pd.DataFrame(
        [
            {
                "outlet": "<script>alert(1)</script>",
                "sentiment": -0.1,
                "sentiment_lo": -0.2,
                "sentiment_hi": 0.0,
                "loaded": 1.0,
                "loaded_lo": 0.0,
                "loaded_hi": 2.0,
            }
        ]
    )
    fig = charts.outlet_interval_chart(summary, {})
    assert fig.data[0].y[0] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<script>" not in fig.to_json()
    assert charts.label("a very long event name that goes on and on", wrap=10).count("<br>") >= 2


def test_empty_inputs_give_a_message_not_an_error() -> None:
    empty = compare.outlet_summary([])
    fig = charts.outlet_interval_chart(empty, {})
    assert fig.layout.annotations[0].text == "No scored articles"
    assert (
        charts.category_chart(compare.category_frame([])).layout.annotations[0].text
        == "No loaded language found"
    )
    assert charts.heatmap_chart(pd.DataFrame(), "sentiment").layout.annotations
    words = pd.DataFrame(columns=["word", "category", "count"])
    assert charts.flagged_words_chart(words, "X").layout.annotations


def test_flagged_words_chart(data: dict) -> None:
    words = compare.flagged_words(data["rows"])
    mine = words[words["outlet"] == "Daily Ledger"]
    fig = charts.flagged_words_chart(mine, "Daily Ledger")
    assert list(fig.data[0].y) == list(mine.sort_values("count", ascending=False)["word"])


def test_export_helpers(data: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    assert (
        charts.chart_filename("harbour-bridge", "sentence sentiment/1")
        == "harbour-bridge_sentence-sentiment-1"
    )
    cfg = charts.plotly_config("x_outlets")
    assert cfg["toImageButtonOptions"]["filename"] == "x_outlets"
    fig = charts.outlet_interval_chart(data["summary"], data["colors"])
    page = charts.figure_html(fig, "x_outlets")
    assert "<title>x_outlets</title>" in page
    assert "plotly.js" in page and 'src="http' not in page  # plotly.js embedded, nothing fetched
    with pytest.raises(ValueError, match="unsupported"):
        charts.figure_image(fig, "gif")

    # static_export_status looks find_chromium up in the module that defines it.
    monkeypatch.setattr(charts_export, "find_chromium", lambda: None)
    ok, why = charts.static_export_status()
    assert not ok and "Chromium" in why and "HTML" in why
    with pytest.raises(charts.ExportUnavailable, match="Chromium"):
        charts.figure_image(fig, "png")


@pytest.mark.slow
@pytest.mark.skipif(charts.find_chromium() is None, reason="no Chrome/Chromium for kaleido")
def test_server_side_svg_export(data: dict) -> None:
    svg = charts.figure_image(charts.outlet_interval_chart(data["summary"], data["colors"]), "svg")
    assert svg.lstrip().startswith(b"<svg") and b"Daily Ledger" in svg


# --- cross-outlet charts -------------------------------------------------------------


# One story told three times; outlet A says "regime" wherever the others say "government".
STORY = [
    "The {g} announced new measures on Monday after weeks of protests in the capital.",
    "Officials from the {g} met opposition leaders to discuss the crisis.",
    "Critics said the {g} had ignored warnings about rising prices.",
    "The {g} spokesman declined to comment on reports of arrests.",
    "Analysts expect the {g} to face further pressure from trade unions.",
    "Several ministers in the {g} have resigned since January.",
]


def _story_rows(names: dict[str, str]) -> list[dict]:
    return [
        {"id": i, "outlet": o, "title": "", "text": " ".join(s.format(g=word) for s in STORY)}
        for i, (o, word) in enumerate(names.items())
    ]


WORD_ROWS = _story_rows({"A": "regime", "B": "government", "C": "government"})


def _panel_traces(fig: go.Figure, outlet: str) -> tuple[go.Bar, go.Bar | None]:
    """The 'uses more' and 'uses less' bar traces of one outlet's word-choice panel."""
    bars = [t for t in fig.data if isinstance(t, go.Bar)]
    more = next(t for t in bars if t.name == outlet)
    axis = more.xaxis
    less = next((t for t in bars if t.name == "uses less" and t.xaxis == axis), None)
    return more, less


def test_word_choice_chart_puts_the_distinctive_word_on_top() -> None:
    from analysis.compare import wordchoice

    colors = charts.outlet_colors(["A", "B", "C"])
    frame = wordchoice.event_word_choice(WORD_ROWS)
    fig = charts.word_choice_chart(frame, colors)
    assert [a.text.split("<b>")[1].split("</b>")[0] for a in fig.layout.annotations] == ["A", "B", "C"]
    more, less = _panel_traces(fig, "A")
    assert more.y[0] == "regime"  # A's strongest term, drawn first (at the top)
    assert more.marker.color == colors["A"]
    assert list(more.x) == sorted(more.x, reverse=True)
    assert more.marker.opacity[0] == 1.0 and more.x[0] > charts.Z_GUIDE  # significant: full colour
    assert less is not None and "government" in less.y and less.marker.color == charts.LESS_COLOR
    assert all(x < 0 for x in less.x)
    b_more, _ = _panel_traces(fig, "B")
    assert "government" in b_more.y and "regime" not in b_more.y
    assert b_more.marker.color == colors["B"]
    # at most WORD_TOP terms at each end; the ±1.96 guides and the zero line in every panel
    assert len(more.y) <= charts.WORD_TOP and len(less.y) <= charts.WORD_TOP
    guides = {(s.xref, s.x0) for s in fig.layout.shapes}
    assert {("x", -charts.Z_GUIDE), ("x", charts.Z_GUIDE), ("x", 0.0), ("x3", charts.Z_GUIDE)} <= guides
    # terms are written next to the zero line, one label per bar
    labels = [t for t in fig.data if isinstance(t, go.Scatter) and t.xaxis == more.xaxis]
    assert sorted(y for t in labels for y in t.y) == sorted([*more.y, *less.y])


def test_word_choice_chart_escapes_and_handles_too_little_text() -> None:
    from analysis.compare import wordchoice

    rows = _story_rows({"<b>Evil</b>": "regime", "B": "government"})
    fig = charts.word_choice_chart(wordchoice.event_word_choice(rows), {})
    assert "&lt;b&gt;Evil&lt;/b&gt;" in fig.layout.annotations[0].text
    assert "<b>Evil</b>" not in fig.to_json()
    one = charts.word_choice_chart(wordchoice.event_word_choice(rows[:1]), {})
    assert "needs two outlets" in one.layout.annotations[0].text


FACT_ROWS = [
    {
        "id": 1,
        "outlet": "A",
        "title": "Flood hits town",
        "text": "The river flooded 300 homes in Kelby on Monday. Mayor Dana Whitlow blamed <b>cuts</b>. "
        "Water rose 17 percent above the record.",
    },
    {
        "id": 2,
        "outlet": "B",
        "title": "Town flooded",
        "text": "Flooding on Monday damaged 300 homes in Kelby, officials said. "
        "The water level was 17 percent above the previous record.",
    },
    {
        "id": 3,
        "outlet": "C",
        "title": "Rain and more rain",
        "text": "Heavy rain fell across the valley for a third day. Schools stayed closed all week.",
    },
]


def test_fact_coverage_chart_colours_each_outlet_column() -> None:
    from analysis.compare import omissions

    colors = charts.outlet_colors(["A", "B", "C"])
    matrix = omissions.coverage_matrix(FACT_ROWS)
    fig = charts.fact_coverage_chart(matrix, colors, order=["C", "B", "A"])
    (hm,) = fig.data
    assert isinstance(hm, go.Heatmap)
    assert list(hm.x) == ["C", "B", "A"]
    assert len(hm.y) == len(matrix.facts) and hm.y[0].startswith("1. ")
    carried = matrix.carried[["C", "B", "A"]].to_numpy()
    # value k + 1 for the k-th column when carried, 0 when not; the scale has one band per outlet
    assert [[bool(v) for v in row] for row in hm.z] == carried.tolist()
    assert all(v in (0, k + 1) for row in hm.z for k, v in enumerate(row))
    band_colors = [c for _, c in hm.colorscale]
    assert band_colors[0] == charts.NOT_CARRIED_COLOR
    assert [band_colors[2 * (k + 1)] for k in range(3)] == [colors["C"], colors["B"], colors["A"]]
    # the shared statement is carried by A and B, not C; the hover shows each outlet's own sentence
    shared = next(r for r, row in enumerate(carried) if row[1] and row[2])
    assert not carried[shared][0]
    assert "300 homes" in hm.customdata[shared][2] and "not in its coverage" in hm.customdata[shared][0]
    assert "<b>cuts</b>" not in fig.to_json()  # web text escaped in labels and hover


def test_key_figures_chart_rows_are_numbers() -> None:
    from analysis.compare import omissions

    colors = charts.outlet_colors(["A", "B", "C"])
    numbers = omissions.numbers_matrix(FACT_ROWS)
    fig = charts.key_figures_chart(numbers, colors)
    (hm,) = fig.data
    assert list(hm.x) == ["A", "B", "C"]
    row = next(i for i, y in enumerate(hm.y) if y.startswith("17 percent"))
    assert list(hm.z[row]) == [1, 2, 0]  # A and B report it, C does not
    assert "17" in hm.customdata[row][0]
    empty = charts.key_figures_chart(omissions.numbers_matrix(FACT_ROWS[2:]), colors)
    assert "No percentages" in empty.layout.annotations[0].text


def test_headline_body_chart_is_a_dumbbell_per_outlet(data: dict) -> None:
    from analysis.compare import coverage

    summary = coverage.headline_body_summary(coverage.headline_vs_body(data["rows"]))
    fig = charts.headline_body_chart(summary, data["colors"])
    lines = [t for t in fig.data if t.x and t.x[0] is not None]
    first = summary.iloc[0]
    sent = next(t for t in lines if t.name == first["outlet"])
    assert list(sent.x) == pytest.approx([first["body_sentiment"], first["headline_sentiment"]])
    assert list(sent.marker.symbol) == ["circle", "diamond"]
    for t in lines:
        assert t.line.color == data["colors"][t.name]
    assert {t.name for t in fig.data if t.showlegend} == {"headline", "body"}  # the marker key
    assert list(fig.layout.yaxis.categoryarray) == list(summary["outlet"])


def test_actor_chart_sentiment_cells_and_mentions() -> None:
    table = pd.DataFrame(
        [
            {"outlet": "A", "actor": "Mayor Whitlow", "kind": "person", "mentions": 4, "quoted": 2,
             "positive": 0, "neutral": 1, "negative": 3, "sentiment": -0.75},
            {"outlet": "B", "actor": "Mayor Whitlow", "kind": "person", "mentions": 2, "quoted": 0,
             "positive": 2, "neutral": 0, "negative": 0, "sentiment": 1.0},
            {"outlet": "B", "actor": "<i>Council</i>", "kind": "organisation", "mentions": 1, "quoted": 0,
             "positive": 0, "neutral": 1, "negative": 0, "sentiment": 0.0},
        ]
    )  # fmt: skip
    fig = charts.actor_chart(table, ["A", "B"])
    (hm,) = fig.data
    assert list(hm.y) == ["Mayor Whitlow", "&lt;i&gt;Council&lt;/i&gt;"]  # most mentioned first, escaped
    assert list(hm.z[0]) == [-0.5, 0.5]  # colour shrunk toward neutral: -0.75 × 4/(4+2), 1.0 × 2/(2+2)
    assert pd.isna(hm.z[1][0])  # A never names the council: a blank cell
    assert hm.text[0][0] == "4 · 2❞" and hm.text[0][1] == "2"
    assert hm.zmid == 0 and hm.zmin == -1 and hm.zmax == 1
    assert "does not mention" in hm.customdata[1][0]
    assert "No people" in charts.actor_chart(table.iloc[0:0]).layout.annotations[0].text


def test_coverage_time_and_blindspot_charts() -> None:
    counts = pd.DataFrame(
        {"A": [1, 0, 2], "B": [0, 1, 1]},
        index=pd.DatetimeIndex(["2026-03-02", "2026-03-09", "2026-03-16"], name="period"),
    )
    colors = charts.outlet_colors(["A", "B"])
    fig = charts.coverage_time_chart(counts, colors)
    assert [t.name for t in fig.data] == ["A", "B"]
    assert [t.line.color for t in fig.data] == [colors["A"], colors["B"]]
    assert list(fig.data[0].customdata) == [1, 0, 2]  # hover shows the outlet's own count
    assert "No dated" in charts.coverage_time_chart(pd.DataFrame(), colors).layout.annotations[0].text
    summary = pd.DataFrame(
        {
            "group": ["left", "right"],
            "events": [4, 4],
            "covered": [4, 1],
            "blindspots": [0, 3],
            "blindspot_share": [0.0, 0.75],
            "articles": [6, 1],
        }
    )
    gcolors = charts.group_colors(["right", "left"])
    bars = charts.blindspot_chart(summary, gcolors).data[0]
    assert list(bars.y) == ["right", "left"]  # most blindspots first
    assert list(bars.text) == ["3 of 4", "0 of 4"]
    assert list(bars.marker.color) == [gcolors["right"], gcolors["left"]]


def test_group_colors_are_deterministic_and_not_outlet_colours() -> None:
    assert charts.group_colors(["b", "a"]) == charts.group_colors(["a", "b", "a"])
    assert not set(charts.GROUP_PALETTE) & set(charts.OUTLET_PALETTE[:10])


def test_loaded_heatmap_scale_starts_at_zero() -> None:
    """All-zero rates are the palest colour (the scale's bottom), not its middle."""
    zeros = charts.heatmap_chart(
        pd.DataFrame({"e1": [0.0, 0.0], "e2": [0.0, None]}, index=["A", "B"]), "loaded_rate"
    )
    assert (zeros.data[0].zmin, zeros.data[0].zmax) == (0.0, 5.0)
    high = charts.heatmap_chart(pd.DataFrame({"e1": [12.0, 3.0]}, index=["A", "B"]), "loaded_rate")
    assert (high.data[0].zmin, high.data[0].zmax) == (0.0, 12.0)


@pytest.mark.slow
@pytest.mark.skipif(charts.find_chromium() is None, reason="no Chrome/Chromium for kaleido")
def test_exports_reuse_one_warm_renderer(data: dict) -> None:
    from analysis.present.export_renderer import renderer

    fig = charts.outlet_interval_chart(data["summary"], data["colors"])
    png = charts.figure_image(fig, "png")
    browser = renderer()._kaleido
    svg = charts.figure_image(fig, "svg")
    assert png.startswith(b"\x89PNG") and svg.lstrip().startswith(b"<svg")
    assert renderer().running and renderer()._kaleido is browser  # the second export reused it
