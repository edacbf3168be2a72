"""Automatic grouping of articles into events (analysis/events/).

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
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import normalize

from analysis.bench.grouping_eval import bcubed, eval_grouping, main, synthetic_corpus
from analysis.events import features, graph, tokens
from analysis.events.features import NewsTfidf
from analysis.events.grouper import MAX_EVENT_TITLE_CHARS, EventGrouper, event_title, group_events
from analysis.events.linkage import _average_linkage, _average_linkage_heap
from analysis.events.names import _NUMBER_RE, _doc_parts, _numbers, clean_title, entity_features

FIXTURE = Path(__file__).parent.parent / "fixtures" / "events" / "articles.json"


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
    parts = [_doc_parts(d) for d in docs]
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
            else " ".join(tokens._tokens("\n".join(ps[:2]))[: tokens.LEAD_MAX_TOKENS])
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
            ours = _average_linkage(n, edges, *args)
            heap = _average_linkage_heap(n, edges, *args)
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
    assert len(event_title([{"title": "Word " * 60, "text": ""}])) <= MAX_EVENT_TITLE_CHARS


def test_bcubed():
    assert bcubed([1, 1, 2, 2], [1, 1, 2, 2]) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    one = bcubed([1, 1, 2, 2], [0, 0, 0, 0])
    assert one["precision"] == 0.5 and one["recall"] == 1.0
    singletons = bcubed([1, 1, 2, 2], [0, 1, 2, 3])
    assert singletons["precision"] == 1.0 and singletons["recall"] == 0.5


def test_eval_grouping_skips_without_data(tmp_path):
    assert "skipped" in eval_grouping(tmp_path)


def test_bench_command_line(capsys):
    assert main(["--words", "30", "--bench", "60"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 60 and result["words_per_article"] == 30
    assert {"group_s", "group_cpu_s", "peak_rss_mb", "stages_s", "load_average", "ari"} <= set(result)


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
    assert grouper.graph_.nnz <= n * graph.N_NEIGHBORS
    assert adjusted_rand_score(gold, grouper.labels_) > 0.9


def test_dates_accept_datetime_date_string_and_naive():
    day = datetime(2026, 5, 4, 12, tzinfo=UTC)
    assert graph._days(day) == pytest.approx(graph._days(day.replace(tzinfo=None)))
    assert graph._days(day.isoformat()) == pytest.approx(graph._days(day))
    assert graph._days(day.date()) == pytest.approx(graph._days(day) - 0.5)
    assert np.isnan(graph._days(None)) and np.isnan(graph._days("not a date"))
    assert graph._days(day + timedelta(days=2)) - graph._days(day) == pytest.approx(2.0)


# --------------------------------------------------------------------------------------------
# Fast paths: each equals the plain computation it replaces
# --------------------------------------------------------------------------------------------

TRICKY_TEXTS = [
    "Don’t stop: O'Brien's “quoted” words — and ‘single’ ones… it’s",
    "Café déjà-vu naïve Zürich façade; ŁÓDŹ İstanbul ǅemal ΣΊΣΥΦΟΣ",  # İ lower-cases to 2 characters
    "COVID-19 2,000 3.5% $4bn A1 b2 x_y __init__ 1st 2nd ١٢٣ ٤",
    "tabs\tand\nnewlines\x1cfile\x1dsep\u00a0nbsp\u2003em\u3000ideographic\u2028line",
    "北京 东京 日本語テスト 한국어 עברית العربية हिन्दी",
    "emoji 😀 party🎉time ∑math≥ √2 ½ ² ³ ① Ⅻ",
    "zero\u200bwidth soft\u00adhyphen combining e\u0301 a\u0308 \ud800 lone surrogate",
    "many: " + "".join(chr(c) for c in range(0x2010, 0x2030)) + " end",  # > MAX_REPLACED_CHARS kinds
    "a b c I x",
    "",
]


def test_tokens_equal_scikit_learn_analyzer():
    reference = TfidfVectorizer(stop_words="english").build_analyzer()
    for text in TRICKY_TEXTS:
        assert tokens._tokens(text) == reference(text), text
    # any character between words (every code point once checked; here a sample)
    for cp in [*range(0x2100), *range(0x2100, 0x110000, 17)]:
        text = f"ab{chr(cp)}cd {chr(cp) * 2}x Y{chr(cp)} {chr(cp)}"
        assert tokens._tokens(text) == reference(text), hex(cp)


def test_numbers_of_ascii_text_equal_the_unicode_regex():
    tricky = [
        "$3.5 billion, 4,200 and 17% (12345,678) a1,000 .5 1.5.6 $,100 x$12 $$12 1,23 0,000",
        "1,234,567.89 million; 2016; 99 km; 5\x1cpercent 5\x1dmillion 7 per cent 8\tbn _9 9_ 12,345.6%",
        "€12 £3 and ٣ are not ASCII",
    ]
    rng = random.Random(5)
    pieces = [*"0123456789$,. \x1c\t\n%aZ_-", "percent", "per cent", "million", "bn", "km", "1,000", "3.5"]
    texts = tricky + ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    for text in texts:
        assert _numbers(text) == _NUMBER_RE.findall(text), text


def test_unique_inverse_and_count_matrix_equal_numpy_and_scipy():
    rng = np.random.default_rng(4)
    for n, high in ((0, 5), (1, 5), (1000, 7), (5000, 10**9)):
        values = rng.integers(0, high, n)
        unique, inverse = features._unique_inverse(values)
        ref_unique, ref_inverse = np.unique(values, return_inverse=True)
        assert np.array_equal(unique, ref_unique) and np.array_equal(inverse, ref_inverse.ravel())
    lengths = rng.integers(0, 9, 40)
    cols = rng.integers(0, 30, int(lengths.sum()))
    more = rng.integers(0, 4, 40)
    more_cols = rng.integers(0, 5, int(more.sum()))
    x = features._count_matrix([(lengths, cols, 0), (more, more_cols, 30)], (40, 35))
    rows = np.concatenate([np.repeat(np.arange(40), lengths), np.repeat(np.arange(40), more)])
    ref = sp.csr_matrix((np.ones(rows.size), (rows, np.concatenate([cols, more_cols + 30]))), shape=(40, 35))
    assert x.has_sorted_indices and x.dtype == np.float32
    assert np.array_equal(x.toarray(), ref.toarray())
    kept, new_lengths = tokens._drop_negative(lengths, np.where(cols % 3 == 0, -1, cols))[::-1]
    assert np.array_equal(kept, cols[cols % 3 != 0])
    assert new_lengths.sum() == kept.size and np.all(new_lengths <= lengths)
    keep = rng.random(35) < 0.6
    assert np.array_equal(features._map_columns(x, keep).toarray(), x.toarray()[:, keep])


def test_top_per_row_equals_lexsort():
    rng = np.random.default_rng(8)
    for _ in range(200):
        m, k = int(rng.integers(0, 300)), int(rng.integers(1, 20))
        r = rng.integers(0, int(rng.integers(1, 30)), m) * int(rng.integers(1, 100_000))
        c = rng.integers(0, 50, m)
        s = np.round(rng.random(m), int(rng.integers(1, 8))) - 0.05 * (rng.random(m) < 0.3)  # ties
        order = np.lexsort((c, -s, r))
        first = np.concatenate([[True], r[order][1:] != r[order][:-1]]) if m else np.zeros(0, bool)
        starts = np.flatnonzero(first)
        rank = np.arange(m) - np.repeat(starts, np.diff(np.append(starts, m)))
        ref = order[rank < k]
        got = graph._top_per_row(r, c, s, k)
        assert np.array_equal(r[got], r[ref]) and np.array_equal(s[got], s[ref])
        assert np.array_equal(c[got], c[ref])


def _prune_rows_reference(x: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """The pruning as first written: one stable float sort on 2 * row - weight."""
    x = normalize(x.tocsr(), copy=True)
    lengths = np.diff(x.indptr)
    if lengths.max(initial=0) <= keep:
        return x
    row_ids = np.repeat(np.arange(x.shape[0], dtype=np.float64), lengths)
    order = np.argsort(2.0 * row_ids - x.data, kind="stable")
    rank = np.arange(x.nnz) - x.indptr[row_ids[order].astype(np.int64)]
    kept = order[rank < keep]
    indptr = np.concatenate([[0], np.cumsum(np.minimum(lengths, keep))])
    return normalize(sp.csr_matrix((x.data[kept], x.indices[kept], indptr), shape=x.shape))


def test_prune_rows_equals_the_reference_sort():
    rng = np.random.default_rng(3)
    x = sp.random(300, 200, density=0.3, format="csr", dtype=np.float32, random_state=3)
    x.data = np.round(x.data * 8).astype(np.float32) + 1  # many ties
    # a far row (its float key rounds: tiny different weights tie) with one heavy weight
    far = sp.csr_matrix(
        (np.r_[1.0, 1e-6, 1e-6 + 1e-12, rng.random(5) * 1e-6].astype(np.float32), np.arange(8), [0, 8]),
        shape=(1, 200),
    )
    cases = [x, sp.vstack([sp.csr_matrix((2**17, 200), dtype=np.float32), far]).tocsr()]
    for case, expect_fast in zip(cases, (True, False), strict=True):
        assert (features._heaviest_first(normalize(case), 4) is not None) == expect_fast
        for keep in (1, 4, 50):
            got, ref = features._prune_rows(case.copy(), keep), _prune_rows_reference(case, keep)
            assert np.array_equal(got.indptr, ref.indptr) and np.array_equal(got.indices, ref.indices)
            assert np.array_equal(got.data, ref.data)


def _blocked_products_reference(x, days, reach, min_dot):
    """The date-blocked products as first written: each chunk times its window's rows transposed."""
    n = x.shape[0]
    dated = ~np.isnan(days)
    order = np.argsort(np.where(dated, days, np.inf), kind="stable")
    n_dated, sorted_days, xs = int(dated.sum()), days[order][: int(dated.sum())], x[order].tocsr()
    for start in range(0, n, graph.CHUNK_ROWS):
        stop = min(n, start + graph.CHUNK_ROWS)
        ranges = [(0, n)]
        if stop <= n_dated:
            lo = int(np.searchsorted(sorted_days, sorted_days[start] - reach, side="left"))
            hi = int(np.searchsorted(sorted_days, sorted_days[stop - 1] + reach, side="right"))
            ranges = [(lo, hi), (n_dated, n)]
        rows, cols, dots = [], [], []
        for lo, hi in ranges:
            if hi > lo:
                block = (xs[start:stop] @ xs[lo:hi].T.tocsr()).tocsr()
                big = np.flatnonzero(block.data >= min_dot)
                rows.append(np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))[big] + start)
                cols.append(block.indices[big] + lo)
                dots.append(block.data[big])
        yield order[np.concatenate(rows)], order[np.concatenate(cols)], np.concatenate(dots)


def test_date_blocked_products_equal_the_reference():
    rng = np.random.default_rng(6)
    n = 1300  # several chunks
    x = normalize(sp.random(n, 400, density=0.02, format="csr", dtype=np.float32, random_state=6))
    days = np.where(rng.random(n) < 0.1, np.nan, rng.uniform(0, 40, n))
    reference = list(_blocked_products_reference(x, days, 3.0, 0.05))
    dense = (x @ x.T).toarray()
    close = ~(np.abs(days[:, None] - days[None, :]) > 3.0)  # NaN: undated, always compared
    for threads in (1, 2):
        chunks = list(graph._date_blocked_products(x, days, 3.0, 0.05, threads))
        assert len(chunks) == len(reference)
        for (r, c, s), (ref_r, ref_c, ref_s) in zip(chunks, reference, strict=True):
            order, ref_order = np.lexsort((c, r)), np.lexsort((ref_c, ref_r))  # same pairs, same floats
            assert np.array_equal(r[order], ref_r[ref_order]) and np.array_equal(c[order], ref_c[ref_order])
            assert np.array_equal(s[order], ref_s[ref_order])
        found = {(i, j) for r, c, _ in chunks for i, j in zip(r.tolist(), c.tolist(), strict=True)}
        assert found >= set(map(tuple, np.argwhere((dense >= 0.05 + 1e-6) & close).tolist()))


def test_parallel_tokenizing_equals_serial(monkeypatch):
    docs, _ = synthetic_corpus(700, seed=4, words=60)
    docs[3] = dict(docs[3], lead="A lead given with the article.")
    monkeypatch.setattr(tokens, "ANALYZE_CHUNK_MIN_DOCS", 40)  # many slices for both processes
    serial_vocab, serial = tokens._analyze(docs, 1)
    vocab, parallel = tokens._analyze(docs, 2)
    assert vocab == serial_vocab and parallel["ents"] == serial["ents"]
    for key in ("full", "given_lead"):
        assert all(np.array_equal(a, b) for a, b in zip(parallel[key], serial[key], strict=True))
    for key in ("title_len", "lead_len"):
        assert np.array_equal(parallel[key], serial[key])


def test_a_handful_of_reports_of_one_story_is_one_event() -> None:
    """In a small collection the story's own words are in every article; against the notional
    background of _background_idf they still count (the corpus idf alone gave 3 events here)."""
    from analysis.ingest.extract import extract_article, page_url_hint

    demo = Path(__file__).resolve().parent.parents[1] / "data" / "demo"

    def load(event: str) -> list[dict]:
        docs = []
        for f in sorted((demo / event).glob("*.html")):
            html = f.read_text("utf-8")
            a = extract_article(html, page_url_hint(html))
            docs.append({"title": a.title, "text": a.text, "outlet": a.outlet, "published": a.published})
        return docs

    visit, budget = load("state-visit-cancelled"), load("brennick-budget")
    assert len(set(group_events(visit))) == 1
    labels = group_events(visit + budget)  # and two stories stay apart
    assert len(set(labels[: len(visit)]) & set(labels[len(visit) :])) == 0
    df = np.array([5, 1])
    assert np.allclose(features._background_idf(df, 5), np.log(51 / np.array([6, 2])) + 1)
    assert np.allclose(features._background_idf(df, 80), np.log(81 / np.array([6, 2])) + 1)
