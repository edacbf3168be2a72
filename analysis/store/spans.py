"""Loaded-language spans in the JSON columns, compactly.

A 5 MB text can have a million spans.  They are written straight from ``Span`` objects (no dict per
span first) and read back as :class:`SpanRecord` mappings (~170 instead of ~620 bytes a span): the
stored JSON is the same text as ``json.dumps`` of the dicts.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping

from analysis.models import Span

SPAN_KEYS: tuple[str, ...] = ("start", "end", "text", "category", "weight", "quoted", "rule")
_SPAN_KEY_SET = frozenset(SPAN_KEYS)


class SpanRecord(Mapping):
    """A stored loaded-language span as read back from the database: a read-only mapping with the
    keys of :func:`span_dict` (``sp["category"]``, ``sp.get("weight")``, ``dict(sp)``), also readable
    as attributes like a :class:`~analysis.models.Span` (``sp.start``).

    A dict per span took ~620 bytes (its strings included); this takes ~170 (slots, and the
    category, rule and word strings interned).
    """

    __slots__ = SPAN_KEYS

    def __init__(
        self, start: int, end: int, text: str, category: str, weight: float, quoted: bool, rule: str
    ) -> None:
        self.start, self.end, self.text, self.category = start, end, text, category
        self.weight, self.quoted, self.rule = weight, quoted, rule

    def __getitem__(self, key: str) -> object:
        if key in _SPAN_KEY_SET:
            return getattr(self, key)
        raise KeyError(key)

    def get(self, key: str, default: object = None) -> object:
        """``Mapping.get`` without its ``__getitem__``/``KeyError`` round trip (called ~100 times per
        article on every page that counts loaded language)."""
        return getattr(self, key) if key in _SPAN_KEY_SET else default

    def __iter__(self) -> Iterator[str]:
        return iter(SPAN_KEYS)

    def __len__(self) -> int:
        return len(SPAN_KEYS)

    def __repr__(self) -> str:
        return repr(dict(self))

    def __reduce__(self) -> tuple:
        return (SpanRecord, tuple(getattr(self, k) for k in SPAN_KEYS))


def _intern(value: object) -> object:
    return sys.intern(value) if type(value) is str else value


def _json_object(d: dict) -> object:
    """json.loads object hook: stored spans become :class:`SpanRecord`, other objects stay dicts."""
    if len(d) == len(SPAN_KEYS) and d.keys() == _SPAN_KEY_SET:
        return SpanRecord(
            d["start"],
            d["end"],
            _intern(d["text"]),  # type: ignore[arg-type]  # the same words are flagged again and again
            _intern(d["category"]),  # type: ignore[arg-type]
            d["weight"],
            d["quoted"],
            _intern(d["rule"]),  # type: ignore[arg-type]
        )
    return d


def span_dict(sp: Span) -> dict:
    """``dataclasses.asdict(sp)`` (same keys, same order) without its recursive deep copy, which cost
    ~50 µs per span: seconds for the hundreds of thousands of spans of a hostile 5 MB text."""
    return {
        "start": sp.start,
        "end": sp.end,
        "text": sp.text,
        "category": sp.category,
        "weight": sp.weight,
        "quoted": sp.quoted,
        "rule": sp.rule,
    }


def json_default(obj: object) -> object:
    """json.dumps fallback: a Span or a stored span as its dict (the keys of :func:`span_dict`)."""
    if isinstance(obj, Span):
        return span_dict(obj)
    if isinstance(obj, Mapping):
        return dict(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def json_column_dumps(value: object) -> str:
    """The JSON columns' serializer: ``json.dumps`` (the same text), also taking ``Span`` objects and
    :class:`SpanRecord` so that spans are never all copied into dicts first."""
    return json.dumps(value, default=json_default)


def json_column_loads(text: str) -> object:
    """The JSON columns' deserializer: ``json.loads`` with the spans as :class:`SpanRecord`."""
    return json.loads(text, object_hook=_json_object)
