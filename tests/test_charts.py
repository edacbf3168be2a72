"""Plotly figures: types, order, colours shared across charts, escaping, export helpers."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis import charts, compare
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
    assert list(fig.layout.yaxis.categoryarray)[0] == "Daily Ledger"
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
        assert 0 <= min(t.x) and max(t.x) <= 100
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

    monkeypatch.setattr(charts, "find_chromium", lambda: None)
    ok, why = charts.static_export_status()
    assert not ok and "Chromium" in why and "HTML" in why
    with pytest.raises(charts.ExportUnavailable, match="Chromium"):
        charts.figure_image(fig, "png")


@pytest.mark.slow
@pytest.mark.skipif(charts.find_chromium() is None, reason="no Chrome/Chromium for kaleido")
def test_server_side_svg_export(data: dict) -> None:
    svg = charts.figure_image(charts.outlet_interval_chart(data["summary"], data["colors"]), "svg")
    assert svg.lstrip().startswith(b"<svg") and b"Daily Ledger" in svg
