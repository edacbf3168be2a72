"""Average linkage on a sparse graph, with cannot-link (pinned labels) and date-span constraints:
vectorised reciprocal-nearest-neighbour rounds, then a heap.

The method as a whole: :mod:`analysis.events.grouper`.
"""

from __future__ import annotations

import heapq

import numpy as np
import scipy.sparse as sp

from analysis.events.graph import _run_starts

# Vectorised merge rounds go on while a round merges at least this share of the groups, then a heap.
RNN_MIN_MERGE_SHARE = 0.02


# --------------------------------------------------------------------------------------------
# Average linkage on a sparse graph, with cannot-link and date-span constraints
# --------------------------------------------------------------------------------------------


def _average_linkage_heap(
    n_nodes: int,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    size: np.ndarray,
    dmin: np.ndarray,
    dmax: np.ndarray,
    pins: list[int | None],
    window_days: float,
    threshold: float,
) -> np.ndarray:
    """Root node of every node after average-linkage merging (best first, while linkage >= threshold).

    Nodes are groups of articles: ``size`` articles, dated ``dmin``..``dmax`` (inf/-inf: none dated),
    pinned to ``pins[k]`` or free.  ``edges`` (a, b, total): the sum of the pairwise similarities
    between the articles of nodes a and b (pairs not listed sum to 0).  Linkage = total / (|A| |B|);
    totals add up when nodes merge (Lance-Williams for average linkage).  Refused merges: two
    different pins; a dated span wider than max(window_days, either node's own span).  A heap holds
    upper bounds of the current linkages, refreshed lazily (a merged node gets a new version and its
    stale entries are recomputed when popped); the smaller adjacency is merged into the larger.
    """
    size = size.astype(np.float64).copy()
    dmin = dmin.astype(np.float64).copy()
    dmax = dmax.astype(np.float64).copy()
    pin = list(pins)
    adj: list[dict[int, float] | None] = [{} for _ in range(n_nodes)]
    for a, b, total in zip(*(e.tolist() for e in edges), strict=True):
        if a == b:
            continue
        adj_a, adj_b = adj[a], adj[b]
        assert adj_a is not None and adj_b is not None
        adj_a[b] = adj_a.get(b, 0.0) + total
        adj_b[a] = adj_b.get(a, 0.0) + total
    version = [0] * n_nodes
    parent = np.arange(n_nodes)
    heap: list[tuple[float, int, int, int, int]] = []
    for a, adj_a in enumerate(adj):
        assert adj_a is not None
        for b, total in adj_a.items():
            if a < b and total / (size[a] * size[b]) >= threshold:
                heap.append((-total / (size[a] * size[b]), a, b, 0, 0))
    heapq.heapify(heap)

    def span_ok(a: int, b: int) -> bool:
        lo, hi = min(dmin[a], dmin[b]), max(dmax[a], dmax[b])
        if not hi > lo:  # fewer than two dated articles, or all at one instant
            return True
        return hi - lo <= max(window_days, dmax[a] - dmin[a], dmax[b] - dmin[b]) + 1e-9

    while heap:
        _, a, b, va, vb = heapq.heappop(heap)
        adj_a, adj_b = adj[a], adj[b]
        if adj_a is None or adj_b is None:
            continue  # merged away; its links were re-pushed under the surviving node
        if version[a] != va or version[b] != vb:
            total = adj_a.get(b)
            if total is not None and total / (size[a] * size[b]) >= threshold:
                heapq.heappush(heap, (-total / (size[a] * size[b]), a, b, version[a], version[b]))
            continue
        if pin[a] is not None and pin[b] is not None and pin[a] != pin[b]:
            continue  # two different user events never merge
        if not span_ok(a, b):
            continue
        big, small = (a, b) if len(adj_a) >= len(adj_b) else (b, a)
        adj_big, adj_small = adj[big], adj[small]
        assert adj_big is not None and adj_small is not None
        adj_big.pop(small, None)
        size[big] += size[small]
        dmin[big] = min(dmin[big], dmin[small])
        dmax[big] = max(dmax[big], dmax[small])
        pin[big] = pin[big] if pin[big] is not None else pin[small]
        version[big] += 1
        parent[small] = big
        adj[small] = None
        for c, total_small in adj_small.items():
            if c == big:
                continue
            adj_c = adj[c]
            assert adj_c is not None
            del adj_c[small]
            total = adj_big.get(c, 0.0) + total_small
            adj_big[c] = adj_c[big] = total
            if total / (size[big] * size[c]) >= threshold:
                lo_, hi_ = (big, c) if big < c else (c, big)
                heapq.heappush(heap, (-total / (size[big] * size[c]), lo_, hi_, version[lo_], version[hi_]))
    while True:  # path compression: every node to its root
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            return parent
        parent = nxt


def _average_linkage(
    n_nodes: int,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    size: np.ndarray,
    dmin: np.ndarray,
    dmax: np.ndarray,
    pins: list[int | None],
    window_days: float,
    threshold: float,
) -> np.ndarray:
    """Root node of every node after average-linkage merging: see :func:`_average_linkage_heap`.

    Same result, faster on big graphs: first rounds of vectorised "reciprocal nearest neighbour"
    merges (every two nodes that are each other's best allowed link, at least ``threshold``, merge;
    average linkage is reducible, so these are merges the best-first order would also make), then,
    once a round merges fewer than RNN_MIN_MERGE_SHARE of the nodes, the heap on the smaller graph.
    """
    a, b, total = edges
    keep = a != b
    a, b, total = a[keep], b[keep], total[keep]
    totals = sp.coo_matrix(
        (np.concatenate([total, total]), (np.concatenate([a, b]), np.concatenate([b, a]))),
        shape=(n_nodes, n_nodes),
    ).tocsr()  # symmetric, duplicates summed
    pin_codes: dict[int, int] = {}
    pin = np.array(
        [-1 if p is None else pin_codes.setdefault(p, len(pin_codes)) for p in pins], dtype=np.int64
    )
    code_pin = {code: p for p, code in pin_codes.items()}
    size = size.astype(np.float64)
    dmin = dmin.astype(np.float64)
    dmax = dmax.astype(np.float64)
    label = np.arange(n_nodes)  # node -> current cluster
    while True:
        k = size.size
        coo = totals.tocoo()
        r, c, v = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
        link = v / (size[r] * size[c])
        ok = link >= threshold
        ok &= ~((pin[r] >= 0) & (pin[c] >= 0) & (pin[r] != pin[c]))
        lo, hi = np.minimum(dmin[r], dmin[c]), np.maximum(dmax[r], dmax[c])
        allowed = np.maximum(window_days, np.maximum(dmax[r] - dmin[r], dmax[c] - dmin[c]))
        with np.errstate(invalid="ignore"):  # inf - inf for undated clusters
            ok &= ~(hi - lo > allowed + 1e-9)
        r, c, link = r[ok], c[ok], link[ok]
        if r.size == 0:
            return label
        # each row's best link (ties: lower id); rows come in order (CSR), so per-run reductions
        starts = _run_starts(r)
        top = np.maximum.reduceat(link, starts)
        is_top = link == np.repeat(top, np.diff(np.append(starts, r.size)))
        best = np.full(k, -1)
        best[r[starts]] = np.minimum.reduceat(np.where(is_top, c, k), starts)
        has = best >= 0
        mutual = has & (best[np.where(has, best, 0)] == np.arange(k)) & (np.arange(k) < best)
        n_merge = int(mutual.sum())
        if n_merge < RNN_MIN_MERGE_SHARE * k:
            break
        target = np.arange(k)
        target[best[mutual]] = np.flatnonzero(mutual)  # b joins a
        kept, new_id = np.unique(target, return_inverse=True)
        new_id = new_id.ravel()
        merge = sp.csr_matrix((np.ones(k), (new_id, np.arange(k))), shape=(kept.size, k))
        totals = (merge @ totals @ merge.T).tocsr()
        totals.setdiag(0)
        totals.eliminate_zeros()
        size = np.bincount(new_id, weights=size, minlength=kept.size)
        new_dmin = np.full(kept.size, np.inf)
        new_dmax = np.full(kept.size, -np.inf)
        np.minimum.at(new_dmin, new_id, dmin)
        np.maximum.at(new_dmax, new_id, dmax)
        dmin, dmax = new_dmin, new_dmax
        new_pin = np.full(kept.size, -1)
        np.maximum.at(new_pin, new_id, pin)
        pin = new_pin
        label = new_id[label]
    upper = sp.triu(totals, k=1).tocoo()
    root = _average_linkage_heap(
        size.size,
        (upper.row.astype(np.int64), upper.col.astype(np.int64), upper.data),
        size,
        dmin,
        dmax,
        [None if p < 0 else code_pin[int(p)] for p in pin],
        window_days,
        threshold,
    )
    return root[label]
