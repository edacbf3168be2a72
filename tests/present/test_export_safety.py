"""No formulas in exported cells: every text cell of a CSV or Excel export that starts like a formula
is neutralised (OWASP's CSV-injection rule), numbers stay numbers; HTML exports escape web text."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest
from openpyxl import load_workbook

from analysis.present.export import FORMULA_STARTS, export_rows, export_table, safe_cell
from analysis.present.report import build_event_report
from analysis.present.summary_export import summary_file

HOSTILE_TITLE = '=HYPERLINK("http://x","y")'
HOSTILE_OUTLET = "@SUM(1+1)"
HOSTILE_EVENT = "+cmd|' /C calc'!A0"
HOSTILE_AUTHOR = "-2+3"
HOSTILE_OTHER_OUTLET = "\tTab Times"
HOSTILE_REASON = "\r=1+1"


def is_formula(value: object) -> bool:
    """A text cell a spreadsheet would run (a number written as "-0.4" is a number, not a formula)."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return False
    try:
        float(value)
    except ValueError:
        return True
    return False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("", ""),
        ("a=b", "a=b"),
        (-0.5, -0.5),
        (3, 3),
        (True, True),
        (None, None),
    ],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected
    assert type(safe_cell(value)) is type(expected)


def test_safe_cell_keeps_numpy_numbers_numbers() -> None:
    import numpy as np

    assert safe_cell(np.int64(-3)) == -3 and not isinstance(safe_cell(np.int64(-3)), str)
    assert safe_cell(np.float64(-0.25)) == -0.25


def _sentences(text: str) -> list[tuple[int, int, float]]:
    """(start, end, compound) of each sentence, as the store gives them."""
    out, pos = [], 0
    for i, s in enumerate(text.split(". ")):
        out.append((pos, pos + len(s), -0.6 + 0.3 * i))
        pos += len(s) + 2
    return out


def hostile_rows() -> list[dict]:
    text = "The council slammed the plan. Critics called it a disaster. Officials said nothing more"
    base = {
        "event": HOSTILE_EVENT,
        "domain": "x.example",
        "published": datetime(2026, 3, 1, 9),
        "canonical_url": None,
        "source": "text",
        "language": "en",
        "problems": [],
        "extractor": "text",
        "words": 14,
        "scorer_version": "v",
        "sentiment": -0.4,
        "positive_share": 0.0,
        "negative_share": 1.0,
        "n_sentences": 3,
        "headline_sentiment": -0.2,
        "loaded_rate": 50.0,
        "quoted_rate": 0.0,
        "loaded_count": 1,
        "loaded_sentences": 1,
        "categories": {"loaded-verb": 50.0},
        "spans": [{"start": 12, "end": 19, "text": "slammed", "category": "loaded-verb", "weight": 0.7}],
        "headline_spans": [],
        "text": text,
        "sentences": _sentences(text),
    }
    return [
        base
        | {
            "id": 1,
            "outlet": HOSTILE_OUTLET,
            "title": HOSTILE_TITLE,
            "authors": [HOSTILE_AUTHOR],
            "url": "http://x.example/=a",
            "health": "ok",
            "reason": "",
        },
        base
        | {
            "id": 2,
            "outlet": HOSTILE_OTHER_OUTLET,
            "title": "-Minus",
            "authors": [],
            "url": "http://y.example/b",
            "health": "short",
            "reason": HOSTILE_REASON,
        },
    ]


def test_article_csv_has_no_formula_cells_and_numbers_stay_numbers() -> None:
    text = export_rows(hostile_rows(), "csv")
    table = list(csv.DictReader(io.StringIO(text)))
    assert not [v for row in table for v in row.values() if is_formula(v)]
    assert table[0]["title"] == "'" + HOSTILE_TITLE
    assert table[0]["outlet"] == "'" + HOSTILE_OUTLET
    assert table[0]["event"] == "'" + HOSTILE_EVENT
    assert table[1]["outlet"] == "'" + HOSTILE_OTHER_OUTLET
    assert table[1]["reason"] == "'" + HOSTILE_REASON
    assert table[0]["sentiment"] == "-0.4"  # a number, written as a number
    assert json.loads(table[0]["authors"]) == [HOSTILE_AUTHOR]  # JSON text inside a cell starts with [


@pytest.mark.parametrize("with_text", [False, True])
def test_data_page_downloads_have_no_formula_cells(with_text: bool) -> None:
    table = list(csv.DictReader(io.StringIO(export_table(hostile_rows(), "csv", with_text=with_text))))
    assert not [v for row in table for v in row.values() if is_formula(v)]
    assert table[0]["title"] == "'" + HOSTILE_TITLE and table[0]["outlet"] == "'" + HOSTILE_OUTLET
    assert (table[0]["text"] != "") is with_text


def test_article_json_keeps_the_text_as_it_is() -> None:
    data = json.loads(export_rows(hostile_rows(), "json"))
    assert data[0]["title"] == HOSTILE_TITLE and data[0]["outlet"] == HOSTILE_OUTLET


def test_summary_csv_and_xlsx_have_no_formula_cells() -> None:
    rows = hostile_rows()
    text = summary_file(HOSTILE_EVENT, rows, "csv").decode("utf-8")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not [c for c in cells if is_formula(c)]
    assert "'" + HOSTILE_OUTLET in cells and "'" + HOSTILE_EVENT in cells
    wb = load_workbook(io.BytesIO(summary_file(HOSTILE_EVENT, rows, "xlsx")))
    assert wb.sheetnames == ["Outlets", "Findings", "About"]
    values = [c.value for ws in wb for row in ws.iter_rows() for c in row]
    assert not [v for v in values if is_formula(v)]
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)
    outlets = {r[0].value: r for r in wb["Outlets"].iter_rows(min_row=2)}
    assert "'" + HOSTILE_OUTLET in outlets
    sentiment = outlets["'" + HOSTILE_OUTLET][4].value
    assert isinstance(sentiment, float) and sentiment < 0  # numbers stay numbers


def test_summary_json_has_estimates_intervals_findings_and_settings() -> None:
    data = json.loads(summary_file(HOSTILE_EVENT, hostile_rows(), "json"))
    assert data["about"]["event"] == HOSTILE_EVENT
    assert data["about"]["corrections applied"] == "none"
    assert "scorer version" in data["about"]
    outlet = data["outlets"][0]
    assert {"sentiment", "sentiment_lo", "sentiment_hi", "loaded_interval", "thin_evidence"} <= set(outlet)
    assert {f["section"] for f in data["findings"]} >= {"Who was more negative", "Caveats"}
    with pytest.raises(ValueError, match="unsupported"):
        summary_file("x", hostile_rows(), "ods")


def test_report_escapes_hostile_text_and_names_the_scorer() -> None:
    rows = hostile_rows()
    rows[0] = rows[0] | {"title": "<script>alert(1)</script>"}
    page = build_event_report("<img src=x onerror=alert(1)>", rows, corrections=["merged two outlets"])
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert "scorer v" in page and "merged two outlets" in page
    assert "What the numbers depend on" in page
