"""One event's rows as every view counts them: a person's corrections first, then the topic words.

The single code path of the Compare page, ``show``, the report, the exports and the Data page:

1. :func:`analysis.compare.corrections.correct_rows` applies the flag corrections (dismiss,
   restore, add) to the stored spans;
2. the event's topic words are found on the corrected rows (:func:`topics.event_topic_words`), and
   the words a person marked (``topic``) or unmarked (``not_topic``) for this event or everywhere
   are layered on top: *found ∪ marked − unmarked*;
3. :func:`topics.without_topic_words` keeps those words visible (category ``topic``) but counts
   them in no rate.

Pure: rows and correction records in, rows out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.compare import topics
from analysis.compare.corrections import Correction, correct_rows, topic_overrides
from analysis.scoring.loaded import term_lemma


@dataclass(frozen=True)
class ReviewedEvent:
    """An event's rows after the corrections and the topic words, and what decided them."""

    rows: list[dict]  # corrected; topic words shown (category "topic") but not counted
    topic_words: dict[str, topics.TopicWord]  # the topic words in force (found or marked, not unmarked)
    found: dict[str, topics.TopicWord]  # the topic words the rule found (before the marks)
    exclude: frozenset[str]  # lemmas not counted: found ∪ marked − unmarked
    corrections: tuple[str, ...]  # the corrections in force, one line each (for captions and "about")


def topic_set(
    found: Iterable[str], marked: Iterable[str], unmarked: Iterable[str]
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(exclude, marked lemmas, unmarked lemmas): the found lemmas plus the marked minus the unmarked
    (marks are words as a person typed them; topic words are lemmas, so both are lemmatised)."""
    plus = frozenset(term_lemma(t) for t in marked)
    minus = frozenset(term_lemma(t) for t in unmarked)
    return (frozenset(found) | plus) - minus, plus - minus, minus


def correction_line(c: Mapping[str, Any]) -> str:
    """One correction in a line: "dismiss 'slammed' in this event (alice)"."""
    scope = str(c.get("scope") or "global")
    where = {"article": f"in article {c.get('article_id')}", "event": "in this event"}.get(
        scope, "everywhere"
    )
    kind = str(c.get("kind"))
    if kind == "add" and c.get("category"):
        kind = f"add as {c.get('category')}"
    by = f" ({c.get('created_by')})" if c.get("created_by") else ""
    return f"{kind} '{c.get('term')}' {where}{by}"


def correction_lines(corrections: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(correction_line(c) for c in corrections)


def reviewed_event(
    rows: Sequence[Mapping[str, Any]],
    corrections: Sequence[Correction | Mapping[str, Any]],
    event_id: int | None,
) -> ReviewedEvent:
    """One event's rows (``Store.event_articles(..., with_text=True)``) as counted after the
    ``corrections`` in force (``Store.corrections(event_id)``)."""
    corrected = correct_rows(rows, corrections)
    found = topics.event_topic_words(corrected)
    marked, unmarked = topic_overrides(corrections, event_id)
    exclude, plus, _ = topic_set(found, marked, unmarked)
    n = len({str(r.get("outlet")) for r in corrected if r.get("outlet")})
    in_force = {k: t for k, t in found.items() if k in exclude}
    for lemma in sorted(plus - set(found)):
        in_force[lemma] = topics.TopicWord(lemma, (), (), n, 0, marked=True)
    lines = correction_lines(c if isinstance(c, Mapping) else _record(c) for c in corrections)
    return ReviewedEvent(topics.without_topic_words(corrected, exclude), in_force, found, exclude, lines)


def _record(c: Correction) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "term": c.term,
        "scope": c.scope,
        "article_id": c.article_id,
        "category": c.category,
    }


def reviewed_rows(
    rows: Iterable[Mapping[str, Any]], corrections: Sequence[Correction | Mapping[str, Any]]
) -> list[dict]:
    """:func:`reviewed_event` of each event of ``rows`` (rows without an event: corrected only)."""
    groups: dict[object, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[r.get("event_id")].append(r)
    out: list[dict] = []
    for event_id, part in groups.items():
        if event_id is None:
            out += correct_rows(part, corrections)
        else:
            out += reviewed_event(part, corrections, int(str(event_id))).rows
    return out
