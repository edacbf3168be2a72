"""Events: articles -> events.  Features, a sparse neighbour graph with a date window and average
linkage, the EventGrouper; imports only models and settings (never ingest, compare or present).
"""

from __future__ import annotations

import importlib
from typing import Any

# Re-exported lazily (as in analysis/__init__.py): importing one module of the package does not load
# scikit-learn and SciPy for the others.
_EXPORTS: dict[str, str] = {
    "EventGrouper": "analysis.events.grouper",
    "group_events": "analysis.events.grouper",
    "event_title": "analysis.events.grouper",
    "DEFAULT_THRESHOLD": "analysis.events.grouper",
    "DEFAULT_WINDOW_DAYS": "analysis.events.grouper",
    "PARALLEL_MIN_DOCS": "analysis.events.tokens",
    "NewsTfidf": "analysis.events.features",
    "clean_title": "analysis.events.names",
    "entity_features": "analysis.events.names",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis.events' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
