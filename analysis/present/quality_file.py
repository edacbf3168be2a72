"""The measured quality of the program, as a file the repository keeps: ``data/quality.json``.

``python -m analysis bench quality`` writes it (never edit it by hand); the dashboard's "Method &
limits" page and anything else that states how good the scores are read it.  The structure is
generic so that any benchmark can add rows::

    {"generated": "2026-12-07T03:00:00+00:00", "scorer_version": "...", "eval_data": "../shared/eval",
     "rows": [{"task": ..., "data": ..., "metric": ..., "value": 0.405, "baseline": "...", "note": "..."}]}

``task`` names what is measured (its first word is the page section: extraction, loaded language,
sentiment, event grouping ...), ``value`` is a number, ``baseline`` a reference in words (or a
number), ``note`` anything a reader needs to weigh the figure.  Pure reading and writing: no Streamlit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from analysis.settings import PROJECT_ROOT

QUALITY_FILE = PROJECT_ROOT / "data" / "quality.json"
ROW_FIELDS = ("task", "data", "metric", "value", "baseline", "note")


def clean_row(row: dict) -> dict | None:
    """A row with exactly ROW_FIELDS (missing text as ""), or None when it has no task or no
    finite numeric value (such a row cannot be shown as a measurement)."""
    value = row.get("value")
    if not row.get("task") or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(float(value)):
        return None
    out = {k: row.get(k) for k in ROW_FIELDS}
    for k in ("task", "data", "metric", "note"):
        out[k] = "" if out[k] is None else str(out[k])
    if out["baseline"] is None:
        out["baseline"] = ""
    return out


def write_quality(
    rows: Sequence[dict], path: Path = QUALITY_FILE, *, scorer_version: str = "", eval_data: str = ""
) -> Path:
    """Write the rows (cleaned) with the time and the scorer version; returns the path."""
    doc = {
        "generated": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "scorer_version": scorer_version,
        "eval_data": eval_data,
        "rows": [r for r in (clean_row(dict(x)) for x in rows) if r is not None],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return path


def read_quality(path: Path = QUALITY_FILE) -> dict:
    """The results file as ``{"generated", "scorer_version", "eval_data", "rows"}``; rows that are
    not measurements are dropped.  A missing or unreadable file gives no rows and an ``error``."""
    try:
        doc = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {"rows": [], "error": f"{path.name} not found: run python -m analysis bench quality"}
    except (OSError, ValueError) as exc:
        return {"rows": [], "error": f"{path.name} could not be read: {type(exc).__name__}"}
    if not isinstance(doc, dict):
        return {"rows": [], "error": f"{path.name} is not a results file"}
    raw = doc.get("rows")
    items = raw if isinstance(raw, list) else []
    rows = [r for r in (clean_row(x) for x in items if isinstance(x, dict)) if r is not None]
    return {
        "generated": str(doc.get("generated") or ""),
        "scorer_version": str(doc.get("scorer_version") or ""),
        "eval_data": str(doc.get("eval_data") or ""),
        "rows": rows,
    }


def rows_for(doc: dict, task_prefix: str) -> list[dict]:
    """The rows whose task starts with ``task_prefix`` (case-insensitive)."""
    p = task_prefix.lower()
    return [r for r in doc.get("rows", []) if str(r["task"]).lower().startswith(p)]
