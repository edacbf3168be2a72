"""A person's corrections applied to the stored loaded-language spans, at compare time (pure).

A correction says of a word or phrase (matched case-insensitively, spaces collapsed) that it is
not loaded (``dismiss``), is loaded after all where a broader dismissal says otherwise
(``restore``), is loaded with a category (``add``), or is a topic word of the event (``topic``)
or not one (``not_topic``).  Topic marks do not act here: :func:`topic_overrides` hands them to
``analysis.compare.reviewed``, which layers them on the event's automatic topic words (shown, not
counted; ``analysis.compare.topics``).  Its scope is one article, one event or everywhere; the
narrowest scope wins.

Nothing is re-scored: dismissed spans are dropped from the rates (kept in the list, marked, when
asked), an added word is looked up in the article's text and becomes new spans (rule ``user``),
and an article's rate, quoted rate, count and categories are recomputed from the corrected spans.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from functools import cached_property
from typing import Any

from analysis.scoring.fragments import own_shares
from analysis.scoring.text import classify_quotes, in_regions

FLAG_KINDS = ("dismiss", "restore", "add")
TOPIC_KINDS = ("topic", "not_topic")
KINDS = FLAG_KINDS + TOPIC_KINDS
SCOPES = ("article", "event", "global")
CATEGORIES = (
    "emotional",
    "intensifier",
    "labelling",
    "partisan",
    "doubt",
    "loaded-verb",
    "sarcasm",
    "euphemism",
    "framing",
)
# Weight of an added word when the person gives none: the median weight of the shipped lexicon.
ADDED_WEIGHT = 0.7
USER_RULE = "user"  # the ``rule`` of a span that a person added
PER_WORDS = 1000.0
_SPECIFICITY = {"article": 2, "event": 1, "global": 0}


def term_key(term: str) -> str:
    """How a word or phrase is matched: case-folded, whitespace collapsed."""
    return " ".join(str(term).casefold().split())


def family(kind: str) -> str:
    """``flag`` for dismiss/restore/add, ``topic`` for topic/not_topic (one row per family)."""
    return "topic" if kind in TOPIC_KINDS else "flag"


@dataclass(frozen=True)
class Correction:
    kind: str  # one of KINDS
    term: str
    scope: str  # one of SCOPES
    article_id: int | None = None  # scope "article"
    event_id: int | None = None  # scope "event"
    category: str | None = None  # kind "add"
    weight: float | None = None  # kind "add"

    @cached_property
    def key(self) -> str:
        return term_key(self.term)

    def applies(self, article_id: int | None, event_id: int | None) -> bool:
        if self.scope == "article":
            return self.article_id is not None and self.article_id == article_id
        if self.scope == "event":
            return self.event_id is not None and self.event_id == event_id
        return True


def as_correction(c: Correction | Mapping[str, Any]) -> Correction:
    if isinstance(c, Correction):
        return c
    weight = c.get("weight")
    return Correction(
        kind=str(c["kind"]),
        term=str(c["term"]),
        scope=str(c.get("scope") or "global"),
        article_id=c.get("article_id"),
        event_id=c.get("event_id"),
        category=c.get("category"),
        weight=None if weight is None else float(weight),
    )


def _span_dict(sp: object) -> dict:
    if isinstance(sp, Mapping):
        return dict(sp)
    if is_dataclass(sp) and not isinstance(sp, type):
        return asdict(sp)
    raise TypeError(f"not a span: {sp!r}")


def _winner(found: Iterable[Correction]) -> Correction | None:
    return max(found, key=lambda c: _SPECIFICITY.get(c.scope, 0), default=None)


def span_status(term: str, applicable: Sequence[Correction]) -> str | None:
    """Why a span of ``term`` is left out of the rates by a flag correction: "dismissed" or None."""
    return _statuses(applicable).get(term_key(term))


def _statuses(applicable: Sequence[Correction]) -> dict[str, str]:
    """{term key: "dismissed"} for the terms the narrowest flag corrections leave out (topic marks
    are applied by ``analysis.compare.reviewed``)."""
    flags: dict[str, list[Correction]] = defaultdict(list)
    for c in applicable:
        if c.kind in FLAG_KINDS:
            flags[c.key].append(c)
    out: dict[str, str] = {}
    for key, found in flags.items():
        win = _winner(found)
        if win is not None and win.kind == "dismiss":
            out[key] = "dismissed"
    return out


def _pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)", re.IGNORECASE)


def added_spans(text: str, adds: Sequence[Correction], taken: Sequence[tuple[int, int]]) -> list[dict]:
    """Spans for the added words found in ``text`` that overlap no span in ``taken``."""
    if not adds or not text:
        return []
    speech: list[tuple[int, int]] | None = None  # found only when an added word occurs
    occupied = list(taken)
    out: list[dict] = []
    for c in sorted(adds, key=lambda c: -len(c.key)):  # longer phrases first
        for m in _pattern(c.key).finditer(text):
            s, e = m.span()
            if any(s < b and a < e for a, b in occupied):
                continue
            if speech is None:
                speech = [(a, b) for a, b, kind in classify_quotes(text) if kind != "scare"]
            occupied.append((s, e))
            out.append(
                {
                    "start": s,
                    "end": e,
                    "text": text[s:e],
                    "category": c.category or "emotional",
                    "weight": ADDED_WEIGHT if c.weight is None else float(c.weight),
                    "quoted": in_regions(speech, s, e),
                    "rule": USER_RULE,
                }
            )
    return out


def apply_corrections(
    spans: Iterable[object],
    text: str,
    corrections: Iterable[Correction | Mapping[str, Any]],
    article_id: int | None,
    event_id: int | None,
    *,
    keep_dismissed: bool = False,
) -> list[dict]:
    """The spans of one text (the article body or its headline) after the corrections in force for
    this article of this event.  Each span is a dict as stored, plus ``status``: None (counted),
    "dismissed".  Without ``keep_dismissed`` only the counted spans are returned."""
    applicable = [c for c in map(as_correction, corrections) if c.applies(article_id, event_id)]
    base = [_span_dict(sp) for sp in spans]
    if not applicable:
        return [{**sp, "status": None} for sp in base] if keep_dismissed else base
    statuses = _statuses(applicable)
    out = [{**sp, "status": statuses.get(term_key(str(sp.get("text", ""))))} for sp in base]
    kept = [(int(sp["start"]), int(sp["end"])) for sp in out if sp["status"] is None]
    # an add is in force only where no narrower dismissal of the same term wins
    adds = [c for c in applicable if c.kind == "add" and statuses.get(c.key) is None]
    for sp in added_spans(text, adds, kept):
        out.append({**sp, "status": statuses.get(term_key(sp["text"]))})
    out.sort(key=lambda sp: (int(sp["start"]), int(sp["end"])))
    if keep_dismissed:
        return out
    return [{k: v for k, v in sp.items() if k != "status"} for sp in out if sp["status"] is None]


def correct_row(row: Mapping[str, Any], corrections: Sequence[Correction | Mapping[str, Any]]) -> dict:
    """An article row (as ``Store.event_articles`` gives it, with text) with its spans, headline
    spans, loaded rate, quoted rate, count and categories recomputed after the corrections.

    Adds ``dismissed_spans`` (the spans left out, with their status) and ``corrected`` (whether
    anything changed)."""
    out = dict(row)
    out["scored_loaded_rate"] = row.get("loaded_rate")  # as the scorer gave it
    aid, eid = row.get("id"), row.get("event_id")
    applicable = [c for c in map(as_correction, corrections) if c.applies(aid, eid)]
    if not applicable or _untouched(row, applicable):  # the common case: the stored scores stand
        out["dismissed_spans"], out["corrected"] = [], False
        return out
    every = apply_corrections(
        row.get("spans") or [], row.get("text") or "", applicable, aid, eid, keep_dismissed=True
    )
    headline = apply_corrections(
        row.get("headline_spans") or [], row.get("title") or "", applicable, aid, eid, keep_dismissed=True
    )
    out["dismissed_spans"] = [sp for sp in every if sp["status"] is not None]
    if not any(sp["status"] is not None or sp.get("rule") == USER_RULE for sp in every + headline):
        out["corrected"] = False
        return out
    out["headline_spans"] = [_counted(sp) for sp in headline if sp["status"] is None]
    spans = [_counted(sp) for sp in every if sp["status"] is None]
    out["spans"] = spans
    words = float(row.get("words") or 0)
    per = PER_WORDS / words if words else 0.0
    own = [sp for sp in spans if not sp.get("quoted")]
    by_cat: dict[str, float] = defaultdict(float)
    for sp in own:
        by_cat[str(sp.get("category") or "loaded")] += float(sp.get("weight") or 0.0)
    out["categories"] = {c: round(w, 4) for c, w in sorted(by_cat.items(), key=lambda cw: (-cw[1], cw[0]))}
    # As the scorer counts (analysis.scoring.loaded.analyze_loaded): a hit in a short quoted fragment
    # counts in part in the outlet's own rate, the rest in the quoted rate.
    shares = own_shares(
        row.get("text") or "",
        [(int(sp.get("start", 0)), int(sp.get("end", 0)), bool(sp.get("quoted"))) for sp in spans],
    )
    mine = sum(float(sp.get("weight") or 0.0) * w for sp, w in zip(spans, shares, strict=True))
    total = sum(float(sp.get("weight") or 0.0) for sp in spans)
    out["loaded_rate"] = mine * per
    out["quoted_rate"] = (total - mine) * per
    out["loaded_count"] = len(own)
    out["corrected"] = True
    return out


def _counted(sp: Mapping[str, Any]) -> dict:
    return {k: v for k, v in sp.items() if k != "status"}


def _untouched(row: Mapping[str, Any], applicable: Sequence[Correction]) -> bool:
    """True when no correction can change this row: no word to add, and no span (body or headline)
    of a word that the corrections leave out."""
    if any(c.kind == "add" for c in applicable):
        return False
    statuses = _statuses(applicable)
    if not statuses:
        return True
    spans = [*(row.get("spans") or []), *(row.get("headline_spans") or [])]
    return not any(term_key(str(_span_dict(sp).get("text", ""))) in statuses for sp in spans)


def correct_rows(
    rows: Iterable[Mapping[str, Any]], corrections: Sequence[Correction | Mapping[str, Any]]
) -> list[dict]:
    """:func:`correct_row` of every row (rows without text keep their stored scores)."""
    cs = [as_correction(c) for c in corrections]
    return [correct_row(r, cs) if "spans" in r else dict(r) for r in rows]


def topic_overrides(
    corrections: Iterable[Correction | Mapping[str, Any]], event_id: int | None
) -> tuple[set[str], set[str]]:
    """(terms marked as topic words of the event, terms marked as not topic words), the narrowest
    mark of each term winning (an event's unmark beats a mark made for every event): for
    ``analysis.compare.reviewed`` to layer on the automatic topic words."""
    found: dict[str, list[Correction]] = defaultdict(list)
    for c in map(as_correction, corrections):
        if c.kind in TOPIC_KINDS and c.scope != "article" and c.applies(None, event_id):
            found[c.key].append(c)
    marked: set[str] = set()
    unmarked: set[str] = set()
    for key, cs in found.items():
        win = _winner(cs)
        if win is not None:
            (marked if win.kind == "topic" else unmarked).add(key)
    return marked, unmarked


def dismissal_summary(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many spans of corrected rows were left out, by status, and how many were added."""
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        for sp in r.get("dismissed_spans") or []:
            counts[str(sp.get("status"))] += 1
        counts["added"] += sum(1 for sp in r.get("spans") or [] if sp.get("rule") == USER_RULE)
    return dict(counts)


_ACTION_WORDS = {
    "flag.dismiss": ("flag dismissed", "flags dismissed"),
    "flag.restore": ("flag restored", "flags restored"),
    "flag.add": ("word added as loaded", "words added as loaded"),
    "topic.topic": ("topic word marked", "topic words marked"),
    "topic.not_topic": ("topic word unmarked", "topic words unmarked"),
    "event.rename": ("rename of the event", "renames of the event"),
    "event.merge": ("event merged into this one", "events merged into this one"),
    "event.move": ("article moved", "articles moved"),
    "event.split": ("article split off", "articles split off"),
}


def history_summary(history: Iterable[Mapping[str, Any]]) -> list[str]:
    """The history of an event in sentences: "2 flags dismissed by alice", most frequent first."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for h in history:
        counts[(str(h.get("action")), str(h.get("user") or "someone"))] += 1
    out = []
    for (action, user), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        one, many = _ACTION_WORDS.get(action, (action, action))
        out.append(f"{n} {one if n == 1 else many} by {user}")
    return out


def deciding_correction(
    term: str,
    corrections: Iterable[Correction | Mapping[str, Any]],
    article_id: int | None,
    event_id: int | None,
    kinds: Sequence[str] = FLAG_KINDS,
) -> Correction | None:
    """The correction of ``term`` (among ``kinds``) in force in this article: the narrowest one."""
    key = term_key(term)
    found = [
        c
        for c in map(as_correction, corrections)
        if c.kind in kinds and c.key == key and c.applies(article_id, event_id)
    ]
    return _winner(found)
