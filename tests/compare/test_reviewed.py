"""One path for every view: a person's corrections first, then the event's topic words
(found ∪ marked − unmarked), shown but not counted."""

from __future__ import annotations

from analysis.compare.corrections import Correction
from analysis.compare.reviewed import correction_lines, reviewed_event, reviewed_rows, topic_set
from analysis.compare.topics import TOPIC_CATEGORY
from analysis.scoring.loaded import term_lemma

try:  # tests/ is on sys.path while it has no __init__.py
    from compare.test_topics import BODY, _row
except ModuleNotFoundError:
    from tests.compare.test_topics import BODY, _row


def _event() -> list[dict]:
    rows = [
        _row(1, "A", "Plague cases rise", BODY.format(extra="Doctors treated patients.")),
        _row(2, "B", "Plague in the north", BODY.format(extra="Critics slammed the outrageous response.")),
        _row(3, "C", "Three cases diagnosed", BODY.format(extra="Schools stayed open.")),
    ]
    for r in rows:
        r["event_id"] = 7
    return rows


def _words(row: dict, category: str) -> set[str]:
    return {term_lemma(sp["text"]) for sp in row["spans"] if sp["category"] == category}


def test_no_corrections_is_main_topic_view() -> None:
    view = reviewed_event(_event(), [], 7)
    assert "plague" in view.exclude and "plague" in view.topic_words and view.corrections == ()
    b = next(r for r in view.rows if r["outlet"] == "B")
    assert "plague" in _words(b, TOPIC_CATEGORY) and b["loaded_rate"] > 0  # outrageous, slammed count


def test_marked_unmarked_and_dismissed() -> None:
    rows = _event()
    b_before = next(r for r in reviewed_event(rows, [], 7).rows if r["outlet"] == "B")["loaded_rate"]
    cs = [
        Correction("not_topic", "plague", "event", event_id=7),
        Correction("topic", "outrageous", "event", event_id=7),
        Correction("dismiss", "slammed", "global"),
    ]
    view = reviewed_event(rows, cs, 7)
    assert view.exclude == frozenset({"outrageous"}) and "plague" in view.found
    assert view.topic_words["outrageous"].marked
    assert view.topic_words["outrageous"].evidence == "marked as a topic word by a person"
    b = next(r for r in view.rows if r["outlet"] == "B")
    assert "outrageous" in _words(b, TOPIC_CATEGORY)  # shown, not counted
    assert "plague" not in _words(b, TOPIC_CATEGORY)  # unmarked: counted again
    assert [sp["text"] for sp in b["dismissed_spans"]] == ["slammed"]  # dismissed first, then topics
    assert b["scored_loaded_rate"] == next(r for r in rows if r["outlet"] == "B")["loaded_rate"]
    assert b["loaded_rate"] != b_before
    # the marks of another event do not apply
    assert reviewed_event(rows, cs, 8).exclude == frozenset(view.found)
    assert len(view.corrections) == 3 and "dismiss 'slammed' everywhere" in view.corrections


def test_topic_set_and_lines() -> None:
    assert topic_set({"outrage"}, {"Plagues"}, {"outrage"})[0] == frozenset({"plague"})  # lemmas
    lines = correction_lines(
        [
            {
                "kind": "add",
                "term": "=cmd",
                "scope": "article",
                "article_id": 3,
                "category": "framing",
                "created_by": "al",
            }
        ]
    )
    assert lines == ("add as framing '=cmd' in article 3 (al)",)


def test_reviewed_rows_per_event() -> None:
    rows = _event()
    other = [dict(r, event_id=9, id=r["id"] + 10) for r in _event()]
    loose = dict(rows[0], event_id=None, id=99)
    out = {
        r["id"]: r
        for r in reviewed_rows([*rows, *other, loose], [Correction("topic", "slammed", "event", event_id=9)])
    }
    assert "slammed" not in _words(out[2], TOPIC_CATEGORY)  # event 7: the mark is event 9's
    assert "slammed" in _words(out[12], TOPIC_CATEGORY)
    assert not _words(out[99], TOPIC_CATEGORY)  # no event: corrections only
