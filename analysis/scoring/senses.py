"""Sense rules: an ambiguous loaded-lexicon entry used in its literal sense is not a hit.

``lexicons/senses.tsv`` (format in ``lexicons/README.md``) gives, per entry, context cues that mark
the literal sense: "wild rabbit", "launched an offensive", "inflamed lymph nodes", "admitted to
hospital", "plague" near "cases"/"diagnosed".  Four rules, all over the words around the hit:
``literal-before``/``literal-after`` (a cue within SENSE_WINDOW words, same clause),
``literal-context`` (a cue within SENSE_CONTEXT words, same sentence) and ``loaded-next`` (loaded
only before a cue word, a function word or the end of the clause).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

_VOWELS = "aeiou"


def inflections(word: str) -> set[str]:
    """``word`` and its regular inflections: -s/-es, -ed, -ing, -ly (y->ies/ied/ily, e-drop, CVC doubling).

    Over-generation is harmless (a non-word never occurs); irregular forms are listed in the lexicon.
    """
    forms = {word}
    if not word.isalpha() or len(word) < 3:
        return forms
    if word.endswith("ing"):
        return forms | {word + "ly", word + "s"}
    if word.endswith("ed"):
        return forms | {word + "ly"}
    if word.endswith("y") and word[-2] not in _VOWELS:
        stem = word[:-1]
        return forms | {stem + "ies", stem + "ied", stem + "ily", word + "ing"}
    if word.endswith("e"):
        forms |= {word + "s", word + "d", word[:-1] + "ing", word + "ly"}
        if word.endswith("le"):
            forms.add(word[:-1] + "y")  # terrible -> terribly
        return forms
    forms.add(word + "es" if word.endswith(("s", "x", "z", "ch", "sh")) else word + "s")
    short_cvc = (
        len(word) <= 4 and word[-1] not in _VOWELS + "wxy" and word[-2] in _VOWELS and word[-3] not in _VOWELS
    )
    stem = word + word[-1] if short_cvc else word
    forms |= {stem + "ed", stem + "ing", word + "ly"}
    if word.endswith("ic"):
        forms.add(word + "ally")  # dramatic -> dramatically
    return forms


# Clause punctuation: ends a negation's scope and the before/after windows of the sense rules.
CLAUSE_BREAK_RE = re.compile(r"[,;:.!?()\[\]—–]|\s-\s")
SENSES_FILE = "senses.tsv"  # per-entry sense rules (format in lexicons/README.md)
SENSE_RULES: frozenset[str] = frozenset({"literal-before", "literal-after", "literal-context", "loaded-next"})
SENSE_WINDOW = 3  # words before/after a hit searched by literal-before / literal-after
SENSE_CONTEXT = 12  # words either side (same sentence) searched by literal-context
# Words that may follow a "loaded-next" entry without making it a plain modifier ("went wild over").
FUNCTION_WORDS: frozenset[str] = frozenset(
    """and or but nor so yet about over with without in into on onto at to as of for from by than
    when while after before because if that this these those the a an his her their its our my
    your is are was were be been being has have had will would could should can may might must
    again too also even then there here up down out off""".split()
)
_SENTENCE_END_RE = re.compile(r"[.!?]\s|\n")


def plain_term(term: str) -> str:
    """A lexicon term as plain words: lower case, without the ``=`` and ``~`` marks."""
    return " ".join(w.rstrip("~") for w in term.lstrip("=").lower().split())


def load_senses(path: Path) -> dict[str, tuple[tuple[str, frozenset[str]], ...]]:
    """Sense rules of ``path`` (``term<TAB>rule<TAB>cue words[<TAB>note]``); {} when it is absent.

    Cue words get their regular inflections ("rabbit" also matches "rabbits").  Raises ValueError
    on a malformed line or an unknown rule.
    """
    if not path.is_file():
        return {}
    senses: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3 or parts[1].strip() not in SENSE_RULES or not parts[2].split():
            raise ValueError(f"{path.name}:{n}: expected term<TAB>rule<TAB>cue words, got {line!r}")
        cues = frozenset(f for w in parts[2].lower().split() for f in inflections(w))
        senses[plain_term(parts[0])].append((parts[1].strip(), cues))
    return {term: tuple(rules) for term, rules in senses.items()}


def _neighbours(
    text: str, tokens: list[tuple[int, int, str]], i: int, step: int, limit: int, stop: re.Pattern[str]
) -> list[str]:
    """Up to ``limit`` words from token ``i`` in direction ``step`` (+1/-1), stopping at ``stop`` gaps."""
    out: list[str] = []
    j = i
    while len(out) < limit:
        nxt = j + step
        if not 0 <= nxt < len(tokens):
            break
        gap = text[tokens[j][1] : tokens[nxt][0]] if step > 0 else text[tokens[nxt][1] : tokens[j][0]]
        if stop.search(gap):
            break
        out.append(tokens[nxt][2])
        j = nxt
    return out


def senses_by_term(
    terms: Iterable[str], senses: dict[str, tuple[tuple[str, frozenset[str]], ...]]
) -> dict[str, tuple[tuple[str, frozenset[str]], ...]]:
    """The sense rules keyed by each lexicon term as written (one dict lookup per hit when matching)."""
    return {t: senses[plain_term(t)] for t in terms if plain_term(t) in senses}


def literal_sense(
    text: str,
    tokens: list[tuple[int, int, str]],
    i: int,
    k: int,
    rules: tuple[tuple[str, frozenset[str]], ...],
) -> bool:
    """Whether the hit of tokens i..i+k-1 is used in a literal sense by one of ``rules``."""
    last = i + k - 1
    for rule, cues in rules:
        if rule == "literal-before":
            words = _neighbours(text, tokens, i, -1, SENSE_WINDOW, CLAUSE_BREAK_RE)
        elif rule == "literal-after":
            words = _neighbours(text, tokens, last, 1, SENSE_WINDOW, CLAUSE_BREAK_RE)
        elif rule == "literal-context":
            words = _neighbours(text, tokens, i, -1, SENSE_CONTEXT, _SENTENCE_END_RE)
            words += _neighbours(text, tokens, last, 1, SENSE_CONTEXT, _SENTENCE_END_RE)
        else:  # loaded-next: literal before any other content word of the same clause
            nxt = _neighbours(text, tokens, last, 1, 1, CLAUSE_BREAK_RE)
            if nxt and nxt[0] not in cues and nxt[0] not in FUNCTION_WORDS and nxt[0].isalpha():
                return True
            continue
        if any(w in cues for w in words):
            return True
    return False
