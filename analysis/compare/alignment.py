"""Alignment: matching the sentences of one event's articles across outlets, and grouping them into facts.

Every outlet's article(s) on an event are split into sentences.  Each sentence is compared with every
sentence of the other outlets by :func:`analysis.compare.same_fact.carry_matrix`: a model fitted on
news sentence pairs labelled by people that reads meaning (static word and sentence embeddings, so
"sales fell" matches "sales declined"), shared content words and figures (an exact shared key figure,
"17%" == "17 percent", raises the score; two different ones lower it).  Entry [i, j] asks "does j carry
what i says?", so a longer sentence can carry a shorter one.

An outlet *carries* a statement when one of its sentences (or its headline), alone or read together
with the sentence next to it, scores at least MATCH_THRESHOLD against it.  Body sentences are grouped
into *facts*: clusters holding at most one sentence per outlet, merged greedily from the best-scoring
pair down while the mean score between the two clusters stays at least CLUSTER_MIN_MEAN.  A fact is
carried by every outlet in it and by any outlet with a sentence (or headline) matching one of its
members.  Headlines only ever *carry*: they are framing (see ``analysis.compare.coverage``), so they
start no fact and are never listed as statements.

Everything is computed once by :func:`align_event` into an :class:`Alignment`, which the views
in :mod:`analysis.compare.omissions` and :func:`align_sentences` accept in place of the event's rows
(dicts with ``outlet``, ``text``, ``title``, ``id``).
The unit is the outlet: several articles from one outlet on the event are read as one text.

Limits: static embeddings read words, not syntax ("A beat B" ~ "B beat A"), and a paraphrase with
little in common in words ("three people died" / "the storm killed a pensioner and a couple") scores
near the threshold.  On BASIL (28 real events, 3 outlets) about 57% of body sentences are still
carried by no other outlet (two halves of the events: 56% and 58%): outlets on one event really do
write mostly different sentences; sentences experts mark as one-sided or tangential information are
flagged only ~1.1x as often as the others.  Read
the matrix as "who said what in comparable words and figures", and check it against the sentences it
shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.compare.same_fact import CARRY_THRESHOLD, carry_matrices
from analysis.compare.sentence_features import (
    Number,
    _base,
    _key_numbers,
    _name_runs,
    find_numbers,
)
from analysis.scoring.text import WORD_RE, classify_quotes, count_words, split_sentences

# --- matching -------------------------------------------------------------------------------------
# A sentence scoring at least this against another outlet's sentence is carried by that outlet
# (analysis.compare.same_fact: a model fitted on news sentence pairs labelled by people).
MATCH_THRESHOLD = CARRY_THRESHOLD
# Two clusters merge only while the mean score over all their cross pairs stays at least this, so a
# chain A~B, B~C does not pull in a C that has little to do with A.
CLUSTER_MIN_MEAN = CARRY_THRESHOLD - 0.08
# Bounds on the work (the score matrix is quadratic in sentences): an article's body is aligned up to
# this many sentences (news articles rarely pass 150), and all articles of an event together up to
# MAX_EVENT_SENTENCES (shared equally; a 30-article event keeps 66 sentences of each).  Sentences past
# the cap are not listed.
MAX_ARTICLE_SENTENCES = 400
MAX_EVENT_SENTENCES = 2_000
# A sentence counts as carried when another outlet's sentence, read alone or together with the
# sentence next to it, carries it (one outlet's single sentence is often two in another's).  Events
# with more sentences than this read sentences alone (the score matrix would double in size).
WINDOW_MAX_SENTENCES = 800
MIN_SENTENCE_WORDS = 4  # shorter "sentences" (bylines, "SNUB!", datelines) are not statements
# A sentence is typed "quote" when at least this share of its characters is inside direct speech.
QUOTE_SHARE = 0.5
LABEL_CHARS = 110  # representative sentences are shortened to about this many characters


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


def _outlet_texts(rows: Iterable[Mapping[str, Any]]) -> list[tuple[str, Any, str, str]]:
    out = []
    for row in rows:
        text = row.get("text") or ""
        outlet = row.get("outlet") or row.get("domain") or ""
        if text.strip() and outlet:
            out.append((str(outlet), row.get("id"), " ".join((row.get("title") or "").split()), text))
    return out


def _speech_share(speech: Sequence[tuple[int, int]], s: int, e: int) -> float:
    """Share of the characters [s, e) inside the ``speech`` regions."""
    inside = sum(max(0, min(e, qe) - max(s, qs)) for qs, qe in speech)
    return inside / max(1, e - s)


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


def _collect(items: list[tuple[str, Any, str, str]], include_titles: bool) -> list[dict[str, Any]]:
    # Words used in lower case anywhere in the event: capitalised, they are not names.
    lower_vocab = frozenset(_base(w) for *_, text in items for w in WORD_RE.findall(text) if w[0].islower())
    recs: list[dict[str, Any]] = []
    cap = min(MAX_ARTICLE_SENTENCES, MAX_EVENT_SENTENCES // max(1, len(items)))
    for outlet, article_id, title, text in items:
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
                    "quote_share": _speech_share(speech, 0, len(title)),
                }
            )
        spans = [(s, e) for s, e in split_sentences(text) if count_words(text[s:e]) >= MIN_SENTENCE_WORDS]
        spans = spans[:cap]
        speech = [(s, e) for s, e, k in classify_quotes(text) if k == "speech"]
        last = max(1, len(spans) - 1)
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
                    "quote_share": _speech_share(speech, s, e),
                }
            )
    return recs


def _windows(recs: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Pairs (i, i + 1) of consecutive body sentences of one article: carriers read together."""
    return [
        (i, i + 1)
        for i in range(len(recs) - 1)
        if not recs[i]["headline"]
        and not recs[i + 1]["headline"]
        and recs[i]["article_id"] == recs[i + 1]["article_id"]
        and recs[i]["outlet"] == recs[i + 1]["outlet"]
    ]


def _scores(recs: list[dict[str, Any]], codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sentence scores, carry scores), both sid x sid with -inf within an outlet.

    [i, j] of the first: does sentence j carry what i says.  The second also reads j together with the
    sentence before or after it (a fact one outlet says in two sentences) and keeps the better score,
    for events of up to WINDOW_MAX_SENTENCES sentences."""
    sents = [r["sentence"] for r in recs]
    wins = _windows(recs) if len(sents) <= WINDOW_MAX_SENTENCES else []
    # [i, j]: does sentence j carry what i says; [i, k]: does window k
    score, pairs = carry_matrices(sents, wins)
    carry = score.copy()
    for k, (a, b) in enumerate(wins):
        # The pair's score goes to whichever of its two sentences carries more on its own (shown).
        col = pairs[:, k]
        to_a = score[:, a] >= score[:, b]
        carry[:, a] = np.where(to_a, np.maximum(carry[:, a], col), carry[:, a])
        carry[:, b] = np.where(to_a, carry[:, b], np.maximum(carry[:, b], col))
    same = codes[:, None] == codes[None, :]
    score[same] = -np.inf  # never match within an outlet
    carry[same] = -np.inf
    return score, carry


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
    # Candidates: each sentence's best match in each other outlet (at most n x outlets pairs, so the
    # greedy loop stays small however repetitive the articles are).
    if n:
        _, best_sid = _best_per_outlet(np.where(ok, scores, -np.inf), codes, int(codes.max()) + 1)
        rows = np.repeat(np.arange(n), best_sid.shape[1])
        cols = best_sid.ravel()
        keep = cols >= 0
        cand = np.zeros_like(ok)
        cand[rows[keep], cols[keep]] = True
        ok &= cand | cand.T
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
    recs = _collect(items, include_titles)
    n, n_out = len(recs), len(outlets)
    code_of = {o: k for k, o in enumerate(outlets)}
    codes = np.fromiter((code_of[r["outlet"]] for r in recs), dtype=np.int64, count=n)
    headline = np.fromiter((r["headline"] for r in recs), dtype=bool, count=n)
    plain, scores = _scores(recs, codes) if n else (np.zeros((0, 0)), np.zeros((0, 0)))
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

    clusters = _cluster(np.maximum(plain, plain.T), codes, headline)  # one carries the other
    facts = _facts(recs, clusters, plain, carried, outlets)
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
        outlets=outlets, sentences=sents, scores=scores, best=best, best_sid=best_sid, facts=facts
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
