"""Group articles into events: which articles, from which outlets, report the same news event.

Articles ingested without an event (from feeds, or a pile of URLs) are grouped automatically:

1. **Features.**  Each article becomes one sparse vector made of two blocks:

   * a *text* block: TF-IDF (sublinear tf, English stop words, unigrams + bigrams, ``max_df``,
     ``min_df``) of the title, of the lead (first paragraphs) and of the body, each L2-normalised,
     mixed with ``TITLE_WEIGHT`` / ``LEAD_WEIGHT`` / ``BODY_WEIGHT`` and normalised again.  Junk
     titles (a bare dateline such as "WASHINGTON —", a one-word shout) are dropped and their weight
     goes to the rest; a dateline is stripped from the start of the body too (the same dateline is
     shared by unrelated stories of one outlet).  The counts are computed by :class:`NewsTfidf`,
     which gives exactly what scikit-learn's ``TfidfVectorizer`` gives, faster (see there).
   * an *entity* block: TF-IDF over capitalised proper-noun phrases ("Mike Pompeo", "North Korea")
     and numbers with their unit ("4,200" -> ``4200``, "17%" -> ``17%``, "$3.5 billion").

   Each block keeps only its ``PRUNE_TERMS`` / ``PRUNE_ENTITIES`` heaviest features (renormalised):
   an article is represented by what is distinctive in it, which also keeps the similarity search
   sparse.  The similarity of two articles is the weighted mean of the blocks' cosines,
   ``(1 - ENTITY_WEIGHT) * cos_text + ENTITY_WEIGHT * cos_entities``, minus ``SAME_OUTLET_PENALTY``
   when both come from the same outlet (an outlet can publish several articles on one event, but its
   house style and recurring vocabulary make its unrelated stories look alike).

2. **Neighbour graph.**  Similarities are computed block by block (rows sorted by date, each block of
   rows compared only with the articles inside the date window, plus the undated ones) and only the
   ``N_NEIGHBORS`` most similar articles of each article (at least ``MIN_EDGE_SIM``) are kept.  No
   dense n x n matrix is ever built: memory is O(n * N_NEIGHBORS).  Pairs dated more than
   ``window_days`` apart are never compared; undated articles are not restricted.

3. **Clustering: average linkage**, cut at ``threshold``: repeatedly merge the two groups whose mean
   pairwise similarity is highest, while it is at least ``threshold``.  Average linkage guards
   against chaining: one strong link cannot glue two otherwise unrelated groups together (single
   linkage / connected components would).  A merge is refused when the merged group's dated
   articles would span more than ``max(window_days, the span of either group)``.  Two passes:

   * pass 1 on the neighbour graph, where a missing pair counts as similarity 0: a lower bound of the
     true linkage, so every merge made is one the exact linkage makes too, but a big event (more
     articles than ``N_NEIGHBORS``) can stay in several pieces;
   * pass 2 between those pieces with exact totals: the sum of all pairwise similarities of pieces A
     and B is ``S_A . S_B`` (sums of their vectors) minus the penalty times their same-outlet pairs.

   Both passes use vectorised "reciprocal nearest neighbour" rounds (average linkage is reducible,
   so merging pairs of groups that are each other's best link gives the best-first result), then a
   heap for the last merges.

User edits (``fixed_labels``), the precise contract:

* ``fixed_labels[i]`` is an existing event id for an article a user pinned (moved by hand, or in an
  event the user created, renamed or split), ``None`` for a free article.
* Every pinned article keeps its label.  All articles pinned to one label start as one group, so
  they stay together whatever their similarity.
* Two groups holding different pinned labels are never merged.
* A free article (or a group of free articles) joins a pinned group only through the same average
  linkage: its mean similarity to *all* articles of the pinned group must reach ``threshold`` (and
  be its best such link).  A pinned group may already span more than ``window_days`` (the user said
  so): it then takes only articles dated inside its span.
* Free articles that join no pinned group form new groups, labelled with new integers that collide
  with no fixed label: ``max(0, max(fixed) + 1)`` upwards, in order of each group's first article.
  Without fixed labels the new groups are labelled 0..k-1 in that order.

The default ``threshold`` and the weights were measured, not fitted to one data set: see
``analysis/bench/grouping_eval.py`` (NewsWCL50, the demo corpus, unrelated news pages as
distractors, and a synthetic corpus with thousands of events; the quality is flat over a wide range
of thresholds around the default).
"""

from __future__ import annotations

import math
import os
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from analysis.events.features import (
    MIN_IDF_DOCS,
    PRUNE_ENTITIES,
    PRUNE_TERMS,
    NewsTfidf,
    _background_idf,
    _identity,
    _max_df,
    _min_df,
    _prune_rows,
)
from analysis.events.graph import MIN_EDGE_SIM, N_NEIGHBORS, _days, _group_similarity_totals, _neighbour_graph
from analysis.events.linkage import _average_linkage
from analysis.events.names import (
    _TITLE_PARTS_RE,
    ENTITY_SCAN_CHARS,
    _doc_parts,
    _entity_mentions,
    clean_title,
)
from analysis.events.tokens import PARALLEL_MIN_DOCS

# --------------------------------------------------------------------------------------------
# Constants (measured with analysis/bench/grouping_eval.py)
# --------------------------------------------------------------------------------------------

# Mean pairwise similarity two groups need to be merged.  Measured: ARI >= 0.83 on NewsWCL50 and on
# the mix with the demo corpus and distractors for every threshold in 0.18-0.35 (best 0.98-0.99 near
# 0.25-0.30; the reference baseline holds >= 0.83 only over 0.18-0.25); the synthetic corpus is at
# 0.99-1.00 over 0.10-0.35.  The default sits mid-plateau, not on either set's best point.
DEFAULT_THRESHOLD = 0.26
DEFAULT_WINDOW_DAYS = 3.0  # same default as Settings.event_window_days

# Mix of the three L2-normalised TF-IDF vectors of an article.  The title and lead say what the
# event is (inverted pyramid); the body adds the vocabulary that differs from outlet to outlet.
TITLE_WEIGHT = 0.25
LEAD_WEIGHT = 0.25
BODY_WEIGHT = 0.5
# Share of the similarity that comes from shared proper nouns and numbers (the rest: text cosine).
ENTITY_WEIGHT = 0.3
# Subtracted from the similarity of two articles from the same outlet: an outlet can publish several
# articles on one event, but its recurring vocabulary and house style make its unrelated stories look
# alike.  Additive (not a factor) so that group totals stay exact: sum_o n_Ao * n_Bo same-outlet pairs.
SAME_OUTLET_PENALTY = 0.05


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


class EventGrouper:
    """Group articles into events (scikit-learn style: ``fit``, ``labels_``, ``fit_predict``).

    Parameters are the module constants by default; see the module docstring for the method and
    for the contract of ``fixed_labels``.

    Attributes after ``fit``: ``labels_`` (one int per article), ``n_groups_`` (distinct labels),
    ``graph_`` (the sparse neighbour-similarity graph, upper triangle, scipy CSR), ``vectors_`` (the
    pruned article vectors, CSR; columns as ``get_feature_names_out()``).
    """

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        window_days: float = DEFAULT_WINDOW_DAYS,
        *,
        title_weight: float = TITLE_WEIGHT,
        lead_weight: float = LEAD_WEIGHT,
        body_weight: float = BODY_WEIGHT,
        entity_weight: float = ENTITY_WEIGHT,
        same_outlet_penalty: float = SAME_OUTLET_PENALTY,
        n_neighbors: int = N_NEIGHBORS,
        min_edge_sim: float = MIN_EDGE_SIM,
        prune_terms: int = PRUNE_TERMS,
        prune_entities: int = PRUNE_ENTITIES,
        n_jobs: int | None = None,
    ) -> None:
        self.threshold = threshold
        self.window_days = window_days
        self.title_weight = title_weight
        self.lead_weight = lead_weight
        self.body_weight = body_weight
        self.entity_weight = entity_weight
        self.same_outlet_penalty = same_outlet_penalty
        self.n_neighbors = n_neighbors
        self.min_edge_sim = min_edge_sim
        self.prune_terms = prune_terms
        self.prune_entities = prune_entities
        # None: 2 (or the CPU count if smaller).  Worker processes tokenize from PARALLEL_MIN_DOCS articles
        # on; threads compute the similarity blocks.
        self.n_jobs = n_jobs

    # -- features ---------------------------------------------------------------------------

    def _vectorize(self, docs: Sequence[Mapping[str, Any]]) -> sp.csr_matrix:
        n = len(docs)
        n_jobs = self._n_jobs() if n >= PARALLEL_MIN_DOCS else 1
        self.vectorizer_ = NewsTfidf(
            max_df=_max_df(n), min_df=_min_df(n), n_jobs=n_jobs, min_idf_docs=MIN_IDF_DOCS
        )
        try:
            full_x, title_x, lead_x, ents = self.vectorizer_.fit_transform(docs)
            # title_weight * title_x + lead_weight * lead_x + body_weight * full_x, in place (memory)
            title_x.data *= self.title_weight
            lead_x.data *= self.lead_weight
            full_x.data *= self.body_weight
            text_x = title_x + lead_x
            del title_x, lead_x
            text_x = normalize(text_x + full_x, copy=False)
            del full_x
            self._word_names: np.ndarray | None = None
        except ValueError:  # empty vocabulary: no article has a usable word
            text_x = sp.csr_matrix((n, 0), dtype=np.float32)
            ents = self.vectorizer_.entities_
            self._word_names = np.asarray([], dtype=object)
        self.entity_vectorizer_ = TfidfVectorizer(
            analyzer=_identity, sublinear_tf=True, max_df=_max_df(n), min_df=_min_df(n), dtype=np.float32
        )
        try:
            ent_x = self.entity_vectorizer_.fit_transform(ents)
            if n < MIN_IDF_DOCS:  # recompute with the small-corpus idf (see _background_idf)
                ent_df = np.bincount(ent_x.indices, minlength=ent_x.shape[1])
                self.entity_vectorizer_.idf_ = _background_idf(ent_df, n, MIN_IDF_DOCS)
                ent_x = self.entity_vectorizer_.transform(ents)
            self._entity_names = self.entity_vectorizer_.get_feature_names_out()
        except ValueError:  # no article has a proper noun or a number
            ent_x = sp.csr_matrix((n, 0), dtype=np.float32)
            self._entity_names = np.asarray([], dtype=object)
        text_x = _prune_rows(text_x, self.prune_terms)
        ent_x = _prune_rows(ent_x, self.prune_entities)
        w = self.entity_weight
        return sp.hstack([math.sqrt(1.0 - w) * text_x, math.sqrt(w) * ent_x], format="csr", dtype=np.float32)

    def _n_jobs(self) -> int:
        return self.n_jobs if self.n_jobs is not None else min(2, os.cpu_count() or 1)

    def get_feature_names_out(self) -> np.ndarray:
        """Names of the vector columns: word n-grams, then entities ("e:...") and numbers ("n:...")."""
        if not hasattr(self, "_entity_names"):
            raise AttributeError("EventGrouper is not fitted yet: call fit() first")
        if self._word_names is None:
            self._word_names = self.vectorizer_.get_feature_names_out()
        return np.concatenate([self._word_names, self._entity_names]).astype(object)

    # -- clustering -------------------------------------------------------------------------

    def fit(
        self,
        docs: Sequence[Mapping[str, Any]],
        y: None = None,
        *,
        fixed_labels: Sequence[int | None] | None = None,
    ) -> EventGrouper:
        """Group ``docs`` (dicts with title, text, outlet, optional published and lead)."""
        n = len(docs)
        if fixed_labels is not None and len(fixed_labels) != n:
            raise ValueError(f"fixed_labels has {len(fixed_labels)} entries for {n} documents")
        fixed = list(fixed_labels) if fixed_labels is not None else [None] * n
        # initial clusters: one per pinned label, one per free article
        init = np.empty(n, dtype=np.int64)
        pins: list[int | None] = []
        pin_cluster: dict[int, int] = {}
        for i, lab in enumerate(fixed):
            if lab is None:
                init[i] = len(pins)
                pins.append(None)
            else:
                lab = int(lab)
                if lab not in pin_cluster:
                    pin_cluster[lab] = len(pins)
                    pins.append(lab)
                init[i] = pin_cluster[lab]
        t0 = time.perf_counter()
        self.vectors_ = self._vectorize(docs) if n else sp.csr_matrix((0, 0), dtype=np.float32)
        self.timings_ = {"vectorize": time.perf_counter() - t0}
        if n == 0:
            self.labels_ = np.zeros(0, dtype=np.int64)
            self.graph_ = sp.csr_matrix((0, 0), dtype=np.float32)
            self.n_groups_ = 0
            return self
        days = np.array([_days(d.get("published")) for d in docs], dtype=np.float64)
        outlet_codes: dict[str, int] = {}
        outlets = np.array(
            [
                outlet_codes.setdefault(o, len(outlet_codes))
                if (o := str(d.get("outlet") or "").strip())
                else -1
                for d in docs
            ],
            dtype=np.int64,
        )
        n_init = len(pins)
        size = np.bincount(init, minlength=n_init).astype(np.float64)
        dated = ~np.isnan(days)
        dmin = np.full(n_init, np.inf)
        dmax = np.full(n_init, -np.inf)
        np.minimum.at(dmin, init[dated], days[dated])
        np.maximum.at(dmax, init[dated], days[dated])
        # pass 1: average linkage on the neighbour graph (fast; a pair missing from the graph counts as 0,
        # so a large event can stay in a few pieces, but no merge is made that the exact linkage refuses)
        self.graph_ = _neighbour_graph(
            self.vectors_,
            days,
            outlets,
            self.window_days,
            self.n_neighbors,
            self.min_edge_sim,
            self.same_outlet_penalty,
            self._n_jobs(),
        )
        coo = self.graph_.tocoo()
        t1 = time.perf_counter()
        self.timings_["graph"] = t1 - t0 - self.timings_["vectorize"]
        root1 = _average_linkage(
            n_init,
            (init[coo.row], init[coo.col], coo.data),
            size,
            dmin,
            dmax,
            pins,
            self.window_days,
            self.threshold,
        )
        t2 = time.perf_counter()
        self.timings_["pass1"] = t2 - t1
        # pass 2: the same linkage between the pieces, with exact totals over all their article pairs
        piece_of_node = np.unique(root1, return_inverse=True)[1].ravel()
        n_pieces = int(piece_of_node.max()) + 1
        piece = piece_of_node[init]
        p_size = np.bincount(piece, minlength=n_pieces).astype(np.float64)
        p_dmin = np.full(n_pieces, np.inf)
        p_dmax = np.full(n_pieces, -np.inf)
        np.minimum.at(p_dmin, piece[dated], days[dated])
        np.maximum.at(p_dmax, piece[dated], days[dated])
        p_pins: list[int | None] = [None] * n_pieces
        for node, lab in enumerate(pins):
            if lab is not None:
                p_pins[piece_of_node[node]] = lab
        pinned_span = max(
            (
                p_dmax[k] - p_dmin[k]
                for k in range(n_pieces)
                if p_pins[k] is not None and p_dmax[k] > p_dmin[k]
            ),
            default=0.0,
        )
        edges2 = _group_similarity_totals(
            self.vectors_,
            piece,
            n_pieces,
            outlets,
            np.where(np.isinf(p_dmin), np.nan, p_dmin),
            max(self.window_days, pinned_span),
            p_size,
            self.same_outlet_penalty,
            self.min_edge_sim,
            self._n_jobs(),
        )
        self.n_pieces_ = n_pieces
        self.n_piece_links_ = int(edges2[0].size)
        t3 = time.perf_counter()
        self.timings_["piece_links"] = t3 - t2
        root2 = _average_linkage(
            n_pieces, edges2, p_size, p_dmin, p_dmax, p_pins, self.window_days, self.threshold
        )
        root = root2[piece_of_node]  # node -> final group (a piece id)
        self.timings_["pass2"] = time.perf_counter() - t3
        final_pin = {int(root[node]): lab for node, lab in enumerate(pins) if lab is not None}
        next_label = max(0, max(pin_cluster) + 1) if pin_cluster else 0
        labels = np.empty(n, dtype=np.int64)
        new_label: dict[int, int] = {}
        for i in range(n):
            r = int(root[init[i]])
            if r in final_pin:
                labels[i] = final_pin[r]
            else:
                if r not in new_label:
                    new_label[r] = next_label
                    next_label += 1
                labels[i] = new_label[r]
        self.labels_ = labels
        self.n_groups_ = len(set(labels.tolist()))
        return self

    def fit_predict(
        self,
        docs: Sequence[Mapping[str, Any]],
        y: None = None,
        *,
        fixed_labels: Sequence[int | None] | None = None,
    ) -> np.ndarray:
        """``fit(docs, fixed_labels=...)`` and return ``labels_``."""
        return self.fit(docs, fixed_labels=fixed_labels).labels_


def group_events(
    docs: Sequence[Mapping[str, Any]],
    *,
    fixed_labels: Sequence[int | None] | None = None,
    window_days: float = DEFAULT_WINDOW_DAYS,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[int]:
    """One event label per document (see the module docstring for the method and ``fixed_labels``).

    ``docs``: mappings with ``title``, ``text``, ``outlet`` and optional ``published`` (datetime,
    date, ISO string or None) and ``lead``.  New groups get labels 0..k-1 in order of first
    appearance, or, with ``fixed_labels``, integers above the largest fixed label.
    """
    grouper = EventGrouper(threshold=threshold, window_days=window_days)
    return [int(x) for x in grouper.fit_predict(docs, fixed_labels=fixed_labels)]


# --------------------------------------------------------------------------------------------
# Naming a new event
# --------------------------------------------------------------------------------------------

MAX_EVENT_TITLE_CHARS = 90  # a name fits a dashboard select box
EVENT_NAME_ENTITIES = 3  # entities in a name made from proper nouns when no headline is usable
EVENT_NAME_TERMS = 3  # terms in a name made from the top terms when there are no proper nouns either
UNTITLED_EVENT = "Untitled event"


def event_title(docs_in_group: Sequence[Mapping[str, Any]]) -> str:
    """A short readable name for a group of articles (used when an event is created automatically).

    The most central usable headline: the headline (its first part, before a subtitle or a
    "| Site" suffix) whose words are most similar to the whole group's text; ties go to the shorter.
    Junk headlines (a bare dateline, one shouted word) are skipped.  When no article has a usable
    headline: the proper nouns most articles share ("Mike Pompeo / Kim Jong Un / North Korea"), else
    the group's top terms, else "Untitled event".  At most MAX_EVENT_TITLE_CHARS characters.
    """
    if not docs_in_group:
        return UNTITLED_EVENT
    parts = [_doc_parts(d) for d in docs_in_group]
    headlines = [_headline(d.get("title")) for d in docs_in_group]
    texts = [f"{title}\n{lead or ''}\n" + "\n".join(paragraphs) for title, lead, paragraphs in parts]
    candidates = [i for i, h in enumerate(headlines) if h]
    vec = TfidfVectorizer(sublinear_tf=True, stop_words="english")
    try:
        x = vec.fit_transform(texts)
    except ValueError:  # no words at all
        x = None
    if candidates and x is not None:
        centroid = np.asarray(x.mean(axis=0)).ravel()
        similarity = vec.transform([headlines[i] for i in candidates]) @ centroid
        best = max(
            range(len(candidates)),
            key=lambda k: (round(float(similarity[k]), 9), -len(headlines[candidates[k]])),
        )
        return _shorten(headlines[candidates[best]])
    # no usable headline: the proper nouns shared by most articles
    counts: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = {}
    for text in texts:
        mentions = [(f, s) for f, s in _entity_mentions(text[:ENTITY_SCAN_CHARS]) if f[0] == "e"]
        counts.update({f for f, _ in mentions})
        for f, s in mentions:
            surfaces.setdefault(f, Counter())[s] += 1
    if counts:
        names: list[str] = []
        for key, _ in sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0])):
            if any(key[2:] in other[2:] for other in names):
                continue  # "pompeo" after "mike pompeo"
            names.append(key)
            if len(names) == EVENT_NAME_ENTITIES:
                break
        return _shorten(" / ".join(surfaces[k].most_common(1)[0][0] for k in names))
    if x is not None:
        weights = np.asarray(x.sum(axis=0)).ravel()
        terms = vec.get_feature_names_out()[np.argsort(-weights, kind="stable")[:EVENT_NAME_TERMS]]
        return _shorten(" ".join(terms))
    return UNTITLED_EVENT


def _headline(title: str | None) -> str:
    """The headline part of a title: the first usable part before a subtitle or site name."""
    for part in _TITLE_PARTS_RE.split((title or "").strip()):
        cleaned = clean_title(part)
        if cleaned:
            return cleaned.rstrip(" .")
    return ""


def _shorten(title: str) -> str:
    title = " ".join(title.split())
    if len(title) <= MAX_EVENT_TITLE_CHARS:
        return title
    cut = title.rfind(" ", 0, MAX_EVENT_TITLE_CHARS - 1)
    return title[: cut if cut > 0 else MAX_EVENT_TITLE_CHARS - 1].rstrip(" ,;:-") + "…"
