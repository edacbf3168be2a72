"""Store queries about events: finding and creating them, a person's edits, automatic grouping."""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any, cast

from sqlalchemy import delete, exists, func, select, text, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analysis.store.engine import Connection, _write_session
from analysis.store.errors import EventChangedError, StoreError, database_errors
from analysis.store.history import record
from analysis.store.schema import (
    ArticleRow,
    CorrectionRow,
    EventRow,
    FetchAttemptRow,
    _free_slug,
    event_name_key,
    unused_event_name,
    validate_event_name,
)

# PostgreSQL advisory lock keys (any 64-bit numbers the program does not use elsewhere)
GROUPING_LOCK_KEY = zlib.crc32(b"analysis: one grouping run at a time")
GROUPING_LOCK_WAIT = 600.0  # seconds a grouping run waits for another run on the same database


@dataclass(frozen=True)
class GroupPlan:
    """One group of free articles found by automatic grouping (see Store.apply_grouping)."""

    article_ids: list[int]
    previous: list[int]  # automatic events its articles were in, most articles first (reused if possible)
    title: Callable[[], str]  # the name for a new event (called only when one is needed)


ASSIGN_CHUNK = 5000  # article ids per UPDATE ... WHERE id IN (...)

_fcntl: ModuleType | None
try:
    import fcntl as _fcntl
except ImportError:  # not a POSIX system: grouping runs are serialised within one process only
    _fcntl = None
_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def _wait_or_fail(deadline: float, wait: float) -> None:
    if time.monotonic() >= deadline:
        raise StoreError(
            f"another grouping run on this database did not finish within {wait:.0f} s; try again later"
        )
    time.sleep(0.05)


class EventQueries(Connection):
    """Events: lookup by name, creation, edits by a person, automatic grouping."""

    # --- events -----------------------------------------------------------
    # An event is identified by its id.  A name given by a person (CLI, dashboard) is matched by its
    # full normalised form (event_name_key), or else as an exact slug; never by a cut-off slug.
    def _lookup(self, s: Session, name_or_slug: str) -> EventRow | None:
        key = event_name_key(name_or_slug)
        row = s.scalar(select(EventRow).where(EventRow.name_key == key))
        if row is None:
            row = s.scalar(select(EventRow).where(EventRow.slug.in_({name_or_slug.strip(), key})))
        return row

    @staticmethod
    def _slug_taken(s: Session, exclude: int | None = None) -> Callable[[str], bool]:
        def taken(slug: str) -> bool:
            q = select(EventRow.id).where(EventRow.slug == slug)
            if exclude is not None:
                q = q.where(EventRow.id != exclude)
            return s.scalar(q) is not None

        return taken

    def get_or_create_event(self, name: str, description: str = "", *, auto: bool = False) -> int:
        """The id of the event named ``name`` (same normalised name, or this exact slug); a new
        event when there is none."""
        name = validate_event_name(name)
        with self.session() as s:
            row = self._lookup(s, name)
            if row is not None:
                return row.id
        try:
            with self.session() as s:
                row = EventRow(
                    name=name,
                    name_key=event_name_key(name),
                    slug=_free_slug(name, self._slug_taken(s)),
                    description=description,
                    auto=auto,
                )
                s.add(row)
                s.flush()
                return row.id
        except IntegrityError:  # created concurrently
            with self.session() as s:
                row = self._lookup(s, name)
            if row is None:
                raise
            return row.id

    def find_event(self, name_or_slug: str) -> EventRow:
        with self.session() as s:
            row = self._lookup(s, name_or_slug)
        if row is None:
            known = ", ".join(e["name"] for e in self.list_events()) or "none yet"
            raise StoreError(f"no event named {name_or_slug!r} (known events: {known})")
        return row

    def list_events(self) -> list[dict]:
        with self.session() as s:
            rows = s.execute(
                select(
                    EventRow.id,
                    EventRow.name,
                    EventRow.slug,
                    EventRow.description,
                    EventRow.auto,
                    func.count(ArticleRow.id),
                    func.count(func.distinct(ArticleRow.outlet)),
                    func.min(ArticleRow.published),
                    func.max(ArticleRow.published),
                )
                .outerjoin(ArticleRow, (ArticleRow.event_id == EventRow.id) & ArticleRow.deleted_at.is_(None))
                .where(EventRow.deleted_at.is_(None))
                .group_by(EventRow.id, EventRow.name, EventRow.slug, EventRow.description, EventRow.auto)
                .order_by(EventRow.name)
            ).all()
        keys = ("id", "name", "slug", "description", "auto", "articles", "outlets", "first", "last")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    # --- a person's edits to events (they survive re-grouping) -------------
    # Each edit takes ``expected_names`` ({event id: name as the person saw it}): when one of those
    # events has been renamed, merged away or deleted since, the edit is refused and nothing changes.
    def _event_id(self, s: Session, name_or_id: str | int) -> int:
        if isinstance(name_or_id, int):
            if s.get(EventRow, name_or_id) is None:
                raise StoreError(f"no event with id {name_or_id}")
            return name_or_id
        row = self._lookup(s, name_or_id)
        if row is None:
            return self.find_event(name_or_id).id  # raises with the list of known events
        return row.id

    @staticmethod
    def _check_expected(s: Session, expected_names: Mapping[int, str] | None) -> None:
        for eid, name in (expected_names or {}).items():
            row = s.get(EventRow, eid)
            if row is None:
                raise EventChangedError(
                    f"the event “{name}” no longer exists (merged or deleted since it was chosen); "
                    "nothing was changed"
                )
            if row.name != name:
                raise EventChangedError(
                    f"the event “{name}” was renamed to “{row.name}” since it was chosen; nothing was changed"
                )

    def rename_event(
        self,
        event: str | int,
        new_name: str,
        *,
        expected_names: Mapping[int, str] | None = None,
        user: str = "",
    ) -> None:
        """Rename an event; its articles become pinned to it (a person has reviewed it)."""
        new_name = validate_event_name(new_name)
        key = event_name_key(new_name)
        with self.session() as s:
            self._check_expected(s, expected_names)
            eid = self._event_id(s, event)
            clash = s.scalar(select(EventRow.name).where(EventRow.name_key == key, EventRow.id != eid))
            if clash is not None:
                raise StoreError(f"an event named {clash!r} already exists (merge them instead)")
            row = s.get_one(EventRow, eid)
            if row.name != new_name:
                record(
                    s,
                    "event.rename",
                    user=user,
                    event_id=eid,
                    subject=new_name,
                    before=row.name,
                    after=new_name,
                )
            if row.name_key != key:
                row.slug = _free_slug(new_name, self._slug_taken(s, exclude=eid))
            row.name, row.name_key, row.auto = new_name, key, False
            s.execute(update(ArticleRow).where(ArticleRow.event_id == eid).values(event_pinned=True))

    def merge_events(
        self,
        sources: Iterable[str | int],
        target: str | int,
        *,
        expected_names: Mapping[int, str] | None = None,
        user: str = "",
    ) -> int:
        """Move every article of ``sources`` into ``target`` (pinned) and delete the sources.

        Returns the number of articles moved."""
        with self.session() as s:
            self._check_expected(s, expected_names)
            tid = self._event_id(s, target)
            sids = list(dict.fromkeys(self._event_id(s, x) for x in sources))
            sids = [x for x in sids if x != tid]
            moved = cast(  # an UPDATE returns a CursorResult
                CursorResult[Any],
                s.execute(
                    update(ArticleRow)
                    .where(ArticleRow.event_id.in_(sids))
                    .values(event_id=tid, event_pinned=True)
                ),
            ).rowcount
            s.execute(update(ArticleRow).where(ArticleRow.event_id == tid).values(event_pinned=True))
            s.execute(update(FetchAttemptRow).where(FetchAttemptRow.event_id.in_(sids)).values(event_id=tid))
            target_row = s.get_one(EventRow, tid)
            target_row.auto = False
            self._carry_corrections(s, sids, tid)
            for sid in sids:
                gone = s.get_one(EventRow, sid)
                record(
                    s,
                    "event.merge",
                    user=user,
                    event_id=tid,
                    subject=target_row.name,
                    before=f"{gone.name} (event {sid})",
                    after=f"merged into {target_row.name}",
                )
                s.delete(gone)
        return moved

    @staticmethod
    def _carry_corrections(s: Session, sids: list[int], tid: int) -> None:
        """The corrections made in merged events carry over to the target (unless it has its own)."""
        for c in s.scalars(select(CorrectionRow).where(CorrectionRow.event_id.in_(sids))).all():
            clash = s.scalar(
                select(CorrectionRow.id).where(
                    CorrectionRow.family == c.family,
                    CorrectionRow.term_key == c.term_key,
                    CorrectionRow.scope_key == f"event:{tid}",
                )
            )
            if clash is None:
                c.event_id, c.scope_key = tid, f"event:{tid}"
                s.flush()

    def move_articles(
        self,
        article_ids: Iterable[int],
        event: str | int,
        *,
        expected_names: Mapping[int, str] | None = None,
        user: str = "",
    ) -> int:
        """Put articles into ``event`` (pinned there).  Returns how many were moved."""
        ids = list(article_ids)
        with self.session() as s:
            self._check_expected(s, expected_names)
            return self._move(s, ids, self._event_id(s, event), user=user)

    @staticmethod
    def _move(s: Session, ids: list[int], eid: int, *, user: str = "", action: str = "event.move") -> int:
        found = dict(
            s.execute(
                select(ArticleRow.id, EventRow.name)
                .outerjoin(EventRow, ArticleRow.event_id == EventRow.id)
                .where(ArticleRow.id.in_(ids))
            ).all()
        )
        missing = set(ids) - set(found)
        if missing:
            raise StoreError(f"no article with id {sorted(missing)[0]}")
        target = s.get_one(EventRow, eid).name
        for aid in ids:
            if found[aid] != target:
                before = found[aid] or "no event"
                record(
                    s,
                    action,
                    user=user,
                    event_id=eid,
                    article_id=aid,
                    subject=target,
                    before=before,
                    after=target,
                )
        n = cast(  # an UPDATE returns a CursorResult
            CursorResult[Any],
            s.execute(
                update(ArticleRow).where(ArticleRow.id.in_(ids)).values(event_id=eid, event_pinned=True)
            ),
        ).rowcount
        s.get_one(EventRow, eid).auto = False
        return n

    def split_event(
        self,
        event: str | int,
        article_ids: Iterable[int],
        new_name: str,
        *,
        expected_names: Mapping[int, str] | None = None,
        user: str = "",
    ) -> int:
        """Move ``article_ids`` of ``event`` into a new event ``new_name``; both are then pinned.

        One transaction: either all of it happens or nothing."""
        ids = list(article_ids)
        new_name = validate_event_name(new_name)
        with self.session() as s:
            self._check_expected(s, expected_names)
            eid = self._event_id(s, event)
            inside = set(s.scalars(select(ArticleRow.id).where(ArticleRow.event_id == eid)))
            if not ids or not set(ids) <= inside:
                raise StoreError("split needs one or more article ids that belong to the event")
            row = self._lookup(s, new_name)
            if row is None:
                row = EventRow(
                    name=new_name,
                    name_key=event_name_key(new_name),
                    slug=_free_slug(new_name, self._slug_taken(s)),
                )
                s.add(row)
                s.flush()
            self._move(s, ids, row.id, user=user, action="event.split")
            s.execute(update(ArticleRow).where(ArticleRow.event_id == eid).values(event_pinned=True))
            s.get_one(EventRow, eid).auto = False
            return row.id

    def delete_empty_auto_events(self) -> int:
        """Delete automatic events without articles; one statement, so the emptiness is checked
        in the same transaction as the delete (an event filled meanwhile is kept)."""
        with _write_session(self._sessions) as s:
            return len(self._delete_empty_auto(s))

    @staticmethod
    def _delete_empty_auto(s: Session) -> set[int]:
        """Ids of the automatic events without articles, deleted by one statement."""
        used = exists().where(ArticleRow.event_id == EventRow.id)
        stmt = delete(EventRow).where(EventRow.auto.is_(True), ~used)
        if s.get_bind().dialect.delete_returning:
            return set(
                s.scalars(stmt.returning(EventRow.id), execution_options={"synchronize_session": False})
            )
        ids = set(s.scalars(select(EventRow.id).where(EventRow.auto.is_(True), ~used)))
        s.execute(stmt.where(EventRow.id.in_(ids)), execution_options={"synchronize_session": False})
        return ids

    # --- automatic grouping: one run at a time per database -------------------
    @contextmanager
    def grouping_lock(self, wait: float = GROUPING_LOCK_WAIT) -> Iterator[None]:
        """Held for a whole grouping run (read, compute, write), so that two runs on one database
        never interleave: a second run waits for the first (up to ``wait`` seconds, then
        StoreError) and then sees its result.

        It does not block other writers (ingest, edits) while grouping computes: PostgreSQL, a
        session-level advisory lock on a connection of its own; SQLite, an OS lock on a file
        beside the database (``<file>-grouping.lock``; the OS releases it if the process dies);
        an in-memory database or another dialect, a lock within this process."""
        url = self.engine.url
        deadline = time.monotonic() + wait
        if url.get_backend_name() == "postgresql":
            with database_errors(), self.engine.connect() as conn:
                while not conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": GROUPING_LOCK_KEY}):
                    conn.rollback()
                    _wait_or_fail(deadline, wait)
                conn.commit()  # the lock belongs to the session, not the transaction
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": GROUPING_LOCK_KEY})
                    conn.commit()
            return
        path = url.database if url.get_backend_name() == "sqlite" else None
        if path and path != ":memory:" and not path.startswith("file:") and _fcntl is not None:
            with open(f"{path}-grouping.lock", "a+b") as fh:
                while True:
                    try:
                        _fcntl.flock(fh.fileno(), _fcntl.LOCK_EX | _fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        _wait_or_fail(deadline, wait)
                try:
                    yield
                finally:
                    _fcntl.flock(fh.fileno(), _fcntl.LOCK_UN)
            return
        with _PROCESS_LOCKS_GUARD:
            lock = _PROCESS_LOCKS.setdefault(str(url), threading.Lock())
        if not lock.acquire(timeout=wait):
            _wait_or_fail(deadline, wait)
        try:
            yield
        finally:
            lock.release()

    def apply_grouping(self, fixed: Mapping[int, int], groups: Sequence[GroupPlan]) -> tuple[int, int]:
        """Write one grouping run's result in one transaction; returns (events created, removed).

        ``fixed``: {article id: event id} for free articles that join an event a person made;
        ``groups``: the other free articles, largest group first.  Everything is checked again
        here, against the database as it is now: an event to reuse must still exist and still be
        automatic (else a new one is made), a person's event that is gone takes no articles,
        pinned articles are never moved, and an automatic event is removed only when it has no
        article at the moment of the delete.  Run inside :meth:`grouping_lock`."""
        with _write_session(self._sessions) as s:
            # FOR UPDATE (PostgreSQL): a person's edit of these events waits until this commits
            auto_of = {i: a for i, a in s.execute(select(EventRow.id, EventRow.auto).with_for_update())}
            keys = set(s.scalars(select(EventRow.name_key)))
            slugs = set(s.scalars(select(EventRow.slug)))
            by_event: dict[int, list[int]] = {}
            for aid, eid in fixed.items():
                if eid in auto_of:
                    by_event.setdefault(eid, []).append(aid)
            created: set[int] = set()
            taken: set[int] = set()
            for group in groups:
                reuse = next((e for e in group.previous if auto_of.get(e) is True and e not in taken), None)
                if reuse is not None:
                    eid = reuse
                else:
                    name = unused_event_name(keys, group.title())
                    row = EventRow(
                        name=name,
                        name_key=event_name_key(name),
                        slug=_free_slug(name, slugs.__contains__),
                        auto=True,
                    )
                    s.add(row)
                    s.flush()
                    keys.add(row.name_key)
                    slugs.add(row.slug)
                    auto_of[row.id] = True
                    eid = row.id
                    created.add(eid)
                taken.add(eid)
                by_event.setdefault(eid, []).extend(group.article_ids)
            for eid, ids in by_event.items():
                for i in range(0, len(ids), ASSIGN_CHUNK):
                    s.execute(
                        update(ArticleRow)
                        .where(
                            ArticleRow.id.in_(ids[i : i + ASSIGN_CHUNK]), ArticleRow.event_pinned.is_(False)
                        )
                        .values(event_id=eid)
                    )
            removed = self._delete_empty_auto(s)
        # an event made here whose articles were all pinned by a person meanwhile was never there
        return len(created - removed), len(removed - created)

    def grouping_docs(self) -> list[dict]:
        """Every article as a document for event grouping, with its current event and pin."""
        with self.session() as s:
            rows = s.execute(
                select(
                    ArticleRow.id,
                    ArticleRow.title,
                    ArticleRow.text,
                    ArticleRow.outlet,
                    ArticleRow.published,
                    ArticleRow.event_id,
                    ArticleRow.event_pinned,
                    EventRow.auto,
                )
                .outerjoin(EventRow, ArticleRow.event_id == EventRow.id)
                .where(ArticleRow.deleted_at.is_(None), EventRow.deleted_at.is_(None))
                .order_by(ArticleRow.id)
            ).all()
        keys = ("id", "title", "text", "outlet", "published", "event_id", "pinned", "event_auto")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def assign_auto(self, assignments: dict[int, int]) -> None:
        """Set the event of free (unpinned) articles as grouping decided: {article_id: event_id}."""
        by_event: dict[int, list[int]] = {}
        for aid, eid in assignments.items():
            by_event.setdefault(eid, []).append(aid)
        with self.session() as s:
            for eid, ids in by_event.items():
                s.execute(
                    update(ArticleRow)
                    .where(ArticleRow.id.in_(ids), ArticleRow.event_pinned.is_(False))
                    .values(event_id=eid)
                )
