"""Tables as text: article rows as CSV or JSON, for the Data page's downloads and ``python -m analysis
export``.  Pure (rows in, text out): no store, no Streamlit.

Every text cell written to CSV or Excel goes through :func:`safe_cell` first, so that a title such
as ``=HYPERLINK(...)`` stays text in a spreadsheet (OWASP's rule against CSV injection).  JSON is
data for programs and is written as it is."""

from __future__ import annotations

import csv
import io
import numbers
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from analysis.compare.corrections import as_correction
from analysis.models import dumps

# OWASP, "CSV Injection": a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` safe for a spreadsheet cell: text that starts like a formula gets a leading ``'``.

    Numbers, booleans and None are returned unchanged (numbers stay numbers: ``-0.5`` is a float, not
    text); any other object is neutralised as its text.
    """
    if value is None or isinstance(value, numbers.Number):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text if isinstance(value, str) else value


def safe_row(row: dict) -> dict:
    """Every value of ``row`` through :func:`safe_cell`."""
    return {k: safe_cell(v) for k, v in row.items()}


def csv_text(rows: list[dict], fields: list[str]) -> str:
    """CSV of ``rows`` (dicts) with the header ``fields``, every text cell neutralised."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow(safe_row({k: r.get(k) for k in fields}))
    return buf.getvalue()


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


SCORES_ONLY_DROP = ("text", "spans", "headline_spans")  # left out of the "scores" downloads


def corrected_export_row(row: Mapping[str, Any], corrections: Sequence[Mapping[str, Any]]) -> dict:
    """A row counted by ``analysis.compare.reviewed`` (corrections, then topic words), for export:
    every span, the ones a correction leaves out included, with ``dismissed`` (True when a
    correction leaves it out of the rates) and ``status``; ``scored_loaded_rate`` as the scorer gave
    it; and the corrections in force for the article."""
    aid, eid = row.get("id"), row.get("event_id")
    out = dict(row)
    out.setdefault("scored_loaded_rate", row.get("loaded_rate"))
    if "spans" in row:
        kept = [{**sp, "status": None, "dismissed": False} for sp in row.get("spans") or []]
        left = [{**sp, "dismissed": True} for sp in row.get("dismissed_spans") or []]
        out["spans"] = sorted(kept + left, key=lambda sp: (int(sp["start"]), int(sp["end"])))
    applicable = [c for c in corrections if as_correction(c).applies(aid, eid)]
    out["corrections"] = [{k: c.get(k) for k in CORRECTION_FIELDS} for c in applicable]
    return out


def export_table(
    rows: list[dict],
    fmt: str,
    *,
    with_text: bool = True,
    corrections: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """The Data page's downloads: :func:`export_rows`, without text and spans unless ``with_text``."""
    if corrections is not None:
        rows = [corrected_export_row(r, corrections) for r in rows]
    if not with_text:
        rows = [{k: v for k, v in r.items() if k not in SCORES_ONLY_DROP} for r in rows]
    return export_rows(rows, fmt)


def export_rows(rows: list[dict], fmt: str, corrections: Sequence[Mapping[str, Any]] | None = None) -> str:
    """CSV or JSON text of article rows (spans and categories included).  With ``corrections`` (as
    ``Store.corrections`` gives them) the rows, counted by ``analysis.compare.reviewed``, carry each
    span's dismissed state and the corrections in force (:func:`corrected_export_row`)."""
    if corrections is not None:
        rows = [corrected_export_row(r, corrections) for r in rows]
    if fmt == "json":
        return dumps([{k: r.get(k) for k in EXPORT_FIELDS} for r in rows]) + "\n"
    flats = []
    for r in rows:
        flat = {k: r.get(k) for k in EXPORT_FIELDS}
        for k in ("authors", "problems", "categories", "spans", "headline_spans", "corrections"):
            flat[k] = dumps(flat[k])
        if isinstance(flat["published"], datetime):
            flat["published"] = flat["published"].isoformat()
        flats.append(flat)
    return csv_text(flats, EXPORT_FIELDS)
