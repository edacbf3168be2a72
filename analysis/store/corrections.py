"""Store queries about a person's corrections of the evidence (dismissed, restored and added flags,
topic words) and the history of every change.  What a correction does to the spans is decided in
``analysis.compare.corrections``; this module only keeps the rows.

Each change runs in a write transaction that holds the database's write lock from its first
statement (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock), so two people correcting at
once never lose an edit: the second waits, then sees the first's row."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from analysis.store.engine import _write_session
from analysis.store.errors import StoreError
from analysis.store.events import EventQueries
from analysis.store.history import history_dict, record
from analysis.store.schema import MAX_TERM, ArticleRow, CorrectionRow, EventRow, HistoryRow

CORRECTION_LOCK_KEY = zlib.crc32(b"analysis: corrections")  # PostgreSQL advisory lock key
KINDS = ("dismiss", "restore", "add", "topic", "not_topic")
SCOPES = ("article", "event", "global")
EXPORT_FORMAT = "media-bias-corrections"
EXPORT_VERSION = 1


def _term_key(term: str) -> str:  # the same rule as analysis.compare.corrections.term_key
    return " ".join(str(term).casefold().split())


def _family(kind: str) -> str:
    return "topic" if kind in ("topic", "not_topic") else "flag"


def describe(row: CorrectionRow | None) -> str:
    """A correction in words, for the history's before/after columns."""
    if row is None:
        return "none"
    if row.kind == "add":
        return f"add ({row.category}, weight {row.weight if row.weight is not None else 'default'})"
    return row.kind


def correction_dict(r: CorrectionRow, event_name: str | None = None, article_url: str | None = None) -> dict:
    return {
        "id": r.id,
        "kind": r.kind,
        "term": r.term,
        "scope": r.scope,
        "article_id": r.article_id,
        "event_id": r.event_id,
        "event": event_name,
        "article": article_url,
        "category": r.category,
        "weight": r.weight,
        "note": r.note,
        "created_by": r.created_by,
        "created_at": r.created_at,
    }


class CorrectionQueries(EventQueries):
    """Corrections (current state) and the append-only history."""

    def _resolve_scope(
        self, s: Session, article_id: int | None, event: str | int | None
    ) -> tuple[str, str, int | None, int | None, int | None]:
        """(scope, scope_key, article_id, event_id, event of the article) of a correction."""
        if article_id is not None:
            art = s.get(ArticleRow, article_id)
            if art is None:
                raise StoreError(f"no article with id {article_id}")
            return "article", f"article:{article_id}", article_id, None, art.event_id
        if event is not None:
            eid = self._event_id(s, event)
            return "event", f"event:{eid}", None, eid, eid
        return "global", "global", None, None, None

    def set_correction(
        self,
        kind: str,
        term: str,
        *,
        article_id: int | None = None,
        event: str | int | None = None,
        category: str | None = None,
        weight: float | None = None,
        note: str = "",
        user: str = "",
    ) -> dict:
        """Record one correction of ``term`` in one article (``article_id``), one event (``event``)
        or everywhere (neither).  ``restore`` removes a dismissal made at the same scope and, when a
        broader dismissal still covers the word, records a restore that overrides it; ``not_topic``
        removes a topic mark made at the same scope, else records the word as no topic word.

        Returns {"before", "after", "scope", "event_id", "article_id"}; a change that changes nothing
        writes no history."""
        if kind not in KINDS:
            raise StoreError(f"unknown correction {kind!r} (one of {', '.join(KINDS)})")
        clean = " ".join(str(term or "").split())
        if not clean:
            raise StoreError("the word is empty")
        if len(clean) > MAX_TERM:
            raise StoreError(f"the word or phrase is longer than {MAX_TERM} characters")
        if kind == "add" and not category:
            raise StoreError("an added word needs a category")
        if weight is not None and not 0.0 < weight <= 1.0:
            raise StoreError("the weight must be greater than 0 and at most 1")
        key, fam = _term_key(clean), _family(kind)
        with _write_session(self._sessions, CORRECTION_LOCK_KEY) as s:
            scope, scope_key, aid, eid, event_of = self._resolve_scope(s, article_id, event)
            row = s.scalar(
                select(CorrectionRow).where(
                    CorrectionRow.family == fam,
                    CorrectionRow.term_key == key,
                    CorrectionRow.scope_key == scope_key,
                )
            )
            before = describe(row)
            new_kind: str | None = kind
            if kind == "restore":
                if row is not None and row.kind in ("dismiss", "restore"):
                    s.delete(row)
                    s.flush()
                    row = None
                new_kind = "restore" if self._broader_dismissal(s, key, scope, event_of) else None
            elif kind == "not_topic" and row is not None and row.kind == "topic":
                new_kind = None
            if new_kind is None:
                if row is not None:
                    s.delete(row)
                after = "none"
            else:
                if row is None:
                    row = CorrectionRow(family=fam, term_key=key, scope=scope, scope_key=scope_key)
                    s.add(row)
                row.kind, row.term, row.article_id, row.event_id = new_kind, clean, aid, eid
                row.category = category if new_kind == "add" else None
                row.weight = weight if new_kind == "add" else None
                row.note, row.created_by = note, user or row.created_by
                s.flush()
                after = describe(row)
            if after != before:
                where = {"article": f"article {aid}", "event": "this event", "global": "everywhere"}[scope]
                record(
                    s,
                    f"{fam}.{kind}",
                    user=user,
                    event_id=event_of,
                    article_id=aid,
                    subject=f"{clean} ({where})",
                    before=before,
                    after=after,
                )
        return {"before": before, "after": after, "scope": scope, "event_id": event_of, "article_id": aid}

    @staticmethod
    def _broader_dismissal(s: Session, key: str, scope: str, event_id: int | None) -> bool:
        broader = ["global"]
        if scope == "article" and event_id is not None:
            broader.append(f"event:{event_id}")
        if scope == "global":
            return False
        found = s.scalar(
            select(func.count(CorrectionRow.id)).where(
                CorrectionRow.family == "flag",
                CorrectionRow.term_key == key,
                CorrectionRow.kind == "dismiss",
                CorrectionRow.scope_key.in_(broader),
            )
        )
        return bool(found)

    def corrections(self, event_id: int | None = None) -> list[dict]:
        """Every correction, or those in force in one event (everywhere, this event, its articles)."""
        if not self.has_review_tables:
            return []
        with self.session() as s:
            q = (
                select(CorrectionRow, EventRow.name, ArticleRow.canonical_url)
                .outerjoin(ArticleRow, CorrectionRow.article_id == ArticleRow.id)
                .outerjoin(
                    EventRow,
                    or_(CorrectionRow.event_id == EventRow.id, ArticleRow.event_id == EventRow.id),
                )
            )
            if event_id is not None:
                q = q.where(
                    or_(
                        CorrectionRow.scope == "global",
                        CorrectionRow.event_id == event_id,
                        ArticleRow.event_id == event_id,
                    )
                )
            rows = s.execute(q.order_by(CorrectionRow.term_key, CorrectionRow.id)).all()
            return [correction_dict(r, name, url) for r, name, url in rows]

    def corrections_stamp(self) -> int:
        """Changes with every correction or edit (the newest history row): a cache key."""
        if not self.has_review_tables:
            return 0
        with self.session() as s:
            return int(s.scalar(select(func.max(HistoryRow.id))) or 0)

    def history(
        self, *, event_id: int | None = None, article_id: int | None = None, limit: int | None = None
    ) -> list[dict]:
        """History rows, newest first; of one event (its own, its articles' and the corrections made
        for every event) or one article."""
        if not self.has_review_tables:
            return []
        with self.session() as s:
            q = select(HistoryRow)
            if article_id is not None:
                q = q.where(HistoryRow.article_id == article_id)
            if event_id is not None:
                in_event = select(ArticleRow.id).where(ArticleRow.event_id == event_id)
                everywhere = and_(HistoryRow.event_id.is_(None), HistoryRow.article_id.is_(None))
                q = q.where(
                    or_(HistoryRow.event_id == event_id, HistoryRow.article_id.in_(in_event), everywhere)
                )
            q = q.order_by(HistoryRow.id.desc())
            if limit is not None:
                q = q.limit(limit)
            return [history_dict(r) for r in s.scalars(q)]

    # --- sharing a set of corrections as a file ----------------------------------------
    def export_corrections(self) -> dict:
        """Every correction as a JSON-ready dict; events by name and articles by canonical URL, so
        another database with the same articles can import them."""
        items = []
        for c in self.corrections():
            items.append(
                {
                    k: c[k]
                    for k in (
                        "kind",
                        "term",
                        "scope",
                        "event",
                        "article",
                        "category",
                        "weight",
                        "note",
                        "created_by",
                    )
                }
                | {"created_at": c["created_at"].isoformat() if c["created_at"] else None}
            )
        return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "corrections": items}

    def import_corrections(self, data: Mapping[str, Any], *, user: str = "") -> dict[str, Any]:
        """Apply a file made by :meth:`export_corrections`.  Returns {"applied", "unchanged",
        "skipped": [reasons]}: a correction whose event or article is not in this database is skipped."""
        if not isinstance(data, Mapping) or data.get("format") != EXPORT_FORMAT:
            raise StoreError(f"not a corrections file (its format is not {EXPORT_FORMAT!r})")
        items = data.get("corrections")
        if not isinstance(items, list):
            raise StoreError("the corrections file has no list of corrections")
        applied, unchanged, skipped = 0, 0, []
        for i, item in enumerate(items, 1):
            try:
                done = self._import_one(item, user)
            except StoreError as exc:
                skipped.append(f"#{i}: {exc}")
                continue
            if done["before"] == done["after"]:
                unchanged += 1
            else:
                applied += 1
        return {"applied": applied, "unchanged": unchanged, "skipped": skipped}

    def _import_one(self, item: object, user: str) -> dict:
        if not isinstance(item, Mapping):
            raise StoreError("not an object")
        scope = item.get("scope", "global")
        if scope not in SCOPES:
            raise StoreError(f"unknown scope {scope!r}")
        article_id: int | None = None
        event: str | None = None
        if scope == "article":
            with self.session() as s:
                article_id = s.scalar(
                    select(ArticleRow.id).where(ArticleRow.canonical_url == item.get("article"))
                )
            if article_id is None:
                raise StoreError(f"no article {item.get('article')!r} in this database")
        elif scope == "event":
            event = str(item.get("event") or "")
            self.find_event(event)  # StoreError when unknown
        weight = item.get("weight")
        return self.set_correction(
            str(item.get("kind")),
            str(item.get("term") or ""),
            article_id=article_id,
            event=event,
            category=item.get("category"),
            weight=None if weight is None else float(weight),
            note=str(item.get("note") or ""),
            user=user,
        )

    def correction_counts(self, kinds: Iterable[str] = KINDS) -> dict[str, int]:
        if not self.has_review_tables:
            return {}
        with self.session() as s:
            q = select(CorrectionRow.kind, func.count(CorrectionRow.id)).where(
                CorrectionRow.kind.in_(list(kinds))
            )
            return {k: n for k, n in s.execute(q.group_by(CorrectionRow.kind))}
