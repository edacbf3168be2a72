"""Do two sentences report the same fact?  A score 0..1 from meaning, shared words and figures.

:func:`same_fact` is the decision the "who reported what" view makes (:mod:`analysis.compare.alignment`
calls :func:`same_fact_matrix` on all of an event's sentences at once).  It is a logistic model over
nine pair features and their pairwise products:

- ``cos``: cosine of the two sentences' static embeddings (:mod:`analysis.scoring.embeddings`);
- ``soft_min`` / ``soft_max``: soft word coverage, both ways — each content word of one sentence is
  matched to its most similar word of the other (cosine of word embeddings: "fell" ~ "declined"),
  averaged over the words; the smaller and the larger of the two directions;
- ``unmatched``: log(1 + the number of content words of the less-covered sentence whose best match is
  below UNMATCHED_SIM) — what one sentence says that the other does not;
- ``overlap``: Jaccard overlap of the content-word stems (the lexical evidence of old);
- ``figure_conflict``: 1 when both sentences hold key figures (percent, money, counts) and share none
  ("17%" vs "12%": different facts, or a disputed one);
- ``length_ratio``: shorter / longer sentence, in words;
- ``word_dice``: Dice overlap of all the words, stop words and repeats included (2 x shared / total):
  the function words carry some of the structure the content words miss;
- ``negation_mismatch``: 1 when one sentence has a negator ("not", "never", "didn't") and the other none.

The weights (features standardised, products included, L2-regularised) are fitted on the MRPC
training pairs (news sentence pairs labelled by people) and stored in ``models/same_fact.json``
(weights only); ``python -m analysis bench quality`` refits them with 5-fold cross-validation and
checks the file; the threshold is the cross-validated accuracy optimum on those pairs.  The products
let evidence combine ("high cosine *and* similar length"): 5-fold CV AUC 0.777 -> 0.797 over the
linear model on the first seven features.
Names are left out: on MRPC, shared or differing proper names did not separate paraphrases (AUC
0.46-0.52), because both sentences of a pair usually name the same people.

For very large inputs (more than SOFT_MAX_WORDS content words in all) the word-by-word features
would cost too much (quadratic in words), and a second fitted model without them is used.

"Does outlet B carry what this sentence says" (the view) is weaker than "the two say the same
thing" (MRPC): :func:`carry_matrix` reads the same model one way (the sentence's words covered by the
carrier's; a carrier up to CARRIER_LONGER times as long is not penalised; a sentence with fewer than
MIN_EVIDENCE_WORDS content words counts the missing ones as unmatched; ``word_dice`` becomes the share
of the sentence's words found in the carrier), adds FIGURE_SHARED_LOGIT for a shared key figure, and
uses CARRY_THRESHOLD.

Limits: static embeddings read words, not syntax: "A beat B" and "B beat A" score alike; negation
is seen only as a negator in one sentence and none in the other.  MRPC dev AUC 0.82 and accuracy
0.75; 5-fold CV on train AUC 0.80 and accuracy 0.74 (a fine-tuned cross-encoder reaches ~0.90).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from analysis.compare.sentence_features import _key_numbers, _match_tokens, find_numbers
from analysis.compare.wordchoice import STOP_WORDS
from analysis.scoring.embeddings import embed_texts, embed_words
from analysis.scoring.loaded import NEGATORS
from analysis.scoring.text import WORD_RE

FEATURES: tuple[str, ...] = (
    "cos",
    "soft_min",
    "soft_max",
    "unmatched",
    "overlap",
    "figure_conflict",
    "length_ratio",
    "word_dice",
    "negation_mismatch",
)
FALLBACK_FEATURES: tuple[str, ...] = (
    "cos",
    "overlap",
    "figure_conflict",
    "length_ratio",
    "word_dice",
    "negation_mismatch",
)
# The fitted models (a data file): logistic regression on the features and their pairwise products,
# fitted on MRPC train (3,675 pairs) by ``python -m analysis.bench.alignment_eval --write-model``.
MODEL_FILE = Path(__file__).resolve().parent / "models" / "same_fact.json"
# Two sentences report the same fact when same_fact() is at least this: the probability threshold
# with the best 5-fold cross-validated accuracy on MRPC train (accuracy averaged over +/-0.03 around
# each threshold, so a lone spike of the curve is not chosen).
SAME_FACT_THRESHOLD = 0.49
# A content word whose best match in the other sentence is below this cosine counts as unmatched
# (word pairs above it are mostly inflections, synonyms or near-synonyms: "fell"/"declined").
UNMATCHED_SIM = 0.6
# "B carries what A says" is weaker than "A and B say the same thing": B may say more, or only part of
# it.  The view scores it with the same model on directional features (A's words covered by B; B at
# least as long as A counts as length ratio 1) and this lower threshold: the score that 97.5% of the
# MRPC training paraphrases reach (CARRY_RECALL), so almost every restatement counts as carried.
# (MRPC's non-paraphrases are same-story pairs that mostly share part of a fact: ~75% of them score
# above it.)  At 95% (0.39) "who reported what" called 67% of BASIL's sentences unique, at 97.5% 55%.
CARRY_RECALL = 0.975
CARRY_THRESHOLD = 0.32
# Within one event, an exact shared key figure ("12 percent" / "12%") is strong evidence that two
# sentences report one fact even when their wording differs completely (a tabloid headline).  MRPC
# cannot fit this (its pairs nearly always share their figures), so it is a rule carried over from the
# lexical alignment: in carry_matrix a shared key figure adds this to the log-odds.
FIGURE_SHARED_LOGIT = 1.5
# In carry_matrix, a sentence with fewer content words than this is read as if the missing ones were
# unmatched: one or two shared words are too little evidence that a sentence is carried.
MIN_EVIDENCE_WORDS = 4
# ... and a carrier may be up to this many times as long as the sentence it carries before the length
# difference counts against it (as it always does in same_fact): it may say as much again, not a page.
CARRIER_LONGER = 2.0
SOFT_MAX_WORDS = 15_000  # above this many content words in all, the fallback model is used
_ROW_CHUNK = 2_048  # word rows per block of the word-similarity product (bounded memory)


def _content_words(sentence: str) -> list[str]:
    return list(
        dict.fromkeys(
            w for m in WORD_RE.finditer(sentence) if len(w := m.group().lower()) > 1 and w not in STOP_WORDS
        )
    )


def _incidence(sets: Sequence[frozenset[str]]) -> tuple[sparse.csr_matrix, np.ndarray]:
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, s in enumerate(sets):
        for k in s:
            rows.append(i)
            cols.append(vocab.setdefault(k, len(vocab)))
    inc = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sets), max(1, len(vocab))))
    return inc, np.asarray(inc.sum(axis=1)).ravel()


def _soft(
    words: list[list[str]], windows: Sequence[tuple[int, int]] = ()
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """cov[i, j]: mean over the words of i of their best cosine to a word of j; unm[i, j]: how many
    words of i have a best cosine below UNMATCHED_SIM.  Sentences without words: 0 and 0.  The same
    two (n x len(windows)) for each window (a, b): the best cosine to a word of a or of b.

    Word similarities are computed once per distinct word (vocabulary x vocabulary), then gathered."""
    n, nw = len(words), len(windows)
    cov = np.zeros((n, n), dtype=np.float32)
    unm = np.zeros((n, n), dtype=np.float32)
    wcov = np.zeros((n, nw), dtype=np.float32)
    wunm = np.zeros((n, nw), dtype=np.float32)
    vocab = list(dict.fromkeys(w for ws in words for w in ws))
    if not vocab:
        return cov, unm, wcov, wunm
    index = {w: k for k, w in enumerate(vocab)}
    flat = np.fromiter((index[w] for ws in words for w in ws), dtype=np.int64)
    vecs = embed_words(vocab)
    has = np.flatnonzero([bool(ws) for ws in words])
    starts = np.concatenate(([0], np.cumsum([len(words[i]) for i in has])[:-1]))
    # best[v, j]: best cosine of vocabulary word v to a word of sentence has[j]
    best = np.empty((len(vocab), len(has)), dtype=np.float32)
    for r0 in range(0, len(vocab), _ROW_CHUNK):
        block = vecs[r0 : r0 + _ROW_CHUNK] @ vecs.T  # vocabulary x vocabulary
        best[r0 : r0 + _ROW_CHUNK] = np.maximum.reduceat(block[:, flat], starts, axis=1)
    per_word = best[flat]  # each word of each sentence (in order) x sentences-with-words
    cells = np.ix_(has, has)
    cov[cells] = np.add.reduceat(per_word, starts, axis=0)
    unm[cells] = np.add.reduceat((per_word < UNMATCHED_SIM).astype(np.float32), starts, axis=0)
    counts = np.array([max(1, len(ws)) for ws in words], dtype=np.float32)
    if nw:
        col = np.full(n, -1, dtype=np.int64)
        col[has] = np.arange(len(has))
        padded = np.hstack([per_word, np.full((len(flat), 1), -1.0, dtype=np.float32)])  # -1: no words
        a, b = (np.array([col[w[k]] for w in windows], dtype=np.int64) for k in (0, 1))
        pw = np.maximum(padded[:, a], padded[:, b])
        wcov[has] = np.add.reduceat(pw, starts, axis=0)
        wunm[has] = np.add.reduceat((pw < UNMATCHED_SIM).astype(np.float32), starts, axis=0)
    return cov / counts[:, None], unm, wcov / counts[:, None], wunm


def same_fact_features(
    sentences: Sequence[str],
    soft: bool | None = None,
    directional: bool = False,
    windows: Sequence[tuple[int, int]] = (),
    window_out: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Every pair feature of :data:`FEATURES` as an n x n matrix over ``sentences``.

    ``soft=None`` computes the word-by-word features unless there are more than SOFT_MAX_WORDS
    content words; ``soft=False`` never computes them (then only :data:`FALLBACK_FEATURES`).
    ``directional=True`` reads entry [i, j] as "does j carry what i says": ``soft_min`` becomes the
    coverage of i's words by j's, ``unmatched`` counts i's words only, and ``length_ratio`` is
    min(1, words of j / words of i).

    With ``window_out`` (directional only), the same features of each window (a, b) of ``windows``
    as a carrier go into it, n x len(windows): see :func:`_window_features`.
    """
    n = len(sentences)
    emb = embed_texts(list(sentences))
    feats: dict[str, np.ndarray] = {"cos": emb @ emb.T}
    stems = [frozenset(_match_tokens(s)) for s in sentences]
    inc, sizes = _incidence(stems)
    shared = (inc @ inc.T).toarray()
    union = sizes[:, None] + sizes[None, :] - shared
    feats["overlap"] = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
    figs = [frozenset(nb.key for nb in _key_numbers(find_numbers(s))) for s in sentences]
    finc, fsizes = _incidence(figs)
    fshared = (finc @ finc.T).toarray()
    has_fig = fsizes > 0
    feats["figure_conflict"] = ((has_fig[:, None] & has_fig[None, :]) & (fshared == 0)).astype(np.float32)
    feats["figure_shared"] = (fshared > 0).astype(np.float32)  # used by carry_matrix only
    nwords = np.maximum(np.array([len(WORD_RE.findall(s)) for s in sentences], dtype=np.float32), 1.0)
    if directional:
        ratio = nwords[None, :] / nwords[:, None]  # carrier j / carried i
        feats["length_ratio"] = np.minimum(1.0, np.minimum(ratio, CARRIER_LONGER / ratio))
    else:
        feats["length_ratio"] = np.minimum.outer(nwords, nwords) / np.maximum.outer(nwords, nwords)
    # Every word with its occurrence number ("the#0", "the#1"): set overlap = multiset overlap.
    toks = [Counter(w.lower() for w in WORD_RE.findall(s)) for s in sentences]
    winc, wsizes = _incidence([frozenset(f"{w}#{k}" for w, c in t.items() for k in range(c)) for t in toks])
    wshared = (winc @ winc.T).toarray()
    if directional:  # the share of i's words found in j
        feats["word_dice"] = wshared / np.maximum(wsizes, 1.0)[:, None]
    else:
        total = wsizes[:, None] + wsizes[None, :]
        feats["word_dice"] = np.divide(2 * wshared, total, out=np.zeros_like(wshared), where=total > 0)
    neg = np.array([any(w in NEGATORS or w.endswith(("n't", "n’t")) for w in t) for t in toks])
    feats["negation_mismatch"] = (neg[:, None] != neg[None, :]).astype(np.float32)
    words = [_content_words(s) for s in sentences]
    if soft is None:
        soft = sum(len(w) for w in words) <= SOFT_MAX_WORDS
    if soft and n:
        cov, unm, wcov, wunm = _soft(words, windows if window_out is not None else ())
        raw_cov = cov
        feats["soft_max"] = np.maximum(cov, cov.T)
        if directional:
            # A short sentence ("Then there is the alert.") is covered by any sentence sharing its
            # one or two content words: below MIN_EVIDENCE_WORDS, the missing words count as
            # unmatched (MRPC's sentences, on which the model was fitted, have ~10 content words).
            k = np.array([len(w) for w in words], dtype=np.float32)
            short = np.maximum(0.0, MIN_EVIDENCE_WORDS - k)[:, None]
            cov = cov * (k / np.maximum(k, MIN_EVIDENCE_WORDS))[:, None]
            feats["soft_max"] = np.maximum(cov, cov.T)
            feats["soft_min"] = cov
            feats["unmatched"] = np.log1p(unm + short)
        else:
            feats["soft_min"] = np.minimum(cov, cov.T)
            feats["unmatched"] = np.log1p(np.maximum(unm, unm.T))
    if window_out is not None:
        data = _Texts(emb, stems, figs, nwords, toks, neg, words)
        window_out.update(
            _window_features(sentences, windows, data, (raw_cov, wcov, wunm) if soft and n else None)
        )
    return feats


@dataclass(frozen=True)
class _Texts:
    """Per-sentence data computed once by :func:`same_fact_features`."""

    emb: np.ndarray
    stems: list[frozenset[str]]
    figs: list[frozenset[str]]
    nwords: np.ndarray
    toks: list[Counter[str]]
    neg: np.ndarray
    words: list[list[str]]


def _window_features(
    sentences: Sequence[str],
    windows: Sequence[tuple[int, int]],
    t: _Texts,
    soft: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
) -> dict[str, np.ndarray]:
    """Directional features, n x len(windows): entry [i, k] reads "do sentences a and b of window
    k, together, carry what i says".  A window's words, stems and figures are the union of its two
    sentences'; the coverage of the window's words by i (in ``soft_max``) is its two sentences'
    coverages weighted by their words."""
    n, nw = len(sentences), len(windows)
    a = np.array([w[0] for w in windows], dtype=np.int64)
    b = np.array([w[1] for w in windows], dtype=np.int64)
    wemb = embed_texts([f"{sentences[x]} {sentences[y]}" for x, y in windows])
    feats: dict[str, np.ndarray] = {"cos": t.emb @ wemb.T}

    def shared_with(sets: list[frozenset[str]]) -> tuple[np.ndarray, np.ndarray]:
        inc, sizes = _incidence(sets + [sets[x] | sets[y] for x, y in windows])
        return (inc[:n] @ inc[n:].T).toarray(), sizes

    shared, sizes = shared_with(t.stems)
    union = sizes[:n, None] + sizes[None, n:] - shared
    feats["overlap"] = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
    fshared, fsizes = shared_with(t.figs)
    has_fig = fsizes > 0
    feats["figure_conflict"] = ((has_fig[:n, None] & has_fig[None, n:]) & (fshared == 0)).astype(np.float32)
    feats["figure_shared"] = (fshared > 0).astype(np.float32)
    ratio = (t.nwords[a] + t.nwords[b])[None, :] / t.nwords[:, None]
    feats["length_ratio"] = np.minimum(1.0, np.minimum(ratio, CARRIER_LONGER / ratio))
    multi = [_multiset(c) for c in t.toks] + [_multiset(t.toks[x] + t.toks[y]) for x, y in windows]
    winc, wsizes = _incidence(multi)
    feats["word_dice"] = (winc[:n] @ winc[n:].T).toarray() / np.maximum(wsizes[:n], 1.0)[:, None]
    feats["negation_mismatch"] = (t.neg[:, None] != (t.neg[a] | t.neg[b])[None, :]).astype(np.float32)
    if soft is not None:
        cov, wcov, wunm = soft
        k = np.array([len(w) for w in t.words], dtype=np.float32)
        kw = k[a] + k[b]
        # coverage of the window's words by i: its two sentences' coverages, weighted by their words
        rev = np.divide(
            cov[a].T * k[a] + cov[b].T * k[b], kw, out=np.zeros((n, nw), np.float32), where=kw > 0
        )
        rev = rev * (kw / np.maximum(kw, MIN_EVIDENCE_WORDS))
        wcov = wcov * (k / np.maximum(k, MIN_EVIDENCE_WORDS))[:, None]
        feats["soft_min"] = wcov
        feats["soft_max"] = np.maximum(wcov, rev)
        feats["unmatched"] = np.log1p(wunm + np.maximum(0.0, MIN_EVIDENCE_WORDS - k)[:, None])
    return feats


def _multiset(counts: Counter[str]) -> frozenset[str]:
    return frozenset(f"{w}#{k}" for w, c in counts.items() for k in range(c))


@dataclass(frozen=True)
class PairModel:
    """A logistic model: intercept + sum of w * feature + sum of w * feature_a * feature_b."""

    intercept: float
    linear: dict[str, float]
    pairs: tuple[tuple[str, str, float], ...] = ()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PairModel:
        return cls(
            float(d["intercept"]),
            {str(k): float(v) for k, v in d["linear"].items()},
            tuple((str(a), str(b), float(w)) for a, b, w in d.get("pairs", ())),
        )

    def logit(self, feats: Mapping[str, np.ndarray]) -> np.ndarray:
        out = np.full(np.shape(feats["cos"]), self.intercept, dtype=np.float64)
        for k, w in self.linear.items():
            out += w * feats[k]
        for a, b, w in self.pairs:
            out += w * (feats[a] * feats[b])
        return out


@lru_cache(maxsize=1)
def models() -> dict[str, PairModel]:
    """The stored models: ``"full"`` (all of FEATURES) and ``"fallback"`` (FALLBACK_FEATURES)."""
    data = json.loads(MODEL_FILE.read_text("utf-8"))
    return {name: PairModel.from_dict(data[name]) for name in ("full", "fallback")}


def combine(feats: dict[str, np.ndarray], figure_bonus: float = 0.0) -> np.ndarray:
    """The fitted logistic model over :func:`same_fact_features` (the fallback one without soft
    features), plus ``figure_bonus`` log-odds where the two sentences share a key figure."""
    model = models()["full" if "soft_min" in feats else "fallback"]
    logit = model.logit(feats)
    if figure_bonus:
        logit = logit + figure_bonus * feats["figure_shared"]
    return 1.0 / (1.0 + np.exp(-np.asarray(logit, dtype=np.float64)))


def same_fact_matrix(sentences: Sequence[str], soft: bool | None = None) -> np.ndarray:
    """n x n matrix of :func:`same_fact` over ``sentences`` (symmetric; the diagonal is meaningless)."""
    if not sentences:
        return np.zeros((0, 0))
    return combine(same_fact_features(sentences, soft=soft))


def carry_matrix(sentences: Sequence[str], soft: bool | None = None) -> np.ndarray:
    """n x n: entry [i, j] scores whether sentence j carries what sentence i says (see
    CARRY_THRESHOLD); not symmetric: a longer sentence can carry a shorter one."""
    if not sentences:
        return np.zeros((0, 0))
    return combine(same_fact_features(sentences, soft=soft, directional=True), FIGURE_SHARED_LOGIT)


def carry_matrices(
    sentences: Sequence[str], windows: Sequence[tuple[int, int]], soft: bool | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`carry_matrix` and, n x len(windows), whether the two sentences of each window (a, b),
    read together, carry what sentence i says (the same model and figure bonus)."""
    if not sentences:
        return np.zeros((0, 0)), np.zeros((0, len(windows)))
    wfeats: dict[str, np.ndarray] = {}
    out = wfeats if windows else None
    feats = same_fact_features(sentences, soft=soft, directional=True, windows=windows, window_out=out)
    pairs = combine(wfeats, FIGURE_SHARED_LOGIT) if windows else np.zeros((len(sentences), 0))
    return combine(feats, FIGURE_SHARED_LOGIT), pairs


def same_fact(a: str, b: str) -> float:
    """0..1: how likely sentence ``b`` reports what sentence ``a`` says (a fitted probability).

    At least :data:`SAME_FACT_THRESHOLD` is read as "the same fact".  Symmetric.
    """
    if not a.strip() or not b.strip():
        return 0.0
    return float(same_fact_matrix([a, b])[0, 1])
