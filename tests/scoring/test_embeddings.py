"""The static embedding model ships in the wordllama wheel: loaded offline, unit vectors, cached."""

from __future__ import annotations

import numpy as np

from analysis.scoring import embeddings


def test_texts_embed_to_unit_vectors_and_blank_text_to_zeros() -> None:
    vecs = embeddings.embed_texts(["Sales fell sharply.", "", "Sales fell sharply."])
    assert vecs.shape == (3, embeddings.MODEL_DIM)
    assert np.isclose(np.linalg.norm(vecs[0]), 1.0, atol=1e-4)
    assert not vecs[1].any()
    assert np.array_equal(vecs[0], vecs[2])


def test_meaning_is_closer_than_unrelated_text() -> None:
    a, b, c = embeddings.embed_words(["declined", "fell", "banana"])
    assert a @ b > a @ c


def test_results_are_cached_per_text() -> None:
    embeddings.embed_texts(["A cached sentence about the budget."])
    assert "A cached sentence about the budget." in embeddings._TEXT_CACHE
