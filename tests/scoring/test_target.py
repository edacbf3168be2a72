"""Sentiment toward a target inside a sentence (analysis.scoring.target) and its benchmark's skip path."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.bench.target_eval import eval_target, half_of, metrics
from analysis.scoring import target
from analysis.scoring.target import (
    LABELS,
    ROLES,
    analyse_target,
    target_features,
    target_score,
    target_sentiment,
)


def label_for(sentence: str, mention: str, occurrence: int = 0) -> str:
    start = -1
    for _ in range(occurrence + 1):
        start = sentence.index(mention, start + 1)
    return target_sentiment(sentence, start, start + len(mention))


def test_object_of_an_attack_is_negative():
    assert label_for("Critics attacked the corrupt mayor.", "mayor") == "negative"


def test_praise_goes_to_its_object_and_not_against_the_subject():
    sentence = "The mayor praised the brave firefighters."
    assert label_for(sentence, "firefighters") == "positive"
    assert label_for(sentence, "mayor") in {"neutral", "positive"}


def test_adjacent_adjective_describes_the_target():
    assert label_for("The disgraced senator left the building.", "senator") == "negative"
    assert label_for("The beloved teacher left the building.", "teacher") == "positive"


def test_negation_flips_the_adjective():
    assert label_for("The mayor is corrupt.", "mayor") == "negative"
    assert label_for("The mayor is not corrupt.", "mayor") != "negative"


def test_contrast_clauses_keep_their_own_targets():
    sentence = "Smith won wide praise, but Jones was condemned by everyone."
    assert label_for(sentence, "Smith") == "positive"
    assert label_for(sentence, "Jones") == "negative"


def test_reported_speech_is_about_the_object_not_the_speaker():
    sentence = "The mayor said the governor is corrupt and dishonest."
    assert label_for(sentence, "governor") == "negative"
    assert label_for(sentence, "mayor") == "neutral"


def test_a_speaker_of_a_negative_quotation_stays_neutral():
    sentence = '"This plan is a disaster and a disgrace," the mayor said.'
    assert label_for(sentence, "mayor") == "neutral"
    analysis = analyse_target(sentence, sentence.index("mayor"), sentence.index("mayor") + 5)
    assert analysis.speaker


def test_a_target_inside_a_quotation_takes_its_judgement():
    sentence = '"Jones is a liar and a fraud," Smith said on Tuesday.'
    assert label_for(sentence, "Jones") == "negative"
    assert label_for(sentence, "Smith") == "neutral"


def test_a_mere_mention_is_neutral():
    sentence = "Smith met Jones in Paris on Tuesday to discuss the budget."
    assert label_for(sentence, "Smith") == "neutral"
    assert label_for(sentence, "Jones") == "neutral"


def test_names_containing_polar_words_say_nothing_about_the_target():
    # "Justice" and "Liberty" are part of names, not opinions.
    sentence = "The Justice Department met officials from Liberty University on Monday."
    assert label_for(sentence, "Justice Department") == "neutral"


def test_features_have_every_role_and_sign():
    feats = target_features("Critics attacked the corrupt mayor.", 28, 33)
    assert set(feats) == {f"{r}_{s}" for r in ROLES for s in ("pos", "neg")}
    assert all(v >= 0 for v in feats.values())
    assert feats["near_neg"] > 0  # "corrupt" right before "mayor"
    assert feats["before_neg"] > 0  # "attacked": the mayor is its object


def test_score_and_label_agree():
    sentence = "Critics attacked the corrupt mayor."
    analysis = analyse_target(sentence, 28, 33)
    assert analysis.score == pytest.approx(target_score(sentence, 28, 33))
    assert analysis.label == target.label_of(analysis.score) == "negative"
    assert -1.0 <= analysis.score <= 1.0


@pytest.mark.parametrize(
    ("sentence", "start", "end"),
    [("", 0, 0), ("   ", 0, 3), ("Hello.", -5, 99), ("Hello world.", 8, 2), ("...", 0, 3), ("A b", 3, 3)],
)
def test_odd_offsets_and_empty_sentences_do_not_raise(sentence, start, end):
    assert target_sentiment(sentence, start, end) in LABELS


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120), st.integers(-10, 200), st.integers(-10, 200))
def test_never_raises_on_arbitrary_text(sentence, start, end):
    analysis = analyse_target(sentence, start, end)
    assert analysis.label in LABELS
    assert -1.0 <= analysis.score <= 1.0


def test_eval_skips_cleanly_without_data(tmp_path):
    result = eval_target(tmp_path)
    assert set(result) == {"skipped"}


def test_metrics_and_halves():
    m = metrics(
        ["negative", "neutral", "positive", "positive"], ["negative", "neutral", "positive", "neutral"]
    )
    assert m["accuracy"] == 0.75
    assert m["f1"]["negative"] == 1.0
    assert 0 < m["macro_f1"] < 1
    assert half_of("same sentence") == half_of("same sentence") in (0, 1)
