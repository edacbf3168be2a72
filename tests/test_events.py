"""Automatic grouping of articles into events (analysis/events.py).

The fixture tests/fixtures/events/articles.json holds 13 short fictional articles: 3 on a bridge
collapse, 3 on a central bank rate rise, 3 on a Moon landing, 2 on a teachers' strike, a second
strike by the same teachers a month later, and an unrelated recipe, from 5 outlets.
"""

from __future__ import annotations

import json
import random
import tracemalloc
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score

from analysis import events
from analysis.bench.grouping_eval import bcubed, eval_grouping, synthetic_corpus
from analysis.events import (
    EventGrouper,
    NewsTfidf,
    clean_title,
    entity_features,
    event_title,
    group_events,
)

FIXTURE = Path(__file__).parent / "fixtures" / "events" / "articles.json"


@pytest.fixture(scope="module")
def articles() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))["articles"]


def by_id(articles: list[dict]) -> dict[str, int]:
    return {a["id"]: i for i, a in enumerate(articles)}


def partition(labels: list[int]) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = defaultdict(set)
    for i, label in enumerate(labels):
        groups[label].add(i)
    return {frozenset(g) for g in groups.values()}


# --------------------------------------------------------------------------------------------
# Grouping
# --------------------------------------------------------------------------------------------


def test_groups_match_the_known_events(articles):
    labels = group_events(articles)
    assert partition(labels) == partition([hash(a["event"]) for a in articles])
    assert sorted(set(labels)) == list(range(6))  # labels 0..k-1
    assert labels[0] == 0  # in order of first appearance


def test_date_window_splits_similar_stories_a_month_apart(articles):
    ids = by_id(articles)
    may, june = ids["strike-herald"], ids["strike-june"]
    labels = group_events(articles)
    assert labels[may] != labels[june]
    # the texts are alike: with a window wide enough (and no dates at all) they do group
    assert group_events(articles, window_days=60)[may] == group_events(articles, window_days=60)[june]
    undated = [dict(a, published=None) for a in articles]
    assert group_events(undated)[may] == group_events(undated)[june]


def test_same_outlet_pairs_are_penalised_not_forbidden():
    base = {"outlet": "Same Outlet", "published": datetime(2026, 5, 4, tzinfo=UTC)}
    text = "The Kestrel-2 lander touched down near the Halvard crater, mission director Anika Sorvan said."
    docs = [
        dict(base, title="Kestrel-2 lands near the Halvard crater", text=text),
        dict(base, title="Kestrel-2 lander reaches the Halvard crater", text=text + " Its panels opened."),
    ]
    assert group_events(docs) == [0, 0]  # one outlet may publish two articles on one event
    penalised = EventGrouper(same_outlet_penalty=0.05).fit(docs).graph_.data
    free = EventGrouper(same_outlet_penalty=0.0).fit(docs).graph_.data
    assert penalised == pytest.approx(free - 0.05)


def test_empty_input_and_single_document(articles):
    assert group_events([]) == []
    grouper = EventGrouper().fit([])
    assert grouper.labels_.tolist() == [] and grouper.n_groups_ == 0
    assert group_events(articles[:1]) == [0]
    assert group_events([], fixed_labels=[]) == []


def test_documents_with_empty_text(articles):
    empty = [{"title": "", "text": "", "outlet": "X"}, {"title": None, "text": None, "outlet": ""}]
    assert group_events(empty) == [0, 1]  # nothing in common: each alone
    mixed = articles[:3] + empty
    labels = group_events(mixed)
    assert labels[0] == labels[1] == labels[2]
    assert len({labels[0], labels[3], labels[4]}) == 3


def test_deterministic_and_independent_of_input_order(articles):
    first = group_events(articles)
    assert group_events(articles) == first
    order = list(range(len(articles)))
    random.Random(3).shuffle(order)
    shuffled = group_events([articles[i] for i in order])
    back = [0] * len(articles)
    for pos, i in enumerate(order):
        back[i] = shuffled[pos]
    assert partition(back) == partition(first)


def test_sklearn_conventions(articles):
    grouper = EventGrouper(threshold=0.3, window_days=2.0)
    assert grouper.fit(articles) is grouper
    assert grouper.labels_.tolist() == grouper.fit_predict(articles).tolist()
    names = grouper.get_feature_names_out()
    assert len(names) == grouper.vectors_.shape[1]
    assert "saltmarsh bridge" in set(names)  # a bigram
    assert "e:ilse granvik" in set(names) and "n:6.5%" in set(names)  # an entity, a number
    with pytest.raises(AttributeError):
        EventGrouper().get_feature_names_out()
    with pytest.raises(ValueError):
        grouper.fit(articles, fixed_labels=[None])


def test_threshold_controls_granularity(articles):
    n_groups = [len(set(group_events(articles, threshold=t))) for t in (0.01, 0.26, 0.99)]
    assert n_groups[0] < n_groups[1] < n_groups[2] == len(articles)


# --------------------------------------------------------------------------------------------
# User edits: fixed_labels
# --------------------------------------------------------------------------------------------


def test_pinned_documents_keep_their_labels(articles):
    ids = by_id(articles)
    fixed = [None] * len(articles)
    fixed[ids["bridge-herald"]] = 7
    fixed[ids["unrelated-recipe"]] = 7  # an unrelated article pinned with it: the user's choice stands
    fixed[ids["probe-wire"]] = 3
    labels = group_events(articles, fixed_labels=fixed)
    for i, f in enumerate(fixed):
        if f is not None:
            assert labels[i] == f
    # free articles that join no pinned group get new labels above every fixed one
    new = {labels[i] for i, f in enumerate(fixed) if f is None and labels[i] not in (3, 7)}
    assert new and min(new) == 8


def test_free_document_joins_the_pinned_group_it_belongs_to(articles):
    ids = by_id(articles)
    fixed = [None] * len(articles)
    fixed[ids["probe-wire"]] = 42
    fixed[ids["probe-post"]] = 42
    labels = group_events(articles, fixed_labels=fixed)
    assert labels[ids["probe-meridian"]] == 42
    assert labels[ids["bridge-herald"]] != 42


def test_different_pinned_labels_never_merge(articles):
    ids = by_id(articles)
    fixed = [None] * len(articles)
    fixed[ids["bridge-herald"]] = 1  # the user split the bridge story in two
    fixed[ids["bridge-meridian"]] = 2
    labels = group_events(articles, fixed_labels=fixed)
    assert labels[ids["bridge-herald"]] == 1 and labels[ids["bridge-meridian"]] == 2
    assert labels[ids["bridge-post"]] in (1, 2)  # the free one joins one side, never both
    # even at a threshold where everything else merges
    loose = group_events(articles, fixed_labels=fixed, threshold=0.0001)
    assert loose[ids["bridge-herald"]] == 1 and loose[ids["bridge-meridian"]] == 2


def test_pinned_group_keeps_dissimilar_members_and_regrouping_is_stable(articles):
    ids = by_id(articles)
    first = group_events(articles)
    # re-group with every article pinned where it is: nothing moves
    assert group_events(articles, fixed_labels=first) == first
    # pin the June strike into the May strike's event: it stays, though outside the date window
    fixed = [None] * len(articles)
    fixed[ids["strike-herald"]] = 5
    fixed[ids["strike-june"]] = 5
    labels = group_events(articles, fixed_labels=fixed)
    assert labels[ids["strike-herald"]] == labels[ids["strike-june"]] == labels[ids["strike-wire"]] == 5


# --------------------------------------------------------------------------------------------
# Pieces
# --------------------------------------------------------------------------------------------


def test_news_tfidf_equals_sklearn_tfidf_vectorizer(articles):
    docs = [dict(a) for a in articles]
    docs[4]["lead"] = "A lead given with the article about the Bank of Ostria."
    parts = [events._doc_parts(d) for d in docs]
    for max_df, min_df in ((1.0, 1), (0.5, 2), (4, 1)):
        ours = NewsTfidf(max_df=max_df, min_df=min_df)
        full, title, lead, _ = ours.fit_transform(docs)
        ref = TfidfVectorizer(
            sublinear_tf=True, stop_words="english", ngram_range=(1, 2), max_df=max_df, min_df=min_df
        )
        ref_full = ref.fit_transform([t + "\n" + "\n".join(ps) for t, _, ps in parts])
        leads = [
            given
            if given is not None
            else " ".join(events._tokens("\n".join(ps[:2]))[: events.LEAD_MAX_TOKENS])
            for _, given, ps in parts
        ]
        names = ours.get_feature_names_out().astype(str)
        order = np.argsort(names)
        assert names[order].tolist() == ref.get_feature_names_out().tolist()
        np.testing.assert_allclose(full[:, order].toarray(), ref_full.toarray(), atol=1e-6)
        np.testing.assert_allclose(
            title[:, order].toarray(), ref.transform([t for t, _, _ in parts]).toarray(), atol=1e-6
        )
        np.testing.assert_allclose(lead[:, order].toarray(), ref.transform(leads).toarray(), atol=1e-6)


def test_sparse_average_linkage_equals_scipy_average_linkage():
    rng = np.random.default_rng(7)
    for n in (12, 40):
        points = rng.random((n, 6)) ** 3
        sim = points @ points.T / np.outer(np.linalg.norm(points, axis=1), np.linalg.norm(points, axis=1))
        iu = np.triu_indices(n, 1)
        edges = (iu[0].astype(np.int64), iu[1].astype(np.int64), sim[iu])
        no_date = np.full(n, np.inf), np.full(n, -np.inf)
        for threshold in (0.5, 0.7, 0.85):
            args = (np.ones(n), *no_date, [None] * n, 3.0, threshold)
            ours = events._average_linkage(n, edges, *args)
            heap = events._average_linkage_heap(n, edges, *args)
            tree = linkage(squareform(1 - sim, checks=False), method="average")
            ref = fcluster(tree, t=1 - threshold, criterion="distance")
            assert adjusted_rand_score(ref, ours) == pytest.approx(1.0)
            assert adjusted_rand_score(ref, heap) == pytest.approx(1.0)


def test_clean_title_drops_junk():
    assert clean_title("WEST PALM BEACH, Fla. —") == ""
    assert clean_title("DESPERATION:") == ""
    assert clean_title("WASHINGTON —") == ""
    assert (
        clean_title("Bridge collapses in Port Velmar | Coastal Herald") == "Bridge collapses in Port Velmar"
    )
    assert clean_title("Bridge collapses in Port Velmar") == "Bridge collapses in Port Velmar"
    assert clean_title(None) == ""


def test_entity_features():
    feats = entity_features(
        "CIA Director Mike Pompeo met Kim Jong Un. Mr. Pompeo said the visit cost $3.5 billion, "
        "up 17% from 4,200 in 2016. The Bank of England agreed. However, 3 people left."
    )
    assert {"e:cia", "e:mike pompeo", "e:pompeo", "e:kim jong un", "e:bank of england"} <= set(feats)
    assert {"n:$3.5billion", "n:17%", "n:4200"} <= set(feats)
    assert "e:however" not in feats and "e:the" not in feats  # capitalised by position only
    assert "n:2016" not in feats and "n:3" not in feats  # years and small numbers identify nothing


def test_event_title(articles):
    bridge = [a for a in articles if a["event"] == "bridge"]
    title = event_title(bridge)
    assert title in {a["title"] for a in bridge}
    no_titles = [dict(a, title="WASHINGTON —") for a in bridge]
    assert "Saltmarsh Bridge" in event_title(no_titles)
    assert event_title([]) == "Untitled event"
    assert event_title([{"title": "", "text": ""}]) == "Untitled event"
    assert len(event_title([{"title": "Word " * 60, "text": ""}])) <= events.MAX_EVENT_TITLE_CHARS


def test_bcubed():
    assert bcubed([1, 1, 2, 2], [1, 1, 2, 2]) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    one = bcubed([1, 1, 2, 2], [0, 0, 0, 0])
    assert one["precision"] == 0.5 and one["recall"] == 1.0
    singletons = bcubed([1, 1, 2, 2], [0, 1, 2, 3])
    assert singletons["precision"] == 1.0 and singletons["recall"] == 0.5


def test_eval_grouping_skips_without_data(tmp_path):
    assert "skipped" in eval_grouping(tmp_path)


# --------------------------------------------------------------------------------------------
# Scale smoke test
# --------------------------------------------------------------------------------------------


def test_scale_no_dense_matrix():
    n = 4000
    docs, gold = synthetic_corpus(n, seed=2, words=40)
    tracemalloc.start()
    try:
        grouper = EventGrouper(n_jobs=1).fit(docs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    dense_bytes = n * n * 8  # one float64 n x n similarity matrix: 128 MB
    assert peak < dense_bytes / 3
    assert grouper.graph_.nnz <= n * events.N_NEIGHBORS
    assert adjusted_rand_score(gold, grouper.labels_) > 0.9


def test_dates_accept_datetime_date_string_and_naive():
    day = datetime(2026, 5, 4, 12, tzinfo=UTC)
    assert events._days(day) == pytest.approx(events._days(day.replace(tzinfo=None)))
    assert events._days(day.isoformat()) == pytest.approx(events._days(day))
    assert events._days(day.date()) == pytest.approx(events._days(day) - 0.5)
    assert np.isnan(events._days(None)) and np.isnan(events._days("not a date"))
    assert events._days(day + timedelta(days=2)) - events._days(day) == pytest.approx(2.0)
