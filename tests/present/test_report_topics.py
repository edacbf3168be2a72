"""The event report counts like the Compare page: topic words listed, not counted."""

from __future__ import annotations

from datetime import UTC, datetime

from analysis.present.report import build_event_report
from tests.compare.test_topics import _event


def test_report_lists_topic_words() -> None:
    rows = _event()
    for r in rows:
        r.update(
            published=datetime(2026, 1, 2, tzinfo=UTC), url=f"https://x.example/{r['id']}", domain="x.example"
        )
    html = build_event_report("Plague", rows, generated=datetime(2026, 1, 3, tzinfo=UTC))
    assert "not counted: plague — used by 3 of 3 outlets" in html
