"""Media-bias and source-comparison analysis: fetch -> extract -> score -> store.

The public Python API, for notebooks and scripts::

    from analysis import extract_article, score_text, loaded_spans, sentence_is_loaded
    article = extract_article(html, "https://www.example.com/news/story")
    scores = score_text(article.text, title=article.title)

Names are imported lazily so ``import analysis`` stays fast (newspaper3k and
trafilatura load only when extraction is first used).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # fetch: the only network access
    "fetch_many": "analysis.ingest.fetch",
    "canonical_url": "analysis.ingest.fetch",
    # extract: HTML -> Article, no network
    "extract_article": "analysis.ingest.extract",
    "article_from_text": "analysis.ingest.extract",
    "choose_body": "analysis.ingest.extract",
    # score: pure functions over text
    "score_text": "analysis.scoring.scorer",
    "SCORER_VERSION": "analysis.scoring.scorer",
    "loaded_spans": "analysis.scoring.loaded",
    "analyze_loaded": "analysis.scoring.loaded",
    "sentence_is_loaded": "analysis.scoring.loaded",
    "sentence_sentiment": "analysis.scoring.sentiment",
    "split_sentences": "analysis.scoring.text",
    # compare: do two sentences report the same fact? (the "who reported what" decision)
    "same_fact": "analysis.compare.same_fact",
    "SAME_FACT_THRESHOLD": "analysis.compare.same_fact",
    # store and batch work
    "Store": "analysis.store",
    "Settings": "analysis.settings",
    "ingest_urls": "analysis.pipeline",
    "ingest_html": "analysis.pipeline",
    "ingest_text": "analysis.pipeline",
    "load_demo": "analysis.pipeline",
    # data types
    "Article": "analysis.models",
    "Page": "analysis.models",
    "Span": "analysis.models",
    "Scores": "analysis.models",
    "Sentiment": "analysis.models",
    "Loaded": "analysis.models",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
