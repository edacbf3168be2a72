"""The per-event summary table as a file: each outlet's estimates with 95% intervals, the findings in
words, and what the numbers depend on (scorer version, settings, corrections), as CSV, JSON or Excel.

The numbers come from ``analysis.compare.summary`` (``outlet_summary``, ``findings``), counted as
the Compare page counts them (``compare.topics.event_view``: the event's topic words not counted).
Text cells in CSV and Excel go through ``export.safe_cell`` (no formulas).  Pure: rows in, bytes out.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analysis.compare import summary as compare
from analysis.compare import topics
from analysis.present.export import dumps, safe_cell
from analysis.present.provenance import interval_text, number_settings, provenance

SUMMARY_FORMATS = ("csv", "json", "xlsx")
OUTLET_FIELDS = [
    "outlet",
    "articles",
    "sentences",
    "words",
    "sentiment",
    "sentiment_lo",
    "sentiment_hi",
    "sentiment_interval",
    "loaded_per_1000",
    "loaded_lo",
    "loaded_hi",
    "loaded_interval",
    "headline_sentiment",
    "quoted_per_1000",
    "top_words",
    "thin_evidence",
    "health_problems",
]
FINDING_SECTIONS = {
    "negative": "Who was more negative",
    "loaded": "Who used more loaded language",
    "words": "Which words",
    "topics": "Topic words (shown, not counted)",
    "caveats": "Caveats",
}


def _num(value: object, digits: int) -> float | None:
    """A rounded float, or None for NaN/missing (written as an empty cell, ``null`` in JSON)."""
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else round(f, digits)


@dataclass(frozen=True)
class SummaryData:
    """What the summary file holds."""

    about: list[tuple[str, str]]  # event, dates, counts, scorer version and the settings behind the numbers
    outlets: list[dict]  # one per outlet, keys OUTLET_FIELDS
    findings: list[tuple[str, str]]  # (section, sentence)
    caption: str


def summary_data(
    event_name: str,
    rows: Sequence[dict],
    *,
    corrections: Sequence[str] = (),
    topic_words: Mapping[str, topics.TopicWord] | None = None,
) -> SummaryData:
    """The summary of one event's article rows (numbers from ``compare.outlet_summary``/``findings``).

    Rows as stored are counted as the Compare page counts them (``topics.event_view``); rows already
    counted by ``analysis.compare.reviewed`` come with their ``topic_words`` and the ``corrections``
    in force (one line each, listed under "corrections applied")."""
    prov = provenance(event_name, rows, corrections=corrections)
    if topic_words is None:  # as the Compare page counts them: topic words shown but not counted
        rows, topic_words = topics.event_view(rows)
    summary = compare.outlet_summary(rows)
    found = compare.findings(summary)
    found["topics"] = topics.topic_notes(topic_words, len({r["outlet"] for r in rows if compare.usable(r)}))
    outlets = []
    for _, r in summary.iterrows():
        n = int(r["articles"])
        outlets.append(
            {
                "outlet": r["outlet"],
                "articles": n,
                "sentences": int(r["sentences"]),
                "words": int(r["words"]),
                "sentiment": _num(r["sentiment"], 4),
                "sentiment_lo": _num(r["sentiment_lo"], 4),
                "sentiment_hi": _num(r["sentiment_hi"], 4),
                "sentiment_interval": interval_text(r["sentiment_lo"], r["sentiment_hi"], "+.2f", articles=n),
                "loaded_per_1000": _num(r["loaded"], 3),
                "loaded_lo": _num(r["loaded_lo"], 3),
                "loaded_hi": _num(r["loaded_hi"], 3),
                "loaded_interval": interval_text(r["loaded_lo"], r["loaded_hi"], ".1f", articles=n),
                "headline_sentiment": _num(r["headline_sentiment"], 4),
                "quoted_per_1000": _num(r["quoted_rate"], 3),
                "top_words": ", ".join(f"{w} ×{c}" for w, c in r["top_words"]),
                "thin_evidence": bool(r["thin"]),
                "health_problems": int(r["problems"]),
            }
        )
    about: list[tuple[str, str]] = [
        ("event", event_name),
        ("dates", prov.dates),
        ("articles", str(prov.articles)),
        ("outlets", str(prov.outlets)),
        ("scorer versions of these articles", ", ".join(prov.scorer_versions)),
        *number_settings(corrections),
    ]
    findings = [(FINDING_SECTIONS[k], s) for k in FINDING_SECTIONS for s in found.get(k, [])]
    return SummaryData(about=about, outlets=outlets, findings=findings, caption=prov.text())


def summary_json(data: SummaryData) -> str:
    findings = [{"section": s, "text": t} for s, t in data.findings]
    return dumps({"about": dict(data.about), "outlets": data.outlets, "findings": findings}) + "\n"


def summary_csv(data: SummaryData) -> str:
    """Three blocks a spreadsheet reads as one sheet: the outlets table, the findings, the settings."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(OUTLET_FIELDS)
    for row in data.outlets:
        w.writerow([safe_cell(row[k]) for k in OUTLET_FIELDS])
    for header, pairs in ((["finding", "text"], data.findings), (["about", "value"], data.about)):
        w.writerow([])
        w.writerow(header)
        for a, b in pairs:
            w.writerow([safe_cell(a), safe_cell(b)])
    return buf.getvalue()


def summary_xlsx(data: SummaryData) -> bytes:
    """An Excel workbook: sheets Outlets, Findings and About (openpyxl; text cells neutralised)."""
    from openpyxl import Workbook  # imported here: only this download needs it
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    sheets: list[tuple[str, list[str], list[list[object]]]] = [
        ("Outlets", OUTLET_FIELDS, [[row[k] for k in OUTLET_FIELDS] for row in data.outlets]),
        ("Findings", ["finding", "text"], [list(f) for f in data.findings]),
        ("About", ["about", "value"], [list(a) for a in data.about]),
    ]
    for i, (title, header, body) in enumerate(sheets):
        ws = wb.active if i == 0 and wb.active is not None else wb.create_sheet()
        ws.title = title
        ws.append(header)
        for values in body:
            ws.append([safe_cell(v) for v in values])
        for n, col in enumerate(ws.columns, start=1):
            width = max(len(str(c.value or "")) for c in col)
            ws.column_dimensions[get_column_letter(n)].width = min(80, max(8, width + 2))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def summary_file(
    event_name: str,
    rows: Sequence[dict],
    fmt: str,
    *,
    corrections: Sequence[str] = (),
    topic_words: Mapping[str, topics.TopicWord] | None = None,
) -> bytes:
    """The summary of one event's article rows as ``fmt`` (csv, json or xlsx), as bytes (see
    :func:`summary_data` for ``corrections`` and ``topic_words``)."""
    if fmt not in SUMMARY_FORMATS:
        raise ValueError(f"unsupported summary format {fmt!r} (csv, json or xlsx)")
    data = summary_data(event_name, rows, corrections=corrections, topic_words=topic_words)
    if fmt == "xlsx":
        return summary_xlsx(data)
    return (summary_json(data) if fmt == "json" else summary_csv(data)).encode("utf-8")
