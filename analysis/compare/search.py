"""Search across articles: every hit shown in its sentence (keyword in context).

The store narrows the articles with SQL ``LIKE`` on each word of the query
(:meth:`analysis.store.Store.search_texts`); :func:`search_hits` then finds the exact matches in
Python: the query as a phrase, whole words, ignoring case (a quoted query "tax relief" and an
unquoted one behave the same: the words in this order).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from analysis.scoring.text import split_sentences

HIT_COLUMNS: tuple[str, ...] = (
    "outlet",
    "event",
    "published",
    "article_id",
    "title",
    "left",
    "match",
    "right",
    "sentence",
    "start",
)
MAX_HITS = 5000  # hits returned at most (the store already caps the articles read)
CONTEXT_CHARS = 80  # characters of context each side when a sentence is longer


def query_words(query: str) -> list[str]:
    """The words of ``query`` (quotes and extra spaces dropped)."""
    return re.findall(r"[^\W_]+(?:['’\-][^\W_]+)*", query)


def query_pattern(query: str) -> re.Pattern[str] | None:
    """The query's words as a phrase: whole words, any white space between, ignoring case."""
    words = query_words(query)
    if not words:
        return None
    body = r"\s+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![\w]){body}(?![\w])", re.IGNORECASE)


def search_hits(articles: Iterable[Mapping], query: str, max_hits: int = MAX_HITS) -> pd.DataFrame:
    """One row per match of ``query`` in the articles' titles and texts, with its sentence."""
    pattern = query_pattern(query)
    records: list[dict] = []
    if pattern is not None:
        for a in articles:
            for field in ("title", "text"):
                text = a.get(field) or ""
                hits = list(pattern.finditer(text))
                if not hits:
                    continue
                sentences = split_sentences(text) if field == "text" else [(0, len(text))]
                for m in hits:
                    s, e = next(((s, e) for s, e in sentences if s <= m.start() < e), (0, len(text)))
                    left = text[max(s, m.start() - CONTEXT_CHARS) : m.start()]
                    right = text[m.end() : min(e, m.end() + CONTEXT_CHARS)]
                    records.append(
                        {
                            "outlet": a.get("outlet") or "",
                            "event": a.get("event") or "",
                            "published": a.get("published"),
                            "article_id": a.get("id"),
                            "title": a.get("title") or "",
                            "left": " ".join(left.split()),
                            "match": m.group(),
                            "right": " ".join(right.split()),
                            "sentence": " ".join(text[s:e].split()),
                            "start": m.start() if field == "text" else -1,
                        }
                    )
                    if len(records) >= max_hits:
                        return pd.DataFrame(records, columns=list(HIT_COLUMNS))
    return pd.DataFrame(records, columns=list(HIT_COLUMNS))
