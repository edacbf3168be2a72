"""Article rows as the comparison sees them: word counts, health levels, which rows are usable."""

from __future__ import annotations

import re
from typing import Any

from analysis.models import FAILED_HEALTH

THIN_ARTICLES = 2  # fewer articles than this per outlet: "the evidence is thin"
AMBER_HEALTH = frozenset({"short", "no-date", "not-english", "encoding-suspect"})  # usable but doubtful

WORD_RE = re.compile(r"\w+(?:[’'\-]\w+)*", re.UNICODE)


def word_count(text: str) -> int:
    """Words in ``text`` (letters/digits runs, with inner apostrophes and hyphens)."""
    return len(WORD_RE.findall(text or ""))


def health_level(health: str | None) -> str:
    """ "ok", "warn" (short, no date, not English, odd encoding) or "fail" (no usable text)."""
    if not health or health == "ok":
        return "ok"
    if health in FAILED_HEALTH:
        return "fail"
    return "warn"


def usable(row: dict) -> bool:
    """An article with scores and text worth comparing (failed fetches/extractions are left out)."""
    return row.get("sentiment") is not None and health_level(row.get("health")) != "fail"


def span_field(sp: object, name: str, default: Any = None) -> Any:
    """A field of a loaded-language span, whichever form it has: a dict, a stored ``SpanRecord``
    mapping or a ``Span`` object."""
    get = getattr(sp, "get", None)  # a dict or a mapping (no isinstance: it is the hot path of counting)
    return get(name, default) if get is not None else getattr(sp, name, default)
