"""The sparse neighbour graph: publication dates, similarity products blocked by date window, each
article's nearest neighbours (pass 1), and the exact similarity totals between groups (pass 2).

The method as a whole: :mod:`analysis.events.grouper`.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import scipy.sparse as sp

# Neighbour graph (pass 1): at most this many neighbours per article.  Pass 2 repairs what the cap
# cuts from big events, so it only trades speed (measured: 15 and 50 give the same groups).
N_NEIGHBORS = 15
# Pairs (and, in pass 2, groups) less similar than this count as 0 in the average linkage: they
# would barely move a mean against the threshold, and keeping them all would fill the memory.
MIN_EDGE_SIM = 0.05
CHUNK_ROWS = 500  # rows of the similarity computed at once: memory ~ 12 bytes x rows x articles in a window

SECONDS_PER_DAY = 86400.0


def _days(value: Any) -> float:
    """Publication date as days since the epoch (NaN when unknown).  Naive datetimes count as UTC."""
    if value is None or value == "":
        return math.nan
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return math.nan
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp() / SECONDS_PER_DAY
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp() / SECONDS_PER_DAY
    return math.nan


# --------------------------------------------------------------------------------------------
# Sparse similarity search
# --------------------------------------------------------------------------------------------


def _date_blocked_products(
    x: sp.csr_matrix, key_days: np.ndarray, reach_days: float, min_dot: float, n_threads: int = 1
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(row, column, dot product) of the products ``x[i] . x[j] >= min_dot`` with |day_i - day_j| <= reach.

    Rows are sorted by ``key_days`` (NaN = undated, last) and processed CHUNK_ROWS at a time; a chunk
    is multiplied only with the rows whose day is within ``reach_days`` of one of its rows, plus the
    undated ones (an undated row is compared with everything).  Never an n x n matrix: the work and
    memory are bounded by a chunk times the articles of a date window, and the many tiny products
    (two articles sharing a common word) are dropped at once.  Both (i, j) and (j, i) are produced,
    and (i, i); the caller filters.  ``n_threads`` chunks are multiplied at once (SciPy's
    sparse product releases the GIL); results come in chunk order.

    The product of a chunk with the rows of a date window needs those rows transposed (one row per
    column); transposing costs time in proportion to the number of columns (millions of n-grams), so
    the window's rows are first cut to the columns the chunk uses (a few ten thousand).  The undated
    rows, compared with every chunk, are transposed once.  A dot product is summed in the order of
    the chunk row's entries either way: the same floats.
    """
    n, n_cols = x.shape
    dated = ~np.isnan(key_days)
    order = np.argsort(np.where(dated, key_days, np.inf), kind="stable")
    n_dated = int(dated.sum())
    sorted_days = key_days[order][:n_dated]
    xs = x[order].tocsr()
    undated_t = xs[n_dated:].T.tocsr() if n_dated < n else None
    local = threading.local()  # per thread: which columns the chunk uses, and their index among them

    def cut_transposed(lo: int, hi: int, columns: np.ndarray) -> sp.csr_matrix:
        """Rows lo..hi of xs on ``columns`` only (renumbered 0..), transposed, as CSR."""
        if not hasattr(local, "used"):
            local.used = np.zeros(n_cols, dtype=bool)  # small enough to stay in the CPU cache
            local.slot = np.zeros(n_cols, dtype=np.int32)
        used, slot = local.used, local.slot
        used[columns] = True
        slot[columns] = np.arange(columns.size, dtype=np.int32)
        first, last = xs.indptr[lo], xs.indptr[hi]
        cols = xs.indices[first:last]
        inside = np.flatnonzero(used[cols])
        used[columns] = False
        indptr = np.searchsorted(inside, xs.indptr[lo : hi + 1] - first)
        block = sp.csr_matrix(
            (xs.data[first:last][inside], slot[cols[inside]], indptr), shape=(hi - lo, columns.size)
        )
        return block.T.tocsr()

    def chunk(start: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        stop = min(n, start + CHUNK_ROWS)
        if stop <= n_dated:  # the articles dated near these rows, then the undated ones
            lo = int(np.searchsorted(sorted_days, sorted_days[start] - reach_days, side="left"))
            hi = int(np.searchsorted(sorted_days, sorted_days[stop - 1] + reach_days, side="right"))
            ranges = [(lo, hi), (n_dated, n)]
        else:  # undated rows: everything
            ranges = [(0, n)]
        left = xs[start:stop]
        columns, left_cols = np.unique(left.indices, return_inverse=True)
        left_cut = sp.csr_matrix(
            (left.data, left_cols.ravel(), left.indptr), shape=(left.shape[0], columns.size)
        )
        rows, cols, dots = [], [], []
        for lo, hi in ranges:
            if hi > lo:
                if lo == n_dated and hi == n and undated_t is not None:
                    block = (left @ undated_t).tocsr()
                else:
                    block = (left_cut @ cut_transposed(lo, hi, columns)).tocsr()
                big = np.flatnonzero(block.data >= min_dot)
                row_of = np.repeat(np.arange(block.shape[0], dtype=np.int64), np.diff(block.indptr))
                rows.append(row_of[big] + start)
                cols.append(block.indices[big].astype(np.int64) + lo)
                dots.append(block.data[big])
                del block, row_of
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        return order[np.concatenate(rows)], order[np.concatenate(cols)], np.concatenate(dots)

    starts = range(0, n, CHUNK_ROWS)
    if n_threads <= 1 or len(starts) < 2:
        yield from map(chunk, starts)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        yield from pool.map(chunk, starts)


def _run_starts(groups: np.ndarray) -> np.ndarray:
    """Start of each run of equal consecutive values of ``groups``."""
    return np.flatnonzero(np.concatenate([[True], groups[1:] != groups[:-1]]))


def _top_per_row(r: np.ndarray, c: np.ndarray, s: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest ``s`` of each row ``r`` (ties: lower ``c``), ordered by row, then
    largest first: ``np.lexsort((c, -s, r))`` cut to k per row, without sorting every element on
    three keys (5x faster).

    One float sort on ``r * scale - s`` (rows far enough apart not to mix) finds each row's k-th
    largest value up to the rounding of that key; the elements at least that value (minus twice the
    rounding) include the k largest, and only they are sorted exactly.
    """
    if r.size == 0:
        return np.zeros(0, dtype=np.int64)
    scale = 2.0 * (float(np.abs(s).max()) + 1.0)
    margin = 4.0 * float(np.spacing(scale * (float(np.abs(r).max()) + 1.0)))
    rough = np.argsort(r * scale - s)
    starts = _run_starts(r[rough])
    lengths = np.diff(np.append(starts, r.size))
    floor = np.full(starts.size, -np.inf)
    full = lengths >= k
    floor[full] = s[rough[starts[full] + k - 1]] - margin
    candidates = rough[s[rough] >= np.repeat(floor, lengths)]
    exact = candidates[np.lexsort((c[candidates], -s[candidates], r[candidates]))]
    r_exact = r[exact]
    starts = _run_starts(r_exact)
    rank = np.arange(exact.size) - np.repeat(starts, np.diff(np.append(starts, exact.size)))
    return exact[rank < k]


def _neighbour_graph(
    x: sp.csr_matrix,
    days: np.ndarray,
    outlets: np.ndarray,
    window_days: float,
    n_neighbors: int,
    min_sim: float,
    same_outlet_penalty: float,
    n_threads: int = 1,
) -> sp.csr_matrix:
    """Each article's ``n_neighbors`` most similar articles (at least ``min_sim``), upper triangle CSR.

    Similarity: the dot product of the article vectors, minus ``same_outlet_penalty`` for two
    articles of one outlet; pairs dated more than ``window_days`` apart are left out.
    """
    n = x.shape[0]
    rows_out: list[np.ndarray] = []
    cols_out: list[np.ndarray] = []
    sims_out: list[np.ndarray] = []
    for r, c, s in _date_blocked_products(x, days, window_days, min_sim, n_threads):
        keep = r != c
        keep &= ~(np.abs(days[r] - days[c]) > window_days)  # a NaN gap (undated side) is not restricted
        s = s - same_outlet_penalty * ((outlets[r] == outlets[c]) & (outlets[r] >= 0))
        keep &= s >= min_sim
        r, c, s = r[keep], c[keep], s[keep]
        if s.size == 0:
            continue
        sel = _top_per_row(r, c, s, n_neighbors)
        rows_out.append(r[sel])
        cols_out.append(c[sel])
        sims_out.append(s[sel])
    if not rows_out:
        return sp.csr_matrix((n, n), dtype=np.float64)
    r = np.concatenate(rows_out)
    c = np.concatenate(cols_out)
    s = np.concatenate(sims_out)
    lo, hi = np.minimum(r, c), np.maximum(r, c)
    # a pair found from both ends is there twice with the same similarity: keep one
    key, first = np.unique(lo * n + hi, return_index=True)
    return sp.csr_matrix((s[first], (lo[first], hi[first])), shape=(n, n))


def _group_similarity_totals(
    x: sp.csr_matrix,
    group: np.ndarray,
    n_groups: int,
    outlets: np.ndarray,
    first_day: np.ndarray,
    reach_days: float,
    size: np.ndarray,
    same_outlet_penalty: float,
    min_link: float,
    n_threads: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact totals of pairwise similarity between groups of articles, for the pairs that may merge.

    With S_A the sum of group A's article vectors, the total over all article pairs of A and B is
    ``S_A . S_B``, minus the outlet penalty times the number of same-outlet pairs,
    ``sum_o n_Ao * n_Bo``: no pair is missing, unlike in the neighbour graph.  Groups whose first
    dates are more than ``reach_days`` apart cannot merge and are not compared.  Pairs whose linkage
    (total / |A||B|) is below ``min_link`` are dropped: they count as 0.
    """
    n = x.shape[0]
    member = sp.csr_matrix((np.ones(n), (group, np.arange(n))), shape=(n_groups, n))
    sums = (member @ x).tocsr()
    has_outlet = outlets >= 0
    counts = sp.csr_matrix(
        (np.ones(int(has_outlet.sum())), (group[has_outlet], outlets[has_outlet])),
        shape=(n_groups, int(outlets.max(initial=0)) + 1),
    )
    a_out: list[np.ndarray] = []
    b_out: list[np.ndarray] = []
    t_out: list[np.ndarray] = []
    for a, b, total in _date_blocked_products(sums, first_day, reach_days, min_link, n_threads):
        keep = a < b
        keep &= total >= min_link * size[a] * size[b]  # the penalty only lowers it: filter early
        a, b, total = a[keep], b[keep], total[keep]
        if a.size and same_outlet_penalty:
            same = np.asarray(counts[a].multiply(counts[b]).sum(axis=1)).ravel()
            total = total - same_outlet_penalty * same
            keep = total >= min_link * size[a] * size[b]
            a, b, total = a[keep], b[keep], total[keep]
        a_out.append(a)
        b_out.append(b)
        t_out.append(total)
    if not a_out:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(a_out), np.concatenate(b_out), np.concatenate(t_out)
