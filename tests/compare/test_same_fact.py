"""same_fact: meaning, words and figures decide whether two sentences report one fact."""

from __future__ import annotations

import numpy as np

import analysis
from analysis.compare.alignment import MATCH_THRESHOLD, align_event
from analysis.compare.omissions import omissions
from analysis.compare.same_fact import (
    CARRY_THRESHOLD,
    SAME_FACT_THRESHOLD,
    carry_matrix,
    same_fact,
    same_fact_matrix,
)


def test_exported_from_the_package() -> None:
    assert analysis.same_fact is same_fact
    assert analysis.SAME_FACT_THRESHOLD == SAME_FACT_THRESHOLD
    assert {"same_fact", "SAME_FACT_THRESHOLD"} <= set(analysis.__all__)


def test_paraphrases_match_and_unrelated_sentences_do_not() -> None:
    sales = "Sales declined sharply last year."
    assert same_fact(sales, "Sales fell sharply last year.") >= SAME_FACT_THRESHOLD
    assert same_fact(sales, "The minister resigned on Friday.") < 0.2
    assert same_fact("", "Anything at all.") == 0.0


def test_same_fact_is_a_symmetric_probability() -> None:
    m = same_fact_matrix(["Bus fares rise by 12 percent.", "Fares go up 12%.", "A dog barked."])
    assert np.allclose(m, m.T)
    assert ((m >= 0) & (m <= 1)).all()


def test_a_conflicting_figure_lowers_the_score() -> None:
    same = same_fact("Bus fares will rise by 12 percent.", "Bus fares will go up 12%.")
    other = same_fact("Bus fares will rise by 12 percent.", "Bus fares will go up 15%.")
    assert other < same


def test_a_paraphrase_without_shared_words_is_carried() -> None:
    # "three people died" / "the storm killed a pensioner and a couple": no content word in common.
    m = carry_matrix(["Three people died in the storm.", "The storm killed a pensioner and a couple."])
    assert max(m[0, 1], m[1, 0]) >= CARRY_THRESHOLD
    assert MATCH_THRESHOLD == CARRY_THRESHOLD


def test_a_vague_short_sentence_is_not_carried_by_a_long_one_sharing_its_words() -> None:
    m = carry_matrix(
        [
            "The water in Kelby has started to go down.",
            "People were already wading through water in their living rooms in Kelby when their phones "
            "went off at night, a councillor said, and many had no time to save anything at all.",
        ]
    )
    assert m[0, 1] < CARRY_THRESHOLD


def test_the_view_counts_a_paraphrase_as_carried() -> None:
    rows = [
        {"outlet": "A", "title": "", "text": "Retail sales declined sharply in March, officials said."},
        {"outlet": "B", "title": "", "text": "Officials said retail sales fell sharply in March."},
    ]
    om = omissions(rows)
    assert om["A"].n_unique == 0 and om["B"].n_unique == 0


def _article(n: int, seed: int) -> str:
    words = ["council", "budget", "storm", "river", "school", "court", "vote", "bridge", "fare", "mayor"]
    rng = np.random.default_rng(seed)
    return " ".join(f"The {' '.join(rng.choice(words, 6))} story number {i} went on." for i in range(n))


def test_bad_input_is_handled() -> None:
    assert align_event([]).sentences.empty
    one = align_event([{"outlet": "A", "title": "T", "text": "Just one sentence of five words."}])
    assert one.outlets == ("A",) and (one.sentences["carried_by"] == 0).all()
    empty = align_event([{"outlet": "A", "text": ""}, {"outlet": "B", "text": "Only B has words here."}])
    assert empty.outlets == ("B",)
    many = align_event([{"outlet": f"O{k}", "title": "", "text": _article(20, k)} for k in range(30)])
    assert len(many.outlets) == 30
    # a 5,000-sentence article is capped, not aligned whole
    huge_rows = [{"outlet": "A", "text": _article(5_000, 1)}, {"outlet": "B", "text": _article(10, 2)}]
    huge = align_event(huge_rows)
    assert len(huge.sentences) <= 2_000


def test_a_negation_in_one_sentence_only_lowers_the_score() -> None:
    said = "The company said it would raise prices next year."
    assert same_fact(said, "The company said it would not raise prices next year.") < same_fact(
        said, "The company said it would raise its prices next year."
    )


def test_a_fact_said_in_two_sentences_is_carried_by_the_pair() -> None:
    from analysis.compare.alignment import _windows

    recs = [
        {"headline": False, "article_id": 1, "outlet": "A", "sentence": "One."},
        {"headline": False, "article_id": 1, "outlet": "A", "sentence": "Two."},
        {"headline": False, "article_id": 2, "outlet": "B", "sentence": "Three."},
        {"headline": True, "article_id": 2, "outlet": "B", "sentence": "Head."},
        {"headline": False, "article_id": 2, "outlet": "B", "sentence": "Four."},
    ]
    assert _windows(recs) == [(0, 1)]  # neighbours of one article body only
