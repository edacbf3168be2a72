"""Event features: token and bigram counts with NumPy, :class:`NewsTfidf` (TF-IDF of title, lead and
body), the idf of a small corpus, and pruning each article to its heaviest features.

The method as a whole: :mod:`analysis.events.grouper`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from analysis.events.tokens import _analyze, _drop_negative

# TF-IDF: terms in more than MAX_DF of the articles are dropped as uninformative, but never in a
# corpus so small that MAX_DF of it is fewer than MAX_DF_MIN_DOCS articles (there, two articles on
# the same story would lose the very terms they share).
MAX_DF = 0.5
MAX_DF_MIN_DOCS = 10
# Features found in a single article are dropped (min_df=2): they cannot make two articles similar,
# but they take a share of the vector's length, so an article with many unique words and bigrams
# (a long analysis piece) looked less similar to everything.  Measured: flatter, higher ARI curve.
# Not in corpora under MIN_DF_MIN_DOCS articles: there, two unrelated articles would keep only the
# few common words they share, and look alike.
MIN_DF = 2
MIN_DF_MIN_DOCS = 10
# Below this many articles, idf is computed as if the corpus held this many (see _background_idf):
# a small collection is usually one or two stories, where the corpus alone cannot tell the story's
# words from common ones.  From this size on, plain smooth idf (the corpus is its own background).
MIN_IDF_DOCS = 50
# Each article keeps only its heaviest features: keyword vectors, and a sparse similarity search
# (the cost of the search grows with the features kept).  Measured: 100 terms as good as all of them
# on NewsWCL50 and the mix; 60 was worse.
PRUNE_TERMS = 100
PRUNE_ENTITIES = 40


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(start, start + length)`` for each pair."""
    lengths = np.maximum(lengths, 0)
    ends = np.cumsum(lengths)
    return np.arange(int(ends[-1]) if ends.size else 0) - np.repeat(ends - lengths - starts, lengths)


def _bigram_codes(ids: np.ndarray, lens: np.ndarray, n_vocab: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the bigrams of each article and the number per article.

    A bigram of tokens (a, b) is ``n_vocab + a * n_vocab + b`` (a unigram's code is its token id).
    Bigrams are made of consecutive tokens after stop-word removal, as scikit-learn does, never across
    two articles.
    """
    if ids.size < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(lens.size, dtype=np.int64)
    ends = np.cumsum(lens)
    inside = np.ones(ids.size - 1, dtype=bool)  # pair (k, k+1) lies inside one article
    last = ends[(lens > 0) & (ends < ids.size)] - 1
    inside[last] = False
    codes = n_vocab + ids[:-1][inside].astype(np.int64) * n_vocab + ids[1:][inside]
    return codes, np.maximum(lens - 1, 0)


PACK_BLOCK = 1 << 22  # elements packed at a time (bounds the temporary arrays)


def _unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` for non-negative integers, 5x faster: one plain sort
    of the values packed with their positions (in one int64), instead of a stable argsort.  The
    inverse is int32 when it fits."""
    n = values.size
    bits = max(int(n - 1).bit_length(), 1)
    if n == 0 or int(values.max()).bit_length() + bits > 63:
        unique, inverse = np.unique(values, return_inverse=True)
        return unique, inverse.ravel()
    key = np.left_shift(values, bits, dtype=np.int64)
    for at in range(0, n, PACK_BLOCK):
        key[at : at + PACK_BLOCK] += np.arange(at, min(n, at + PACK_BLOCK), dtype=np.int64)
    key.sort()
    small = np.int32 if n < 2**31 else np.int64
    position = np.empty(n, dtype=small)
    np.bitwise_and(key, (1 << bits) - 1, out=position, casting="unsafe")
    key >>= bits
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    unique = key[first]
    del key
    rank: np.ndarray = np.cumsum(first, dtype=small)
    rank -= 1
    inverse = np.empty(n, dtype=small)
    inverse[position] = rank
    return unique, inverse


def _count_matrix(
    parts: Sequence[tuple[np.ndarray, np.ndarray, int]], shape: tuple[int, int]
) -> sp.csr_matrix:
    """CSR matrix (float32) counting (row, column) pairs, indices sorted, no duplicates.

    ``parts``: (entries per row, their columns row by row, a column offset).  One sort of the pairs
    packed in one int64 each (when they fit): faster than SciPy's sort of each row.
    """
    n_rows, n_cols = shape
    bits = max(int(n_cols - 1).bit_length(), 1)
    total = sum(cols.size for _, cols, _ in parts)
    row_ids = np.arange(n_rows, dtype=np.int64)
    if total == 0 or int(n_rows - 1).bit_length() + bits > 63:
        rows = np.concatenate([np.repeat(row_ids, lengths) for lengths, _, _ in parts])
        cols = np.concatenate([cols.astype(np.int64) + offset for _, cols, offset in parts])
        x = sp.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=shape)
        x.sum_duplicates()
        return x
    key = np.empty(total, dtype=np.int64)
    at = 0
    for lengths, cols, offset in parts:
        np.add(np.repeat((row_ids << bits) + offset, lengths), cols, out=key[at : at + cols.size])
        at += cols.size
    key.sort()
    first = np.empty(total, dtype=bool)
    first[0] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    pairs = key[first]
    del key
    starts = np.flatnonzero(first)
    del first
    counts = np.empty(starts.size, dtype=np.float32)
    np.subtract(starts[1:], starts[:-1], out=counts[:-1], casting="unsafe")
    counts[-1] = total - starts[-1]
    del starts
    indptr = np.searchsorted(pairs, np.arange(n_rows + 1, dtype=np.int64) << bits)
    indices = np.empty(pairs.size, dtype=np.int32 if n_cols < 2**31 else np.int64)
    np.bitwise_and(pairs, (1 << bits) - 1, out=indices, casting="unsafe")
    return sp.csr_matrix((counts, indices, indptr), shape=shape)


def _map_columns(x: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """The columns of ``x`` where ``keep`` is true, renumbered 0..; cheaper than fancy column indexing."""
    col_map: np.ndarray = np.cumsum(keep, dtype=np.int32 if keep.size < 2**31 else np.int64)
    col_map -= 1
    kept = np.flatnonzero(keep[x.indices])  # a bool per column: small, its look-ups hit the CPU cache
    indptr = np.searchsorted(kept, x.indptr)  # entries kept before each row's start
    return sp.csr_matrix(
        (x.data[kept], col_map[x.indices[kept]], indptr), shape=(x.shape[0], int(col_map[-1]) + 1)
    )


def _span_counts(
    data: Mapping[str, Any],
    bigram_index: np.ndarray,
    bigram_lens: np.ndarray,
    bigram_columns: np.ndarray,
    n_vocab: int,
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Count matrices of the titles and of the leads, in the columns of :class:`NewsTfidf` before
    max_df / min_df: every token id, then the distinct bigram codes ``bigram_columns``.

    The title and lead are spans of each article's tokens (and bigrams) in the full text (``data``
    of :func:`_analyze`; ``bigram_index``: the column of each bigram of the full text, minus
    n_vocab); a lead given with an article was tokenized on its own.
    """
    ids, lens = data["full"]
    n = lens.size
    shape = (n, n_vocab + bigram_columns.size)
    token_start = np.cumsum(lens) - lens
    bigram_start = np.cumsum(bigram_lens) - bigram_lens
    title_len, lead_len = data["title_len"], data["lead_len"]
    out = []
    for offset, length in ((np.zeros(n, dtype=np.int64), title_len), (title_len, lead_len)):
        n_bigrams = np.maximum(length - 1, 0)
        parts = [
            (length, ids[_ranges(token_start + offset, length)], 0),
            (n_bigrams, bigram_index[_ranges(bigram_start + offset, n_bigrams)], n_vocab),
        ]
        out.append(parts)
    g_ids, g_lens = data["given_lead"]
    g_bigrams, g_bigram_lens = _bigram_codes(g_ids, g_lens, n_vocab)
    at = np.minimum(np.searchsorted(bigram_columns, g_bigrams), max(bigram_columns.size - 1, 0))
    if bigram_columns.size:
        known = bigram_columns[at] == g_bigrams  # a bigram only in given leads is no feature
    else:
        known = np.zeros(g_bigrams.size, dtype=bool)
    g_bigram_lens, at = _drop_negative(g_bigram_lens, np.where(known, at, -1))
    out[1] += [(g_lens, g_ids, 0), (g_bigram_lens, at, n_vocab)]
    return _count_matrix(out[0], shape), _count_matrix(out[1], shape)


class NewsTfidf:
    """TF-IDF of (title, lead, body) exactly as ``TfidfVectorizer(sublinear_tf=True, stop_words="english",
    ngram_range=(1, 2), max_df=..., min_df=...)`` computes it on title + body, with a faster counter.

    Why not TfidfVectorizer itself: it builds a Python dict of every distinct n-gram string (several
    million at 100k articles) and sorts it, single-threaded.  Here tokens become integer ids (in
    worker processes for big corpora) and bigrams integer codes, counted with NumPy; the weighting is
    scikit-learn's own ``TfidfTransformer``.  ``tests/test_events.py`` checks the output equals
    TfidfVectorizer's.  Columns are ordered by feature code, not alphabetically.
    """

    def __init__(
        self, max_df: float | int = MAX_DF, min_df: int = 1, n_jobs: int = 1, min_idf_docs: int = 0
    ) -> None:
        self.max_df = max_df
        self.min_df = min_df
        self.n_jobs = n_jobs
        self.min_idf_docs = min_idf_docs  # > 0: idf of a smaller corpus as in _background_idf

    def fit_transform(
        self, docs: Sequence[Mapping[str, Any]]
    ) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix, list[list[str]]]:
        """(full, title, lead) TF-IDF matrices (rows L2-normalised) and each article's entity features.

        ``docs``: mappings with ``title``, ``text`` and optional ``lead``.  Raises ValueError when no
        article has a usable word (``entities_`` is set all the same).
        """
        from sklearn.feature_extraction.text import TfidfTransformer

        n = len(docs)
        vocab, data = _analyze(docs, self.n_jobs)
        self.entities_ = data["ents"]
        n_vocab = max(len(vocab), 1)
        ids, lens = data["full"]
        bigrams, bigram_lens = _bigram_codes(ids, lens, n_vocab)
        bigram_columns, bigram_index = _unique_inverse(bigrams)
        del bigrams
        n_cols = n_vocab + bigram_columns.size
        # columns: every token id, then the distinct bigram codes in increasing order (= sorted codes)
        full = _count_matrix([(lens, ids, 0), (bigram_lens, bigram_index, n_vocab)], (n, n_cols))
        df = np.bincount(full.indices, minlength=n_cols)
        max_count = self.max_df if isinstance(self.max_df, int) else self.max_df * n
        keep = (df <= max_count) & (df >= max(self.min_df, 1))
        if not keep.any():
            raise ValueError("empty vocabulary: no article has a usable word")
        self.codes_ = np.concatenate([np.arange(n_vocab, dtype=np.int64), bigram_columns])[keep]
        self.vocab_ = vocab
        self.n_vocab_ = n_vocab
        full = _map_columns(full, keep)
        self.transformer_ = TfidfTransformer(sublinear_tf=True).fit(full)
        if n < self.min_idf_docs:
            self.transformer_.idf_ = _background_idf(df[keep], n, self.min_idf_docs)
        out = [self.transformer_.transform(full, copy=False)]
        del full
        spans = _span_counts(data, bigram_index, bigram_lens, bigram_columns, n_vocab)
        # features dropped by max_df / min_df do not count
        out += [self.transformer_.transform(_map_columns(x, keep), copy=False) for x in spans]
        full_x, title_x, lead_x = (m.astype(np.float32, copy=False) for m in out)
        return full_x, title_x, lead_x, data["ents"]

    def get_feature_names_out(self) -> np.ndarray:
        """Feature names by column: "word" or "word word"."""
        names = []
        for code in self.codes_.tolist():
            if code < self.n_vocab_:
                names.append(self.vocab_[code])
            else:
                a, b = divmod(code - self.n_vocab_, self.n_vocab_)
                names.append(f"{self.vocab_[a]} {self.vocab_[b]}")
        return np.asarray(names, dtype=object)


def _background_idf(df: np.ndarray, n_docs: int, min_docs: int = MIN_IDF_DOCS) -> np.ndarray:
    """Smooth idf as scikit-learn computes it, ``ln((1 + N) / (1 + df)) + 1``, but with N at least
    ``min_docs`` (MIN_IDF_DOCS for grouping): the corpus is taken to hold that many articles, the
    extra ones containing none of its terms.  In a handful of articles that all report one story,
    the story's own words ("Storm Oriel", "flood") are in every article, so the corpus idf gives
    them the lowest weight and each outlet's own wording decides: five reports of one storm came
    out as five events.  Against a notional background they count as in a real news stream."""
    n_eff = max(n_docs, min_docs)
    return (np.log((1.0 + n_eff) / (1.0 + df.astype(np.float64))) + 1.0).astype(np.float64)


def _identity(features: list[str]) -> list[str]:
    return features


def _min_df(n_docs: int) -> int:
    """MIN_DF, except in corpora smaller than MIN_DF_MIN_DOCS (there every word counts)."""
    return MIN_DF if n_docs >= MIN_DF_MIN_DOCS else 1


def _max_df(n_docs: int) -> float | int:
    """MAX_DF as a share, unless that share is fewer than MAX_DF_MIN_DOCS articles (then a count)."""
    if MAX_DF * n_docs < MAX_DF_MIN_DOCS:
        return 1.0
    return MAX_DF


def _prune_rows(x: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """Keep the ``keep`` largest entries of each row, then L2-normalise the rows again.

    The entries kept are listed heaviest first (ties: in stored order).
    """
    x = x.tocsr()
    if x.shape[0] == 0 or x.shape[1] == 0:
        return x
    lengths = np.diff(x.indptr)
    if lengths.max(initial=0) <= keep:
        return normalize(x, copy=False)
    x = normalize(x, copy=False)  # entries in (0, 1]
    kept = _heaviest_first(x, keep)
    if kept is None:
        row_ids = np.repeat(np.arange(x.shape[0], dtype=np.float64), lengths)
        # one sort by row, heaviest first: rows are 2 apart, entries shift a row's key by less than 1
        order = np.argsort(2.0 * row_ids - x.data, kind="stable")
        rank = np.arange(x.nnz) - x.indptr[row_ids[order].astype(np.int64)]
        kept = order[rank < keep]  # still grouped by row
    indptr = np.concatenate([[0], np.cumsum(np.minimum(lengths, keep))])
    out = sp.csr_matrix((x.data[kept], x.indices[kept], indptr), shape=x.shape)
    return normalize(out, copy=False)


def _heaviest_first(x: sp.csr_matrix, keep: int) -> np.ndarray | None:
    """Indices of the ``keep`` heaviest entries of each row of ``x``, row by row, heaviest first.

    The order is that of a stable sort on the float key ``2 * row - weight``, the reference: weights
    that key cannot tell apart (its rounding) tie and keep their stored order.  Done as one plain sort
    of (row, float32 bits of the weight, position) packed in an int64, 3x faster; None (use the
    reference) when they do not fit, or when the key's rounding does tie two different weights.
    Built and read PACK_BLOCK entries at a time, to bound the temporary arrays.
    """
    n_rows, indptr = x.shape[0], x.indptr.astype(np.int64)
    lengths = np.diff(indptr)
    row_bits = max(int(n_rows - 1).bit_length(), 1)
    pos_bits = max(int(lengths.max() - 1).bit_length(), 1)
    if x.dtype != np.float32 or row_bits + 31 + pos_bits > 63 or not (x.data > 0).all():
        return None
    shift, pos_mask = 31 + pos_bits, (1 << pos_bits) - 1
    key = np.empty(x.nnz, dtype=np.int64)
    rows_per_block = max(1, int(PACK_BLOCK // max(1.0, float(lengths.mean()))))
    for r0 in range(0, n_rows, rows_per_block):
        r1 = min(n_rows, r0 + rows_per_block)
        a, b = indptr[r0], indptr[r1]
        part = key[a:b]
        part[:] = np.repeat((np.arange(r0, r1, dtype=np.int64) << shift) - indptr[r0:r1], lengths[r0:r1])
        part += np.arange(a, b, dtype=np.int64)  # + position in the row
        # heaviest first: a positive float's bits grow with it
        part += (2**31 - 1 - x.data[a:b].view(np.int32).astype(np.int64)) << pos_bits
    key.sort()
    kept = []
    for a in range(0, x.nnz, PACK_BLOCK):
        b = min(x.nnz, a + PACK_BLOCK)
        lo = max(a - 1, 0)  # with the last entry before: ties across the block boundary
        row = key[lo:b] >> shift
        order = indptr[row] + (key[lo:b] & pos_mask)
        weight = x.data[order].astype(np.float64)
        ref_key = 2.0 * row - weight
        if np.any((row[1:] == row[:-1]) & (weight[1:] != weight[:-1]) & (ref_key[1:] == ref_key[:-1])):
            return None
        rank = np.arange(a, b) - indptr[row[a - lo :]]
        kept.append(order[a - lo :][rank < keep])
    return np.concatenate(kept)
