"""Topic words of an event: named by most outlets, shown but not counted."""

from __future__ import annotations

from analysis.compare import summary
from analysis.compare.topics import (
    TOPIC_RULE,
    event_topic_words,
    event_view,
    per_event_view,
    topic_notes,
    without_topic_words,
)
from analysis.scoring.loaded import term_lemma
from analysis.scoring.scorer import score_text
from analysis.scoring.text import split_sentences


def _row(i: int, outlet: str, title: str, text: str, event: str | None = "E") -> dict:
    sc = score_text(text, title=title)
    spans = [vars_span(s) for s in sc.loaded.spans]
    head = [vars_span(s) for s in sc.headline_loaded.spans] if sc.headline_loaded else []
    sents = [[s, e, 0.0] for s, e in split_sentences(text)]
    return {
        "id": i,
        "event": event,
        "outlet": outlet,
        "title": title,
        "text": text,
        "words": sc.loaded.word_count,
        "sentiment": sc.sentiment.compound,
        "headline_sentiment": 0.0,
        "loaded_rate": sc.loaded.rate_per_1000,
        "quoted_rate": sc.loaded.quoted_rate_per_1000,
        "loaded_count": len(sc.loaded.spans),
        "categories": dict(sc.loaded.categories),
        "spans": spans,
        "headline_spans": head,
        "sentences": sents,
        "health": "ok",
    }


def vars_span(s: object) -> dict:
    keys = ("start", "end", "text", "category", "weight", "quoted", "rule")
    return {k: getattr(s, k) for k in keys}


BODY = "Officials confirmed the plague outbreak. The plague spread in two villages. {extra}"


def _event() -> list[dict]:
    return [
        _row(1, "A", "Plague cases rise", BODY.format(extra="Doctors treated patients.")),
        _row(2, "B", "Plague in the north", BODY.format(extra="Critics slammed the outrageous response.")),
        _row(3, "C", "Three cases diagnosed", BODY.format(extra="Schools stayed open.")),
    ]


def test_term_lemma_maps_inflections_to_the_entry() -> None:
    assert term_lemma("Plagues") == "plague"
    assert term_lemma("slammed") == term_lemma("slammed")
    assert term_lemma("!") == "!"


def test_topic_word_found_with_evidence() -> None:
    topics = event_topic_words(_event())
    assert "plague" in topics
    assert topics["plague"].evidence.startswith("used by 3 of 3 outlets")
    assert "outrageous" not in topics  # one outlet's own wording
    assert "slam" not in topics and "slammed" not in topics


def test_topic_words_weigh_nothing_but_stay_visible() -> None:
    rows = _event()
    counted, topics = event_view(rows)
    assert all(r["loaded_rate"] == 0 for r in counted if r["outlet"] in ("A", "C"))
    b = next(r for r in counted if r["outlet"] == "B")
    assert b["loaded_rate"] > 0
    shown = [sp for r in counted for sp in r["spans"] if sp["rule"] == TOPIC_RULE]
    assert shown and all(sp["weight"] == 0 and sp["category"] == "topic" for sp in shown)
    words = summary.flagged_words(counted)
    assert "plague" not in set(words["word"])
    table = summary.outlet_summary(counted)
    assert table.set_index("outlet").loc["B", "loaded"] > table.set_index("outlet").loc["A", "loaded"]
    assert any("plague" in line for line in topic_notes(topics, 3))


def test_exclude_is_an_explicit_input() -> None:
    rows = _event()
    plain = without_topic_words(rows, frozenset())
    assert [r["loaded_rate"] for r in plain] == [r["loaded_rate"] for r in rows]
    counted, _ = event_view(rows, exclude=frozenset({"outrageous"}))
    b = next(r for r in counted if r["outlet"] == "B")
    assert b["loaded_rate"] < rows[1]["loaded_rate"]


def test_one_outlet_keeps_its_score() -> None:
    rows = [_row(1, "A", "Plague cases rise", BODY.format(extra=""))]
    counted, topics = event_view(rows)
    assert topics == {}
    assert counted[0]["loaded_rate"] == rows[0]["loaded_rate"]
    assert "One outlet only" in topic_notes(topics, 1)[0]
    assert topic_notes(topics, 0) == []


def test_bad_input_does_not_crash() -> None:
    empty = [_row(i, f"O{i}", "", "") for i in range(3)]
    assert event_topic_words(empty) == {}
    many = [_row(i, f"Outlet {i}", "Plague", BODY.format(extra="")) for i in range(30)]
    topics = event_topic_words(many)
    assert topics["plague"].n_outlets == 30
    mixed = per_event_view([*many[:2], _row(99, "X", "t", "Das ist nicht gut.", event=None)])
    assert len(mixed) == 3
