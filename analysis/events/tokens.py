"""Event features: tokenising articles into integer ids, as scikit-learn's ``TfidfVectorizer``
tokenises (stop words dropped), in worker processes for big corpora; the entity features are
read at the same time.

The method as a whole: :mod:`analysis.events.grouper`.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from analysis.events.names import ENTITY_SCAN_CHARS, _parts, _raw, entity_features

LEAD_PARAGRAPHS = 2  # the lead is the first paragraphs of the body ...
LEAD_MAX_TOKENS = 80  # ... cut to this many tokens without stop words (~700 characters): one-line texts


# --------------------------------------------------------------------------------------------
# Vectors
# --------------------------------------------------------------------------------------------

# Tokens: scikit-learn's default token pattern r"(?u)\b\w\w+\b" finds the runs of at least two word
# characters (\w: letters, digits, "_").  The runs are found without a regex, 3x faster: every
# non-word character becomes a space (ASCII ones with one byte table on the UTF-8 text, the few
# others by str.replace) and the text is split on spaces.  Words are mapped to integer ids as bytes,
# stop words and one-letter words included; those are dropped later in NumPy, by id.
_ASCII_NON_WORD = bytes(c for c in range(128) if not (chr(c).isalnum() or chr(c) == "_"))
_TO_SPACE = bytes.maketrans(_ASCII_NON_WORD, b" " * len(_ASCII_NON_WORD))
_NON_ASCII_NON_WORD_RE = re.compile(r"[^\x00-\x7f\w]")
MAX_REPLACED_CHARS = 8  # more distinct non-word characters than this: one regex substitution instead
PARALLEL_MIN_DOCS = 5_000  # below this, one process (starting the workers costs ~1 s)
# Articles per unit of work of the tokenizing processes: this process takes units from the end of the
# queue while the workers take them from the start, so all finish together whatever each one's speed.
ANALYZE_CHUNK_MIN_DOCS = 500
ANALYZE_CHUNK_MAX_DOCS = 2_500
ANALYZE_CHUNKS_PER_JOB = 8
WORKER_QUEUED_CHUNKS = 3  # slices queued for each worker: it never waits while this process works on one


def _words(text: str) -> list[bytes]:
    """The runs of word characters (regex ``\\w+``) of the lower-cased ``text``, UTF-8 encoded, in order.

    Stop words and one-character words included: :func:`_tokens` drops them.
    """
    low = text.lower()
    if not low.isascii():  # non-word characters beyond ASCII (’ “ — …) become spaces too
        others = set(_NON_ASCII_NON_WORD_RE.findall(low))
        if len(others) > MAX_REPLACED_CHARS:
            low = _NON_ASCII_NON_WORD_RE.sub(" ", low)
        else:
            for ch in others:
                low = low.replace(ch, " ")
    return low.encode().translate(_TO_SPACE).split()


def _is_token(word: str) -> bool:
    """Whether a word counts as a token: two characters or more, not an English stop word."""
    return len(word) > 1 and word not in ENGLISH_STOP_WORDS


def _tokens(text: str) -> list[str]:
    """Lower-cased tokens without English stop words, as TfidfVectorizer(stop_words="english")."""
    return [w for w in map(bytes.decode, _words(text)) if _is_token(w)]


def _analyze_chunk(raw_docs: Sequence[tuple[Any, Any, Any]]) -> dict[str, Any]:
    """Tokens (as ids into a chunk vocabulary) and entity features of (title, text, lead) triples.

    Runs in a worker process for big corpora.  ``vocab``: the tokens by id, in order of first
    appearance; ``tokens``: the ids of the tokens of the title, the lead paragraphs (the first
    LEAD_PARAGRAPHS) and the rest of the body of each article, one after the other; ``lengths``: the
    number of tokens in each of those three parts, per article; ``given``: the ids of the tokens of
    the given leads, and ``given_lengths`` their number per article (-1: no lead given).

    Every word is mapped to an id as it comes (in C, ``map``), stop words too; those are dropped
    afterwards by id, with NumPy.
    """
    vocab: defaultdict[bytes, int] = defaultdict()
    vocab.default_factory = vocab.__len__  # a new word gets the next id
    get = vocab.__getitem__
    ids = array("i")
    given_ids = array("i")
    sizes = array("i")
    given_sizes = array("i")
    has_lead = array("b")
    ents = []
    for raw in raw_docs:
        title, given_lead, paragraphs = _parts(*raw)
        title_words = _words(title)
        lead_words = _words("\n".join(paragraphs[:LEAD_PARAGRAPHS]))
        rest_words = _words("\n".join(paragraphs[LEAD_PARAGRAPHS:]))
        ids.extend(map(get, title_words))
        ids.extend(map(get, lead_words))
        ids.extend(map(get, rest_words))
        sizes.extend((len(title_words), len(lead_words), len(rest_words)))
        has_lead.append(given_lead is not None)
        if given_lead is None:
            given_sizes.append(0)
        else:
            given_words = _words(given_lead)
            given_ids.extend(map(get, given_words))
            given_sizes.append(len(given_words))
        body_start = "\n".join(paragraphs)[:ENTITY_SCAN_CHARS]
        ents.append(entity_features(f"{title}\n{body_start}"))
    words = [w.decode() for w in vocab]
    is_token = np.fromiter(map(_is_token, words), dtype=bool, count=len(words))
    token_id = np.where(is_token, np.cumsum(is_token) - 1, -1).astype(np.int32)
    # stop words dropped, by id: token_id is -1 for them
    lengths, tokens = _drop_negative(
        np.frombuffer(sizes, dtype=np.int32), token_id[np.frombuffer(ids, dtype=np.int32)]
    )
    given_lengths, given = _drop_negative(
        np.frombuffer(given_sizes, dtype=np.int32), token_id[np.frombuffer(given_ids, dtype=np.int32)]
    )
    return {
        "vocab": [w for w, keep in zip(words, is_token.tolist(), strict=True) if keep],
        "tokens": tokens,
        "lengths": lengths.reshape(-1, 3),
        "given": given,
        "given_lengths": np.where(np.frombuffer(has_lead, dtype=np.int8) > 0, given_lengths, -1),
        "ents": ents,
    }


def _analyze_chunks(docs: Sequence[Mapping[str, Any]], n_jobs: int) -> list[dict[str, Any]]:
    """:func:`_analyze_chunk` of consecutive slices of ``docs``, in ``n_jobs`` processes.

    n_jobs - 1 worker processes take slices from the start, and this process takes slices from the
    end, until they meet: an even split whatever the speed of each process (the old split in halves
    left one process idle for seconds).  A worker has a few slices queued at a time (topped up
    between two slices of this process), so that only those are copied for it.  The workers are
    loky's (installed with scikit-learn, reused between calls): safe from a threaded caller (no plain
    fork) and they do not re-import ``__main__``.
    """
    n = len(docs)
    size = math.ceil(n / (n_jobs * ANALYZE_CHUNKS_PER_JOB))
    size = min(ANALYZE_CHUNK_MAX_DOCS, max(ANALYZE_CHUNK_MIN_DOCS, size))
    starts = range(0, n, size)

    def piece(k: int) -> list[tuple[Any, Any, Any]]:
        return [_raw(d) for d in docs[starts[k] : starts[k] + size]]

    if n_jobs <= 1 or len(starts) < 2:
        return [_analyze_chunk(piece(k)) for k in range(len(starts))]
    from joblib.externals.loky import get_reusable_executor

    executor = get_reusable_executor(max_workers=n_jobs - 1)
    futures: dict[int, Any] = {}
    results: dict[int, dict[str, Any]] = {}
    first, last = 0, len(starts)  # the slices not taken yet: first .. last - 1
    while first < last:
        # the workers take slices from the start, WORKER_QUEUED_CHUNKS queued each ...
        running = sum(not future.done() for future in futures.values())
        while running < WORKER_QUEUED_CHUNKS * (n_jobs - 1) and first < last:
            futures[first] = executor.submit(_analyze_chunk, piece(first))
            first, running = first + 1, running + 1
        # ... and this process from the end
        if first < last:
            last -= 1
            results[last] = _analyze_chunk(piece(last))
    results.update((k, future.result()) for k, future in futures.items())
    return [results[k] for k in range(len(starts))]


def _analyze(docs: Sequence[Mapping[str, Any]], n_jobs: int) -> tuple[list[str], dict[str, Any]]:
    """Tokenize all articles (in ``n_jobs`` processes), as ids into one vocabulary of tokens.

    The vocabulary is the tokens (no stop words) in order of first appearance.  Returns it and a dict:
    ``ents``, each article's entity features; ``full``, (token ids of the title then the body of
    every article, the number of tokens per article); ``title_len``, how many of an article's tokens
    are the title's; ``lead_len``, how many body tokens make the lead (the first LEAD_PARAGRAPHS
    paragraphs, at most LEAD_MAX_TOKENS tokens; 0 when a lead was given); ``given_lead``: (ids, tokens
    per article) of the given leads.
    """
    chunks = _analyze_chunks(docs, n_jobs)
    vocab: dict[str, int] = {}
    tokens, lengths, given, given_lengths = [], [], [], []
    ents: list[list[str]] = []
    for chunk in chunks:
        local_to_global = np.fromiter(
            (vocab.setdefault(w, len(vocab)) for w in chunk["vocab"]),
            dtype=np.int32,
            count=len(chunk["vocab"]),
        )
        tokens.append(local_to_global[chunk["tokens"]])
        given.append(local_to_global[chunk["given"]])
        lengths.append(chunk["lengths"])
        given_lengths.append(chunk["given_lengths"])
        ents.extend(chunk["ents"])
    del chunks
    parts = np.concatenate(lengths).astype(np.int64)
    has_given = np.concatenate(given_lengths) >= 0
    merged: dict[str, Any] = {
        "ents": ents,
        "full": (np.concatenate(tokens), parts.sum(axis=1)),
        "title_len": parts[:, 0],
        "lead_len": np.where(has_given, 0, np.minimum(parts[:, 1], LEAD_MAX_TOKENS)),
        "given_lead": (np.concatenate(given), np.maximum(np.concatenate(given_lengths), 0).astype(np.int64)),
    }
    return list(vocab), merged


def _drop_negative(lengths: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The non-negative ``values`` (listed ``lengths`` per row) and how many are left per row."""
    kept = values >= 0
    before = np.zeros(kept.size + 1, dtype=np.int64)  # values kept before each one
    np.cumsum(kept, out=before[1:])
    bounds = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    return np.diff(before[bounds]), values[kept]
