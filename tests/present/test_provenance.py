"""Captions that identify a saved chart, and thin data shown honestly."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.compare import summary as compare
from analysis.present import charts
from analysis.present.provenance import (
    CAPTION_WRAP,
    TOOL_NAME,
    date_range_text,
    frame_provenance,
    interval_text,
    number_settings,
    plural,
    provenance,
    shorten,
    with_caption,
)
from analysis.scoring.scorer import SCORER_VERSION


def _rows() -> list[dict]:
    return [
        {"outlet": "A", "published": datetime(2026, 3, 1, 9), "scorer_version": SCORER_VERSION},
        {"outlet": "B", "published": datetime(2026, 3, 4, 18), "scorer_version": SCORER_VERSION},
        {"outlet": "B", "published": None, "scorer_version": SCORER_VERSION},
    ]


def test_caption_names_event_dates_counts_scorer_and_tool() -> None:
    prov = provenance("Harbour <b>bridge</b> collapse", _rows())
    text = prov.text()
    assert "Harbour <b>bridge</b> collapse" in text
    assert "2026-03-01 to 2026-03-04" in text
    assert "3 articles from 2 outlets" in text
    assert SCORER_VERSION in text and TOOL_NAME in text
    fig = with_caption(go.Figure(go.Bar(x=[1], y=[2])), prov)
    sub = fig.layout.title.subtitle.text
    assert "Harbour &lt;b&gt;bridge&lt;/b&gt; collapse" in sub  # web text is escaped for Plotly
    assert "3 articles from 2 outlets" in sub and SCORER_VERSION in sub and TOOL_NAME in sub
    assert all(len(line) <= CAPTION_WRAP for line in prov.lines()[:2])


def test_caption_is_in_every_export_format_and_added_once() -> None:
    fig = charts.outlet_interval_chart(compare.outlet_summary([]))
    prov = provenance("Storm", _rows())
    once = with_caption(fig, prov)
    twice = with_caption(once, prov)
    assert twice.layout.height == once.layout.height > (fig.layout.height or 450)
    assert twice.layout.title.subtitle.text == once.layout.title.subtitle.text
    assert once.layout.margin.t > (fig.layout.margin.t or 0)
    page = charts.figure_html(once, "storm_outlets")
    assert "made with " + TOOL_NAME in page and "Storm" in page
    assert fig.layout.title.subtitle.text is None  # the original figure is not changed


def test_caption_of_a_frame_and_missing_dates() -> None:
    frame = pd.DataFrame(
        {
            "outlet": ["A", "A"],
            "published": [pd.NaT, pd.Timestamp("2026-05-02")],
            "scorer_version": [None, None],
        }
    )
    prov = frame_provenance("A", frame)
    assert prov.dates == "2026-05-02" and prov.articles == 2 and prov.outlets == 1
    assert prov.scorer_versions == (SCORER_VERSION,)
    assert date_range_text([None, pd.NaT]) == "no dates"


def test_plurals_and_cut_headlines() -> None:
    assert plural(1, "article") == "1 article"
    assert plural(0, "article") == "0 articles"
    assert plural(2000, "outlet") == "2,000 outlets"
    assert shorten("A very long headline about the harbour", 12) == "A very long…"
    assert shorten(None, 5) == ""
    assert len(shorten("x" * 100, 60)) == 60


@pytest.mark.parametrize(
    ("lo", "hi", "fmt", "articles", "expected"),
    [
        (-0.2, 0.05, "+.2f", 3, "−0.20 to +0.05"),
        (math.nan, math.nan, "+.2f", 1, "1 article: no interval"),
        (math.nan, math.nan, ".1f", None, "no interval"),
        (0.0, 0.0, ".1f", 1, "no spread (0.0 in every resample)"),
        (None, None, ".1f", 2, "no interval"),
    ],
)
def test_interval_text_never_shows_zero_to_zero(lo, hi, fmt, articles, expected) -> None:
    assert interval_text(lo, hi, fmt, articles=articles) == expected


def test_one_article_outlet_has_no_interval_across_events() -> None:
    articles = pd.DataFrame(
        {
            "outlet": ["Solo", "Pair", "Pair"],
            "event": ["e1", "e1", "e2"],
            "sentiment": [-0.3, -0.1, 0.2],
            "loaded_rate": [4.0, 1.0, 2.0],
            "words": [300, 400, 500],
            "health": ["ok", "ok", "ok"],
            "published": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-05-01"]),
        }
    )
    overview = compare.outlet_overview(articles).set_index("outlet")
    assert math.isnan(overview.loc["Solo", "sentiment_lo"]) and math.isnan(overview.loc["Solo", "loaded_hi"])
    assert overview.loc["Pair", "sentiment_lo"] < overview.loc["Pair", "sentiment_hi"]
    fig = charts.outlet_scatter(overview.reset_index())
    solo = next(t for t in fig.data if t.name == "Solo")
    assert solo.error_x.visible is False and "1 article (no interval)" in solo.hovertemplate


def test_timeline_does_not_join_points_months_apart() -> None:
    articles = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "outlet": ["A"] * 4,
            "sentiment": [-0.5, -0.4, 0.3, 0.1],
            "loaded_rate": [1.0, 1.0, 1.0, 1.0],
            "words": [300] * 4,
            "health": ["ok"] * 4,
            "published": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-06-01", "2026-09-07"]),
        }
    )
    fig = charts.timeline_chart(compare.outlet_timeline(articles, "W"), "sentiment")
    ys = list(fig.data[0].y)
    assert fig.data[0].connectgaps is False
    # two adjacent weeks joined, then a gap before June and another before September
    assert [y is None or (isinstance(y, float) and math.isnan(y)) for y in ys] == [
        False,
        False,
        True,
        False,
        True,
        False,
    ]
    assert "1 article" in fig.data[0].customdata[0]


def test_actor_with_one_mention_is_not_painted_at_full_colour() -> None:
    table = pd.DataFrame(
        [
            {"outlet": "A", "actor": "Mayor", "kind": "person", "mentions": 1, "quoted": 0, "positive": 0,
             "neutral": 0, "negative": 1, "sentiment": -1.0},
            {"outlet": "B", "actor": "Mayor", "kind": "person", "mentions": 20, "quoted": 0, "positive": 0,
             "neutral": 0, "negative": 20, "sentiment": -1.0},
        ]
    )  # fmt: skip
    z = charts.actor_chart(table).data[0].z[0]
    assert -0.4 < z[0] < 0 and z[1] < -0.9


def test_number_settings_name_the_scorer_and_the_corrections_hook() -> None:
    settings = dict(number_settings())
    assert settings["scorer version"] == SCORER_VERSION
    assert settings["corrections applied"] == "none"
    assert dict(number_settings(["outlet X renamed"]))["corrections applied"] == "outlet X renamed"
