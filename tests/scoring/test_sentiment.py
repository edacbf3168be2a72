"""Sentence sentiment (analysis/scoring/sentiment.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.scoring.sentiment import (
    analyzer,
    compound,
    label,
    plain_compound,
    sentence_sentiment,
    without_names,
)


def test_clearly_negative_and_positive_text() -> None:
    neg = sentence_sentiment("The attack killed forty people. It was a horrible, tragic disaster.")
    pos = sentence_sentiment("The festival was a wonderful success. Visitors loved the great music.")
    assert neg.compound < -0.5 and neg.negative_share == 1.0 and neg.positive_share == 0.0
    assert pos.compound > 0.5 and pos.positive_share == 1.0
    assert all(s.label == "negative" for s in neg.sentences)


def test_empty_text() -> None:
    result = sentence_sentiment("")
    assert result.compound == 0.0 and result.n_sentences == 0 and result.sentences == ()
    assert sentence_sentiment("  ... \n").n_sentences == 0


def test_length_weighted_mean_and_offsets() -> None:
    text = "Terrible. The committee met on Tuesday to discuss the schedule for next year."
    result = sentence_sentiment(text)
    assert result.n_sentences == 2
    first, second = result.sentences
    assert text[first.start : first.end] == "Terrible."
    assert second.label == "neutral"
    # One negative word against twelve neutral ones: the weighted mean is far from the first score.
    expected = (first.compound * 1 + second.compound * 12) / 13
    assert result.compound == pytest.approx(expected)
    assert abs(result.compound) < abs(first.compound) / 5


def test_label_convention() -> None:
    assert label(0.05) == "positive" and label(-0.05) == "negative" and label(0.049) == "neutral"


def test_analyzer_is_shared() -> None:
    assert analyzer() is analyzer()


def test_names_are_not_sentiment() -> None:
    assert without_names("Best of all, he met the Justice Department and Hope Hicks.") == (
        "Best of all, he met the ."
    )
    assert plain_compound("He works for the Department of Justice.") > 0
    assert compound("He works for the Department of Justice.") == 0.0


def test_news_supplement_scores_news_verbs() -> None:
    assert plain_compound("The mayor slammed the council.") == 0.0
    assert compound("The mayor slammed the council.") < 0


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_sentence_sentiment_never_raises_and_offsets_in_bounds(text: str) -> None:
    result = sentence_sentiment(text)
    assert -1.0 <= result.compound <= 1.0
    for s in result.sentences:
        assert 0 <= s.start < s.end <= len(text)
