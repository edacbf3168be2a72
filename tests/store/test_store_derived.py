"""Precomputed per-article term counts and quotes, and per-outlet term sums (Store.article_derived,
Store.outlet_terms): always equal to computing them from the texts at page time, also after edits,
deletes, restores and corrections."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.compare import wordchoice
from analysis.compare.derived import DERIVED_VERSION, article_derived
from analysis.compare.voice_tables import event_voices
from analysis.store import Store
from tests.store.test_store import make_article, make_scores

TEXTS = [
    ("Rates rise", 'Rates rose. "This is a disaster," said Mayor Ann Reyland. Critics slammed it.'),
    ("Bank moves", "Officials said the move was needed. The governor insisted rates would fall next year."),
    ("Harsh reform", 'A spokesperson said: "We will not back down." The so-called reform angered unions.'),
    ("Calm day", "Markets were calm on Tuesday. Analysts expect little change, according to Bo Diaz."),
]


@pytest.fixture
def store(tmp_path) -> Store:  # noqa: ANN001 - pytest's tmp_path
    s = Store(f"sqlite:///{tmp_path / 'derived.db'}")
    eid = s.get_or_create_event("Rates")
    other = s.get_or_create_event("Markets")
    for i, (title, text) in enumerate(TEXTS):
        url = f"https://o{i % 2}.example/{i}"
        s.add_article(
            make_article(url, title=title, text=text, outlet=f"Outlet {i % 2}"),
            make_scores(),
            canonical_url=url,
            event_id=eid if i < 3 else other,
            source="url",
        )
    return s


def _page_time_terms(store: Store) -> pd.DataFrame:
    return wordchoice.term_counts(store.event_articles(None, with_text=True), by="outlet")


def _stored_terms(store: Store) -> pd.DataFrame:
    return wordchoice.count_table(store.outlet_terms(article_derived, DERIVED_VERSION))


def _assert_equal(store: Store) -> None:
    pd.testing.assert_frame_equal(_stored_terms(store), _page_time_terms(store))
    rows = store.event_articles(None, with_text=True)
    quotes = {
        i: d["quotes"] for i, d in store.article_derived(article_derived, DERIVED_VERSION, None).items()
    }
    meta = store.event_articles(None, with_text=False)
    pd.testing.assert_frame_equal(event_voices(meta, {}, quotes), event_voices(rows, {}))


def test_stored_aggregates_equal_page_time_computation(store: Store) -> None:
    _assert_equal(store)
    assert len(event_voices(store.event_articles(None), {})) >= 4  # the texts have quotes


def test_second_read_uses_stored_rows(store: Store) -> None:
    first = store.outlet_terms(article_derived, DERIVED_VERSION)

    def fail(_title: str, _text: str) -> dict:
        raise AssertionError("recomputed although nothing changed")

    assert store.outlet_terms(fail, DERIVED_VERSION) == first
    assert store.refresh_derived(fail, DERIVED_VERSION) == 0
    calls: list[str] = []

    def count(title: str, text: str) -> dict:
        calls.append(title)
        return article_derived(title, text)

    store.outlet_terms(count, "another version")  # new rules: everything again
    assert len(calls) == len(TEXTS)


def test_equal_after_edit_delete_restore_and_correction(store: Store) -> None:
    _assert_equal(store)
    ids = [r["id"] for r in store.event_articles(None, with_text=False)]
    store.edit_article(ids[0], title="Unprecedented catastrophe looms", outlet="Outlet 9", user="t")
    _assert_equal(store)
    assert "Outlet 9" in _stored_terms(store).columns
    store.delete_article(ids[1], user="t")
    _assert_equal(store)
    store.delete_event("Markets", user="t")
    _assert_equal(store)
    store.restore_event("Markets", user="t")
    store.restore_article(ids[1], user="t")
    _assert_equal(store)
    store.set_correction("dismiss", "disaster", user="t")  # spans change, words and quotes do not
    _assert_equal(store)


def test_ingest_stores_the_derived_rows(tmp_path) -> None:  # noqa: ANN001 - pytest's tmp_path
    from analysis.pipeline import ingest_text

    store = Store(f"sqlite:///{tmp_path / 'ingest.db'}")
    ingest_text(store, TEXTS[0][1], title=TEXTS[0][0], outlet="Outlet", event="Rates")

    def fail(_title: str, _text: str) -> dict:
        raise AssertionError("not stored at ingest")

    assert store.refresh_derived(fail, DERIVED_VERSION) == 0


def test_read_only_database_computes_in_memory(store: Store, tmp_path) -> None:  # noqa: ANN001
    expected = _page_time_terms(store)
    store.engine.dispose()
    ro = Store(f"sqlite:///{tmp_path / 'derived.db'}", read_only=True)
    pd.testing.assert_frame_equal(
        wordchoice.count_table(ro.outlet_terms(article_derived, DERIVED_VERSION)), expected
    )


def test_prior_from_stored_terms_equals_prior_from_texts(store: Store) -> None:
    ids = store.sample_ids(wordchoice.PRIOR_SAMPLE_ARTICLES)
    stored = wordchoice.prior_from_terms(store.event_article_terms(article_derived, DERIVED_VERSION, ids))
    expected = wordchoice.database_prior(store.text_sample(wordchoice.PRIOR_SAMPLE_ARTICLES))
    pd.testing.assert_series_equal(stored, expected)


def test_coverage_and_blindspots_need_no_text(store: Store) -> None:
    from analysis.compare import coverage

    full, meta = store.event_articles(None, with_text=True), store.event_articles(None, with_text=False)
    pd.testing.assert_frame_equal(
        coverage.coverage_over_time(meta, "W"), coverage.coverage_over_time(full, "W")
    )
    groups = {"Outlet 0": "left", "Outlet 1": "right"}
    pd.testing.assert_frame_equal(coverage.blindspots(meta, groups), coverage.blindspots(full, groups))


def test_flagged_words_need_no_sentences(store: Store) -> None:
    from analysis.compare.corrections import correct_rows
    from analysis.compare.summary import flagged_words

    store.set_correction("dismiss", "disaster", event="Rates", user="t")
    corr = store.corrections(None)
    light = store.event_articles(None, with_text=True, sentences=False)
    assert all(r["sentences"] == [] for r in light)
    pd.testing.assert_frame_equal(
        flagged_words(correct_rows(light, corr)),
        flagged_words(correct_rows(store.event_articles(None, with_text=True), corr)),
    )


def test_rows_without_text_equal_rows_with_text_minus_text(store: Store) -> None:
    store.delete_article(store.event_articles(None)[0]["id"], user="t")
    full, meta = store.event_articles(None, with_text=True), store.event_articles(None, with_text=False)
    heavy = {"text", "spans", "sentences", "headline_spans"}
    assert meta == [{k: v for k, v in r.items() if k not in heavy} for r in full]
    eid = full[0]["event_id"]
    assert store.event_articles(eid, with_text=False) == [m for m in meta if m["event_id"] == eid]
