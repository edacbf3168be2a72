"""Tables as text: article rows as CSV or JSON, for the Data page's downloads and ``python -m analysis
export``.  Pure (rows in, text out): no store, no Streamlit."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime


def dumps(obj: object) -> str:
    """JSON with datetimes as ISO 8601 strings (the same encoding as ``analysis.store.database.dumps``)."""
    return json.dumps(
        obj, ensure_ascii=False, default=lambda o: o.isoformat() if isinstance(o, datetime) else str(o)
    )


EXPORT_FIELDS = [
    "id",
    "event",
    "outlet",
    "domain",
    "title",
    "authors",
    "published",
    "url",
    "canonical_url",
    "source",
    "language",
    "health",
    "problems",
    "reason",
    "extractor",
    "words",
    "scorer_version",
    "sentiment",
    "positive_share",
    "negative_share",
    "n_sentences",
    "headline_sentiment",
    "loaded_rate",
    "quoted_rate",
    "loaded_count",
    "loaded_sentences",
    "categories",
    "spans",
    "headline_spans",
    "text",
]


def export_rows(rows: list[dict], fmt: str) -> str:
    """CSV or JSON text of article rows (spans and categories included)."""
    if fmt == "json":
        return dumps([{k: r.get(k) for k in EXPORT_FIELDS} for r in rows]) + "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        flat = {k: r.get(k) for k in EXPORT_FIELDS}
        for k in ("authors", "problems", "categories", "spans", "headline_spans"):
            flat[k] = json.dumps(flat[k], ensure_ascii=False)
        if isinstance(flat["published"], datetime):
            flat["published"] = flat["published"].isoformat()
        writer.writerow(flat)
    return buf.getvalue()
