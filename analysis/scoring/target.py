"""Sentiment toward one target (a person, group or organisation) inside one sentence.

Sentence-level VADER gives every target of a sentence the same label.  This scorer weighs each
polar word of the sentence by its role relative to the target and its distance, without a parser:

- word polarity: VADER's lexicon with the project's news supplement (:func:`analysis.scoring.sentiment.
  analyzer`), tried on the word and its base form (VADER does not lemmatise: "crimes", "helped");
  then TARGET_NEWS_VALENCE (legal trouble, discredit, achievement words VADER lacks); then the
  loaded-language lexicon (:func:`analysis.scoring.loaded.loaded_spans`: labelling, doubt-casting and
  slanted verbs are negative);
- negation: a negator within NEGATION_WINDOW words before a polar word in the same clause flips
  and damps it (VADER's own N_SCALAR);
- clauses: commas, semicolons, colons, brackets, dashes and contrastive conjunctions ("but",
  "while", "although" ...) cut the sentence; words outside the target's clause count less
  (CLAUSE_DECAY per clause boundary), and words far from the target count less (DISTANCE_SCALE);
- roles (ROLE_WEIGHTS): words next to the target ("the disgraced senator", "Trump's failed plan"),
  before it in its clause (it is the object: "critics attacked X"), after it (it is the subject),
  in other clauses, in quotations by someone else, and words the target says itself;
- reported speech: a target that is the attributed speaker of a direct quotation ("...," she said /
  X said: "..."), or of "X said (that) ..." / "according to X", does not take the polarity of what
  it says: negative statements leave the speaker neutral, positive ones reflect a little on it;
- the target's own words and capitalised names elsewhere in the sentence carry no polarity
  ("Justice Department", "Liberty University").

The weighted sum, plus SENTENCE_WEIGHT x the sentence's VADER compound, is squashed like VADER's
compound (``x / sqrt(x*x + NORMALIZE_ALPHA)``) and cut at +/-NEUTRAL_BAND: a target that is merely
mentioned, with no opinion word near it, is neutral.

Measured on NewsMTSC with ``python -m analysis.bench.target_eval`` (macro-F1 0.60 against 0.53 for
sentence-level VADER; both halves of the data within 0.01 of each other).
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from analysis.scoring.loaded import loaded_spans
from analysis.scoring.sentiment import analyzer, compound
from analysis.scoring.text import WORD_RE, quote_regions

LABELS = ("negative", "neutral", "positive")

# --- word polarity ---------------------------------------------------------------------------
VADER_MAX = 4.0  # VADER valences run -4..+4; we use valence / VADER_MAX
# Valence given to a loaded-language hit VADER does not know, times the hit's weight (0..1), for the
# categories that always cast their object in a bad light.  Emotional/intensifier words can go
# either way: VADER decides those.
LOADED_VALENCE = -0.5
NEGATIVE_LOADED_CATEGORIES: frozenset[str] = frozenset(
    {"labelling", "doubt", "loaded-verb", "sarcasm", "partisan", "framing"}
)
# News words that VADER's lexicon and the project's news supplement (lexicons/vader_news.tsv) lack,
# on VADER's -4..+4 scale: legal and political trouble, discredit, defeat, and their positive
# counterparts (achievement, merit, momentum).  Written from general news vocabulary; only used
# when neither of the other sources knows the word.  Candidates for vader_news.tsv.
TARGET_NEWS_VALENCE: dict[str, float] = {
    **dict.fromkeys("alleged allegedly accuser accusers".split(), -1.0),
    **dict.fromkeys("probe investigation investigated investigating scrutiny".split(), -0.8),
    **dict.fromkeys("prosecutor prosecutors subpoena custody pleaded plead sue sanctions".split(), -0.8),
    **dict.fromkeys("impeachment impeach ouster sacked demoted suspension misdemeanor".split(), -1.2),
    **dict.fromkeys("gunman shooter massacre unlawful regime".split(), -1.5),
    **dict.fromkeys(
        """sexist misogynist misogyny bigot bigotry xenophobic homophobic antisemitic anti-semitic slur
        slurs""".split(),
        -2.0,
    ),
    **dict.fromkeys(
        """inappropriate blunder gaffe inflammatory falsely false falsehood falsehoods mislead misled
        untrue inaccurate misstatement tainted beleaguered besieged backfired stumble stumbled
        dysfunctional mismanagement negligence negligent erratic unhinged unfit unqualified""".split(),
        -1.5,
    ),
    **dict.fromkeys("rhetoric trailing trails tumbled slipped".split(), -0.6),
    **dict.fromkeys(
        """victorious achieved achievement achievements earned deserve deserves deserved deserving
        legacy pioneer pioneering tribute statesman mentor humble humility tireless tirelessly
        dedication principled resilient resilience renowned distinguished thrived flourish
        flourishing landslide""".split(),
        1.5,
    ),
    **dict.fromkeys(
        """momentum surge surged surging pledged donated donation volunteer volunteered qualified
        experienced reform reformer historic soared soaring frontrunner front-runner clinched""".split(),
        0.8,
    ),
}
# VADER's own negation handling: a negated word keeps 74% of its strength with the sign flipped.
NEGATION_SCALAR = -0.74
NEGATION_WINDOW = 3  # words before a polar word in which a negator applies (VADER looks 3 back)
NEGATORS: frozenset[str] = frozenset(
    """not no never without hardly barely scarcely neither nor none nobody nothing cannot n't
    lack lacks lacked lacking""".split()
)

# --- position -------------------------------------------------------------------------------
CLAUSE_DECAY = 0.5  # weight factor per clause boundary between a word and the target
DISTANCE_SCALE = 6.0  # words: a word this many words away from the target counts half
NEAR_WINDOW = 2  # words: an adjective or apposition right next to the target ("the disgraced senator")
POSSESSIVE_WINDOW = 3  # words after a possessive target that describe what it owns ("Trump's failed plan")
POSSESSIVE_PRONOUNS: frozenset[str] = frozenset({"his", "her", "their", "its", "our", "my", "your"})
IN_QUOTE_BOOST = 1.5  # a target inside a quotation: the speaker is talking about it, words count more
# Punctuation that ends a clause; ". " too, because a "sentence" from extracted text may hold two.
_CLAUSE_PUNCT_RE = re.compile(r"[,;:()\[\]—–]|\s-\s|[.!?]\s")
# Contrastive conjunctions open a clause with its own evaluation ("praised X but attacked Y").
# Measured: also cutting at relative pronouns, "and", "that", "because", "when" ... did not help.
CLAUSE_OPENERS: frozenset[str] = frozenset("but while whereas although though however yet".split())

# --- reported speech -------------------------------------------------------------------------
# Verbs that attribute speech to the target: "X said", "...," said X, X told reporters "...".
SPEECH_VERBS: frozenset[str] = frozenset(
    """said says say told tells wrote writes tweeted tweets posted added asked asks replied
    answered responded declared declares announced stated states explained continued insisted
    insists argued argues warned warns noted notes recalled recalls claimed claims admitted admits
    acknowledged conceded boasted complained complains charged charges suggested suggests
    countered counters quipped joked shouted yelled cried remarked observed predicted vowed
    promised urged""".split()
)
SPEECH_VERB_WINDOW = 2  # words between the target and its speech verb ("X said", "X also said")
ATTRIBUTION_WINDOW = 4  # words between a quotation and its speaker ("...," the senator said)

# --- combination -----------------------------------------------------------------------------
# Weight of each role in the target's score, per sign of the words ("pos" / "neg").  Set from what
# the roles mean, then checked on NewsMTSC (two halves, see analysis/bench/target_eval.py):
# - "said": what the target itself says is its stance, not a judgement of it.  Saying negative
#   things ("X said the plan is a disaster") leaves a speaker neutral in news annotation; saying
#   positive things reflects a little on the speaker.
# - "near": adjectives and appositions next to the target describe it directly, negative ones
#   most clearly ("the corrupt mayor").
# - "before": in the target's clause before it, the target is usually the object ("critics attacked
#   X"): negative verbs hit it; positive words there are mostly about the subject.
# - "other" clauses: negative context rubs off on everyone mentioned, positive context much less.
ROLE_WEIGHTS: dict[str, float] = {
    "said_pos": 0.25,
    "said_neg": 0.0,
    "quoted_pos": 1.0,
    "quoted_neg": 1.0,
    "near_pos": 1.0,
    "near_neg": 1.5,
    "before_pos": 0.2,
    "before_neg": 1.0,
    "after_pos": 1.0,
    "after_neg": 1.0,
    "other_pos": 0.5,
    "other_neg": 1.0,
}
ROLES: tuple[str, ...] = ("said", "quoted", "near", "before", "after", "other")
# Sentence-level VADER compound (news-adapted) added to the sum: it brings VADER's own rules
# (boosters, "but", capitals, exclamation marks, idioms).  Not for a speaker: the sentence is
# mostly what it said.
SENTENCE_WEIGHT = 0.1
SPEAKER_SENTENCE_WEIGHT = 0.0

# --- decision ------------------------------------------------------------------------------
NORMALIZE_ALPHA = 1.0  # squash like VADER's compound: x / sqrt(x^2 + alpha)
NEUTRAL_BAND = 0.1  # |score| below this is neutral: no opinion word close enough to the target

# Inflection suffixes tried, in order, when a word is not in the lexicon: (suffix, replacement).
_SUFFIX_RULES: tuple[tuple[str, str], ...] = (
    ("ies", "y"),
    ("ied", "y"),
    ("ily", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("ly", ""),
)
MIN_STEM = 3  # letters left after removing a suffix
# A headline is Title Case when at least this share of its longer words are capitalised: all of
# them (a sentence with many names still has lower-case verbs and nouns).
TITLE_CASE_SHARE = 1.0
# Words of 4+ letters that Title Case headlines often leave in lower case: not counted.
TITLE_CASE_FUNCTION_WORDS: frozenset[str] = frozenset(
    """from with into onto over than that this then when what were will would have been after
    about upon amid says said""".split()
)
# Characters between two words after which a capital starts a sentence or quotation, not a name.
_OPENING_GAP_CHARS = frozenset(".!?\"“”‘'")


@dataclass(frozen=True)
class TargetAnalysis:
    """How :func:`target_score` saw one target: the role features, flags, score and label."""

    features: dict[str, float]  # f"{role}_{sign}" -> weighted valence sum (>= 0), see ROLES
    speaker: bool  # the target is the speaker of a quotation or of reported speech
    in_quote: bool  # the target is mentioned inside a quotation
    score: float  # -1..1
    label: str  # "negative", "neutral" or "positive"


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    word: str  # lower case, curly apostrophe normalised


def _tokens(sentence: str) -> list[_Token]:
    return [
        _Token(m.start(), m.end(), m.group().lower().replace("’", "'")) for m in WORD_RE.finditer(sentence)
    ]


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, float]:
    return analyzer().lexicon


def _base_forms(word: str) -> list[str]:
    """Candidate base forms of an inflected word (VADER does not lemmatise): crimes -> crime,
    helped -> help, illegally -> illegal, bullying -> bully, stopped -> stop."""
    forms: list[str] = []
    if word.endswith("'s"):
        word = word[:-2]
        forms.append(word)
    for suffix, repl in _SUFFIX_RULES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            stem = word[: len(word) - len(suffix)]
            forms.append(stem + repl)
            if not repl and stem[-1] == stem[-2] and suffix in ("ed", "ing"):
                forms.append(stem[:-1])  # stopped -> stop
    return forms


@lru_cache(maxsize=65536)
def _word_valence(word: str) -> float:
    """Valence of a lower-case word, -1..1: VADER (+ news supplement), its base form, then ours."""
    lex = _lexicon()
    v = lex.get(word)
    if v is None:
        v = next((lex[f] for f in _base_forms(word) if f in lex), None)
    if v is None:
        v = TARGET_NEWS_VALENCE.get(word)
    return 0.0 if v is None else v / VADER_MAX


def _is_title_case(sentence: str, tokens: list[_Token]) -> bool:
    """A headline in Title Case or ALL CAPS: capitals do not mark names there."""
    longer = [
        sentence[t.start]
        for t in tokens
        if sentence[t.start].isalpha() and len(t.word) > 3 and t.word not in TITLE_CASE_FUNCTION_WORDS
    ]
    if len(longer) < 3:
        return False
    return sum(c.isupper() for c in longer) >= TITLE_CASE_SHARE * len(longer)


def _clause_ids(sentence: str, tokens: list[_Token]) -> list[int]:
    """Index of the clause of every token."""
    cuts = [m.start() for m in _CLAUSE_PUNCT_RE.finditer(sentence)]
    cuts.extend(t.start for t in tokens if t.word in CLAUSE_OPENERS)
    cuts.sort()
    return [bisect.bisect_right(cuts, t.start) for t in tokens]


def _speaker_quotes(
    tokens: list[_Token], quotes: list[tuple[int, int]], first: int, last: int
) -> list[tuple[int, int]]:
    """The quotations that tokens[first..last] (the target) is the attributed speaker of."""
    t_start, t_end = tokens[first].start, tokens[last].end
    said: list[tuple[int, int]] = []
    for q_start, q_end in quotes:
        if q_start <= t_start < q_end:
            continue
        if q_end <= t_start:
            # "...," said X / "...," X said / "...," the senator, X, said
            between = [t for t in tokens if q_end <= t.start < t_start]
            after = [t.word for t in tokens[last + 1 : last + 3]]
            if len(between) <= ATTRIBUTION_WINDOW and (
                any(t.word in SPEECH_VERBS for t in between) or any(w in SPEECH_VERBS for w in after)
            ):
                said.append((q_start, q_end))
        elif t_end <= q_start:
            # X said: "..." / X told reporters "..."
            between = [t for t in tokens if t_end <= t.start < q_start]
            if len(between) <= ATTRIBUTION_WINDOW and any(t.word in SPEECH_VERBS for t in between):
                said.append((q_start, q_end))
    return said


def _reported_from(tokens: list[_Token], first: int, last: int) -> int | None:
    """Index of the first word the target reports ("X said (that) ...": the word after the verb;
    "according to X": 0, the whole sentence), or None when the target reports nothing."""
    if first >= 2 and tokens[first - 2].word == "according" and tokens[first - 1].word == "to":
        return 0
    for j in range(last + 1, min(len(tokens), last + 1 + SPEECH_VERB_WINDOW)):
        if tokens[j].word in SPEECH_VERBS:
            return j + 1
    return None


def _negated(tokens: list[_Token], clause: list[int], i: int) -> bool:
    """Whether a negator within NEGATION_WINDOW words before token ``i``, same clause, negates it."""
    for j in range(i - 1, max(-1, i - 1 - NEGATION_WINDOW), -1):
        if clause[j] != clause[i]:
            return False
        if tokens[j].word in NEGATORS or tokens[j].word.endswith("n't"):
            return True
    return False


def _polar_words(sentence: str, tokens: list[_Token], clause: list[int]) -> list[tuple[int, float]]:
    """(token index, valence -1..1) of every polar word, negation applied, names skipped."""
    loaded: dict[int, float] = {}
    token_starts = [t.start for t in tokens]
    for sp in loaded_spans(sentence):
        if sp.category in NEGATIVE_LOADED_CATEGORIES and sp.rule in {"lexicon", "phrase"}:
            i = bisect.bisect_left(token_starts, sp.start)
            if i < len(tokens):
                loaded[i] = LOADED_VALENCE * sp.weight
    title_case = _is_title_case(sentence, tokens)
    out: list[tuple[int, float]] = []
    for i, tok in enumerate(tokens):
        v = _word_valence(tok.word) or loaded.get(i, 0.0)
        if v == 0.0:
            continue
        raw = sentence[tok.start : tok.end]
        if i > 0 and raw[0].isupper() and not title_case and not raw.isupper():
            gap = sentence[tokens[i - 1].end : tok.start]
            if not any(c in _OPENING_GAP_CHARS for c in gap):
                continue  # a capitalised word inside the sentence: a name ("Liberty University")
        if _negated(tokens, clause, i):
            v *= NEGATION_SCALAR
        out.append((i, v))
    return out


def _clamp_target(sentence: str, tokens: list[_Token], start: int, end: int) -> tuple[int, int]:
    """(first, last) token indices of the target; an empty or punctuation-only target is anchored
    at the nearest following word (or the last word)."""
    start = max(0, min(start, len(sentence)))
    end = max(start, min(end, len(sentence)))
    inside = [i for i, t in enumerate(tokens) if t.start < end and t.end > start]
    if inside:
        return inside[0], inside[-1]
    k = min(bisect.bisect_right([t.end for t in tokens], start), len(tokens) - 1)
    return k, k


def _features(sentence: str, start: int, end: int) -> tuple[dict[str, float], bool, bool]:
    """(features, speaker, in_quote) of the target; see :func:`target_features`."""
    feats = {f"{role}_{sign}": 0.0 for role in ROLES for sign in ("pos", "neg")}
    tokens = _tokens(sentence)
    if not tokens:
        return feats, False, False
    first, last = _clamp_target(sentence, tokens, start, end)
    clause = _clause_ids(sentence, tokens)
    t_clauses = {clause[first], clause[last]}
    quotes = quote_regions(sentence)
    said = _speaker_quotes(tokens, quotes, first, last)
    t_start = tokens[first].start
    reported = _reported_from(tokens, first, last)
    t_quote = next((q for q in quotes if q[0] <= t_start < q[1]), None)
    after = sentence[tokens[last].end : tokens[last].end + 2]
    possessive = (
        after in ("'s", "’s")
        or tokens[last].word.endswith("'s")
        or (first == last and tokens[last].word in POSSESSIVE_PRONOUNS)
    )
    for i, v in _polar_words(sentence, tokens, clause):
        if first <= i <= last:
            continue  # the target's own words ("Justice Department") say nothing about it
        tok = tokens[i]
        dist = first - i if i < first else i - last
        cd = min(abs(clause[i] - c) for c in t_clauses)
        proximity = CLAUSE_DECAY**cd / (1.0 + dist / DISTANCE_SCALE)
        w_quote = next((q for q in quotes if q[0] <= tok.start < q[1]), None)
        if w_quote is not None and w_quote != t_quote:
            if w_quote in said:
                role, proximity = "said", 1.0  # the whole quotation is the speaker's stance
            else:
                role = "quoted"
        elif reported is not None and i >= reported:
            role = "said"
        elif cd > 0:
            role = "other"
        elif dist <= NEAR_WINDOW or (possessive and 0 < i - last <= POSSESSIVE_WINDOW):
            role = "near"
        elif i < first:
            role = "before"
        else:
            role = "after"
        if t_quote is not None and w_quote == t_quote:
            proximity *= IN_QUOTE_BOOST
        feats[f"{role}_{'pos' if v > 0 else 'neg'}"] += abs(v) * proximity
    return feats, bool(said) or reported is not None, t_quote is not None


def target_features(sentence: str, start: int, end: int) -> dict[str, float]:
    """Proximity-weighted sums of positive and negative word valences around the target, by role.

    Keys are ``f"{role}_{sign}"`` for role in ROLES and sign in ("pos", "neg"); values are >= 0
    (negative valences summed as magnitudes).  Roles: "said" (words the target said: a quotation it
    is the speaker of, the words after "X said", or the whole sentence for "according to X"),
    "quoted" (other quotations, the target outside them), "near" (within NEAR_WINDOW words in the
    same clause, or just after a possessive target), "before" / "after" (same clause, before /
    after the target), "other" (other clauses).
    """
    return _features(sentence, start, end)[0]


def _combine(feats: dict[str, float], speaker: bool, sentence: str) -> float:
    total = sum(ROLE_WEIGHTS[k] * (v if k.endswith("_pos") else -v) for k, v in feats.items())
    total += (SPEAKER_SENTENCE_WEIGHT if speaker else SENTENCE_WEIGHT) * compound(sentence)
    return total / math.sqrt(total * total + NORMALIZE_ALPHA)


def analyse_target(sentence: str, start: int, end: int) -> TargetAnalysis:
    """Features, flags, score and label of the target sentence[start:end] (offsets are clamped)."""
    feats, speaker, in_quote = _features(sentence, start, end)
    score = _combine(feats, speaker, sentence)
    return TargetAnalysis(
        features=feats, speaker=speaker, in_quote=in_quote, score=score, label=label_of(score)
    )


def target_score(sentence: str, start: int, end: int) -> float:
    """Signed sentiment toward sentence[start:end], -1..1 (0: no opinion near the target)."""
    feats, speaker, _ = _features(sentence, start, end)
    return _combine(feats, speaker, sentence)


def label_of(score: float) -> str:
    """ "positive", "negative" or "neutral" for a :func:`target_score` (cut at +/-NEUTRAL_BAND)."""
    if score >= NEUTRAL_BAND:
        return "positive"
    if score <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"


def target_sentiment(sentence: str, start: int, end: int) -> str:
    """ "negative", "neutral" or "positive": the sentiment of ``sentence`` toward sentence[start:end]."""
    return label_of(target_score(sentence, start, end))
