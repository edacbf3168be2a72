"""A fast port of vaderSentiment 3.3.2's compound score, bit-identical to ``polarity_scores``.

``SentimentIntensityAnalyzer.polarity_scores(text)["compound"]`` spends most of its time on work
whose result it throws away or recomputes: a character-by-character loop to replace emoji, the
whole word list lower-cased again for every lexicon word (three times in the negation check alone),
and the pos/neg/neu proportions.  :class:`FastVader` computes the same compound score from the same
lexicon and emoji table (taken from an existing analyzer, so supplements added to its ``lexicon``
are used too) with the same floating-point operations in the same order, so its values are equal
(``==``), not approximately equal.  vaderSentiment's own rule tables (boosters, negations, special
idioms, constants) are imported from it, not copied.

What is reproduced, quirks included:
- emoji: each single character that is a key of the emoji table is replaced by its description
  (with a space before it unless one precedes); multi-character keys never match;
- tokens: ``text.split()``, each token stripped of ASCII punctuation unless that leaves two
  characters or fewer (then the token is kept as it is: ":)", "A.");  one-letter tokens are kept
  (3.3.2 no longer drops them);
- a lower-cased token that is a booster, or "kind" followed by "of", scores 0 even if in the lexicon;
- "no" before a lexicon word, "no" one to three words back ("no X or Y"), ALL-CAPS emphasis when
  only some tokens are all caps, boosters up to three words back (dampened 0.95 / 0.9), negations
  (NEGATE words and anything containing "n't"), "never so/this", "without doubt", the third-word
  check's ``so``/``this`` test on the previous word (a bug kept as is), special idioms (only looked
  at when the third word back is not a lexicon word), booster bigrams "kind of"/"sort of" added
  whatever the sign, "least" (not after "at"/"very");
- "but": the contrastive weighting with ``list.index`` on values, so a value equal to an earlier
  one re-weights the earlier position (the original's bug, simulated exactly);
- ``!`` (up to 4) and ``?`` (2-3, or more) emphasis, counted after emoji replacement (descriptions
  such as "ON! arrow" count), then ``score / sqrt(score**2 + 15)`` and ``round(..., 4)``.

Shortcuts, each exact: ASCII text cannot contain an emoji key when no single-character key is ASCII
(checked at construction); each distinct token's stripped, lower-cased word is computed once and
remembered (``TOKEN_CACHE_SIZE``); a text whose words include no lexicon word scores 0.0, and only
lexicon positions are visited; ``isupper()`` is asked of the raw token (stripping uncased ASCII
punctuation never changes it) and the all-caps differential only when an all-caps word needs it;
the idiom check is skipped when none of its four words starts a multi-word idiom or booster; zero
valences are left out of the sum (adding zero never changes a float sum that starts at 0) and of
the "but" simulation (a zero never equals a non-zero value).
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping

from vaderSentiment.vaderSentiment import BOOSTER_DICT, C_INCR, N_SCALAR, NEGATE, SPECIAL_CASES

# --- vaderSentiment 3.3.2 literals that live inside its functions (not module constants) ----------
_PUNCTUATION = string.punctuation  # what SentiText._strip_punc_if_word strips
_MAX_STRIPPED_KEPT = 2  # a stripped token this short (or shorter) was an emoticon: keep it unstripped
_NEGATE = frozenset(NEGATE)
_NT = "n't"  # negated(): any word containing it is a negation
_NEVER_INTENSIFIED = 1.25  # "never so good", "never this good"
_SO_THIS = ("so", "this")
_OR_NOR = ("or", "nor")  # "no X or/nor Y" negates Y
_BOOSTER_DAMPING = (1.0, 0.95, 0.9)  # booster one, two, three words back (1.0: not applied)
_LEAST_EXCEPTIONS = ("at", "very")  # "at least", "very least" do not negate
_BUT_BEFORE, _BUT_AFTER = 0.5, 1.5  # weights of valences before / after "but"
_EP_MAX = 4  # at most four "!" count
_EP_WEIGHT = 0.292  # per "!"
_QM_WEIGHT = 0.18  # per "?" when there are 2 or 3
_QM_MAX_COUNT = 3
_QM_MANY = 0.96  # 4 or more "?"
_ALPHA = 15  # normalize(): score / sqrt(score**2 + alpha)
_ROUND_DIGITS = 4  # polarity_scores rounds compound to 4 digits

TOKEN_CACHE_SIZE = 200_000  # distinct tokens remembered (each ~100 bytes) before the cache starts over
# The first word of every multi-word special idiom or booster: no such word among the four words
# ending at a lexicon word means no idiom or bigram can match there.
_IDIOM_FIRST_WORDS = frozenset(k.split(" ")[0] for k in (*SPECIAL_CASES, *BOOSTER_DICT) if " " in k)


class _WordCache(dict):
    """Token (as split, original case) -> its lower-cased VADER word, computed on first sight.

    ``SentiText._strip_punc_if_word`` then ``.lower()``; cleared when it reaches ``TOKEN_CACHE_SIZE``.
    """

    def __missing__(self, token: str) -> str:
        stripped = token.strip(_PUNCTUATION)
        word = (token if len(stripped) <= _MAX_STRIPPED_KEPT else stripped).lower()
        if len(self) >= TOKEN_CACHE_SIZE:
            self.clear()
        self[token] = word
        return word


class FastVader:
    """vaderSentiment 3.3.2's compound score, computed fast and bit-identically.

    ``lexicon`` and ``emojis`` are a ``SentimentIntensityAnalyzer``'s ``lexicon`` and ``emojis``.
    The lexicon is used by reference (later additions are seen); the emoji table is read once.
    """

    def __init__(self, lexicon: Mapping[str, float], emojis: Mapping[str, str]) -> None:
        self.lexicon = lexicon
        self.emojis = emojis
        # polarity_scores tests `char in emojis`: only single-character keys can ever match.
        self._emoji_chars = frozenset(k for k in emojis if len(k) == 1)
        # If no such key is ASCII, an ASCII text needs no emoji check.
        self._ascii_emoji = any(c.isascii() for c in self._emoji_chars)
        self._words = _WordCache()

    def _replace_emojis(self, text: str) -> str:
        """polarity_scores' emoji loop: each emoji character becomes its description."""
        out: list[str] = []
        prev_space = True
        emojis = self.emojis
        for ch in text:
            if ch in emojis:
                if not prev_space:
                    out.append(" ")
                out.append(emojis[ch])
                prev_space = False
            else:
                out.append(ch)
                prev_space = ch == " "
        return "".join(out).strip()

    def compound(self, text: str) -> float:
        """``SentimentIntensityAnalyzer.polarity_scores(text)["compound"]``, exactly."""
        if (self._ascii_emoji or not text.isascii()) and not self._emoji_chars.isdisjoint(text):
            text = self._replace_emojis(text)
        # (polarity_scores strips the text here: it changes neither the tokens nor the ! ? counts)
        tokens = text.split()
        low = list(map(self._words.__getitem__, tokens))
        found = self.lexicon.keys() & low
        if not found:
            return 0.0
        # Positions of lexicon words, in order; boosters score 0 even when in the lexicon.
        positions: list[int] = []
        for word in found:
            if word in BOOSTER_DICT:
                continue
            i = low.index(word)
            positions.append(i)
            for _ in range(low.count(word) - 1):
                i = low.index(word, i + 1)
                positions.append(i)
        positions.sort()
        return self._score(text, tokens, low, positions)

    def _score(self, text: str, tokens: list[str], low: list[str], positions: list[int]) -> float:
        """The compound score from the positions of the (non-booster) lexicon words."""
        lex = self.lexicon
        n = len(low)
        cap_diff: bool | None = None  # allcap_differential, computed when first needed
        vals: list[float] = []  # the valences that are not zero, in token order ...
        at: list[int] = []  # ... and their token positions
        for i in positions:
            item = low[i]
            if item == "kind" and i < n - 1 and low[i + 1] == "of":
                continue
            # --- sentiment_valence ---
            valence = lex[item]
            if item == "no" and i != n - 1 and low[i + 1] in lex:
                valence = 0.0
            if (
                (i > 0 and low[i - 1] == "no")
                or (i > 1 and low[i - 2] == "no")
                or (i > 2 and low[i - 3] == "no" and low[i - 1] in _OR_NOR)
            ):
                valence = lex[item] * N_SCALAR
            # Stripping ASCII punctuation (uncased) never changes isupper(): the raw token will do.
            if tokens[i].isupper():
                if cap_diff is None:
                    cap_diff = _allcap_differential(tokens)
                if cap_diff:
                    if valence > 0:
                        valence += C_INCR
                    else:
                        valence -= C_INCR
            for start_i in range(3):
                j = i - (start_i + 1)
                if j < 0:
                    break
                prev = low[j]
                if prev in lex:
                    continue
                # scalar_inc_dec
                s = 0.0
                if prev in BOOSTER_DICT:
                    s = BOOSTER_DICT[prev]
                    if valence < 0:
                        s *= -1
                    if tokens[j].isupper():
                        if cap_diff is None:
                            cap_diff = _allcap_differential(tokens)
                        if cap_diff:
                            if valence > 0:
                                s += C_INCR
                            else:
                                s -= C_INCR
                if start_i and s != 0:
                    s = s * _BOOSTER_DAMPING[start_i]
                valence = valence + s
                # _negation_check
                if start_i == 0:
                    if prev in _NEGATE or _NT in prev:
                        valence = valence * N_SCALAR
                elif start_i == 1:
                    if prev == "never" and low[i - 1] in _SO_THIS:
                        valence = valence * _NEVER_INTENSIFIED
                    elif prev == "without" and low[i - 1] == "doubt":
                        pass
                    elif prev in _NEGATE or _NT in prev:
                        valence = valence * N_SCALAR
                else:
                    if (prev == "never" and low[i - 2] in _SO_THIS) or low[i - 1] in _SO_THIS:
                        valence = valence * _NEVER_INTENSIFIED
                    elif prev == "without" and (low[i - 2] == "doubt" or low[i - 1] == "doubt"):
                        pass
                    elif prev in _NEGATE or _NT in prev:
                        valence = valence * N_SCALAR
                    valence = _special_idioms_check(valence, low, i)
            # _least_check
            if i > 1 and low[i - 1] not in lex and low[i - 1] == "least":
                if low[i - 2] != _LEAST_EXCEPTIONS[0] and low[i - 2] != _LEAST_EXCEPTIONS[1]:
                    valence = valence * N_SCALAR
            elif i > 0 and low[i - 1] not in lex and low[i - 1] == "least":
                valence = valence * N_SCALAR
            if valence != 0:
                vals.append(valence)
                at.append(i)
        if not vals:
            return 0.0
        if "but" in low:
            _but_check(vals, at, low.index("but"))

        # --- score_valence, compound only ---
        sum_s = float(sum(vals))
        if sum_s > 0:
            sum_s += _punctuation_emphasis(text)
        elif sum_s < 0:
            sum_s -= _punctuation_emphasis(text)
        norm_score = sum_s / math.sqrt((sum_s * sum_s) + _ALPHA)
        if norm_score < -1.0:
            norm_score = -1.0
        elif norm_score > 1.0:
            norm_score = 1.0
        return round(norm_score, _ROUND_DIGITS)


def _allcap_differential(tokens: list[str]) -> bool:
    """vaderSentiment.allcap_differential: some, but not all, tokens are ALL CAPS."""
    n = len(tokens)
    return 0 < n - sum(map(str.isupper, tokens)) < n


def _special_idioms_check(valence: float, low: list[str], i: int) -> float:
    """SentimentIntensityAnalyzer._special_idioms_check (called only with i >= 3)."""
    w3, w2, w1, w0 = low[i - 3], low[i - 2], low[i - 1], low[i]
    if w3 not in _IDIOM_FIRST_WORDS and w2 not in _IDIOM_FIRST_WORDS and w1 not in _IDIOM_FIRST_WORDS:
        if w0 not in _IDIOM_FIRST_WORDS:
            return valence  # every sequence below starts with one of these four words
    onezero = f"{w1} {w0}"
    twoonezero = f"{w2} {w1} {w0}"
    twoone = f"{w2} {w1}"
    threetwoone = f"{w3} {w2} {w1}"
    threetwo = f"{w3} {w2}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in SPECIAL_CASES:
            valence = SPECIAL_CASES[seq]
            break
    n = len(low)
    if n - 1 > i:
        zeroone = f"{w0} {low[i + 1]}"
        if zeroone in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroone]
    if n - 1 > i + 1:
        zeroonetwo = f"{w0} {low[i + 1]} {low[i + 2]}"
        if zeroonetwo in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroonetwo]
    # booster/dampener bigrams such as "sort of", "kind of"
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in BOOSTER_DICT:
            valence = valence + BOOSTER_DICT[n_gram]
    return valence


def _but_check(vals: list[float], positions: list[int], bi: int) -> None:
    """SentimentIntensityAnalyzer._but_check on the non-zero valences, in place.

    The original walks the list and re-weights ``sentiments[sentiments.index(value)]``: the first
    position holding an equal value, which may be an earlier, already re-weighted one.  Zeros are
    left out: re-weighting a zero gives a zero, and a zero never equals a non-zero value.
    """
    for k in range(len(vals)):
        value = vals[k]
        si = vals.index(value)
        if positions[si] < bi:
            vals[si] = value * _BUT_BEFORE
        elif positions[si] > bi:
            vals[si] = value * _BUT_AFTER


def _punctuation_emphasis(text: str) -> float:
    """SentimentIntensityAnalyzer._punctuation_emphasis: ``!`` and ``?`` amplifier."""
    ep_count = text.count("!")
    ep_count = min(ep_count, _EP_MAX)
    ep_amplifier = ep_count * _EP_WEIGHT
    qm_count = text.count("?")
    qm_amplifier: float = 0
    if qm_count > 1:
        if qm_count <= _QM_MAX_COUNT:
            qm_amplifier = qm_count * _QM_WEIGHT
        else:
            qm_amplifier = _QM_MANY
    return ep_amplifier + qm_amplifier
