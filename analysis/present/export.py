"""Tables as text: article rows as CSV or JSON, for the Data page's downloads and ``python -m analysis
export``.  Pure (rows in, text out): no store, no Streamlit."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from analysis.compare.corrections import apply_corrections, as_correction, correct_row


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
    "scored_loaded_rate",
    "corrections",
    "text",
]
CORRECTION_FIELDS = ("kind", "term", "scope", "article_id", "event_id", "category", "weight", "created_by")


def corrected_export_row(row: Mapping[str, Any], corrections: Sequence[Mapping[str, Any]]) -> dict:
    """``row`` after the corrections, for export: the rates as corrected (``scored_loaded_rate``:
    as the scorer gave it), every span with ``dismissed`` (True when a correction leaves it out of
    the rates) and ``status`` (None, "dismissed" or "topic"), and the corrections in force for it."""
    aid, eid = row.get("id"), row.get("event_id")
    applicable = [c for c in corrections if as_correction(c).applies(aid, eid)]
    out = correct_row(row, applicable) if "spans" in row else dict(row)
    out["scored_loaded_rate"] = row.get("loaded_rate")
    if "spans" in row:
        every = apply_corrections(
            row.get("spans") or [], row.get("text") or "", applicable, aid, eid, keep_dismissed=True
        )
        out["spans"] = [sp | {"dismissed": sp["status"] is not None} for sp in every]
    out["corrections"] = [{k: c.get(k) for k in CORRECTION_FIELDS} for c in applicable]
    return out


def export_rows(rows: list[dict], fmt: str, corrections: Sequence[Mapping[str, Any]] | None = None) -> str:
    """CSV or JSON text of article rows (spans and categories included).  With ``corrections`` (as
    ``Store.corrections`` gives them) the rows are corrected first (:func:`corrected_export_row`)."""
    if corrections is not None:
        rows = [corrected_export_row(r, corrections) for r in rows]
    if fmt == "json":
        return dumps([{k: r.get(k) for k in EXPORT_FIELDS} for r in rows]) + "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        flat = {k: r.get(k) for k in EXPORT_FIELDS}
        for k in ("authors", "problems", "categories", "spans", "headline_spans", "corrections"):
            flat[k] = json.dumps(flat[k], ensure_ascii=False)
        if isinstance(flat["published"], datetime):
            flat["published"] = flat["published"].isoformat()
        writer.writerow(flat)
    return buf.getvalue()
