"""A person's edits to stored articles (date, headline, outlet, authors) and soft deletes of
articles and events; every change writes a history row (who, when, what, before → after)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.store.errors import StoreError
from analysis.store.events import EventQueries
from analysis.store.history import record
from analysis.store.outlets import OutletQueries
from analysis.store.schema import ArticleRow, EventRow, _now

MAX_OUTLET = 200  # characters of an outlet name (the column's size)


def _date_text(d: datetime | None) -> str:
    return d.date().isoformat() if d is not None else ""


class EditQueries(EventQueries):
    """Edits, soft deletes and restores of articles and events."""

    @staticmethod
    def _article(s: Session, article_id: int) -> ArticleRow:
        row = s.get(ArticleRow, article_id)
        if row is None:
            raise StoreError(f"no article with id {article_id}")
        return row

    def edit_article(
        self,
        article_id: int,
        *,
        published: datetime | None = None,
        title: str | None = None,
        outlet: str | None = None,
        authors: list[str] | None = None,
        user: str = "",
    ) -> list[str]:
        """Change the given fields of an article (None: unchanged).  Returns the names of the fields
        that changed; each change writes one history row ``article.<field>``."""
        changes: list[tuple[str, str, str, object]] = []
        with self.session() as s:
            row = self._article(s, article_id)
            if published is not None and _date_text(published) != _date_text(row.published):
                changes.append(("published", _date_text(row.published), _date_text(published), published))
            if title is not None:
                title = " ".join(title.split())
                if not title:
                    raise StoreError("the headline cannot be empty")
                if title != row.title:
                    changes.append(("title", row.title, title, title))
            if outlet is not None:
                outlet = " ".join(outlet.split())
                if not outlet:
                    raise StoreError("the outlet cannot be empty")
                if len(outlet) > MAX_OUTLET:
                    raise StoreError(f"the outlet name is longer than {MAX_OUTLET} characters")
                outlet = OutletQueries.ensure_outlet(s, outlet)  # a display name finds its outlet
                if outlet != row.outlet:
                    changes.append(("outlet", row.outlet, outlet, outlet))
            if authors is not None:
                authors = [" ".join(a.split()) for a in authors if a.strip()]
                if authors != list(row.authors or []):
                    changes.append(("authors", "; ".join(row.authors or []), "; ".join(authors), authors))
            for field, before, after, value in changes:
                record(
                    s,
                    f"article.{field}",
                    user=user,
                    event_id=row.event_id,
                    article_id=row.id,
                    subject=row.title,
                    before=before,
                    after=after,
                )
                setattr(row, field, value)
        return [c[0] for c in changes]

    def delete_article(self, article_id: int, *, user: str = "") -> bool:
        """Soft-delete an article (hidden from every read, kept in the database).  False when it
        was already deleted."""
        return self._set_article_deleted(article_id, deleted=True, user=user)

    def restore_article(self, article_id: int, *, user: str = "") -> bool:
        """Undo :meth:`delete_article`.  False when the article was not deleted."""
        return self._set_article_deleted(article_id, deleted=False, user=user)

    def _set_article_deleted(self, article_id: int, *, deleted: bool, user: str) -> bool:
        with self.session() as s:
            row = self._article(s, article_id)
            if (row.deleted_at is not None) == deleted:
                return False
            record(
                s,
                "article.delete" if deleted else "article.restore",
                user=user,
                event_id=row.event_id,
                article_id=row.id,
                subject=row.title,
                before="shown" if deleted else "deleted",
                after="deleted" if deleted else "shown",
            )
            row.deleted_at = _now() if deleted else None
            row.updated_at = _now()  # readers' cache key (Store.version) changes
        return True

    def deleted_articles(self) -> list[dict]:
        """``id``, ``title``, ``outlet``, ``deleted_at`` of the soft-deleted articles."""
        with self.session() as s:
            q = select(ArticleRow.id, ArticleRow.title, ArticleRow.outlet, ArticleRow.deleted_at)
            rows = s.execute(q.where(ArticleRow.deleted_at.is_not(None)).order_by(ArticleRow.id))
            return [dict(zip(("id", "title", "outlet", "deleted_at"), r, strict=True)) for r in rows]

    def is_article_deleted(self, article_id: int) -> bool:
        with self.session() as s:
            return self._article(s, article_id).deleted_at is not None

    def delete_event(self, event: str | int, *, user: str = "") -> bool:
        """Soft-delete an event: it and its articles are hidden from every read (the articles keep
        their own deleted state).  False when it was already deleted."""
        return self._set_event_deleted(event, deleted=True, user=user)

    def restore_event(self, event: str | int, *, user: str = "") -> bool:
        """Undo :meth:`delete_event` (its articles come back with it).  False when not deleted."""
        return self._set_event_deleted(event, deleted=False, user=user)

    def _set_event_deleted(self, event: str | int, *, deleted: bool, user: str) -> bool:
        with self.session() as s:
            row = s.get_one(EventRow, self._event_id(s, event))
            if (row.deleted_at is not None) == deleted:
                return False
            record(
                s,
                "event.delete" if deleted else "event.restore",
                user=user,
                event_id=row.id,
                subject=row.name,
                before="shown" if deleted else "deleted",
                after="deleted" if deleted else "shown",
            )
            row.deleted_at = _now() if deleted else None
            row.auto = False  # a person's decision: re-grouping leaves it alone
            for a in row.articles:
                a.updated_at = _now()  # readers' cache key (Store.version) changes
        return True
