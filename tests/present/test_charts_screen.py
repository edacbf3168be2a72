"""Charts that stay readable on any screen: wrapped titles, outlet columns for many outlets, and the
minimum width the dashboard gives each chart (below it, the chart scrolls sideways)."""

from __future__ import annotations

import pandas as pd

from analysis.present import charts
from analysis.present.charts_common import OUTLET_TICK_CHARS, TITLE_LINE_PX, UPRIGHT_OUTLETS


def _matrix(outlets: list[str], events: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        [[0.1 * (i - j) for j in range(len(events))] for i in range(len(outlets))],
        index=outlets,
        columns=events,
    )


def test_long_titles_wrap_and_the_figure_grows_by_the_extra_lines() -> None:
    text, lines = charts.wrap_title("word " * 30)
    assert lines == 3 and all(len(part) <= charts.TITLE_WRAP for part in text.split("<br>"))
    assert charts.wrap_title("Short") == ("Short", 1)
    note = "A title<br><sup>a note with markup that is kept whole even when it is long, very long</sup>"
    assert charts.wrap_title(note) == (note, 2)
    one = charts.heatmap_chart(_matrix(["A", "B"], ["E"]), "sentiment")
    assert "<br>" not in one.layout.title.text
    row = dict(outlet="A", sentiment=0.1, sentiment_lo=0.0, sentiment_hi=0.2, loaded=3.0, loaded_lo=1.0)
    fig = charts.outlet_interval_chart(pd.DataFrame([row | {"loaded_hi": 5.0}]))
    assert fig.layout.title.text.count("<br>") == 1  # its 77 characters take two lines
    assert fig.layout.margin.t == 56 + TITLE_LINE_PX


def test_few_outlets_stand_upright_many_turn_and_keep_their_ends() -> None:
    few = charts.heatmap_chart(_matrix(["Coast Courier", "Injection Times"], ["E"]), "sentiment")
    assert few.layout.xaxis.tickangle == 0 and list(few.data[0].x) == ["Coast Courier", "Injection<br>Times"]
    names = [f"The Northern Evening Chronicle {i:02d}" for i in range(30)]
    many = charts.heatmap_chart(_matrix(names, ["Port strike", "Budget vote"]), "loaded_rate")
    axis = many.layout.xaxis
    assert axis.tickangle == -90 and len(set(axis.ticktext)) == 30  # cut in the middle: still distinct
    assert all(len(t) <= OUTLET_TICK_CHARS for t in axis.ticktext) and axis.ticktext[3].endswith("03")
    assert list(many.data[0].x) == names  # full names: the hover and the data keep them
    assert "The Northern Evening Chronicle 03" in many.data[0].customdata[0][3]
    assert many.layout.margin.t > few.layout.margin.t  # room for the turned names
    assert len(names) > UPRIGHT_OUTLETS


def test_minimum_width_fits_every_outlet_column() -> None:
    assert charts.min_width(charts.outlet_interval_chart(pd.DataFrame())) == charts.CHART_MIN_WIDTH
    four = charts.heatmap_chart(_matrix(list("ABCD"), ["Harbour bridge collapse"]), "sentiment")
    thirty = charts.heatmap_chart(
        _matrix([f"Outlet {i}" for i in range(30)], ["Harbour bridge"]), "sentiment"
    )
    assert (
        charts.CHART_MIN_WIDTH < charts.min_width(four) < charts.min_width(thirty) <= 1216
    )  # 1280 px screen
