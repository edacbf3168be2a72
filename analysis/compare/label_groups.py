"""Group the labels of one event by meaning: "the Dunmore plant" / "the doomed factory", "the
workers" / "the militants", "tax relief" / "tax cuts".

Each distinct noun phrase of the event (lower case; :func:`noun_phrase_spans`) is one item.  Two
items are compared by five features, each 0..1:

- ``phrase``: cosine of the two phrases' static embeddings (:mod:`analysis.scoring.embeddings`,
  WordLlama, offline);
- ``head``: cosine of the two head words' embeddings ("plant" ~ "factory");
- ``context``: cosine of the mean embedding of the sentences the phrases occur in — what is said
  about them;
- ``window``: cosine of the mean embedding of the words next to the phrase (WINDOW_WORDS either
  side, the phrase left out) — its role in the sentence ("the workers walked out" / "the militants
  walked out");
- ``names``: Jaccard overlap of the capitalised words (names) in those sentences.

Plus ``same_head`` (1 when the heads are equal: the grouping of old).  The score is the weighted sum
(WEIGHTS, normalised to sum 1); phrases are joined by average-linkage clustering cut at
GROUP_THRESHOLD.  The weights and the threshold were chosen by leave-one-event-out cross-validation
on hand-made groups of the demo corpus (``data/eval/labels_demo_groups.tsv``;
``python -m analysis.bench.labels_eval`` repeats the search and prints the held-out figures).

Measured (pairwise, held-out event of each fold): precision 0.34, recall 0.37, F1 0.36, against
0.55 / 0.30 / 0.39 for grouping by head word only: more pairs found, more wrong ones.  The context
features (``context``, ``window``, ``names``) got weight 0 in cross-validation: they did not help.
Static embeddings see "plant" / "factory" (0.28) and "workers" / "militants" (0.04) as far apart.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.scoring.text import split_sentences

WINDOW_WORDS = 4  # words either side of a phrase that make its "window" (its role in the sentence)
FEATURES: tuple[str, ...] = ("phrase", "head", "context", "window", "names", "same_head")
# Weights of the features (chosen by leave-one-event-out cross-validation from 0/1/2 each, see the
# module docstring); the score is sum(w * feature) / sum(w).
WEIGHTS: dict[str, float] = {
    "phrase": 2.0,
    "head": 1.0,
    "context": 0.0,
    "window": 0.0,
    "names": 0.0,
    "same_head": 0.0,
}
# Average-linkage cut: phrases whose mean pair score is at least this are one group.  Chosen by
# leave-one-event-out cross-validation (best pairwise F1 on the other events, 0.05 steps).
GROUP_THRESHOLD = 0.4
MAX_PHRASES = 600  # phrases clustered per event (the most used first): bounded time on huge events
# A determiner, up to two modifiers and a lower-case head, ending where a phrase ends: punctuation,
# a preposition or conjunction, or an auxiliary ("the doomed factory will close").
_NP_RE = re.compile(
    r"\b(?i:the|a|an|its|their|his|her|this|these|those|our)\s+((?:[A-Za-z][\w\-’']*\s+){0,2}?[a-z][\w\-]*)"
    r"(?=\s*[,.;:!?)—]|\s+(?:of|and|or|but|in|on|at|for|with|to|from|by|is|was|has|had|have|that|which|who"
    r"|will|would|could|should|can|may|are|were|said|says)\b)"
)
# Heads too general to compare ("the first time", "a number of").
_GENERIC_HEADS = frozenset(
    """time way number year years day days week weeks month months end part lot rest kind sort
    one same first last most fact case point world country city state people thing things""".split()
)
_BAD_WORDS = frozenset(
    """of and or but to in on at for with by from is was has had be been that which the a an
    as its their his her this these those our said says will would""".split()
)
_TRAILING_RE = re.compile(r"^[a-z]{3,}(?:ly|ing)$")  # a lower-case adverb or participle
_NAME_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
_WORD_RE = re.compile(r"[\w’'-]+")


def noun_phrase_spans(text: str) -> list[tuple[str, str, int, int]]:
    """(head, phrase, start, end) of the determiner phrases of ``text`` (the span without the determiner)."""
    out = []
    for m in _NP_RE.finditer(text):
        words = m.group(1).split()
        end = m.end(1)
        # "the indefinite strike starting on", "the carbon levy entirely": an adverb or a participle
        # after a noun ends the phrase before it.
        while len(words) > 1 and _TRAILING_RE.search(words[-1]):
            end -= len(words[-1]) + 1
            words.pop()
        if any(w.lower() in _BAD_WORDS for w in words):
            continue
        head = words[-1].lower().strip("’'")
        if (
            len(head) < 3
            or head in _GENERIC_HEADS
            or head in _BAD_WORDS
            or (len(head) > 4 and head.endswith("ed"))
        ):
            continue
        out.append((head, " ".join(words), m.start(1), end))
    return out


@dataclass
class PhraseUses:
    """Every use of one phrase (lower case) in an event."""

    phrase: str
    head: str
    forms: dict[tuple[str, str], int] = field(default_factory=dict)  # (outlet, surface form) -> count
    sentences: list[str] = field(default_factory=list)
    windows: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)

    @property
    def uses(self) -> int:
        return sum(self.forms.values())


def collect_phrases(rows: Sequence[Mapping]) -> list[PhraseUses]:
    """The event's noun phrases with their outlets, sentences, word windows and co-occurring names."""
    found: dict[str, PhraseUses] = {}
    for r in rows:
        text = r.get("text") or ""
        outlet = r.get("outlet") or ""
        for s0, s1 in split_sentences(text):
            sentence = text[s0:s1]
            hits = noun_phrase_spans(sentence)
            if not hits:
                continue
            names = {m.group(0) for m in _NAME_RE.finditer(sentence)}
            for head, phrase, start, end in hits:
                key = phrase.lower()
                item = found.setdefault(key, PhraseUses(key, head))
                item.forms[(outlet, phrase)] = item.forms.get((outlet, phrase), 0) + 1
                item.sentences.append(sentence)
                before = _WORD_RE.findall(sentence[:start])[-WINDOW_WORDS:]
                after = _WORD_RE.findall(sentence[end:])[:WINDOW_WORDS]
                item.windows.append(" ".join(before + after))
                item.names |= names - set(phrase.split())
    items = sorted(found.values(), key=lambda p: (-p.uses, p.phrase))
    return items[:MAX_PHRASES]


def _mean_rows(vecs: np.ndarray, index: Sequence[Sequence[int]]) -> np.ndarray:
    out = np.zeros((len(index), vecs.shape[1]), dtype=np.float32)
    for i, idx in enumerate(index):
        if len(idx):
            v = vecs[list(idx)].mean(axis=0)
            n = float(np.linalg.norm(v))
            out[i] = v / n if n > 0 else v
    return out


def pair_features(items: Sequence[PhraseUses]) -> dict[str, np.ndarray]:
    """Each feature as an (n, n) matrix over ``items`` (see the module docstring)."""
    from analysis.scoring.embeddings import embed_texts, embed_words

    n = len(items)
    phrase = embed_texts([p.phrase for p in items])
    head = embed_words([p.head for p in items])
    sents = sorted({s for p in items for s in p.sentences})
    s_index = {s: i for i, s in enumerate(sents)}
    s_vecs = embed_texts(sents) if sents else np.zeros((0, phrase.shape[1]), dtype=np.float32)
    context = _mean_rows(s_vecs, [[s_index[s] for s in p.sentences] for p in items])
    wins = sorted({w for p in items for w in p.windows})
    w_index = {w: i for i, w in enumerate(wins)}
    w_vecs = embed_texts(wins) if wins else np.zeros((0, phrase.shape[1]), dtype=np.float32)
    window = _mean_rows(w_vecs, [[w_index[w] for w in p.windows] for p in items])
    names = np.zeros((n, n), dtype=np.float32)
    for i in range(n):
        for j in range(i + 1, n):
            a, b = items[i].names, items[j].names
            if a and b:
                names[i, j] = names[j, i] = len(a & b) / len(a | b)
    heads = np.array([p.head for p in items])

    def cos(m: np.ndarray) -> np.ndarray:
        return np.clip(m @ m.T, 0.0, 1.0)

    return {
        "phrase": cos(phrase),
        "head": cos(head),
        "context": cos(context),
        "window": cos(window),
        "names": names,
        "same_head": (heads[:, None] == heads[None, :]).astype(np.float32),
    }


def pair_scores(features: Mapping[str, np.ndarray], weights: Mapping[str, float] = WEIGHTS) -> np.ndarray:
    total = sum(weights.values()) or 1.0
    first = next(iter(features.values()))
    score = np.zeros_like(first, dtype=np.float64)
    for name, w in weights.items():
        if w:
            score += w * features[name]
    return score / total


def cluster(scores: np.ndarray, threshold: float = GROUP_THRESHOLD) -> list[int]:
    """Average-linkage groups of a pair-score matrix cut at ``threshold``: one group number per item."""
    n = scores.shape[0]
    if n == 0:
        return []
    if n == 1:
        return [0]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    dist = 1.0 - np.clip(scores, 0.0, 1.0)
    np.fill_diagonal(dist, 0.0)
    dist = (dist + dist.T) / 2
    tree = linkage(squareform(dist, checks=False), method="average")
    return [int(g) - 1 for g in fcluster(tree, t=1.0 - threshold, criterion="distance")]


def group_phrases(items: Sequence[PhraseUses]) -> list[int]:
    """One group number per phrase, by meaning and context (WEIGHTS, GROUP_THRESHOLD)."""
    if not items:
        return []
    return cluster(pair_scores(pair_features(items)))


def group_by_head(items: Sequence[PhraseUses]) -> list[int]:
    """The grouping of old (the baseline): phrases with the same head word are one group."""
    ids: dict[str, int] = {}
    return [ids.setdefault(p.head, len(ids)) for p in items]


def merged_forms(items: Sequence[PhraseUses], groups: Sequence[int]) -> dict[int, dict[str, dict[str, int]]]:
    """group -> outlet -> surface form -> count."""
    out: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for item, g in zip(items, groups, strict=True):
        for (outlet, form), c in item.forms.items():
            out[g][outlet][form] = out[g][outlet].get(form, 0) + c
    return out
