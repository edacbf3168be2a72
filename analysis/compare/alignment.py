"""Alignment: matching the sentences of one event's articles across outlets, and grouping them into facts.

Every outlet's article(s) on an event are split into sentences.  Each sentence is compared with every
sentence of the other outlets by a match score:

    score = TF-IDF cosine of content-word stems (fitted on this event's sentences only)
          + NUMBER_WEIGHT * shared figures / min(figures of either)   (exact: "17%" == "17 percent")
          + NAME_WEIGHT * shared names / min(names of either)         ("Whitlow" == "Mayor Dana Whitlow")

An outlet *carries* a statement when one of its sentences (or its headline) scores at least
MATCH_THRESHOLD against it.  Body sentences are grouped into *facts*: clusters holding at most one
sentence per outlet, merged greedily from the best-scoring pair down while the mean score between the
two clusters stays at least CLUSTER_MIN_MEAN.  A fact is carried by every outlet in it and by any
outlet with a sentence (or headline) matching one of its members.  Headlines only ever *carry*: they
are framing (see ``analysis.compare.coverage``), so they start no fact and are never listed as statements.

Everything is computed once by :func:`align_event` into an :class:`Alignment`; the public functions
Everything is computed once by :func:`align_event` into an :class:`Alignment`, which the views
in :mod:`analysis.compare.omissions` and :func:`align_sentences` accept in place of the event's rows
(dicts with ``outlet``, ``text``, ``title``, ``id``).
The unit is the outlet: several articles from one outlet on the event are read as one text.

Limits: this is lexical matching.  A paraphrase with no shared content word or figure ("three people
died" / "the storm killed a pensioner and a couple") is missed, and two sentences about different facts
that share figures and a name can be matched.  Read the matrix as "who used the same words and
figures", and check it against the sentences it shows.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.compare.sentence_features import (
    Number,
    _base,
    _key_numbers,
    _match_tokens,
    _name_runs,
    find_numbers,
)
from analysis.scoring.text import WORD_RE, classify_quotes, count_words, split_sentences

# --- matching -------------------------------------------------------------------------------------
# A sentence pair scoring at least this is "the same statement".  On the demo events, pairs scoring
# 0.35-0.40 mostly restate one fact or quote one person on one point ("3,000 households waiting" /
# "thousands of tenants stuck on waiting lists"); pairs at 0.30-0.35 are half the time merely on the
# same topic ("Ministers call that prioritisation" / "Ministers were warned").
MATCH_THRESHOLD = 0.35
# Exact figures are the strongest evidence that two sentences report one fact: sharing every figure
# of the sentence with fewer figures adds this much to the cosine (sharing some adds a share of it).
NUMBER_WEIGHT = 0.3
# Shared proper names are weaker evidence (one person says many things), hence a smaller bonus.
NAME_WEIGHT = 0.15
# Two clusters merge only while the mean score over all their cross pairs stays at least this, so a
# chain A~B, B~C does not pull in a C that has little to do with A.
CLUSTER_MIN_MEAN = 0.3
MIN_SENTENCE_WORDS = 4  # shorter "sentences" (bylines, "SNUB!", datelines) are not statements
# A sentence is typed "quote" when at least this share of its characters is inside direct speech.
QUOTE_SHARE = 0.5
LABEL_CHARS = 110  # representative sentences are shortened to about this many characters
# Statements aligned per event.  The alignment compares every statement with every other one (a few
# dense statements x statements matrices, and a Python loop over the matching pairs), so its memory
# and time grow with the square of this: 2,000 keep it under ~0.4 GB and ~10 s even when every
# statement matches every other outlet's, while a usual event (a few outlets, 20-60 statements each)
# is far below.  Over it, each article keeps its first statements (its lead), the shorter articles
# all of theirs, and the charts say how many were left out: a 5 MB text of short sentences has
# ~100k statements, whose matrices alone would need ~80 GB each.
MAX_ALIGN_STATEMENTS = 2000


# --------------------------------------------------------------------------------------------------
# Alignment
# --------------------------------------------------------------------------------------------------

SENTENCE_COLUMNS: tuple[str, ...] = (
    "sid",  # sentence number within the event (= row position in Alignment.sentences)
    "outlet",
    "article_id",
    "headline",  # True for an article's title (it carries facts but is not a statement)
    "position",  # sentence index within its article body (-1 for the headline)
    "rel_position",  # position / (number of body sentences - 1), 0..1; 0 for the headline
    "start",  # character offsets in the article text (-1 for the headline)
    "end",
    "sentence",
    "numbers",  # tuple of Number (all figures, years and dates included)
    "names",  # tuple of (phrase, frozenset of identifying tokens)
    "new_names",  # tuple of the phrases whose tokens no other outlet uses in a name
    "quote_share",  # share of the sentence's characters inside direct speech, 0..1
    "kind",  # "quote", "number", "name" or "statement" (see sentence_kind)
    "best_other",  # best match score in any other outlet (NaN with a single outlet)
    "carried_by",  # number of other outlets carrying it
    "fact",  # id of the fact (cluster) the sentence belongs to; -1 for headlines
)

FACT_COLUMNS: tuple[str, ...] = (
    "fact",  # id (0..n-1, ordered by n_outlets desc, then by where it appears in the articles)
    "label",  # the representative sentence, shortened
    "representative",  # the representative sentence in full (the member most similar to the others)
    "n_outlets",  # outlets carrying it
    "outlets",  # tuple of outlet names carrying it, in Alignment.outlets order
    "kind",  # kind of the representative sentence
    "numbers",  # tuple of the key figures (as written) in its sentences
    "rel_position",  # mean relative position of its sentences in their articles (0 = lead)
    "members",  # tuple of the sids in the cluster (one per outlet at most)
)


@dataclass(frozen=True)
class Alignment:
    """Everything computed once for an event; see :func:`align_event`."""

    outlets: tuple[str, ...]  # in order of first appearance in the rows
    sentences: pd.DataFrame  # SENTENCE_COLUMNS, one row per sentence (headlines included)
    scores: np.ndarray  # sid x sid match score; -inf within an outlet
    best: np.ndarray  # sid x outlet: best score of the sentence in that outlet (NaN for its own)
    best_sid: np.ndarray  # sid x outlet: sid of that best match (-1 for its own outlet)
    facts: pd.DataFrame  # FACT_COLUMNS, one row per fact
    skipped: int = 0  # statements of long articles left out (see MAX_ALIGN_STATEMENTS)


def _outlet_texts(rows: Iterable[Mapping[str, Any]]) -> list[tuple[str, Any, str, str]]:
    out = []
    for row in rows:
        text = row.get("text") or ""
        outlet = row.get("outlet") or row.get("domain") or ""
        if text.strip() and outlet:
            out.append((str(outlet), row.get("id"), " ".join((row.get("title") or "").split()), text))
    return out


def _speech_share(
    speech: Sequence[tuple[int, int]], s: int, e: int, starts: Sequence[int] | None = None
) -> float:
    """Share of the characters [s, e) inside the ``speech`` regions (sorted, non-overlapping).

    ``starts`` (the regions' starts) lets a binary search skip the regions before ``s``: summing
    over every region for every sentence was quadratic in a long text with many quotations.
    """
    if starts is None:
        starts = [qs for qs, _ in speech]
    i = max(0, bisect.bisect_right(starts, s) - 1)
    inside = 0
    while i < len(speech) and speech[i][0] < e:
        qs, qe = speech[i]
        inside += max(0, min(e, qe) - max(s, qs))
        i += 1
    return inside / max(1, e - s)


def statement_quota(counts: Sequence[int], budget: int = MAX_ALIGN_STATEMENTS) -> list[int]:
    """How many statements each article keeps so that all together stay within ``budget``.

    Every article keeps all of its statements when they fit; otherwise the largest ``q`` is found
    such that ``sum(min(count, q))`` fits, each article keeps ``min(count, q)``, and what remains of
    the budget goes one by one to the longest articles that were cut, in order.
    """
    if sum(counts) <= budget:
        return list(counts)
    lo, hi = 0, max(counts)
    while lo < hi:  # the largest q with sum(min(c, q)) <= budget
        mid = (lo + hi + 1) // 2
        if sum(min(c, mid) for c in counts) <= budget:
            lo = mid
        else:
            hi = mid - 1
    quota = [min(c, lo) for c in counts]
    spare = budget - sum(quota)
    for k in sorted(range(len(counts)), key=lambda k: -counts[k]):
        if spare <= 0:
            break
        if counts[k] > quota[k]:
            quota[k] += 1
            spare -= 1
    return quota


def sentence_kind(quote_share: float, numbers: Sequence[Number], new_names: bool) -> str:
    """How a statement is typed: "quote" (mostly direct speech), then "number" (a key figure: a
    percentage, money or a count), then "name" (a proper name no other outlet mentions), else
    "statement"."""
    if quote_share >= QUOTE_SHARE:
        return "quote"
    if _key_numbers(numbers):
        return "number"
    if new_names:
        return "name"
    return "statement"


def _collect(
    items: list[tuple[str, Any, str, str]], include_titles: bool, budget: int = MAX_ALIGN_STATEMENTS
) -> tuple[list[dict[str, Any]], int]:
    """The sentence records of every article (headline first), and how many statements were left out
    to stay within ``budget`` (see :func:`statement_quota`)."""
    # Words used in lower case anywhere in the event: capitalised, they are not names.
    lower_vocab = frozenset(
        _base(w) for w in {w for *_, text in items for w in WORD_RE.findall(text) if w[0].islower()}
    )
    statements = [
        [(s, e) for s, e in split_sentences(text) if count_words(text[s:e]) >= MIN_SENTENCE_WORDS]
        for *_, text in items
    ]
    quota = statement_quota([len(sp) for sp in statements], budget)
    skipped = sum(len(sp) for sp in statements) - sum(quota)
    recs: list[dict[str, Any]] = []
    for (outlet, article_id, title, text), all_spans, keep in zip(items, statements, quota, strict=True):
        if include_titles and title:
            # Headline capitals are style, not names: no names are read from it, its words are plain words.
            speech = [(s, e) for s, e, k in classify_quotes(title) if k == "speech"]
            recs.append(
                {
                    "outlet": outlet,
                    "article_id": article_id,
                    "headline": True,
                    "position": -1,
                    "rel_position": 0.0,
                    "start": -1,
                    "end": -1,
                    "sentence": title,
                    "numbers": tuple(find_numbers(title)),
                    "names": (),
                    "tokens": _match_tokens(title),
                    "quote_share": _speech_share(speech, 0, len(title)),
                }
            )
        spans = all_spans[:keep]
        speech = [(s, e) for s, e, k in classify_quotes(text) if k == "speech"]
        speech_starts = [s for s, _ in speech]
        last = max(1, len(all_spans) - 1)  # positions relative to the whole article
        for pos, (s, e) in enumerate(spans):
            sent = text[s:e]
            runs = _name_runs(sent, lower_vocab)
            recs.append(
                {
                    "outlet": outlet,
                    "article_id": article_id,
                    "headline": False,
                    "position": pos,
                    "rel_position": pos / last,
                    "start": s,
                    "end": e,
                    "sentence": sent,
                    "numbers": tuple(find_numbers(sent)),
                    "names": tuple((phrase, frozenset(ident)) for _, _, phrase, ident in runs),
                    "tokens": _match_tokens(sent, runs),
                    "quote_share": _speech_share(speech, s, e, speech_starts),
                }
            )
    return recs, skipped


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _overlap(sets: Sequence[frozenset[str]]) -> np.ndarray:
    """|A ∩ B| / min(|A|, |B|) for every pair (0 when either is empty), via a sparse incidence matrix."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, s in enumerate(sets):
        for k in s:
            rows.append(i)
            cols.append(vocab.setdefault(k, len(vocab)))
    n = len(sets)
    if not vocab:
        return np.zeros((n, n))
    inc = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(vocab)))
    shared = (inc @ inc.T).toarray()
    sizes = np.asarray(inc.sum(axis=1)).ravel()
    denom = np.minimum.outer(sizes, sizes)
    return np.divide(shared, denom, out=np.zeros_like(shared), where=denom > 0)


def _scores(recs: list[dict[str, Any]], codes: np.ndarray) -> np.ndarray:
    n = len(recs)
    try:
        x = TfidfVectorizer(analyzer=_identity, sublinear_tf=True).fit_transform([r["tokens"] for r in recs])
        cos = (x @ x.T).toarray()
    except ValueError:  # no usable token in any sentence
        cos = np.zeros((n, n))
    num_sets = [frozenset(nb.key for nb in _key_numbers(r["numbers"])) for r in recs]
    name_sets = [frozenset().union(*(ident for _, ident in r["names"])) for r in recs]
    score = cos + NUMBER_WEIGHT * _overlap(num_sets) + NAME_WEIGHT * _overlap(name_sets)
    score[codes[:, None] == codes[None, :]] = -np.inf  # never match within an outlet
    return score


def _best_per_outlet(scores: np.ndarray, codes: np.ndarray, n_outlets: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(codes)
    best = np.full((n, n_outlets), np.nan)
    best_sid = np.full((n, n_outlets), -1, dtype=np.int64)
    for k in range(n_outlets):
        cols = np.flatnonzero(codes == k)
        if not len(cols) or not n:
            continue
        sub = scores[:, cols]
        arg = sub.argmax(axis=1)
        own = codes == k
        best[:, k] = np.where(own, np.nan, sub[np.arange(n), arg])
        best_sid[:, k] = np.where(own, -1, cols[arg])
    return best, best_sid


def _cluster(scores: np.ndarray, codes: np.ndarray, headline: np.ndarray) -> list[list[int]]:
    """Greedy outlet-exclusive clusters of body sentences (singletons included), see the docstring."""
    n = len(codes)
    parent = np.arange(n)
    members: dict[int, list[int]] = {i: [i] for i in range(n) if not headline[i]}
    covered: dict[int, set[int]] = {i: {int(codes[i])} for i in members}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    ok = scores >= MATCH_THRESHOLD
    ok[headline, :] = False
    ok[:, headline] = False
    ii, jj = np.nonzero(np.triu(ok, k=1))
    for o in np.argsort(-scores[ii, jj], kind="stable"):
        ri, rj = find(int(ii[o])), find(int(jj[o]))
        if ri == rj or covered[ri] & covered[rj]:
            continue  # at most one sentence per outlet in a fact
        if scores[np.ix_(members[ri], members[rj])].mean() < CLUSTER_MIN_MEAN:
            continue
        parent[rj] = ri
        members[ri] += members.pop(rj)
        covered[ri] |= covered.pop(rj)
    return [sorted(m) for m in members.values()]


def align_event(rows: Iterable[Mapping[str, Any]] | Alignment, include_titles: bool = True) -> Alignment:
    """Split, score and cluster the sentences of one event's articles (see the module docstring).

    Rows are dicts with ``outlet`` (or ``domain``), ``text``, and optionally ``title`` and ``id``; rows
    without text are skipped.  An :class:`Alignment` passed in is returned as is.  Headlines take part
    (they can carry a fact) unless ``include_titles`` is False.
    """
    if isinstance(rows, Alignment):
        return rows
    items = _outlet_texts(rows)
    outlets = tuple(dict.fromkeys(item[0] for item in items))
    recs, skipped = _collect(items, include_titles)
    n, n_out = len(recs), len(outlets)
    code_of = {o: k for k, o in enumerate(outlets)}
    codes = np.fromiter((code_of[r["outlet"]] for r in recs), dtype=np.int64, count=n)
    headline = np.fromiter((r["headline"] for r in recs), dtype=bool, count=n)
    scores = _scores(recs, codes) if n else np.zeros((0, 0))
    best, best_sid = _best_per_outlet(scores, codes, n_out)
    carried = best >= MATCH_THRESHOLD  # NaN compares False
    with np.errstate(invalid="ignore"):
        best_other = np.nanmax(best, axis=1) if n_out > 1 else np.full(n, np.nan)

    # Names no other outlet uses: identifying tokens absent from every other outlet's names.
    name_tokens: list[set[str]] = [set() for _ in outlets]
    for r, c in zip(recs, codes, strict=True):
        for _, ident in r["names"]:
            name_tokens[c] |= ident
    others_names = [set().union(*(name_tokens[k] for k in range(n_out) if k != c)) for c in range(n_out)]
    for r, c in zip(recs, codes, strict=True):
        r["new_names"] = tuple(p for p, ident in r["names"] if not (ident & others_names[c]))
        r["kind"] = sentence_kind(r["quote_share"], r["numbers"], bool(r["new_names"]))

    clusters = _cluster(scores, codes, headline)
    facts = _facts(recs, clusters, scores, carried, outlets)
    fact_of = np.full(n, -1, dtype=np.int64)
    for f, mem in zip(facts["fact"], facts["members"], strict=True):
        fact_of[list(mem)] = f
    sents = pd.DataFrame(
        recs, columns=[c for c in SENTENCE_COLUMNS if c not in ("sid", "best_other", "carried_by", "fact")]
    )
    sents.insert(0, "sid", np.arange(n, dtype=np.int64))
    sents["best_other"] = best_other
    sents["carried_by"] = carried.sum(axis=1)
    sents["fact"] = fact_of
    return Alignment(
        outlets=outlets,
        sentences=sents,
        scores=scores,
        best=best,
        best_sid=best_sid,
        facts=facts,
        skipped=skipped,
    )


def _facts(
    recs: list[dict[str, Any]],
    clusters: list[list[int]],
    scores: np.ndarray,
    carried: np.ndarray,
    outlets: tuple[str, ...],
) -> pd.DataFrame:
    code_of = {o: k for k, o in enumerate(outlets)}
    # Outlets carrying each cluster: its members' outlets, plus any outlet with a sentence matching
    # one of its members.
    hits = carried.astype(np.int64)
    for i, r in enumerate(recs):
        hits[i, code_of[r["outlet"]]] = 1
    cluster_of = np.empty(sum(len(m) for m in clusters), dtype=np.int64)
    member_ids = np.fromiter((m for mem in clusters for m in mem), dtype=np.int64, count=len(cluster_of))
    cluster_of[:] = np.repeat(np.arange(len(clusters)), [len(m) for m in clusters])
    carried_by = np.zeros((len(clusters), len(outlets)), dtype=np.int64)
    np.add.at(carried_by, cluster_of, hits[member_ids])
    out = []
    for mem, by in zip(clusters, carried_by > 0, strict=True):
        if len(mem) > 1:
            sub = scores[np.ix_(mem, mem)]
            rep = mem[int(np.where(np.isfinite(sub), sub, 0.0).sum(axis=1).argmax())]
        else:
            rep = mem[0]
        figures = dict.fromkeys(nb.text for m in mem for nb in _key_numbers(recs[m]["numbers"]))
        out.append(
            {
                "label": shorten(recs[rep]["sentence"]),
                "representative": recs[rep]["sentence"],
                "n_outlets": int(by.sum()),
                "outlets": tuple(o for o, b in zip(outlets, by, strict=True) if b),
                "kind": recs[rep]["kind"],
                "numbers": tuple(figures),
                "rel_position": sum(recs[m]["rel_position"] for m in mem) / len(mem),
                "members": tuple(mem),
            }
        )
    facts = pd.DataFrame(out, columns=list(FACT_COLUMNS[1:]))
    if len(facts):
        facts = facts.sort_values(
            ["n_outlets", "rel_position", "members"], ascending=[False, True, True], kind="mergesort"
        ).reset_index(drop=True)
    facts.insert(0, "fact", np.arange(len(facts), dtype=np.int64))
    return facts


def shorten(sentence: str, limit: int = LABEL_CHARS) -> str:
    """``sentence`` cut at a word boundary to about ``limit`` characters, with an ellipsis."""
    s = " ".join(sentence.split())
    if len(s) <= limit:
        return s
    cut = s.rfind(" ", 0, limit)
    return s[: cut if cut > limit // 2 else limit].rstrip(" ,;:–—-") + "…"


ALIGN_COLUMNS: tuple[str, ...] = (
    "sid",
    "outlet",
    "article_id",
    "headline",
    "position",
    "sentence",
    "kind",
    "other_outlet",
    "match_sid",  # the best-matching sentence of other_outlet
    "match_sentence",
    "score",  # match score (cosine + figure and name bonuses)
    "carried",  # score >= MATCH_THRESHOLD
    "shared_numbers",  # tuple of the key figures (as written in this sentence) both contain
)


def align_sentences(rows: Iterable[Mapping[str, Any]] | Alignment) -> pd.DataFrame:
    """Each sentence's best match in each other outlet: one row per (sentence, other outlet).

    Columns :data:`ALIGN_COLUMNS`.
    """
    al = align_event(rows)
    s = al.sentences
    sent = s["sentence"].tolist()
    nums = [{nb.key: nb.text for nb in _key_numbers(x)} for x in s["numbers"]]
    recs = []
    for i, (outlet, aid, head, pos, text, kind) in enumerate(
        zip(s["outlet"], s["article_id"], s["headline"], s["position"], sent, s["kind"], strict=True)
    ):
        for k, o in enumerate(al.outlets):
            m = int(al.best_sid[i, k])
            if o == outlet or m < 0:
                continue
            score = float(al.best[i, k])
            recs.append(
                {
                    "sid": i,
                    "outlet": outlet,
                    "article_id": aid,
                    "headline": head,
                    "position": pos,
                    "sentence": text,
                    "kind": kind,
                    "other_outlet": o,
                    "match_sid": m,
                    "match_sentence": sent[m],
                    "score": score,
                    "carried": score >= MATCH_THRESHOLD,
                    "shared_numbers": tuple(t for key, t in nums[i].items() if key in nums[m]),
                }
            )
    return pd.DataFrame(recs, columns=list(ALIGN_COLUMNS))
