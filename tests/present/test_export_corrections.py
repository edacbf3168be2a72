"""Exports after a person's corrections (``analysis.compare.reviewed``): the new columns go through
``safe_cell`` like every other, and the summary's "about" block lists the corrections in force."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from analysis.compare.reviewed import reviewed_event, reviewed_rows
from analysis.present.export import export_table
from analysis.present.report import build_event_report
from analysis.present.summary_export import summary_file

try:  # tests/ is on sys.path while it has no __init__.py
    from present.test_export_safety import HOSTILE_EVENT, hostile_rows, is_formula
except ModuleNotFoundError:
    from tests.present.test_export_safety import HOSTILE_EVENT, hostile_rows, is_formula

USER = "=cmd|' /C calc'!A0"
CORRECTIONS = [
    {"kind": "dismiss", "term": "slammed", "scope": "article", "article_id": 1, "created_by": USER},
    {"kind": "add", "term": "-disaster", "scope": "global", "category": "framing", "weight": 0.5},
]


def _rows() -> list[dict]:
    return [r | {"event_id": 5} for r in hostile_rows()]


def test_corrected_article_csv_has_no_formula_cells() -> None:
    rows = reviewed_rows(_rows(), CORRECTIONS)
    for with_text in (False, True):
        text = export_table(rows, "csv", with_text=with_text, corrections=CORRECTIONS)
        table = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
        assert not [v for row in table.values() for v in row.values() if is_formula(v)]
        assert float(table["1"]["scored_loaded_rate"]) == 50.0 and float(table["1"]["loaded_rate"]) == 0.0
        assert [c["created_by"] for c in json.loads(table["1"]["corrections"])] == [USER, None]
        assert len(json.loads(table["2"]["corrections"])) == 1  # the article dismissal is article 1's
    spans = json.loads(export_table(rows, "json", corrections=CORRECTIONS))[0]["spans"]
    assert [(sp["text"], sp["dismissed"]) for sp in spans if sp["text"] == "slammed"] == [("slammed", True)]


def test_summary_and_report_list_the_corrections_in_force() -> None:
    view = reviewed_event(_rows(), CORRECTIONS, 5)
    assert view.corrections == (
        f"dismiss 'slammed' in article 1 ({USER})",
        "add as framing '-disaster' everywhere",
    )
    data = json.loads(
        summary_file(
            HOSTILE_EVENT, view.rows, "json", corrections=view.corrections, topic_words=view.topic_words
        )
    )
    assert "dismiss 'slammed' in article 1" in data["about"]["corrections applied"]
    wb = load_workbook(
        io.BytesIO(
            summary_file(
                HOSTILE_EVENT, view.rows, "xlsx", corrections=view.corrections, topic_words=view.topic_words
            )
        )
    )
    values = [c.value for ws in wb for row in ws.iter_rows() for c in row]
    assert not [v for v in values if is_formula(v)]
    assert any(isinstance(v, str) and "add as framing '-disaster'" in v for v in values)
    page = build_event_report(
        HOSTILE_EVENT, view.rows, corrections=view.corrections, topic_words=view.topic_words
    )
    assert "dismiss &#x27;slammed&#x27; in article 1" in page or "dismiss 'slammed' in article 1" in page
