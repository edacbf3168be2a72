"""Headline versus body, blindspots of outlet groups and coverage over time, on constructed rows."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest

from analysis.compare.coverage import (
    BLINDSPOT_COLUMNS,
    BLINDSPOT_SUMMARY_COLUMNS,
    HEADLINE_COLUMNS,
    HEADLINE_SUMMARY_COLUMNS,
    UNGROUPED,
    blindspot_summary,
    blindspots,
    coverage_over_time,
    headline_body_summary,
    headline_vs_body,
    outlet_groups,
)
from analysis.ingest.outlets import Outlet
from analysis.scoring.loaded import analyze_loaded
from analysis.scoring.scorer import score_text
from analysis.store import score_fields

BODY = (
    "The council approved the budget on Tuesday. Fares will rise by 12 percent from July. "
    "The mayor said the decision was difficult but necessary to protect services."
)


def scored_row(id_: int, outlet: str, title: str, text: str = BODY, event: str = "budget") -> dict:
    """A row shaped like Store.event_articles, with scores from the real scorers."""
    return {"id": id_, "event": event, "outlet": outlet, "title": title, "text": text} | score_fields(
        score_text(text, title)
    )


# --- headline versus body ------------------------------------------------------------------------


def test_headline_vs_body_uses_stored_scores() -> None:
    calm = scored_row(1, "Wire", "Council approves budget with fare rise")
    shouty = scored_row(2, "Blaze", "FARE FURY! Disgraceful council in shameful fare grab")
    df = headline_vs_body([calm, shouty]).set_index("id")
    assert tuple(df.reset_index().columns) == HEADLINE_COLUMNS
    assert not df["recomputed"].any()
    # same body, so the same body scores
    assert df.at[1, "body_sentiment"] == df.at[2, "body_sentiment"] == calm["sentiment"]
    assert df.at[1, "body_loaded_rate"] == calm["loaded_rate"]
    assert df.at[1, "headline_sentiment"] == calm["headline_sentiment"]
    assert df.at[2, "headline_sentiment"] < df.at[1, "headline_sentiment"]
    assert df.at[2, "sentiment_gap"] == pytest.approx(
        df.at[2, "headline_sentiment"] - df.at[2, "body_sentiment"]
    )
    assert df.at[2, "sentiment_gap"] < 0  # the tabloid headline is darker than its story
    assert df.at[1, "headline_loaded_hits"] == 0 and df.at[1, "headline_loaded_per_1000"] == 0
    assert df.at[2, "headline_loaded_hits"] >= 2
    own = [sp for sp in shouty["headline_spans"] if not sp["quoted"]]
    words = 8
    assert df.at[2, "headline_words"] == words
    assert df.at[2, "headline_loaded_per_1000"] == pytest.approx(
        sum(sp["weight"] for sp in own) * 1000 / words
    )
    assert df.at[2, "loaded_gap"] == pytest.approx(
        df.at[2, "headline_loaded_per_1000"] - df.at[2, "body_loaded_rate"]
    )
    assert "FURY" in df.at[2, "headline_loaded_terms"]


def test_quoted_headline_words_are_not_the_outlets() -> None:
    row = scored_row(1, "Wire", 'Minister calls critics "disgraceful"')
    df = headline_vs_body([row])
    expected = sum(1 for sp in analyze_loaded(row["title"]).spans if not sp.quoted)
    assert df.at[0, "headline_loaded_hits"] == expected


def test_missing_scores_are_recomputed() -> None:
    full = scored_row(1, "Blaze", "FARE FURY! Disgraceful council in shameful fare grab")
    bare = {"id": 1, "event": "budget", "outlet": "Blaze", "title": full["title"], "text": BODY}
    a = headline_vs_body([full]).drop(columns="recomputed")
    b = headline_vs_body([bare])
    assert b.at[0, "recomputed"]
    pd.testing.assert_frame_equal(a, b.drop(columns="recomputed"))


def test_no_headline_and_no_text() -> None:
    df = headline_vs_body(
        [
            {"id": 1, "outlet": "X", "title": "", "text": BODY},
            {"id": 2, "outlet": "X", "title": None, "text": "", "sentiment": None, "loaded_rate": None},
        ]
    )
    assert math.isnan(df.at[0, "headline_sentiment"]) and df.at[0, "headline_words"] == 0
    assert math.isnan(df.at[0, "headline_loaded_per_1000"])
    assert not math.isnan(df.at[0, "body_sentiment"])
    assert math.isnan(df.at[1, "body_sentiment"]) and math.isnan(df.at[1, "body_loaded_rate"])
    assert headline_vs_body([]).columns.tolist() == list(HEADLINE_COLUMNS)


def test_headline_summary_per_outlet() -> None:
    rows = [
        scored_row(1, "Wire", "Council approves budget with fare rise"),
        scored_row(2, "Wire", "Fares to rise 12 percent under new budget"),
        scored_row(3, "Blaze", "FARE FURY! Disgraceful council in shameful fare grab"),
        scored_row(4, "Blaze", "Council approves budget"),
        {"id": 5, "outlet": "Blaze", "title": "", "text": BODY},  # no headline: left out
    ]
    summary = headline_body_summary(rows).set_index("outlet")
    assert tuple(summary.reset_index().columns) == HEADLINE_SUMMARY_COLUMNS
    assert summary.at["Blaze", "articles"] == 2 and summary.at["Wire", "articles"] == 2
    assert summary.at["Blaze", "loaded_headline_share"] == 0.5
    assert summary.at["Wire", "loaded_headline_share"] == 0.0
    assert summary.at["Blaze", "darker_headline_share"] == 0.5
    frame = headline_vs_body(rows)
    pd.testing.assert_frame_equal(headline_body_summary(frame), headline_body_summary(rows))
    assert headline_body_summary([]).empty


# --- blindspots ----------------------------------------------------------------------------------

GROUPS = {"Left One": "left", "Left Two": "left", "Right One": "right", "Centre": "centre"}


def art(event: str | None, outlet: str, published: object = None) -> dict:
    return {"event": event, "outlet": outlet, "published": published}


BLIND_ROWS = [
    art("covered by all", "Left One"),
    art("covered by all", "Right One"),
    art("covered by all", "Centre"),
    art("left only", "Left One", datetime(2026, 3, 2, 9)),
    art("left only", "Left Two", datetime(2026, 3, 1, 9)),
    art("left only", "Left One", datetime(2026, 3, 3, 9)),
    art("ungrouped only", "Some Blog"),
    art(None, "Right One"),  # not in any event: ignored
]


def test_blindspots_per_event() -> None:
    df = blindspots(BLIND_ROWS, GROUPS)
    assert list(df.columns) == [*BLINDSPOT_COLUMNS, "centre", "left", "right"]
    by = df.set_index("event")
    assert set(by.index) == {"covered by all", "left only", "ungrouped only"}
    assert df.at[0, "event"] == "left only"  # blindspots first
    left = by.loc["left only"]
    assert left["is_blindspot"] and left["missing_groups"] == ("centre", "right")
    assert left["covered_groups"] == ("left",)
    assert (left["left"], left["right"], left["centre"]) == (3, 0, 0)
    assert left["articles"] == 3 and left["outlets"] == 2
    assert left["dominant_group"] == "left" and left["dominant_share"] == 1.0
    assert left["first_published"] == pd.Timestamp("2026-03-01 09:00")
    assert left["last_published"] == pd.Timestamp("2026-03-03 09:00")
    full = by.loc["covered by all"]
    assert not full["is_blindspot"] and full["missing_groups"] == () and full["n_missing"] == 0
    assert full["dominant_share"] == pytest.approx(1 / 3)
    assert pd.isna(full["first_published"])
    nobody = by.loc["ungrouped only"]
    assert nobody[UNGROUPED] == 1
    assert nobody["n_missing"] == 3 and not nobody["is_blindspot"]  # no group covered it at all
    assert pd.isna(nobody["dominant_group"])


def test_blindspots_need_enough_covering_groups() -> None:
    strict = blindspots(BLIND_ROWS, GROUPS, min_covering_groups=2).set_index("event")
    assert not strict.at["left only", "is_blindspot"]
    two_groups = [art("e", "Left One"), art("e", "Right One")]
    assert blindspots(two_groups, GROUPS, min_covering_groups=2).at[0, "missing_groups"] == ("centre",)
    assert blindspots(two_groups, GROUPS, min_covering_groups=2).at[0, "is_blindspot"]


def test_blindspot_summary_and_edge_cases() -> None:
    df = blindspots(BLIND_ROWS, GROUPS)
    summary = blindspot_summary(df).set_index("group")
    assert tuple(summary.reset_index().columns) == BLINDSPOT_SUMMARY_COLUMNS
    assert list(summary.index) == ["centre", "left", "right"]
    assert summary.at["right", "blindspots"] == 1 and summary.at["left", "blindspots"] == 0
    assert summary.at["left", "articles"] == 4 and summary.at["left", "covered"] == 2
    assert summary.at["centre", "blindspot_share"] == pytest.approx(1 / 3)

    assert blindspots([], GROUPS).empty
    assert list(blindspots([], GROUPS).columns) == [*BLINDSPOT_COLUMNS, "centre", "left", "right"]
    no_groups = blindspots(BLIND_ROWS, {})
    assert not no_groups["is_blindspot"].any() and list(no_groups.columns) == list(BLINDSPOT_COLUMNS)
    with pytest.raises(ValueError, match="clash"):
        blindspots(BLIND_ROWS, {"Left One": "event"})


def test_outlet_groups_from_the_outlets_table() -> None:
    table = {
        "a.example": Outlet("a.example", "Alpha", "left"),
        "b.example": Outlet("b.example", "Beta", ""),
    }
    assert outlet_groups(table) == {"Alpha": "left"}
    assert all(isinstance(g, str) and g for g in outlet_groups().values())


# --- coverage over time --------------------------------------------------------------------------


def test_coverage_over_time_per_outlet_and_group() -> None:
    plus2 = timezone(timedelta(hours=2))
    rows = [
        art("e", "Left One", datetime(2026, 3, 1, 10)),
        art("e", "Left Two", "2026-03-01T12:00:00+00:00"),
        art("e", "Right One", datetime(2026, 3, 2, 1, 0, tzinfo=plus2)),  # 1 March 23:00 UTC
        art("e", "Right One", datetime(2026, 3, 4, 8, tzinfo=UTC)),
        art("e", "Some Blog", datetime(2026, 3, 4, 9)),
        art("e", "Centre", None),
        art("e", "Centre", "not a date"),
    ]
    daily = coverage_over_time(rows)
    assert daily.index.name == "period"
    assert list(daily.index) == list(pd.date_range("2026-03-01", "2026-03-04", freq="D"))
    assert list(daily.columns) == ["Left One", "Left Two", "Right One", "Some Blog"]
    assert daily.loc["2026-03-01"].tolist() == [1, 1, 1, 0]
    assert daily.loc["2026-03-03"].sum() == 0  # empty days are kept
    assert daily.attrs["undated"] == 2
    assert (daily.dtypes == "int64").all()

    groups = coverage_over_time(rows, freq="D", by="group", outlet_groups=GROUPS)
    assert list(groups.columns) == [UNGROUPED, "left", "right"]
    assert groups.loc["2026-03-01", "left"] == 2
    assert groups.loc["2026-03-04", UNGROUPED] == 1

    weekly = coverage_over_time(rows, freq="W")
    assert weekly.to_numpy().sum() == 5
    assert weekly.index[0] == pd.Timestamp("2026-02-23")  # the Monday starting 1 March's week
    assert len(weekly) == 2


def test_coverage_over_time_rejects_bad_arguments_and_handles_nothing() -> None:
    with pytest.raises(ValueError):
        coverage_over_time([], by="event")
    with pytest.raises(ValueError):
        coverage_over_time([], by="group")
    empty = coverage_over_time([art("e", "X")])
    assert empty.empty and empty.attrs["undated"] == 1
    assert coverage_over_time([]).empty
