"""The store's own exception types: callers never see (or import) a SQLAlchemy exception.

Every public method of :class:`analysis.store.Store` (and its construction) turns a SQLAlchemy error
into :class:`DatabaseError` with the same message, the original chained as its ``__cause__``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError


class StoreError(ValueError):
    """A user-facing problem with the database (bad URL, unknown event ...)."""


class EventChangedError(StoreError):
    """An edit was refused: an event it names was renamed, merged away or deleted since it was chosen."""


class DatabaseError(StoreError):
    """The database itself failed (unreachable, locked, read-only, a constraint ...): the driver's
    message, unchanged."""


@contextmanager
def database_errors() -> Iterator[None]:
    """SQLAlchemy errors raised inside the block come out as :class:`DatabaseError`."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise DatabaseError(str(exc)) from exc


def _translated(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with database_errors():
            return fn(*args, **kwargs)

    return wrapper


C = TypeVar("C", bound=type)


def translate_database_errors(cls: C) -> C:
    """Wrap ``__init__`` and every public plain method of ``cls`` (inherited ones included) in
    :func:`database_errors`.  Generators and context managers are left alone: they translate
    errors themselves, where the work happens (on iteration, on entry)."""
    names = {n for klass in cls.__mro__[:-1] for n in vars(klass)}
    for name in sorted(names):
        if name.startswith("_") and name != "__init__":
            continue
        static = inspect.getattr_static(cls, name)
        if not inspect.isfunction(static):  # staticmethod, classmethod, property, constant
            continue
        if inspect.isgeneratorfunction(static) or hasattr(static, "__wrapped__"):
            continue
        setattr(cls, name, _translated(static))
    return cls
