"""Per-outlet statistics: bootstrap intervals, summaries, plain-language findings."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from analysis.compare import summary as compare
from analysis.compare.overview import COVERAGE_COLUMNS
from analysis.store import Store

try:  # tests/ is on sys.path while it has no __init__.py
    from dashboard_fixtures import FIXTURE_EVENT, OTHER_EVENT, build_fixture_db
except ModuleNotFoundError:
    from tests.dashboard_fixtures import FIXTURE_EVENT, OTHER_EVENT, build_fixture_db


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store(build_fixture_db(tmp_path_factory.mktemp("cmp") / "fx.db"))


@pytest.fixture(scope="module")
def rows(store: Store) -> list[dict]:
    return store.event_articles(store.find_event(FIXTURE_EVENT).id)


@pytest.fixture(scope="module")
def summary(rows: list[dict]) -> pd.DataFrame:
    return compare.outlet_summary(rows)


# --- bootstrap -------------------------------------------------------------------


def test_bootstrap_interval_contains_the_mean_and_is_deterministic() -> None:
    values = np.random.default_rng(1).normal(0.2, 0.3, size=40)
    a = compare.bootstrap_ratio(values)
    b = compare.bootstrap_ratio(values)
    assert a == b  # fixed seed: same data, same interval
    assert a.estimate == pytest.approx(values.mean())
    assert a.lo < a.estimate < a.hi
    assert a.n == 40
    # a 95% interval of a mean of 40 draws with sd 0.3 is about ±2 × 0.3 / √40 ≈ ±0.095 wide
    assert 0.05 < (a.hi - a.lo) / 2 < 0.15
    other = compare.bootstrap_ratio(values, seed=7)
    assert (other.lo, other.hi) != (a.lo, a.hi)


def test_bootstrap_weighted_mean_and_edge_cases() -> None:
    v, w = np.array([1.0, -1.0, 0.5]), np.array([3.0, 1.0, 2.0])
    est = compare.bootstrap_ratio(v * w, w)
    assert est.estimate == pytest.approx(np.average(v, weights=w))
    one = compare.bootstrap_ratio([0.4])
    assert (one.estimate, one.lo, one.hi) == (0.4, 0.4, 0.4)
    empty = compare.bootstrap_ratio([])
    assert math.isnan(empty.estimate) and empty.n == 0
    with pytest.raises(ValueError, match="differ in length"):
        compare.bootstrap_ratio([1.0, 2.0], [1.0])


def test_more_resamples_give_a_stable_interval() -> None:
    values = np.linspace(-1, 1, 25)
    small = compare.bootstrap_ratio(values, n_resamples=1000)
    large = compare.bootstrap_ratio(values, n_resamples=4000)
    assert small.lo == pytest.approx(large.lo, abs=0.05)
    assert small.hi == pytest.approx(large.hi, abs=0.05)


def test_intervals_overlap_includes_touching() -> None:
    assert compare.intervals_overlap(0, 1, 1, 2)
    assert compare.intervals_overlap(0, 3, 1, 2)
    assert not compare.intervals_overlap(0, 1, 1.01, 2)


# --- frames ----------------------------------------------------------------------


def test_sentence_frame_positions_words_and_loaded_hits(rows: list[dict]) -> None:
    sf = compare.sentence_frame(rows)
    assert sf["position"].between(0, 100).all()
    ledger = sf[sf["outlet"] == "Daily Ledger"].sort_values("index")
    assert len(ledger) == 10
    assert ledger["words"].sum() == pytest.approx(101)  # scaled to the stored word count
    first = ledger.iloc[0]
    assert first["loaded"] == pytest.approx(0.9 + 0.8)  # "disastrous" and "chaos"
    quoted_sentence = ledger.iloc[3]  # the survivor's quotation
    assert quoted_sentence["quoted_loaded"] == pytest.approx(0.7 + 0.9)
    assert quoted_sentence["loaded"] == 0
    assert list(ledger["position"]) == sorted(ledger["position"])


def test_summary_orders_outlets_most_negative_first(summary: pd.DataFrame) -> None:
    assert list(summary["outlet"]) == ["Daily Ledger", "Injection Times", "Morning Post", "Coast Courier"]
    assert summary["sentiment"].is_monotonic_increasing
    assert (summary["sentiment_lo"] <= summary["sentiment"]).all()
    assert (summary["sentiment"] <= summary["sentiment_hi"]).all()
    assert (summary["loaded_lo"] <= summary["loaded"]).all() and (
        summary["loaded"] <= summary["loaded_hi"]
    ).all()
    courier = summary.set_index("outlet").loc["Coast Courier"]
    assert courier["articles"] == 2 and not courier["thin"]
    assert summary.set_index("outlet").loc["Daily Ledger", "thin"]


def test_summary_matches_the_article_scores_with_one_article(rows: list[dict], summary: pd.DataFrame) -> None:
    ledger_row = next(r for r in rows if r["outlet"] == "Daily Ledger")
    ledger = summary.set_index("outlet").loc["Daily Ledger"]
    assert ledger["loaded"] == pytest.approx(ledger_row["loaded_rate"])
    assert ledger["sentiment"] == pytest.approx(ledger_row["sentiment"], abs=0.02)


def test_top_words_are_the_outlets_own_not_quotes(summary: pd.DataFrame) -> None:
    top = dict(zip(summary["outlet"], summary["top_words"], strict=True))
    words = [w for w, _ in top["Daily Ledger"]]
    assert len(words) == compare.TOP_WORDS
    assert "disastrous" in words
    assert not {"nightmare", "catastrophe"} & set(words)  # said by a survivor, inside quotes
    assert compare.flagged_words([]).empty


def test_flagged_words_counts_and_quoted_option(rows: list[dict]) -> None:
    own = compare.flagged_words(rows)
    with_quotes = compare.flagged_words(rows, include_quoted=True)
    ledger = own[own["outlet"] == "Daily Ledger"]
    assert "nightmare" not in set(ledger["word"])
    assert "nightmare" in set(with_quotes["word"])
    assert set(ledger.columns) == {"outlet", "word", "category", "count", "weight"}
    assert (ledger["word"] == ledger["word"].str.lower()).all()  # "Furious" counted as "furious"


def test_category_frame_sums_to_the_loaded_rate(rows: list[dict], summary: pd.DataFrame) -> None:
    cats = compare.category_frame(rows)
    per_outlet = cats.groupby("outlet")["per_1000"].sum()
    for outlet, loaded in zip(summary["outlet"], summary["loaded"], strict=True):
        assert per_outlet.get(outlet, 0.0) == pytest.approx(loaded)


def test_failed_articles_are_left_out() -> None:
    good = {
        "id": 1,
        "outlet": "A",
        "sentiment": 0.1,
        "health": "ok",
        "words": 3,
        "text": "One two three.",
        "sentences": [[0, 14, 0.1]],
        "spans": [],
        "categories": {},
    }
    failed = dict(good, id=2, outlet="B", health="blocked")
    unscored = dict(good, id=3, outlet="C", sentiment=None)
    assert set(compare.sentence_frame([good, failed, unscored])["outlet"]) == {"A"}
    assert compare.health_level("blocked") == "fail"
    assert compare.health_level("short") == "warn"
    assert compare.health_level("ok") == "ok"


# --- findings --------------------------------------------------------------------


def test_findings_say_when_differences_are_within_the_uncertainty(summary: pd.DataFrame) -> None:
    found = compare.findings(summary)
    assert found["negative"][0] == "Most negative: Daily Ledger (-0.58)."
    assert (
        "The difference between Daily Ledger and Injection Times is within the uncertainty."
        in found["negative"]
    )
    assert any("Coast Courier" in s and "beyond the uncertainty" in s for s in found["negative"])
    assert found["loaded"][0].startswith("Most loaded language: Daily Ledger")
    assert any("thin" in c for c in found["caveats"])
    assert any(w.startswith("Daily Ledger: “disastrous”") for w in found["words"])


def test_compare_pair_wording(summary: pd.DataFrame) -> None:
    assert compare.compare_pair(summary, "sentiment", "Daily Ledger", "Injection Times") == (
        "The difference between Daily Ledger and Injection Times is within the uncertainty."
    )
    assert compare.compare_pair(summary, "sentiment", "Coast Courier", "Daily Ledger").startswith(
        "Daily Ledger is more negative than Coast Courier, beyond the uncertainty"
    )


def test_single_articles_everywhere_say_the_evidence_is_thin(store: Store) -> None:
    rows = store.event_articles(store.find_event(OTHER_EVENT).id)
    found = compare.findings(compare.outlet_summary(rows))
    assert any("single article on this event, so the evidence is thin" in c for c in found["caveats"])


def test_findings_for_one_outlet_and_for_nothing() -> None:
    row = {
        "id": 1,
        "outlet": "Solo",
        "sentiment": -0.2,
        "health": "ok",
        "words": 6,
        "text": "Bad news today. More bad news.",
        "sentences": [[0, 15, -0.5], [16, 30, -0.4]],
        "spans": [],
        "categories": {},
    }
    found = compare.findings(compare.outlet_summary([row]))
    assert found["negative"][0].startswith("Only one outlet (Solo)")
    assert compare.findings(compare.outlet_summary([]))["caveats"] == [
        "No article of this event could be scored."
    ]


# --- across events ---------------------------------------------------------------


def test_outlet_event_matrix_and_overview(store: Store) -> None:
    articles = compare.articles_frame(store.event_articles(None, with_text=False))
    matrix = compare.outlet_event_matrix(articles, "sentiment")
    assert set(matrix.columns) == {FIXTURE_EVENT, OTHER_EVENT}
    assert math.isnan(matrix.loc["Coast Courier", OTHER_EVENT])
    assert matrix.loc["Daily Ledger", FIXTURE_EVENT] < matrix.loc["Morning Post", FIXTURE_EVENT]
    overview = compare.outlet_overview(articles).set_index("outlet")
    assert overview.loc["Daily Ledger", "events"] == 2
    assert overview.loc["Daily Ledger", "sentiment_lo"] <= overview.loc["Daily Ledger", "sentiment"]


def test_timeline_leaves_out_undated_articles(store: Store) -> None:
    articles = compare.articles_frame(store.event_articles(None, with_text=False))
    tl = compare.outlet_timeline(articles, freq="W")
    courier = tl[tl["outlet"] == "Coast Courier"]
    assert courier["articles"].sum() == 1  # its second article has no date
    assert set(tl.columns) == {"outlet", "period", "sentiment", "loaded_rate", "articles"}


def test_event_coverage_lists_health_problems(store: Store) -> None:
    articles = compare.articles_frame(store.event_articles(None, with_text=False))
    cov = compare.event_coverage(store.list_events(), articles).set_index("event")
    assert cov.loc[FIXTURE_EVENT, "articles"] == 5
    assert cov.loc[FIXTURE_EVENT, "outlet_count"] == 4
    assert "short ×1" in cov.loc[FIXTURE_EVENT, "problems"]
    assert cov.loc[OTHER_EVENT, "problems"] == ""


def test_unresolved_failures_keep_only_urls_still_failing() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    attempts = [
        {"url": "https://a.example/1", "health": "timeout", "at": t},
        {"url": "https://a.example/2", "health": "blocked", "at": t},
        {"url": "https://a.example/1", "health": "ok", "at": t.replace(hour=2)},
    ]
    left = compare.unresolved_failures(attempts)
    assert [a["url"] for a in left] == ["https://a.example/2"]


def _event_coverage_per_event(events: list[dict], articles: pd.DataFrame) -> pd.DataFrame:
    """The former per-event implementation of compare.event_coverage: the reference."""
    from collections import Counter

    out = []
    by_event = dict(tuple(articles.groupby("event", sort=False))) if len(articles) else {}
    empty = articles.iloc[0:0]
    for ev in events:
        part = by_event.get(ev["name"], empty)
        bad = part[part["health"] != "ok"] if len(part) else part
        out.append(
            {
                "event": ev["name"],
                "slug": ev["slug"],
                "articles": int(ev.get("articles") or len(part)),
                "outlet_count": int(ev.get("outlets") or 0),
                "outlets": ", ".join(sorted(part["outlet"].dropna().unique())) if len(part) else "",
                "first": part["published"].min() if len(part) else pd.NaT,
                "last": part["published"].max() if len(part) else pd.NaT,
                "problems": ", ".join(f"{h} ×{n}" for h, n in Counter(bad["health"]).most_common())
                if len(bad)
                else "",
                "sentiment": (part["sentiment"] * part["words"]).sum() / part["words"].sum()
                if len(part) and part["words"].sum()
                else float("nan"),
            }
        )
    return pd.DataFrame(out, columns=COVERAGE_COLUMNS)


def test_event_coverage_equals_the_per_event_computation() -> None:
    ts = pd.Timestamp("2026-03-01", tz="UTC")
    articles = pd.DataFrame(
        {
            "event": ["A", "A", "B", "B", "B", None],
            "outlet": ["X", "Y", "X", None, "Z", "X"],
            "published": [ts, ts + pd.Timedelta(days=2), pd.NaT, ts, ts, ts],
            "health": ["ok", "no-date", "fetch-failed", "no-date", "fetch-failed", "ok"],
            "sentiment": [0.5, -0.2, None, 0.1, 0.3, 0.9],
            "words": [100, 300, 0, 50, 0, 10],
        }
    )
    events = [
        {"name": "A", "slug": "a", "articles": 2, "outlets": 2},
        {"name": "B", "slug": "b", "articles": 0, "outlets": 2},
        {"name": "C", "slug": "c", "articles": 0, "outlets": 0},
    ]
    pd.testing.assert_frame_equal(
        compare.event_coverage(events, articles), _event_coverage_per_event(events, articles)
    )
    pd.testing.assert_frame_equal(
        compare.event_coverage(events, articles.iloc[0:0]),
        _event_coverage_per_event(events, articles.iloc[0:0]),
    )
