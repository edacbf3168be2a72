"""Candidate actor names: runs of capitalised words in a text, titles stripped, with the cues that
vote on each one's kind (see :mod:`analysis.compare.actors` for the rules)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from analysis.compare.actor_lexicon import (
    _OPENING_CHARS,
    _PARTICLE_PREFIX_RE,
    _POSSESSIVE_RE,
    _TOKEN_RE,
    AUXILIARIES,
    CONNECTORS,
    CONTEXT_VOTE,
    DATE_WORDS,
    EVENT_WORDS,
    FULL_NAME_VOTE,
    LOCATIVE_PREPOSITIONS,
    MAX_ACRONYM,
    MAX_CONNECTORS,
    MONTH_CUES,
    NAME_ABBREVIATIONS,
    NAME_WORD_VOTE,
    NON_ACTORS,
    ORG_FOLLOWERS,
    ORG_WORDS,
    PLACE_POSSESSIONS,
    PLACE_WORDS,
    SPEECH_VERBS,
    STARTERS,
    TITLE_HEADS,
    TITLE_MODIFIERS,
    TRAVEL_WORDS,
    _alias,
    _is_demonym_word,
)
from analysis.scoring.text import split_sentences


class _Token(NamedTuple):  # a named tuple: built ~3x faster than a frozen dataclass, once per word
    start: int
    end: int
    text: str  # as in the source, possessive 's removed
    possessive: bool


@dataclass
class _Raw:
    """A candidate name before linking and kind voting."""

    start: int
    end: int
    text: str
    name: str  # normalised surface form
    role: str
    votes: Counter


def _add_vote(votes: Counter[str], kind: str, weight: float) -> None:
    """``votes[kind] += weight``: the votes are fractional (``FULL_NAME_VOTE`` is 0.5)."""
    # typeshed declares Counter values as int; Counter itself accepts any number (see its docs).
    votes[kind] += weight  # type: ignore[assignment]


# --------------------------------------------------------------------------------------------
# Candidate names
# --------------------------------------------------------------------------------------------


def _tokens(text: str, start: int, end: int) -> list[_Token]:
    out: list[_Token] = []
    for m in _TOKEN_RE.finditer(text, start, end):
        word = m.group()
        possessive = bool(_POSSESSIVE_RE.search(word)) and len(word) > 2
        if possessive:
            word = word[:-2]
        out.append(_Token(m.start(), m.start() + len(word), word, possessive))
    return out


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() or bool(_PARTICLE_PREFIX_RE.match(word))


def _is_date_word(toks: list[_Token], i: int) -> bool:
    """Days and months ("On Sunday Reyland said"); "May" only before a number or after "in"/"on"
    ... (Theresa May is a name)."""
    low = toks[i].text.lower()
    if low not in DATE_WORDS:
        return False
    if low != "may":
        return True
    nxt = toks[i + 1].text if i + 1 < len(toks) else ""
    prev = toks[i - 1].text.lower() if i > 0 else ""
    return nxt[:1].isdigit() or prev in MONTH_CUES


def _joinable(text: str, left: _Token, right: _Token) -> bool:
    """Whether two tokens can belong to one name: plain spaces, or the period of 'Mr.' / 'J.'."""
    gap = text[left.end : right.start]
    if gap and gap.strip() == "" and "\n" not in gap:
        return True
    if gap.startswith(".") and gap[1:].strip() == "" and "\n" not in gap:
        word = left.text.lower()
        return word in NAME_ABBREVIATIONS or (len(left.text) == 1 and left.text.isupper())
    return False


def _at_opening(text: str, unit_start: int, pos: int) -> bool:
    """Whether ``pos`` starts its sentence, or follows an opening quote mark, colon or dash."""
    i = pos - 1
    while i >= unit_start and text[i].isspace():
        i -= 1
    return i < unit_start or text[i] in _OPENING_CHARS


def _runs(text: str, tokens: list[_Token]) -> list[list[int]]:
    """Index runs of capitalised tokens, with connector particles inside."""
    runs: list[list[int]] = []
    n = len(tokens)
    i = 0
    while i < n:
        if not _is_capitalised(tokens[i].text) or _is_date_word(tokens, i):
            i += 1
            continue
        run = [i]
        j = i
        while not tokens[j].possessive and j + 1 < n:
            k = j + 1
            if (
                _is_capitalised(tokens[k].text)
                and not _is_date_word(tokens, k)
                and _joinable(text, tokens[j], tokens[k])
            ):
                run.append(k)
                j = k
                continue
            m = k
            while (
                m < n
                and m - k < MAX_CONNECTORS
                and tokens[m].text in CONNECTORS
                and _joinable(text, tokens[m - 1], tokens[m])
            ):
                m += 1
            if (
                m > k
                and m < n
                and _is_capitalised(tokens[m].text)
                and _joinable(text, tokens[m - 1], tokens[m])
            ):
                run.extend(range(k, m + 1))
                j = m
                continue
            break
        runs.append(run)
        i = j + 1
    return runs


def _strip_title(words: list[str], demonyms: set[str]) -> int:
    """Number of leading words that form a title ("Ostranan Foreign Minister", "Mr", "Secretary of
    State"); 0 when the words do not start with a title or nothing would remain."""
    best = 0
    for k, word in enumerate(words):
        low = word.lower().rstrip(".")
        if low in TITLE_HEADS or (best and k == best + 1 and words[k - 1] == "of" and low in TITLE_MODIFIERS):
            best = k + 1  # a title word, or "of State" / "of Staff" completing one
        elif not (low in TITLE_MODIFIERS or low == "of" or word in demonyms or _is_demonym_word(word)):
            break
    if best >= len(words):
        return len(words)  # only a title: "President", "Prime Minister"
    while best < len(words) and words[best] in CONNECTORS:
        best += 1  # "Secretary of State Mike Pompeo": the title ended inside the connector run
    return best


def _followed_by_verb(toks: list[_Token], i: int) -> bool:
    """Whether token ``i`` is possessive or followed by a verb-looking word ("Obama praised ...",
    "Sadovar said", "Reyland has"): a one-word name opening a sentence."""
    if toks[i].possessive:
        return True
    if i + 1 >= len(toks):
        return False
    nxt = toks[i + 1].text
    low = nxt.lower()
    return nxt.islower() and (low in SPEECH_VERBS or low in AUXILIARIES or low.endswith("ed"))


def _common_word(word: str, lowered_text_words: set[str]) -> bool:
    """An ordinary English word (capitalised because it opens a sentence)."""
    low = word.lower()
    return low in STARTERS or low in lowered_text_words or low in _vader_words()


@lru_cache(maxsize=1)
def _vader_words() -> frozenset[str]:
    from analysis.scoring.sentiment import analyzer

    return frozenset(analyzer().lexicon)


def _raw_candidates(text: str, known_words: frozenset[str] = frozenset()) -> list[_Raw]:
    """Every candidate name in ``text`` with its kind cues, in order (``known_words``: words of
    names known from elsewhere, accepted even where they open a sentence)."""
    if not text:
        return []
    units = split_sentences(text)
    lowered = {w for w in set(_TOKEN_RE.findall(text)) if w.islower()}
    upper = sum(map(str.isupper, text))
    shouting = upper > 0.5 * max(1, sum(map(str.isalpha, text)))
    # Capitalised words seen away from a sentence opening: names, whatever else they are.
    mid_caps: set[str] = set(known_words)
    unit_tokens: list[tuple[int, list[_Token]]] = []
    for s, e in units:
        toks = _tokens(text, s, e)
        unit_tokens.append((s, toks))
        for t in toks:
            if _is_capitalised(t.text) and not _at_opening(text, s, t.start):
                mid_caps.add(t.text)
    caps = {t.text for _, toks in unit_tokens for t in toks if _is_capitalised(t.text)}
    # Demonym-shaped words: a capitalised word that extends another by one letter ("Ostranan").
    demonyms = {w for w in caps if len(w) > 4 and w[-1] in "ni" and w[:-1] in caps}
    out: list[_Raw] = []
    for s, toks in unit_tokens:
        for run in _runs(text, toks):
            out.extend(_run_candidates(text, s, toks, run, lowered, mid_caps, demonyms, shouting))
    return out


def _run_candidates(
    text: str,
    unit_start: int,
    toks: list[_Token],
    run: list[int],
    lowered: set[str],
    mid_caps: set[str],
    demonyms: set[str],
    shouting: bool,
) -> list[_Raw]:
    """The candidates in one run: leading ordinary words dropped, split around an inner title."""
    words = [toks[i].text for i in run]
    # Drop a leading article and sentence-initial ordinary words ("However", "Critics", "The",
    # "Furious Brennick commuters").
    while words:
        low = words[0].lower()
        opening = _at_opening(text, unit_start, toks[run[0]].start)
        drop = low in {"the", "a", "an"} or (opening and low in STARTERS and _alias(words[0]) is None)
        if not drop and opening and len(words) > 1 and words[0] not in mid_caps and _alias(words[0]) is None:
            drop = low not in TITLE_HEADS and low not in TITLE_MODIFIERS and _common_word(words[0], lowered)
        if not drop:
            break
        run, words = run[1:], words[1:]
        while words and words[0] in CONNECTORS:
            run, words = run[1:], words[1:]
    if not words:
        return []
    # A title inside the run: "Dunmore Mayor Owen Tate", "Bank of England Governor Andrew Bailey".
    for k in range(1, len(words) - 1):
        if words[k].lower().rstrip(".") not in TITLE_HEADS:
            continue
        j = k
        while j > 0 and (words[j - 1].lower() in TITLE_MODIFIERS or words[j - 1] in demonyms):
            j -= 1
        for jj in range(j + 1, k + 1):
            if _alias(" ".join(words[:jj])) is not None:
                j = jj  # "White House Chief of Staff ...": keep the known name whole
        if j > 0 and words[j - 1] not in CONNECTORS:
            out = [
                # the words before a title name its place or body: "Dunmore" in "Dunmore Mayor"
                _candidate(
                    text, unit_start, toks, run[:j], lowered, mid_caps | {words[0]}, demonyms, shouting, False
                ),
                _candidate(text, unit_start, toks, run[j:], lowered, mid_caps, demonyms, shouting, True),
            ]
            return [c for c in out if c is not None]
        break
    raw = _candidate(text, unit_start, toks, run, lowered, mid_caps, demonyms, shouting, True)
    return [] if raw is None else [raw]


def _candidate(
    text: str,
    unit_start: int,
    toks: list[_Token],
    run: list[int],
    lowered: set[str],
    mid_caps: set[str],
    demonyms: set[str],
    shouting: bool,
    titled: bool,
) -> _Raw | None:
    """One candidate name from a run of tokens (``titled``: a title may open it)."""
    words = [toks[i].text for i in run]
    cut = _strip_title(words, demonyms) if titled else 0
    role_words = words[:cut]
    while role_words and role_words[-1] in CONNECTORS:
        role_words = role_words[:-1]
    role = " ".join(w.rstrip(".") for w in role_words)
    run, words = run[cut:], words[cut:]
    while words and words[-1] in CONNECTORS:
        run, words = run[:-1], words[:-1]
    if not words:
        return None
    first_tok, last_tok = toks[run[0]], toks[run[-1]]
    name = " ".join(words)
    if len(words) == 1:
        word = words[0]
        low = word.lower()
        if low in NON_ACTORS:
            return None
        if word.isupper() and len(word) > 1 and _alias(word) is None:
            if shouting or len(word) > MAX_ACRONYM or _common_word(word, lowered):
                return None  # ALL-CAPS emphasis ("ONLY"), not an acronym
        elif (
            not role
            and _at_opening(text, unit_start, toks[run[0]].start)
            and _alias(word) is None
            and word not in mid_caps
            and not _followed_by_verb(toks, run[-1])
        ):
            return None  # "Ordinary families ...", "Nobody in ...": only ever seen opening a sentence
    votes: Counter = Counter()
    if role:
        _add_vote(votes, "person", NAME_WORD_VOTE)
    lower_words = [w.lower() for w in words]
    if any(w in ORG_WORDS for w in lower_words):
        _add_vote(votes, "organisation", NAME_WORD_VOTE)
    if any(w in PLACE_WORDS for w in lower_words) and len(words) > 1:
        _add_vote(votes, "place", NAME_WORD_VOTE)
    if len(words) > 1 and (_is_demonym_word(words[0]) or words[0] in demonyms):
        _add_vote(votes, "organisation", NAME_WORD_VOTE)  # "British Airways", "American Red Cross"
    idx = run[0]  # (run holds the tokens' indices: no search through a long sentence's tokens)
    prev = toks[idx - 1].text.lower() if idx > 0 else ""
    last_idx = run[-1]
    nxt = toks[last_idx + 1].text.lower() if last_idx + 1 < len(toks) else ""
    if prev in LOCATIVE_PREPOSITIONS and not last_tok.possessive:
        _add_vote(votes, "place", CONTEXT_VOTE)
    elif prev == "to" and idx > 1 and toks[idx - 2].text.lower() in TRAVEL_WORDS:
        _add_vote(votes, "place", CONTEXT_VOTE)  # "visit to Castelmar", "flew to Dravograd"
    if prev in {"city", "town", "village", "capital"} and idx > 1 and toks[idx - 2].text.lower() == "of":
        _add_vote(votes, "place", NAME_WORD_VOTE)
    if not last_tok.possessive and nxt in SPEECH_VERBS:
        _add_vote(votes, "person", CONTEXT_VOTE)
    if last_tok.possessive and nxt in PLACE_POSSESSIONS:
        _add_vote(votes, "place", CONTEXT_VOTE)
    if nxt in ORG_FOLLOWERS and not last_tok.possessive:
        _add_vote(votes, "organisation", CONTEXT_VOTE)
    if len(words) == 1 and words[0].isupper() and len(words[0]) > 1:
        _add_vote(votes, "organisation", CONTEXT_VOTE)  # an acronym: UMEW, DCCC
    if 2 <= len(words) <= 3 and not votes and lower_words[0] not in EVENT_WORDS:
        _add_vote(votes, "person", FULL_NAME_VOTE)
    return _Raw(
        start=first_tok.start,
        end=last_tok.end,
        text=text[first_tok.start : last_tok.end],
        name=name,
        role=role,
        votes=votes,
    )
