"""Speed of "who reported what": aligning one event's sentences across outlets.

:func:`alignment_speed` builds a 6-outlet event from generated pages (:mod:`analysis.bench.generate`,
extracted through the real extractor), then times :func:`analysis.compare.alignment.align_event`:
the model load, a cold run (embedding caches empty) and warm runs (the page re-aligning an event whose
sentences it has embedded before).  Embeddings are computed at compare time only, so ingest speed is
unchanged by them.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

TARGET_ALIGN_WARM_S = 1.0  # a 6-outlet event aligned, embeddings cached
ALIGN_OUTLETS = 6
WARM_REPEATS = 3


def alignment_speed(n_outlets: int = ALIGN_OUTLETS) -> dict[str, Any]:
    from analysis.bench.generate import generate_pages
    from analysis.compare.alignment import align_event
    from analysis.ingest.extract import extract_article
    from analysis.scoring import embeddings

    pages = generate_pages(2 * n_outlets)
    by_event: dict[str, list] = defaultdict(list)
    for p in pages:
        by_event[p.event].append(p)
    event = max(by_event.values(), key=len)[:n_outlets]
    rows = []
    for k, p in enumerate(event):
        art = extract_article(p.html, p.url)
        rows.append({"id": k, "outlet": f"outlet {k + 1}", "title": art.title, "text": art.text})
    t0 = time.perf_counter()
    embeddings._model()
    load_s = time.perf_counter() - t0
    embeddings._TEXT_CACHE.clear()
    embeddings._WORD_CACHE.clear()
    t0 = time.perf_counter()
    al = align_event(rows)
    cold_s = time.perf_counter() - t0
    warm = []
    for _ in range(WARM_REPEATS):
        t0 = time.perf_counter()
        align_event(rows)
        warm.append(time.perf_counter() - t0)
    return {
        "outlets": len(al.outlets),
        "sentences": len(al.sentences),
        "model_load_s": round(load_s, 3),
        "cold_s": round(cold_s, 3),
        "warm_s": round(min(warm), 3),
    }
