"""Quotation speakers: :func:`quote_speakers` attributes each direct quotation to a named actor."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.compare.actor_lexicon import _POSSESSIVE_RE, _TOKEN_RE, SPEECH_VERBS
from analysis.compare.mentions import Mention, find_mentions
from analysis.scoring.text import classify_quotes, paragraph_spans, split_sentences

PRONOUN_SPEAKERS: frozenset[str] = frozenset({"he", "she"})
# A pronoun speaker is the previous quotation's speaker when that quotation is at most this many
# paragraphs back (a quoted person's words run over several paragraphs); else the last person named.
PRONOUN_PARAGRAPHS = 2
ATTRIBUTION_WORDS = 8  # words after a quotation searched for '..., said X' / '..., X said'
ATTRIBUTION_BEFORE_WORDS = 20  # words before a quotation searched for 'X said: "..."'
SPEAKER_VERB_DISTANCE = 4  # words between the speaker's name and its speech verb


@dataclass(frozen=True)
class QuoteAttribution:
    start: int  # the quotation, quote marks included
    end: int
    speaker: str | None  # canonical actor name, None when no named speaker was found


# --------------------------------------------------------------------------------------------
# Quotations
# --------------------------------------------------------------------------------------------


def quote_speakers(text: str, mentions: Sequence[Mention] | None = None) -> list[QuoteAttribution]:
    """Every direct quotation (speech, not scare quotes) of ``text`` with its speaker.

    Patterns, in order: after the quotation ('"...," said X', '"...," X said', '"...," the
    minister, X, told reporters'); before it in the same sentence ('X said: "..."', 'X told
    reporters that "..."', 'according to X, "..."'); a pronoun speaker ('"...," she said') is the
    last person named before the quotation; a quotation with no attribution continues the previous
    quotation's speaker in the same paragraph.
    """
    if mentions is None:
        mentions = find_mentions(text)
    quotes = [(s, e) for s, e, kind in classify_quotes(text) if kind == "speech"]
    if not quotes:
        return []
    starts = [m.start for m in mentions]
    sentences = split_sentences(text)
    sent_starts = [s for s, _ in sentences]
    paragraphs = paragraph_spans(text)
    par_starts = [s for s, _ in paragraphs]
    # Binary searches over the quotations and a running "last person" index keep this O(n log n):
    # scanning every quotation (or walking back over every mention) for each quotation took minutes
    # on a long text with tens of thousands of quotations.
    q_starts = [s for s, _ in quotes]  # sorted (classify_quotes gives the quotations in order)
    q_ends = sorted(e for _, e in quotes)
    persons = _person_index(text, mentions)
    out: list[QuoteAttribution] = []
    prev: tuple[int, str | None] | None = None  # (paragraph index, speaker) of the previous quote
    last_named: tuple[int, str] | None = None  # the same for the last quote with a speaker
    for q_start, q_end in quotes:
        k = bisect.bisect_left(q_starts, q_end)
        next_q = q_starts[k] if k < len(q_starts) else len(text)  # the next quotation's start
        par = bisect.bisect_right(par_starts, q_start) - 1
        speaker = _speaker_after(text, q_end, next_q, mentions, starts)
        if speaker is None:
            si = max(0, bisect.bisect_right(sent_starts, q_start) - 1)
            k = bisect.bisect_right(q_ends, q_start)
            prev_q = q_ends[k - 1] if k else 0  # the end of the last quotation before this one
            speaker = _speaker_before(
                text, max(sentences[si][0] if sentences else 0, prev_q), q_start, mentions, starts
            )
        if speaker == "":
            # A pronoun: a person named earlier in the paragraph, else the previous speaker,
            # else the last person named.
            speaker = _last_person(text, mentions, starts, q_start, since=paragraphs[par][0], persons=persons)
            if speaker is None and last_named is not None and par - last_named[0] < PRONOUN_PARAGRAPHS:
                speaker = last_named[1]
            if speaker is None:
                speaker = _last_person(text, mentions, starts, q_start, persons=persons)
        if speaker is None and prev is not None and prev[0] == par:
            speaker = prev[1]
        out.append(QuoteAttribution(q_start, q_end, speaker))
        prev = (par, speaker)
        if speaker is not None:
            last_named = (par, speaker)
    return out


def _words(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group().lower()) for m in _TOKEN_RE.finditer(text, start, end)]


def _mention_in(mentions: Sequence[Mention], starts: list[int], start: int, end: int) -> list[Mention]:
    """Mentions overlapping [start, end)."""
    i = max(0, bisect.bisect_left(starts, start) - 1)
    out = []
    while i < len(mentions) and mentions[i].start < end:
        if mentions[i].end > start:
            out.append(mentions[i])
        i += 1
    return out


_SENTENCE_END_RE = re.compile(r"[.!?](?=\s|$)|\n")


def _sentence_end(text: str, start: int, limit: int) -> int:
    m = _SENTENCE_END_RE.search(text, start, limit)
    return m.end() if m else limit


def _speaker_after(
    text: str, q_end: int, limit: int, mentions: Sequence[Mention], starts: list[int]
) -> str | None:
    """'"...," said X' / '"...," X said' / '"...," the minister, X, said'; "" for a pronoun."""
    end = _sentence_end(text, q_end, limit)
    words = _words(text, q_end, end)[:ATTRIBUTION_WORDS]
    verbs = [k for k, w in enumerate(words) if w[2] in SPEECH_VERBS]
    if not verbs:
        return None
    v = verbs[0]
    v_start, v_end = words[v][0], words[v][1]
    window_end = words[-1][1]
    near = [m for m in _mention_in(mentions, starts, q_end, window_end) if m.kind != "place"]
    if near:
        best = min(near, key=lambda m: min(abs(m.start - v_end), abs(v_start - m.end)))
        return best.actor
    around = {w[2] for w in words[max(0, v - 1) : v + 2]}
    return "" if around & PRONOUN_SPEAKERS else None


def _speaker_before(
    text: str, start: int, q_start: int, mentions: Sequence[Mention], starts: list[int]
) -> str | None:
    """'X said: "..."' / 'X told reporters "..."' / 'according to X, "..."'; "" for a pronoun."""
    words = _words(text, start, q_start)[-ATTRIBUTION_BEFORE_WORDS:]
    if not words:
        return None
    for k in range(len(words) - 1):
        if words[k][2] == "according" and words[k + 1][2] == "to":
            found = _mention_in(mentions, starts, words[k + 1][1], q_start)
            if found:
                return found[0].actor
    verbs = [k for k, w in enumerate(words) if w[2] in SPEECH_VERBS]
    if not verbs:
        return None
    v = verbs[-1]
    lo = words[max(0, v - SPEAKER_VERB_DISTANCE)][0]
    subject = [m for m in _mention_in(mentions, starts, lo, words[v][0]) if m.kind != "place"]
    if subject:
        return subject[-1].actor
    if words[max(0, v - 2) : v] and {w[2] for w in words[max(0, v - 2) : v]} & PRONOUN_SPEAKERS:
        return ""
    return None


def _is_speaker_person(text: str, m: Mention) -> bool:
    """A person mention that can be a pronoun's antecedent (not a possessive: "Reyland's handling")."""
    return m.kind == "person" and not _POSSESSIVE_RE.match(text[m.end : m.end + 2])


def _person_index(text: str, mentions: Sequence[Mention]) -> list[int]:
    """For each mention, the index of the last mention up to it that :func:`_is_speaker_person`
    accepts (-1 when none): so :func:`_last_person` needs no walk back over the mentions."""
    out: list[int] = []
    last = -1
    for i, m in enumerate(mentions):
        if _is_speaker_person(text, m):
            last = i
        out.append(last)
    return out


def _last_person(
    text: str,
    mentions: Sequence[Mention],
    starts: list[int],
    pos: int,
    since: int = 0,
    persons: Sequence[int] | None = None,
) -> str | None:
    """The last person named in [since, pos), skipping possessives ("Reyland's handling").

    ``persons``: :func:`_person_index` of the mentions (computed here when not given).
    """
    i = bisect.bisect_left(starts, pos) - 1
    if i < 0:
        return None
    j = (persons if persons is not None else _person_index(text, mentions[: i + 1]))[i]
    if j < 0 or mentions[j].start < since:
        return None
    return mentions[j].actor
