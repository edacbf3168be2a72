"""Static text embeddings for matching sentences by meaning (:mod:`analysis.compare.same_fact`).

The model is WordLlama's ``l2_supercat`` at 256 dimensions (``wordllama==0.4.0.post1``, pinned in
requirements.txt): 32k token embeddings, average-pooled, shipped inside the wheel (16 MB), so nothing
is downloaded at run time.  It is loaded on first use and kept for the process.  Measured on this
machine: ~9,000 sentences/s on one core; the load takes ~0.2 s.

Licence: the package and its weights are published under MIT.  Its model card says the weights were
trained from the token-embedding codebooks of LLaMA 2 70B and phi-3 medium; it states no separate
licence for that derivation (see README, "What the scores mean").

Embeddings are unit vectors (a zero vector for a text with no token).  Results are cached per text
and per word in bounded process-wide dicts, so a page that re-aligns an event pays once.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MODEL_CONFIG = "l2_supercat"  # WordLlama's default model, the one the wheel ships
MODEL_DIM = 256  # the wheel's weights file is l2_supercat_256.safetensors
CACHE_MAX = 200_000  # texts (or words) kept per cache; cleared whole when full (bounded memory)
BATCH = 2_048  # texts per call into the model


@lru_cache(maxsize=1)
def _model() -> Any:
    import wordllama
    from wordllama import WordLlama

    # WordLlama's own offline path looks in "tokenizer/" but the wheel ships "tokenizers/": point it
    # at the package folder, and never let it reach the model hub.
    return WordLlama.load(
        config=MODEL_CONFIG,
        dim=MODEL_DIM,
        cache_dir=Path(wordllama.__file__).parent,
        disable_download=True,
    )


_TEXT_CACHE: dict[str, np.ndarray] = {}
_WORD_CACHE: dict[str, np.ndarray] = {}


def _embed_cached(texts: Sequence[str], cache: dict[str, np.ndarray]) -> np.ndarray:
    out = np.zeros((len(texts), MODEL_DIM), dtype=np.float32)
    todo = list(dict.fromkeys(t for t in texts if t not in cache and t.strip()))
    if todo:
        if len(cache) + len(todo) > CACHE_MAX:
            cache.clear()
        model = _model()
        for k in range(0, len(todo), BATCH):
            chunk = todo[k : k + BATCH]
            vecs = np.asarray(model.embed(chunk), dtype=np.float32)
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            vecs = np.divide(vecs, norms, out=np.zeros_like(vecs), where=norms > 0)
            cache.update(zip(chunk, vecs, strict=True))
    for i, t in enumerate(texts):
        v = cache.get(t)
        if v is not None:
            out[i] = v
    return out


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    """(len(texts), MODEL_DIM) unit vectors, one per text (zeros for a blank text)."""
    return _embed_cached(texts, _TEXT_CACHE)


def embed_words(words: Sequence[str]) -> np.ndarray:
    """(len(words), MODEL_DIM) unit vectors, one per word, each embedded on its own."""
    return _embed_cached(words, _WORD_CACHE)
