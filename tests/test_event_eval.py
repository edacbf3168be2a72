"""The BASIL event benchmark's metrics and its skip without data (no eval data needed)."""

from __future__ import annotations

from pathlib import Path

from analysis.bench.event_eval import MEASURES, eval_events, spearman, top_agreement


def test_top_agreement_credit_and_ties() -> None:
    assert top_agreement({"A": 3, "B": 1, "C": 0}, {"A": 2, "B": 1, "C": 0}) == 1
    assert top_agreement({"A": 3, "B": 1, "C": 0}, {"A": 0, "B": 1, "C": 0}) == 0
    assert top_agreement({"A": 3, "B": 1, "C": 0}, {"A": 1, "B": 1, "C": 0}) == 0.5
    assert top_agreement({}, {"A": 1}) == 0


def test_spearman_and_measures() -> None:
    assert spearman([1, 2, 3], [2, 4, 9]) == 1
    assert spearman([1, 1, 1], [1, 2, 3]) != spearman([1, 1, 1], [1, 2, 3])  # NaN
    assert {"loaded", "tone"} <= set(MEASURES)


def test_skips_without_data(tmp_path: Path) -> None:
    assert "skipped" in eval_events(tmp_path)
