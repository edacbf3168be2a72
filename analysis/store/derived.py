"""Store queries for precomputed per-article and per-outlet data (tables ``article_derived`` and
``outlet_terms``): what the dashboard's pages would otherwise compute from every text at page time.

The store does not know how the data is computed (it imports no analysis code): the caller passes
``compute(title, text) -> {"terms": {term: count}, "quotes": [...]}`` and a ``version`` naming the
rules (``analysis.compare.derived``).  An article's row is recomputed when it is missing, when the
article changed since (edit of the headline, re-extraction: its ``updated_at``) or when the version
differs; an outlet's sum when its set of shown articles changed (added, deleted, restored, moved to
another outlet, its event deleted or restored, or edited).  Deleted articles and articles of
deleted events count nowhere, as in every other read.  A database opened read-only (or one without
the tables) gets the same answers computed in memory.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from analysis.store.engine import Connection
from analysis.store.schema import ArticleDerivedRow, ArticleRow, EventRow, OutletTermsRow, shown

Compute = Callable[[str, str], Mapping[str, Any]]
DERIVED_QUERY_CHUNK = 500  # ids per IN (...) query (SQLite's variable limit is far above)


def _chunks(ids: list[int], n: int = DERIVED_QUERY_CHUNK) -> Iterable[list[int]]:
    for i in range(0, len(ids), n):
        yield ids[i : i + n]


class DerivedQueries(Connection):
    """Per-article term counts and quotes, and per-outlet term sums, kept up to date on read."""

    def _live_articles(self, ids: Iterable[int] | None = None) -> list[tuple[int, str, Any]]:
        """(id, outlet, updated_at) of the shown articles (of ``ids`` when given)."""
        with self.session() as s:
            q = (
                select(ArticleRow.id, ArticleRow.outlet, ArticleRow.updated_at)
                .outerjoin(EventRow, ArticleRow.event_id == EventRow.id)
                .where(shown())
            )
            if ids is None:
                return [tuple(r) for r in s.execute(q)]  # type: ignore[misc]
            out: list[tuple[int, str, Any]] = []
            for part in _chunks(sorted(set(ids))):
                out += [tuple(r) for r in s.execute(q.where(ArticleRow.id.in_(part)))]  # type: ignore[misc]
            return out

    def article_derived(
        self, compute: Compute, version: str, ids: Iterable[int] | None = None, *, fields: tuple = ()
    ) -> dict[int, dict[str, Any]]:
        """``{article id: {"terms": ..., "quotes": ...}}`` for the shown articles (of ``ids``),
        computing and storing what is missing or stale.  ``fields``: only these keys are loaded
        (all when empty)."""
        live = self._live_articles(ids)
        stamps = {i: stamp for i, _o, stamp in live}
        want = fields or ("terms", "quotes")
        out: dict[int, dict[str, Any]] = {}
        if self.has_derived_tables:
            cols = [getattr(ArticleDerivedRow, f) for f in want]
            with self.session() as s:
                for part in _chunks(sorted(stamps)):
                    q = select(
                        ArticleDerivedRow.article_id,
                        ArticleDerivedRow.version,
                        ArticleDerivedRow.source_stamp,
                        *cols,
                    ).where(ArticleDerivedRow.article_id.in_(part))
                    for aid, ver, stamp, *vals in s.execute(q):
                        if ver == version and stamp == stamps[aid]:
                            out[aid] = dict(zip(want, vals, strict=True))
        missing = [i for i in stamps if i not in out]
        if missing:
            fresh = self._compute_derived(compute, version, missing, stamps)
            out.update({i: {f: d[f] for f in want} for i, d in fresh.items()})
        return out

    def _compute_derived(
        self, compute: Compute, version: str, ids: list[int], stamps: Mapping[int, Any]
    ) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for part in _chunks(ids):
            with self.session() as s:
                q = select(ArticleRow.id, ArticleRow.title, ArticleRow.text).where(ArticleRow.id.in_(part))
                got = {aid: dict(compute(title or "", text or "")) for aid, title, text in s.execute(q)}
            if self.has_derived_tables and not self.read_only:
                try:
                    with self.session() as s:
                        s.execute(
                            delete(ArticleDerivedRow).where(ArticleDerivedRow.article_id.in_(list(got)))
                        )
                        s.add_all(
                            ArticleDerivedRow(
                                article_id=aid,
                                version=version,
                                source_stamp=stamps[aid],
                                terms=d.get("terms", {}),
                                quotes=d.get("quotes", []),
                            )
                            for aid, d in got.items()
                        )
                except IntegrityError:
                    pass  # another reader stored the same rows meanwhile: theirs are as good
            out.update(got)
        return out

    def refresh_derived(self, compute: Compute, version: str, ids: Iterable[int] | None = None) -> int:
        """Compute and store what is missing or stale (of ``ids``, else of every article) now, e.g.
        right after storing articles; returns how many articles were computed."""
        live = self._live_articles(ids)
        stamps = {i: stamp for i, _o, stamp in live}
        fresh: set[int] = set()
        if self.has_derived_tables:
            with self.session() as s:
                for part in _chunks(sorted(stamps)):
                    d = ArticleDerivedRow
                    q = select(d.article_id, d.version, d.source_stamp).where(d.article_id.in_(part))
                    fresh |= {a for a, v, st in s.execute(q) if v == version and st == stamps[a]}
        missing = [i for i in stamps if i not in fresh]
        if missing:
            self._compute_derived(compute, version, missing, stamps)
        return len(missing)

    def event_article_terms(self, compute: Compute, version: str, ids: Iterable[int]) -> list[dict[str, int]]:
        """The term counts of those articles of ``ids`` that belong to an event (in id order): e.g. of
        ``Store.sample_ids(n)``, for the word-choice prior."""
        with self.session() as s:
            q = (
                select(ArticleRow.id)
                .join(EventRow, ArticleRow.event_id == EventRow.id)
                .where(shown(), ArticleRow.id.in_(sorted(set(ids))))
            )
            in_events = sorted(s.scalars(q))
        derived = self.article_derived(compute, version, in_events, fields=("terms",))
        return [derived[i]["terms"] for i in in_events if i in derived]

    def outlet_terms(self, compute: Compute, version: str) -> dict[str, Counter[str]]:
        """Each outlet's term counts summed over its shown articles (the word-choice table of the
        Outlets page), from the stored sums where they are current."""
        by_outlet: dict[str, list[tuple[int, Any]]] = {}
        for aid, outlet, stamp in self._live_articles():
            if outlet is not None:
                by_outlet.setdefault(outlet, []).append((aid, stamp))
        prints = {o: _fingerprint(version, rows) for o, rows in by_outlet.items()}
        out: dict[str, Counter[str]] = {}
        if self.has_derived_tables:
            with self.session() as s:
                for row in s.scalars(select(OutletTermsRow)):
                    if prints.get(row.outlet) == row.fingerprint:
                        out[row.outlet] = Counter(row.terms)
        stale = [o for o in by_outlet if o not in out]
        if stale:
            ids = [aid for o in stale for aid, _st in by_outlet[o]]
            derived = self.article_derived(compute, version, ids, fields=("terms",))
            for o in stale:
                total: Counter[str] = Counter()
                for aid, _st in by_outlet[o]:
                    total.update(derived.get(aid, {}).get("terms", {}))
                out[o] = total
        if self.has_derived_tables and not self.read_only and (stale or set(out) != set(by_outlet)):
            try:
                with self.session() as s:
                    s.execute(delete(OutletTermsRow).where(OutletTermsRow.outlet.not_in(list(by_outlet))))
                    for o in stale:
                        row = OutletTermsRow(
                            outlet=o, fingerprint=prints[o], articles=len(by_outlet[o]), terms=dict(out[o])
                        )
                        s.merge(row)
            except IntegrityError:
                pass  # another reader stored the same sums meanwhile
        return out


def _fingerprint(version: str, rows: list[tuple[int, Any]]) -> str:
    """A name for one set of articles as it is now: the rules' version, each id and ``updated_at``."""
    h = hashlib.sha256(version.encode())
    for aid, stamp in sorted(rows, key=lambda r: r[0]):
        h.update(f"|{aid}:{stamp}".encode())
    return h.hexdigest()
