"""Corrections applied to stored spans: dismiss, restore, add, topic words; narrowest scope wins."""

from __future__ import annotations

import pytest

from analysis.compare.corrections import (
    ADDED_WEIGHT,
    USER_RULE,
    Correction,
    apply_corrections,
    correct_row,
    dismissal_summary,
    term_key,
    topic_overrides,
)
from analysis.scoring.loaded import loaded_spans

TEXT = (
    'Critics slammed the plan. The mayor said it was "a disaster". Officials slammed back at the bureaucrats.'
)


def _spans() -> list[dict]:
    return [
        {
            "start": s.start,
            "end": s.end,
            "text": s.text,
            "category": s.category,
            "weight": s.weight,
            "quoted": s.quoted,
            "rule": s.rule,
        }
        for s in loaded_spans(TEXT)
    ]


def _terms(spans: list[dict]) -> list[str]:
    return [term_key(sp["text"]) for sp in spans]


def test_no_corrections_keeps_spans() -> None:
    assert apply_corrections(_spans(), TEXT, [], 1, 7) == _spans()


def test_dismiss_in_article_event_and_everywhere() -> None:
    assert "slammed" in _terms(_spans())
    for c in (
        Correction("dismiss", "Slammed", "article", article_id=1),
        Correction("dismiss", "slammed", "event", event_id=7),
        Correction("dismiss", "slammed", "global"),
    ):
        assert "slammed" not in _terms(apply_corrections(_spans(), TEXT, [c], 1, 7))
    # another article, another event: untouched
    assert "slammed" in _terms(
        apply_corrections(_spans(), TEXT, [Correction("dismiss", "slammed", "article", article_id=2)], 1, 7)
    )
    assert "slammed" in _terms(
        apply_corrections(_spans(), TEXT, [Correction("dismiss", "slammed", "event", event_id=8)], 1, 7)
    )


def test_restore_in_article_overrides_broader_dismissal() -> None:
    cs = [
        Correction("dismiss", "slammed", "global"),
        Correction("restore", "slammed", "article", article_id=1),
    ]
    assert "slammed" in _terms(apply_corrections(_spans(), TEXT, cs, 1, 7))
    assert "slammed" not in _terms(apply_corrections(_spans(), TEXT, cs, 2, 7))


def test_keep_dismissed_marks_status() -> None:
    out = apply_corrections(
        _spans(), TEXT, [Correction("dismiss", "slammed", "global")], 1, 7, keep_dismissed=True
    )
    assert {sp["status"] for sp in out if term_key(sp["text"]) == "slammed"} == {"dismissed"}
    assert all(sp["status"] is None for sp in out if term_key(sp["text"]) != "slammed")


def test_add_word_and_phrase_finds_new_spans() -> None:
    cs = [
        Correction("add", "officials", "event", event_id=7, category="labelling"),
        Correction("add", "the   PLAN", "global", category="framing", weight=0.3),
    ]
    out = apply_corrections(_spans(), TEXT, cs, 1, 7)
    added = [sp for sp in out if sp["rule"] == USER_RULE]
    assert {(sp["text"], sp["category"], sp["weight"]) for sp in added} == {
        ("Officials", "labelling", ADDED_WEIGHT),
        ("the plan", "framing", 0.3),
    }
    for sp in added:
        assert TEXT[sp["start"] : sp["end"]] == sp["text"]
    # not in another event
    assert "officials" not in _terms(apply_corrections(_spans(), TEXT, cs, 1, 8))


def test_added_word_inside_quotes_is_quoted_and_never_overlaps() -> None:
    out = apply_corrections(_spans(), TEXT, [Correction("add", "was", "global", category="framing")], 1, 7)
    was = [sp for sp in out if sp["text"] == "was"]
    assert len(was) == 1 and was[0]["quoted"] is False
    out = apply_corrections([], TEXT, [Correction("add", "disaster", "global", category="emotional")], 1, 7)
    assert [sp["quoted"] for sp in out] == [True]
    # an added word over an existing span is not counted twice
    out = apply_corrections(
        _spans(), TEXT, [Correction("add", "slammed", "global", category="emotional")], 1, 7
    )
    assert len([sp for sp in out if term_key(sp["text"]) == "slammed"]) == 2


def test_topic_marks_are_overrides_not_dismissals() -> None:
    cs = [Correction("topic", "slammed", "event", event_id=7)]
    out = apply_corrections(_spans(), TEXT, cs, 1, 7, keep_dismissed=True)
    # topic marks act in analysis.compare.reviewed (shown, not counted), not as dismissals here
    assert {sp["status"] for sp in out if term_key(sp["text"]) == "slammed"} == {None}
    assert topic_overrides([*cs, Correction("not_topic", "flood", "global")], 7) == ({"slammed"}, {"flood"})
    assert topic_overrides(cs, 8) == (set(), set())
    # the narrowest mark wins: unmarked in this event beats marked everywhere
    both = [Correction("topic", "flood", "global"), Correction("not_topic", "flood", "event", event_id=7)]
    assert topic_overrides(both, 7) == (set(), {"flood"})
    assert topic_overrides(both, 8) == ({"flood"}, set())


def test_correct_row_recomputes_rates_and_categories() -> None:
    spans = _spans()
    words = 17
    own = [sp for sp in spans if not sp["quoted"]]
    row = {
        "id": 1,
        "event_id": 7,
        "text": TEXT,
        "title": "Critics slammed",
        "words": words,
        "spans": spans,
        "headline_spans": [
            {
                "start": 8,
                "end": 15,
                "text": "slammed",
                "category": "loaded-verb",
                "weight": 0.8,
                "quoted": False,
                "rule": "lexicon",
            }
        ],
        "loaded_rate": 1000 * sum(sp["weight"] for sp in own) / words,
        "categories": {},
    }
    assert correct_row(row, [])["corrected"] is False
    fixed = correct_row(row, [Correction("dismiss", "slammed", "global")])
    assert fixed["corrected"] is True
    gone = sum(sp["weight"] for sp in own if term_key(sp["text"]) == "slammed")
    assert fixed["loaded_rate"] == pytest.approx(row["loaded_rate"] - 1000 * gone / words)
    assert fixed["headline_spans"] == []
    assert sum(fixed["categories"].values()) == pytest.approx(fixed["loaded_rate"] * words / 1000, abs=1e-3)
    assert dismissal_summary([fixed]) == {"dismissed": 2, "added": 0}


def test_a_corrected_row_counts_short_quoted_fragments_as_the_scorer_does() -> None:
    """After a dismissal the rate is recomputed the scorer's way: a hit in a short quoted fragment
    still counts in part (scoring.fragments), so only the dismissed word's weight goes."""
    from analysis.scoring.loaded import analyze_loaded

    text = (
        'The mayor called the plan a "disastrous scam" on Monday. Critics said the shocking plan was '
        "a disgrace and a catastrophe for the city."
    )
    loaded = analyze_loaded(text)
    spans = [
        {
            "start": sp.start,
            "end": sp.end,
            "text": text[sp.start : sp.end],
            "weight": sp.weight,
            "quoted": sp.quoted,
            "category": sp.category,
        }
        for sp in loaded.spans
    ]
    assert any(sp["quoted"] for sp in spans) and loaded.rate_per_1000 > 0
    row = {"id": 1, "event_id": 1, "text": text, "title": "", "spans": spans, "headline_spans": []}
    row |= {"words": loaded.word_count, "loaded_rate": loaded.rate_per_1000}
    gone = next(sp["weight"] for sp in spans if text[sp["start"] : sp["end"]] == "catastrophe")
    out = correct_row(row, [{"kind": "dismiss", "term": "catastrophe", "scope": "global"}])
    assert out["corrected"]
    assert out["loaded_rate"] == pytest.approx(loaded.rate_per_1000 - gone * 1000 / loaded.word_count)
