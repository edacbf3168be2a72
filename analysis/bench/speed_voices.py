"""Speed of the voices and labels views: one event of the demo corpus with six outlets."""

from __future__ import annotations

import json
import time
from typing import Any

from analysis.settings import PROJECT_ROOT

DEMO_DIR = PROJECT_ROOT / "data" / "demo"
VOICES_EVENT_SLUG = "dunmore-plant-closure"  # the demo event with six outlets
VOICES_REPEATS = 3  # the median of this many runs


def voices_event(slug: str = VOICES_EVENT_SLUG) -> dict[str, Any]:
    """Seconds for all quotes of one event (``event_voices``) and for its labels (``label_table``)."""
    from analysis.compare.labels import label_table
    from analysis.compare.voice_tables import event_voices
    from analysis.ingest.extract import extract_article

    manifest = json.loads((DEMO_DIR / "manifest.json").read_text("utf-8"))
    event = next(e for e in manifest["events"] if e["slug"] == slug)
    rows: list[dict[str, Any]] = []
    for i, a in enumerate(event["articles"]):
        art = extract_article((DEMO_DIR / a["file"]).read_text("utf-8"), a["url"])
        rows.append({"id": i, "outlet": art.outlet, "title": art.title, "text": art.text, "event": slug})

    def timed(fn) -> float:  # noqa: ANN001
        times = []
        for _ in range(VOICES_REPEATS):
            t0 = time.perf_counter()
            fn(rows)
            times.append(time.perf_counter() - t0)
        return round(sorted(times)[len(times) // 2], 3)

    words = sum(len(str(r["text"]).split()) for r in rows)
    return {
        "outlets": len({r["outlet"] for r in rows}),
        "articles": len(rows),
        "words": words,
        "quotes": len(event_voices(rows)),
        "voices_s": timed(event_voices),
        "labels_s": timed(label_table),
    }
