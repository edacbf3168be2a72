"""Topic words of an event: lexicon words that name the event's own subject, not the outlet's slant.

A story about a plague outbreak has to say "plague"; a strike story says "strike"; a war story
"offensive".  The lexicon cannot know the topic, so one event's outlets tell us: a loaded-lexicon
word that most of the event's outlets use, or that most of them put in the headline or lead, is a
**topic word** of that event.  Topic words stay visible (highlighted as ``topic``) but count in no
outlet's loaded rate, and the Compare page lists them with their evidence.

Pure functions over ``Store.event_articles`` rows.  The set of excluded lemmas is an explicit input
of :func:`without_topic_words`, so user corrections (marking or unmarking a topic word) can be
layered on top of :func:`event_topic_words`.  An event with a single outlet has no topic words: its
article keeps the plain lexicon score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from analysis.compare.rows import span_field
from analysis.scoring.loaded import term_lemma

# Fewer outlets than this: nothing to tell topic from slant, the lexicon score stands.
MIN_OUTLETS = 2
# A word used by at least this share of the event's outlets names the subject ("most outlets").
USE_SHARE = 2 / 3
# ... or in the headline or lead of more than this share of them.
HEADLINE_SHARE = 0.5
# An outlet names a word in its own voice when it writes it (outside quotations) at least this often,
# or once in its headline or lead.  A word only quoted is the speakers' (every outlet quoting the same
# speaker does not make the speaker's insult the topic), a single passing use is wording.
MIN_OWN_USES = 2
LEAD_SENTENCES = 2  # sentences of the body that count as its lead
LEAD_CHARS = 400  # without sentence offsets: this many characters of the body are its lead
# Categories whose words can name a subject (a disease, a disaster, a military operation, a group).
# Doubt-casting, slanted verbs, intensifiers and sarcasm judge what is said; they never name a topic.
TOPIC_CATEGORIES: frozenset[str] = frozenset({"emotional", "framing", "labelling", "partisan", "euphemism"})
# A topic word names the subject, so it is a noun ("plague", "strike", "scandal").  The lexicon has no
# parts of speech; words ending like adjectives, adverbs and participles ("stunning", "disputed",
# "outrageous", "controversial", "offensive") judge the subject instead and are never topic words.
NON_NOUN_ENDINGS: tuple[str, ...] = (
    "ing",
    "ed",
    "ous",
    "ful",
    "less",
    "ive",
    "ic",
    "ial",
    "ical",
    "able",
    "ible",
    "ly",
    "ish",
    "ant",
    "ent",
)
LEXICON_RULES: frozenset[str] = frozenset({"lexicon", "phrase"})
TOPIC_CATEGORY = "topic"  # the category a topic-word span is shown with
TOPIC_RULE = "topic-word"  # its rule (the original category is kept in ``topic_of``)


@dataclass(frozen=True)
class TopicWord:
    """A topic word of an event, with the evidence for it."""

    lemma: str
    outlets: tuple[str, ...]  # outlets that use it in their own voice (repeatedly, or in headline/lead)
    headline_outlets: tuple[str, ...]  # outlets that use it in the headline or lead
    n_outlets: int  # outlets of the event
    count: int  # occurrences in the event
    marked: bool = False  # marked as a topic word by a person (a correction), not found by the rule

    @property
    def evidence(self) -> str:
        """ "used by 3 of 4 outlets" (plus where it appears in headlines or leads)."""
        if self.marked:
            return "marked as a topic word by a person"
        text = f"used by {len(self.outlets)} of {self.n_outlets} outlets"
        if self.headline_outlets:
            text += f", in {len(self.headline_outlets)} headlines or leads"
        return text


def _num(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _usable(row: Mapping) -> bool:
    return row.get("sentiment") is not None and bool(row.get("outlet"))


def _lead_end(row: Mapping) -> int:
    sents = sorted((s for s in row.get("sentences") or [] if len(s) >= 2), key=lambda s: s[0])
    if sents:
        return int(sents[min(LEAD_SENTENCES, len(sents)) - 1][1])
    return LEAD_CHARS


def _candidate(sp: object) -> bool:
    return span_field(sp, "rule") in LEXICON_RULES and span_field(sp, "category") in TOPIC_CATEGORIES


def _noun_like(lemma: str) -> bool:
    return not lemma.rsplit(maxsplit=1)[-1].endswith(NON_NOUN_ENDINGS) if lemma.strip() else False


def event_topic_words(rows: Sequence[Mapping]) -> dict[str, TopicWord]:
    """Topic words of one event's rows (lemma -> TopicWord); empty with fewer than MIN_OUTLETS outlets.

    Only noun-like lemmas (see NON_NOUN_ENDINGS) of the TOPIC_CATEGORIES can be topic words.
    An outlet *uses* a lemma when it writes it in its own voice (outside quotations) at least
    MIN_OWN_USES times or once in its headline or lead.  A lemma is a topic word when at least
    USE_SHARE of the outlets use it, or more than HEADLINE_SHARE of them have it in the headline or lead.
    """
    usable = [r for r in rows if _usable(r)]
    outlets = sorted({str(r["outlet"]) for r in usable})
    n = len(outlets)
    if n < MIN_OUTLETS:
        return {}
    uses: dict[tuple[str, str], int] = defaultdict(int)
    leading: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for r in usable:
        outlet = str(r["outlet"])
        lead_end = _lead_end(r)
        body = [(sp, _num(span_field(sp, "start")) < lead_end) for sp in r.get("spans") or []]
        head = [(sp, True) for sp in r.get("headline_spans") or []]
        for sp, in_lead in body + head:
            if not _candidate(sp) or span_field(sp, "quoted", False):
                continue
            lemma = term_lemma(str(span_field(sp, "text", "")))
            if not _noun_like(lemma):
                continue
            uses[(lemma, outlet)] += 1
            counts[lemma] += 1
            if in_lead:
                leading[lemma].add(outlet)
    using: dict[str, set[str]] = defaultdict(set)
    for (lemma, outlet), k in uses.items():
        if k >= MIN_OWN_USES or outlet in leading.get(lemma, ()):
            using[lemma].add(outlet)
    need_use = max(MIN_OUTLETS, -(-USE_SHARE * n // 1))  # ceil
    out: dict[str, TopicWord] = {}
    for lemma, who in using.items():
        heads = leading.get(lemma, set())
        if len(who) >= need_use or (len(heads) >= MIN_OUTLETS and len(heads) > HEADLINE_SHARE * n):
            out[lemma] = TopicWord(lemma, tuple(sorted(who)), tuple(sorted(heads)), n, counts[lemma])
    return dict(sorted(out.items(), key=lambda kv: (-len(kv[1].outlets), -kv[1].count, kv[0])))


def _retag(sp: object) -> dict:
    if isinstance(sp, Mapping):
        d = dict(sp)
    else:
        d = {k: span_field(sp, k) for k in ("start", "end", "text", "category", "weight", "quoted", "rule")}
    d["topic_of"] = d.get("category")
    d.update(category=TOPIC_CATEGORY, weight=0.0, rule=TOPIC_RULE)
    return d


def without_topic_words(rows: Iterable[Mapping], exclude: frozenset[str]) -> list[dict]:
    """Copies of ``rows`` in which spans whose lemma is in ``exclude`` weigh nothing.

    Those spans stay in ``spans``/``headline_spans`` (category ``topic``, rule ``topic-word``, their
    lexicon category in ``topic_of``) so the page still shows them; ``loaded_rate``,
    ``quoted_rate``, ``loaded_count`` and ``categories`` are recomputed without them.  Rows without
    spans (loaded without text) are returned unchanged.  ``exclude`` empty: plain copies.
    """
    out: list[dict] = []
    for r in rows:
        row = dict(r)
        out.append(row)
        if not exclude or not row.get("spans"):
            continue
        own = quoted = removed_own = removed_quoted = 0.0
        removed_count = 0
        categories: dict[str, float] = {
            str(k): float(v or 0.0) for k, v in (row.get("categories") or {}).items()
        }
        spans: list[object] = []
        for sp in row["spans"]:
            weight = _num(span_field(sp, "weight"))
            is_quoted = bool(span_field(sp, "quoted", False))
            if is_quoted:
                quoted += weight
            else:
                own += weight
            if (
                span_field(sp, "rule") in LEXICON_RULES
                and term_lemma(str(span_field(sp, "text", ""))) in exclude
            ):
                removed_count += 1
                if is_quoted:
                    removed_quoted += weight
                else:
                    removed_own += weight
                    cat = str(span_field(sp, "category", ""))
                    if cat in categories:
                        categories[cat] = round(max(0.0, categories[cat] - weight), 4)
                spans.append(_retag(sp))
            else:
                spans.append(sp)
        if not removed_count:
            continue
        row["spans"] = spans
        row["headline_spans"] = [
            _retag(sp)
            if span_field(sp, "rule") in LEXICON_RULES
            and term_lemma(str(span_field(sp, "text", ""))) in exclude
            else sp
            for sp in row.get("headline_spans") or []
        ]
        row["categories"] = {k: v for k, v in categories.items() if v > 0}
        for key, total, removed in (
            ("loaded_rate", own, removed_own),
            ("quoted_rate", quoted, removed_quoted),
        ):
            if row.get(key) is not None and total > 0:
                row[key] = float(row[key]) * (total - removed) / total
        if row.get("loaded_count") is not None:
            row["loaded_count"] = max(0, int(row["loaded_count"]) - removed_count)
    return out


def event_view(
    rows: Sequence[Mapping], exclude: frozenset[str] | None = None
) -> tuple[list[dict], dict[str, TopicWord]]:
    """The rows as the Compare page counts them and the event's topic words.

    ``exclude`` defaults to the topic words found by :func:`event_topic_words`; pass a set to layer
    user corrections (marked or unmarked words) on top.
    """
    topics = event_topic_words(rows)
    chosen = frozenset(topics) if exclude is None else exclude
    return without_topic_words(rows, chosen), topics


def per_event_view(rows: Sequence[Mapping]) -> list[dict]:
    """:func:`event_view` applied to each event of ``rows`` (rows without an event: unchanged)."""
    groups: dict[object, list[Mapping]] = defaultdict(list)
    for r in rows:
        groups[r.get("event")].append(r)
    out: list[dict] = []
    for event, part in groups.items():
        out += event_view(part)[0] if event is not None else [dict(r) for r in part]
    return out


def topic_notes(topics: Mapping[str, TopicWord], n_outlets: int) -> list[str]:
    """Plain-language lines for the page: what is not counted and why (or why nothing is)."""
    if n_outlets == 0:
        return []
    if n_outlets < MIN_OUTLETS:
        return [
            "One outlet only: every lexicon word counts (topic words are found by comparing outlets; "
            "add another outlet's article to separate the event's subject from its wording)."
        ]
    return [f"not counted: {t.lemma} — {t.evidence}" for t in topics.values()]
