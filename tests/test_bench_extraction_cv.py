"""Cross-validation of the body choice, on synthetic page cases (not the third-party data)."""

from __future__ import annotations

from analysis.bench.extraction_cv import (
    PageCase,
    combined_choice,
    cross_validate,
    cv_report,
    fallback_choice,
    fit,
    paired_bootstrap,
)


def case(np_words: int, tf_words: int, np_score: float, tf_score: float, np_in_tf: float = 1.0) -> PageCase:
    return PageCase(
        np_words=np_words,
        tf_words=tf_words,
        np_ok=np_words > 0,
        tf_ok=tf_words > 0,
        np_in_tf=np_in_tf,
        tf_in_np=0.5,
        scores={"newspaper": (np_score, np_score), "trafilatura": (tf_score, tf_score), "": (0.0, 0.0)},
    )


def test_fallback_choice_uses_newspaper_only_when_trafilatura_fails() -> None:
    assert fallback_choice(case(500, 600, 1, 1), 100) == "trafilatura"
    assert fallback_choice(case(500, 0, 1, 0), 100) == "newspaper"
    assert fallback_choice(case(500, 40, 1, 0), 100) == "newspaper"
    assert fallback_choice(case(30, 40, 1, 0), 100) == "trafilatura"
    assert fallback_choice(case(0, 0, 0, 0), 100) == ""


def test_combined_choice_keeps_newspaper_inside_trafilatura() -> None:
    assert combined_choice(case(80, 100, 1, 0.8), (0.98, 0.5, 0.95, 0.25)) == "newspaper"
    assert combined_choice(case(80, 100, 1, 0.8, np_in_tf=0.5), (0.98, 0.5, 0.95, 0.25)) == "trafilatura"


def test_fit_keeps_all_tied_thresholds() -> None:
    cases = [case(500, 600, 0.9, 0.9) for _ in range(5)]
    assert fit(cases, fallback_choice, (0, 50, 100)) == [0, 50, 100]


def test_cross_validation_scores_held_out_pages_only() -> None:
    # newspaper wins on every page where trafilatura is short: the CV finds a threshold that uses it
    cases = [case(500, 60, 1.0, 0.2) for _ in range(10)] + [case(500, 600, 0.5, 1.0) for _ in range(10)]
    result = cross_validate(cases, fallback_choice, (0, 100, 1000), folds=5, repeats=2)
    assert result["cv_f1"] == 1.0 and result["in_sample_f1"] == 1.0
    assert len(result["out_of_fold"]) == 20  # type: ignore[arg-type]


def test_report_and_bootstrap() -> None:
    cases = [case(500, 600, 0.5 + i / 40, 0.9) for i in range(10)]
    report = cv_report(cases)
    assert report["trafilatura_only"] == 0.9 and "combined_minus_fallback_out_of_fold" in report
    assert cv_report(cases[:3]) == {"skipped": "fewer than 5 pages"}
    same = paired_bootstrap([(0.9, 0.9)] * 10, [(0.9, 0.9)] * 10)
    assert same["f1_difference"] == 0.0 and same["ci95"] == [0.0, 0.0]
