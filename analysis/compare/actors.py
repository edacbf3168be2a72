"""Actors: the people, organisations and places articles mention, who gets quoted, and how each
article treats them.

Offline and rule-based (no statistical NER model is installable here):

- candidates are runs of capitalised words ("Mirek Sadovar", "United Nations Security Council"),
  allowing lower-case name particles inside ("Bank of England", "Charles de Gaulle") and
  "al-"/"el-" prefixes; a leading "The" and sentence-initial common words ("However", "Critics")
  are dropped, as are days, months and pronouns;
- titles and honorifics are stripped and kept as the mention's ``role`` ("President", "Mr",
  "Foreign Minister"); a bare title ("the President") is not an actor;
- ``lexicons/aliases.tsv`` maps aliases to one canonical name and gives known kinds ("U.S.",
  "America" -> United States; "UN" -> United Nations); demonyms ("French", and "Ostranan" when
  "Ostrana" is mentioned) count as the place only before an institution word ("French officials");
- a surname or first name alone is linked to the one full name in the same text that ends (or
  starts) with it ("Sadovar" -> "Mirek Sadovar"); across the articles of an event the same rule
  merges each outlet's variants (:func:`actor_table`);
- the kind (person / organisation / place / unknown) is a vote over cues: the alias table, a
  title, organisation words (Ministry, Council, Party, Bank ...), place words (City, River ...),
  locative prepositions ("in Castelmar"), speech verbs ("Sadovar said"), full-name shape.

:func:`quote_speakers` attributes direct quotations to speakers ('"...," said X', 'X said: "..."',
'according to X', "he said" resolved to the last person named); :func:`actor_table` counts, per
outlet and actor, mentions, quotations and the sentiment toward the actor at each mention
(:func:`analysis.scoring.target.target_sentiment`).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.scoring.target import target_sentiment
from analysis.scoring.text import (
    LEXICON_DIR,
    SENTENCE_OPENERS,
    classify_quotes,
    paragraph_spans,
    split_sentences,
)

ALIASES_FILE = LEXICON_DIR / "aliases.tsv"
KINDS: tuple[str, ...] = ("person", "organisation", "place", "unknown")
ALIAS_KINDS = frozenset({"person", "organisation", "place", "demonym"})

ACTOR_COLUMNS: tuple[str, ...] = (
    "outlet",  # outlet name as given in the rows
    "actor",  # canonical name, merged across the event's outlets
    "kind",  # person / organisation / place / unknown
    "articles",  # articles of this outlet that mention the actor
    "mentions",  # mentions in bodies and headlines
    "title_mentions",  # of which in headlines
    "quoted",  # direct quotations attributed to the actor
    "positive",  # mentions where the sentence is positive toward the actor
    "neutral",
    "negative",
    "sentiment",  # (positive - negative) / mentions: the mean of +1/0/-1 over mentions, -1..1
    "roles",  # titles seen with the name ("President; Mr"), "; "-joined
    "variants",  # surface forms seen ("Sadovar; Mirek Sadovar"), "; "-joined
)

# --- tokens ------------------------------------------------------------------------------------
# A dotted acronym (U.S., U.N.) or a word with inner apostrophes/hyphens (O'Brien, al-Assad).
_TOKEN_RE = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W_]+(?:['’\-][^\W_]+)*")
_PARTICLE_PREFIX_RE = re.compile(r"^(?:al|el|ad|as|ash|bin|ibn|abu|de|da|di|du|van|von|mc|mac|o)[-'’][A-Z]")
_POSSESSIVE_RE = re.compile(r"['’]s$")
# Lower-case particles allowed between capitalised words of one name: "Bank of England",
# "Charles de Gaulle", "Ludwig van Beethoven", "Secretary of State", "Department of the Treasury".
CONNECTORS: frozenset[str] = frozenset(
    "of the de da di du del della van von der den ter bin ibn la le los las y".split()
)
# At most this many connectors in a row inside a name ("Department of the Treasury": 2).
MAX_CONNECTORS = 2
# Abbreviations after which a period does not end the name: "Mr. Sadovar", "Sen. Warren", "St. Louis".
NAME_ABBREVIATIONS: frozenset[str] = frozenset(
    """mr mrs ms mx dr prof sen rep gov gen col lt sgt capt cmdr adm maj rev fr st mt ft jr sr
    pres supt insp det""".split()
)
# Characters right before a word that put it at the start of a sentence-like unit.
_OPENING_CHARS = frozenset("\"“‘'(:—–-•[«")

# --- words that are not actors -------------------------------------------------------------
# Sentence-initial words that are ordinary words, not names (added to analysis.scoring.text's openers).
STARTERS: frozenset[str] = SENTENCE_OPENERS | frozenset(
    """however although though despite during under over about above after before between
    within without against among across through throughout toward towards into onto upon from
    with by of to up down out off again further once instead otherwise indeed perhaps maybe
    yes no nor neither either whether unless until till yesterday today tomorrow tonight
    insiders residents voters lawmakers protesters supporters opponents investigators
    prosecutors witnesses sources officers soldiers troops workers students teachers doctors
    families people children women men many few several most some any each every another
    asked speaking writing according following given meanwhile nonetheless nevertheless
    moreover furthermore besides thus hence therefore overall instead similarly likewise
    first second third finally later earlier recently currently previously already once
    photo photos video watch read listen click subscribe advertisement related updated""".split()
)
# Days and months: never part of a name ("On Sunday Reyland said").  "May" see _is_date_word.
DATE_WORDS: frozenset[str] = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december jan feb mar apr jun jul aug sep
    sept oct nov dec""".split()
)
# Words before "May" that make it the month.
MONTH_CUES: frozenset[str] = frozenset("in on since until by of early late mid last next this".split())
NON_ACTORS: frozenset[str] = DATE_WORDS | frozenset(
    """i i'm i've i'd i'll he she it we they you me him her us them his hers its
    our their my your mine yours ours theirs oh ok okay mr mrs ms dr god nobody somebody someone
    anyone anybody everyone everybody nothing something anything everything tv""".split()
)
# Verbs that show a one-word sentence opener is a subject ("Reyland has ..."), with SPEECH_VERBS.
AUXILIARIES: frozenset[str] = frozenset(
    "is was has had will would could should can may might must did does do are were".split()
)
MAX_ACRONYM = 6  # letters: a longer ALL-CAPS word is shouting, not an acronym

# --- titles ----------------------------------------------------------------------------------
# Words that make a title: "President", "Prime Minister", "Foreign Secretary", "Mr", "Sen.".
TITLE_HEADS: frozenset[str] = frozenset(
    """president minister secretary senator sen congressman congresswoman congressperson
    representative rep governor gov mayor judge justice chancellor premier king queen prince
    princess emperor empress pope cardinal archbishop bishop rabbi imam sheikh emir sultan
    ambassador envoy general gen colonel col lieutenant lt captain capt sergeant sgt commander
    cmdr admiral adm major maj marshal chairman chairwoman chairperson chair speaker leader chief
    commissioner director inspector detective officer sheriff constable councillor councilor
    alderman spokesman spokeswoman spokesperson mr mrs ms mx miss dr doctor prof professor sir
    dame lord lady baron baroness rev reverend father sister brother pastor coach ceo cfo
    founder attorney counsel treasurer mp mep deputy""".split()
)
# Words that modify a title ("Prime Minister", "Foreign Minister", "former Mayor", "Vice President").
TITLE_MODIFIERS: frozenset[str] = frozenset(
    """prime vice deputy assistant associate acting interim former foreign home interior defence
    defense finance health education justice trade labour labor energy environment transport
    economy culture state federal national regional city county district opposition party
    majority minority house senate chief executive general first crown grand supreme high
    presidential senior junior lead head managing press communications attorney principal
    surgeon police fire army navy staff""".split()
)

# --- kind cues -------------------------------------------------------------------------------
ORG_WORDS: frozenset[str] = frozenset(
    """ministry department council party union inc ltd llc plc corp corporation company co
    group bank university college school institute institution foundation association society
    agency commission committee court parliament assembly senate congress office police army
    navy force forces guard network news times post journal herald tribune gazette chronicle
    telegraph press wire broadcasting radio television tv organisation organization federation
    board authority service services bureau front movement league alliance coalition club
    church fund trust partners holdings airlines airways motors industries systems transit
    railway railways securities investments insurance pharmaceuticals logistics shipping
    technologies labs laboratories hospital clinic museum gallery centre center cabinet
    administration government presidency embassy consulate secretariat directorate
    commissariat brigade regiment battalion command""".split()
)
PLACE_WORDS: frozenset[str] = frozenset(
    """city town village county province state states region district river lake sea ocean
    gulf bay island islands mountains mountain valley street avenue road square bridge airport
    port harbour harbor coast peninsula desert forest park republic kingdom emirates territory
    territories""".split()
)
# A lower-case word after a name that marks it as an organisation ("the Renewal party").
ORG_FOLLOWERS: frozenset[str] = frozenset(
    """party group movement company firm corporation network newspaper bank union university
    foundation institute agency alliance coalition club""".split()
)
# Words that open the name of an event, not a person: "Storm Oriel", "Hurricane Katrina".
EVENT_WORDS: frozenset[str] = frozenset(
    "storm hurricane typhoon cyclone tropical operation festival summit games cup".split()
)
# Prepositions of place right before a name ("in Castelmar", "from Dravograd").
LOCATIVE_PREPOSITIONS: frozenset[str] = frozenset(
    "in at from near across throughout outside inside around toward towards into via".split()
)
# Words before "to" that make the next name a destination ("trip to Castelmar").
TRAVEL_WORDS: frozenset[str] = frozenset(
    """visit visits trip trips journey flight flights travel travels travelled traveled
    travelling traveling flew fly flies flying moved move returned return returning went go
    going headed heading back route road border exports imports deported emigrated
    fled""".split()
)
# Nouns after a possessive name that belong to a place ("Ostrana's president", "Valdoria's gas").
PLACE_POSSESSIONS: frozenset[str] = frozenset(
    """president prime government capital army military economy people citizens border borders
    parliament embassy foreign interior navy airspace territory cities ambassador leader""".split()
)
# Words after a demonym that make it a mention of the place: "French officials", "the Ostranan
# government" (but not "French wine", "Ostranan religious art").
INSTITUTION_WORDS: frozenset[str] = frozenset(
    """government officials official authorities authority forces troops army military navy
    police ministry ministers minister embassy diplomats diplomat leaders leader leadership
    president presidency parliament lawmakers regime state administration delegation
    negotiators side""".split()
)
# Votes (see _vote_kind): how much each cue says about the kind.
ALIAS_VOTE = 5.0  # the alias table knows the kind
NAME_WORD_VOTE = 3.0  # an organisation/place word in the name, or a title before it
CONTEXT_VOTE = 1.0  # a preposition of place, a speech verb, a possessed noun
FULL_NAME_VOTE = 0.5  # two or three capitalised words with no other cue: most often a person

# --- quotations --------------------------------------------------------------------------------
# Verbs that attribute speech (news usage, including the emotive ones: "he raged").
SPEECH_VERBS: frozenset[str] = frozenset(
    """said says say saying told tells tell wrote writes write writing tweeted tweets posted posts
    added adds asked asks replied replies answered responded responds declared declares announced
    announces stated states explained explains continued continues insisted insists argued
    argues warned warns noted notes recalled recalls claimed claims admitted admits acknowledged
    acknowledges conceded concedes boasted boasts complained complains suggested suggests
    countered counters quipped joked shouted yelled screamed cried remarked observed predicted
    vowed promised urged urges raged fumed snapped thundered scoffed sneered mocked gushed
    stressed emphasised emphasized pointed called calls branded brands described describes
    dubbed labelled labeled slammed blasted hit fired accused accuses charged charges demanded
    demands pleaded wondered sighed laughed told""".split()
)
PRONOUN_SPEAKERS: frozenset[str] = frozenset({"he", "she"})
# A pronoun speaker is the previous quotation's speaker when that quotation is at most this many
# paragraphs back (a quoted person's words run over several paragraphs); else the last person named.
PRONOUN_PARAGRAPHS = 2
ATTRIBUTION_WORDS = 8  # words after a quotation searched for '..., said X' / '..., X said'
ATTRIBUTION_BEFORE_WORDS = 20  # words before a quotation searched for 'X said: "..."'
SPEAKER_VERB_DISTANCE = 4  # words between the speaker's name and its speech verb


@dataclass(frozen=True)
class Mention:
    """One mention of an actor: ``text == source[start:end]`` (the name without title/possessive)."""

    start: int
    end: int
    text: str
    actor: str  # canonical name: alias-resolved, surname linked to the full name
    kind: str  # person / organisation / place / unknown
    role: str = ""  # title stripped from before the name ("President", "Foreign Minister")


@dataclass(frozen=True)
class QuoteAttribution:
    start: int  # the quotation, quote marks included
    end: int
    speaker: str | None  # canonical actor name, None when no named speaker was found


@dataclass(frozen=True)
class _Token:
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


# --------------------------------------------------------------------------------------------
# Alias table
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def load_aliases(path: Path = ALIASES_FILE) -> dict[str, tuple[str, str]]:
    """alias -> (canonical, kind) from ``path`` (tab-separated; # comments)."""
    table: dict[str, tuple[str, str]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) < 3 or not parts[0] or not parts[1] or parts[2] not in ALIAS_KINDS:
            raise ValueError(f"{path.name}:{n}: expected alias<TAB>canonical<TAB>kind, got {line!r}")
        table[parts[0]] = (parts[1], parts[2])
    return table


def _alias(name: str) -> tuple[str, str] | None:
    return load_aliases().get(name)


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


def _is_demonym_word(word: str) -> bool:
    entry = _alias(word)
    return entry is not None and entry[1] == "demonym"


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
    lowered = {m.group() for m in _TOKEN_RE.finditer(text) if m.group().islower()}
    upper = sum(c.isupper() for c in text)
    shouting = upper > 0.5 * max(1, sum(c.isalpha() for c in text))
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
        if 0 < j and words[j - 1] not in CONNECTORS:
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
        votes["person"] += NAME_WORD_VOTE
    lower_words = [w.lower() for w in words]
    if any(w in ORG_WORDS for w in lower_words):
        votes["organisation"] += NAME_WORD_VOTE
    if any(w in PLACE_WORDS for w in lower_words) and len(words) > 1:
        votes["place"] += NAME_WORD_VOTE
    if len(words) > 1 and (_is_demonym_word(words[0]) or words[0] in demonyms):
        votes["organisation"] += NAME_WORD_VOTE  # "British Airways", "American Red Cross"
    idx = toks.index(first_tok)
    prev = toks[idx - 1].text.lower() if idx > 0 else ""
    last_idx = toks.index(last_tok)
    nxt = toks[last_idx + 1].text.lower() if last_idx + 1 < len(toks) else ""
    if prev in LOCATIVE_PREPOSITIONS and not last_tok.possessive:
        votes["place"] += CONTEXT_VOTE
    elif prev == "to" and idx > 1 and toks[idx - 2].text.lower() in TRAVEL_WORDS:
        votes["place"] += CONTEXT_VOTE  # "visit to Castelmar", "flew to Dravograd"
    if prev in {"city", "town", "village", "capital"} and idx > 1 and toks[idx - 2].text.lower() == "of":
        votes["place"] += NAME_WORD_VOTE
    if not last_tok.possessive and nxt in SPEECH_VERBS:
        votes["person"] += CONTEXT_VOTE
    if last_tok.possessive and nxt in PLACE_POSSESSIONS:
        votes["place"] += CONTEXT_VOTE
    if nxt in ORG_FOLLOWERS and not last_tok.possessive:
        votes["organisation"] += CONTEXT_VOTE
    if len(words) == 1 and words[0].isupper() and len(words[0]) > 1:
        votes["organisation"] += CONTEXT_VOTE  # an acronym: UMEW, DCCC
    if 2 <= len(words) <= 3 and not votes and lower_words[0] not in EVENT_WORDS:
        votes["person"] += FULL_NAME_VOTE
    return _Raw(
        start=first_tok.start,
        end=last_tok.end,
        text=text[first_tok.start : last_tok.end],
        name=name,
        role=role,
        votes=votes,
    )


# --------------------------------------------------------------------------------------------
# Linking and kinds
# --------------------------------------------------------------------------------------------


def _demonym_target(word: str, names: Iterable[str]) -> str | None:
    """The place a demonym stands for: the alias table, or a name in ``names`` that the word
    extends by one letter ("Ostranan" -> "Ostrana", "Iraqi" -> "Iraq", "Valdorian" -> "Valdoria")."""
    entry = _alias(word)
    if entry is not None:
        return entry[0] if entry[1] == "demonym" else None
    if len(word) > 4 and word[-1] in "ni" and " " not in word:
        stem = word[:-1]
        if stem in names:
            return stem
    return None


def _person_like(name: str, kind_votes: Counter) -> bool:
    """A multi-word name that can own a surname: no organisation/place word or demonym in it, not
    in the alias table, and its cues do not point to an organisation or place."""
    if " " not in name or _alias(name) is not None:
        return False
    parts = name.split()
    if not all(_is_capitalised(p) or p in CONNECTORS for p in parts) or _is_demonym_word(parts[0]):
        return False
    if any(p.lower() in ORG_WORDS or p.lower() in PLACE_WORDS for p in parts):
        return False
    return kind_votes["organisation"] + kind_votes["place"] <= kind_votes["person"]


def link_names(names: Mapping[str, Counter]) -> dict[str, str]:
    """surface name -> canonical name, for the names of one text or one event.

    ``names`` maps each surface name to its kind votes.  The alias table applies first; then
    multi-word person names with the same first and last word are one person (the most frequent
    form, by vote weight, wins: "Donald J. Trump" and "Donald Trump"); then a one-word name is
    linked to the single person name that ends with it, or else starts with it ("Sadovar" ->
    "Mirek Sadovar", "Hillary" -> "Hillary Clinton").  A name matching several full names stays
    as it is.
    """
    names = {n: Counter(v) for n, v in names.items()}
    canon: dict[str, str] = {}
    for name in names:
        entry = _alias(name)
        canon[name] = entry[0] if entry is not None and entry[1] != "demonym" else name
    full = [n for n in names if canon[n] == n and _person_like(n, names[n])]
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for n in full:
        parts = n.split()
        groups[(parts[0], parts[-1])].append(n)
    heads: dict[str, str] = {}
    for members in groups.values():
        head = max(members, key=lambda m: (sum(names[m].values()) + 1, len(m)))
        for m in members:
            heads[m] = head
            canon[m] = head
    by_last: dict[str, set[str]] = defaultdict(set)
    by_first: dict[str, set[str]] = defaultdict(set)
    for n, head in heads.items():
        parts = n.split()
        by_last[parts[-1]].add(head)
        by_first[parts[0]].add(head)
    for name in names:
        votes = names[name]
        if " " in name or canon[name] != name or votes["place"] + votes["organisation"] > votes["person"]:
            continue  # several words, already linked, or a place/organisation by its own cues
        if len(by_last.get(name, ())) == 1:
            canon[name] = next(iter(by_last[name]))
        elif not by_last.get(name) and len(by_first.get(name, ())) == 1:
            canon[name] = next(iter(by_first[name]))
    return canon


def _vote_kind(votes: Counter, canonical: str) -> str:
    entry = _alias(canonical)
    if entry is not None and entry[1] in KINDS:
        return entry[1]
    if not votes:
        return "unknown"
    ranked = votes.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return "unknown"
    return ranked[0][0]


def _resolve(raws: list[_Raw], known: Iterable[str] = ()) -> list[Mention]:
    """Mentions from candidates: demonyms, linking, kinds."""
    names: dict[str, Counter] = defaultdict(Counter)
    for r in raws:
        names[r.name].update(r.votes)
    known_names = {k: Counter({"person": FULL_NAME_VOTE}) for k in known if k not in names}
    all_names = {**known_names, **names}
    single = {n for n in all_names if " " not in n} | {
        entry[0] for n in all_names if (entry := _alias(n)) is not None
    }
    canon = link_names(all_names)
    actor_votes: dict[str, Counter] = defaultdict(Counter)
    for n, votes in names.items():
        actor_votes[canon[n]].update(votes)
        stem = _demonym_target(n, single) if " " not in n else None
        if stem is not None:
            actor_votes[canon.get(stem, stem)]["place"] += NAME_WORD_VOTE  # a place has a demonym
    out: list[Mention] = []
    for r in raws:
        demonym_place = _demonym_target(r.name, single) if " " not in r.name else None
        if demonym_place is not None or _is_demonym_word(r.name):
            continue  # handled below (needs the next word)
        actor = canon[r.name]
        out.append(Mention(r.start, r.end, r.text, actor, _vote_kind(actor_votes[actor], actor), r.role))
    return out


def _demonym_mentions(text: str, raws: list[_Raw], known_places: set[str]) -> list[Mention]:
    """Demonyms before an institution word: "French officials" -> France, "the Ostranan government"."""
    out: list[Mention] = []
    for r in raws:
        if " " in r.name or r.role:
            continue
        place = _demonym_target(r.name, known_places)
        if place is None:
            continue
        m = _TOKEN_RE.match(text, r.end + 1) if text[r.end : r.end + 1] == " " else None
        if m is not None and m.group().lower() in INSTITUTION_WORDS:
            entry = _alias(place)
            canonical = entry[0] if entry is not None else place
            out.append(Mention(r.start, r.end, r.text, canonical, "place"))
    return out


def find_mentions(text: str, known: Iterable[str] | None = None) -> list[Mention]:
    """Every actor mention in ``text``, in order.

    With ``known`` (canonical names, e.g. the actors of an article's body), only mentions of those
    actors are kept, and a run of capitalised words is also searched for a known name or surname
    inside it: use it for headlines, whose Title Case makes every word look like a name.
    """
    if not text:
        return []
    known_words = frozenset(w for k in known or () for w in k.split())
    raws = _raw_candidates(text, known_words)
    if known is not None:
        raws = _split_for_known(raws, set(known))
    mentions = _resolve(raws, known or ())
    places = {m.actor for m in mentions} | {r.name for r in raws if " " not in r.name}
    mentions.extend(_demonym_mentions(text, raws, places))
    if known is not None:
        known_set = set(known)
        mentions = [m for m in mentions if m.actor in known_set]
    mentions.sort(key=lambda m: m.start)
    return mentions


def _split_for_known(raws: list[_Raw], known: set[str]) -> list[_Raw]:
    """Replace each candidate that is not a known name (or a word of one) by the known names,
    aliases and surnames found inside it, longest first."""
    known_words: set[str] = set()
    for k in known:
        parts = k.split()
        known_words.update({parts[0], parts[-1]})
    out: list[_Raw] = []
    for r in raws:
        entry = _alias(r.name)
        if r.name in known or r.name in known_words or (entry is not None and entry[0] in known):
            out.append(r)
            continue
        words = [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(r.text)]
        i = 0
        while i < len(words):
            for j in range(len(words), i, -1):
                phrase = r.text[words[i][0] : words[j - 1][1]]
                entry = _alias(phrase)
                if phrase in known or (j - i == 1 and phrase in known_words) or (entry and entry[0] in known):
                    s, e = r.start + words[i][0], r.start + words[j - 1][1]
                    out.append(_Raw(s, e, phrase, phrase, r.role if i == 0 else "", Counter(r.votes)))
                    i = j - 1
                    break
            i += 1
    return out


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
    out: list[QuoteAttribution] = []
    prev: tuple[int, str | None] | None = None  # (paragraph index, speaker) of the previous quote
    last_named: tuple[int, str] | None = None  # the same for the last quote with a speaker
    for q_start, q_end in quotes:
        next_q = next((s for s, _ in quotes if s >= q_end), len(text))
        par = bisect.bisect_right(par_starts, q_start) - 1
        speaker = _speaker_after(text, q_end, next_q, mentions, starts)
        if speaker is None:
            si = max(0, bisect.bisect_right(sent_starts, q_start) - 1)
            prev_q = max((e for _, e in quotes if e <= q_start), default=0)
            speaker = _speaker_before(
                text, max(sentences[si][0] if sentences else 0, prev_q), q_start, mentions, starts
            )
        if speaker == "":
            # A pronoun: a person named earlier in the paragraph, else the previous speaker,
            # else the last person named.
            speaker = _last_person(text, mentions, starts, q_start, since=paragraphs[par][0])
            if speaker is None and last_named is not None and par - last_named[0] < PRONOUN_PARAGRAPHS:
                speaker = last_named[1]
            if speaker is None:
                speaker = _last_person(text, mentions, starts, q_start)
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


def _last_person(
    text: str, mentions: Sequence[Mention], starts: list[int], pos: int, since: int = 0
) -> str | None:
    """The last person named in [since, pos), skipping possessives ("Reyland's handling")."""
    i = bisect.bisect_left(starts, pos) - 1
    while i >= 0 and mentions[i].start >= since:
        m = mentions[i]
        if m.kind == "person" and not _POSSESSIVE_RE.match(text[m.end : m.end + 2]):
            return m.actor
        i -= 1
    return None


# --------------------------------------------------------------------------------------------
# Per-event table
# --------------------------------------------------------------------------------------------


def _mention_labels(text: str, mentions: Sequence[Mention]) -> list[str]:
    """target_sentiment of each mention within its sentence."""
    sentences = split_sentences(text)
    starts = [s for s, _ in sentences]
    labels: list[str] = []
    for m in mentions:
        i = bisect.bisect_right(starts, m.start) - 1
        s, e = sentences[i] if i >= 0 else (0, len(text))
        if not (s <= m.start and m.end <= e):
            s, e = 0, len(text)
        labels.append(target_sentiment(text[s:e], m.start - s, m.end - s))
    return labels


def _event_demonyms(text: str, mentions: list[Mention], singles: set[str]) -> list[Mention]:
    """Mentions with event-level demonyms resolved: the place before an institution word
    ("Valdorian officials" -> Valdoria), dropped otherwise ("Valdorian homes")."""
    out: list[Mention] = []
    for m in mentions:
        place = _demonym_target(m.actor, singles) if " " not in m.actor and not m.role else None
        if place is None or place == m.actor:
            out.append(m)
            continue
        nxt = _TOKEN_RE.match(text, m.end + 1) if text[m.end : m.end + 1] == " " else None
        if nxt is not None and nxt.group().lower() in INSTITUTION_WORDS:
            out.append(Mention(m.start, m.end, m.text, place, "place"))
    return out


def actor_table(rows: Iterable[Mapping]) -> pd.DataFrame:
    """Per outlet x actor: mentions, quotations and sentiment toward the actor, for one event.

    ``rows`` are the event's articles: mappings with ``outlet``, ``text``, ``title`` (optional
    ``id``).  Names are linked within each article, then across the whole event, so one outlet's
    "Sadovar" and another's "President Mirek Sadovar" are one actor.  Headline mentions count only
    for actors found in some article body.  Columns: ACTOR_COLUMNS; sorted by outlet, then most
    mentioned.
    """
    articles: list[tuple[str, str, str, list[Mention]]] = []
    for row in rows:
        text = str(row.get("text") or "")
        articles.append(
            (str(row.get("outlet") or ""), text, str(row.get("title") or ""), find_mentions(text))
        )
    # Demonyms whose place another outlet names ("Valdorian" here, "Valdoria" there).
    singles = {m.actor for *_, ms in articles for m in ms if " " not in m.actor}
    articles = [
        (outlet, text, title, _event_demonyms(text, mentions, singles))
        for outlet, text, title, mentions in articles
    ]
    # Link every article's canonical names across the event.
    votes: dict[str, Counter] = defaultdict(Counter)
    for _, _, _, mentions in articles:
        for m in mentions:
            if m.kind != "unknown":
                votes[m.actor][m.kind] += 1
            else:
                votes[m.actor].update()  # known name, no kind
    canon = link_names(votes)
    known = set(canon.values()) | set(canon)
    stats: dict[tuple[str, str], dict] = {}
    kind_of: dict[str, Counter] = defaultdict(Counter)

    def entry(outlet: str, actor: str) -> dict:
        key = (outlet, actor)
        if key not in stats:
            stats[key] = {
                "articles": set(),
                "mentions": 0,
                "title_mentions": 0,
                "quoted": 0,
                "positive": 0,
                "neutral": 0,
                "negative": 0,
                "roles": Counter(),
                "variants": Counter(),
            }
        return stats[key]

    for n, (outlet, text, title, mentions) in enumerate(articles):
        title_mentions = find_mentions(title, known=known) if title else []
        for source, ms, is_title in ((text, mentions, False), (title, title_mentions, True)):
            for m, label in zip(ms, _mention_labels(source, ms), strict=True):
                actor = canon.get(m.actor, m.actor)
                st = entry(outlet, actor)
                st["articles"].add(n)
                st["mentions"] += 1
                st["title_mentions"] += int(is_title)
                st[label] += 1
                if m.role:
                    st["roles"][m.role] += 1
                st["variants"][m.text] += 1
                if m.kind != "unknown":
                    kind_of[actor][m.kind] += 1
        for q in quote_speakers(text, mentions):
            if q.speaker is not None:
                entry(outlet, canon.get(q.speaker, q.speaker))["quoted"] += 1
    records = []
    for (outlet, actor), st in stats.items():
        n_m = st["mentions"]
        kind = _vote_kind(kind_of[actor], actor)
        if " " in actor and _demonym_target(actor.split()[0], singles) is not None:
            kind = "organisation"  # "Valdorian Renewal" when another outlet names Valdoria
        records.append(
            {
                "outlet": outlet,
                "actor": actor,
                "kind": kind,
                "articles": len(st["articles"]),
                "mentions": n_m,
                "title_mentions": st["title_mentions"],
                "quoted": st["quoted"],
                "positive": st["positive"],
                "neutral": st["neutral"],
                "negative": st["negative"],
                "sentiment": (st["positive"] - st["negative"]) / n_m if n_m else 0.0,
                "roles": "; ".join(r for r, _ in st["roles"].most_common()),
                "variants": "; ".join(v for v, _ in st["variants"].most_common()),
            }
        )
    df = pd.DataFrame.from_records(records, columns=list(ACTOR_COLUMNS))
    if df.empty:
        return df
    return df.sort_values(["outlet", "mentions", "actor"], ascending=[True, False, True], ignore_index=True)
