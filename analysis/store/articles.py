"""Store queries about articles: adding, updating and scoring them, and the reads the pages use."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer, selectinload

from analysis.models import Article, FetchAttempt, Scores
from analysis.store.errors import StoreError, database_errors
from analysis.store.outlets import OutletQueries
from analysis.store.schema import (
    ArticleRow,
    EventRow,
    FetchAttemptRow,
    HistoryRow,
    ScoreRow,
    _now,
    compress_html,
    decompress_html,
    shown,
)
from analysis.store.spans import span_dict

SEARCH_ARTICLE_LIMIT = 2000  # articles a search reads at most (newest first)


class ArticleQueries(OutletQueries):
    """Articles, their scores and fetch attempts."""

    # --- articles ---------------------------------------------------------
    def article_id_for(self, canonical_url: str) -> int | None:
        with self.session() as s:
            return s.scalar(select(ArticleRow.id).where(ArticleRow.canonical_url == canonical_url))

    def event_name_of_article(self, article_id: int) -> str | None:
        with self.session() as s:
            return s.scalar(
                select(EventRow.name)
                .join(ArticleRow, ArticleRow.event_id == EventRow.id)
                .where(ArticleRow.id == article_id)
            )

    def add_article(
        self,
        article: Article,
        scores: Scores | None,
        *,
        canonical_url: str,
        event_id: int | None,
        source: str,
        html: str | None = None,
    ) -> tuple[int, bool]:
        """Insert one article with its scores in one transaction.

        Returns ``(article_id, created)``; ``created`` is False when the canonical URL was
        already stored (nothing is changed then: ingesting twice never duplicates).
        """
        existing = self.article_id_for(canonical_url)
        if existing is not None:
            return existing, False
        outlet = self.outlet_for_article(article)  # made with its colour when first seen
        row = ArticleRow(
            canonical_url=canonical_url,
            url=article.url,
            event_id=event_id,
            event_pinned=event_id is not None,  # a person chose the event (ingest --event ...)
            source=source,
            raw_html=compress_html(html),
            **{**_article_fields(article), "outlet": outlet},
        )
        if scores is not None:
            row.score = ScoreRow(**self._score_columns(scores))
        try:
            with self.session() as s:
                s.add(row)
                s.flush()
                return row.id, True
        except IntegrityError:  # the same URL committed by a concurrent writer
            existing = self.article_id_for(canonical_url)
            if existing is None:
                raise
            return existing, False

    def update_article(self, article_id: int, article: Article, scores: Scores | None) -> None:
        """Replace the extracted fields and scores of a stored article (re-extraction).  Its outlet
        is found again as for a new article, unless a person chose it (an edit of the article's
        outlet, or an outlet a person edited): then it stays."""
        with self.session() as s:
            row = s.get(ArticleRow, article_id)
            if row is None:
                raise StoreError(f"no article with id {article_id}")
            chosen = s.scalar(
                select(HistoryRow.id).where(
                    HistoryRow.article_id == article_id, HistoryRow.action == "article.outlet"
                )
            )
            kept = row.outlet
        outlet = kept if chosen is not None or self._user_outlet(kept) else self.outlet_for_article(article)
        with self.session() as s:
            row = s.get_one(ArticleRow, article_id)
            for key, value in {**_article_fields(article), "outlet": outlet}.items():
                setattr(row, key, value)
            if scores is not None:
                self._set_scores(s, row, scores)

    def set_scores(self, article_id: int, scores: Scores) -> None:
        with self.session() as s:
            row = s.get(ArticleRow, article_id)
            if row is None:
                raise StoreError(f"no article with id {article_id}")
            self._set_scores(s, row, scores)

    def _score_columns(self, scores: Scores) -> dict:
        return _score_columns(scores) if self._span_objects else score_fields(scores)

    def _set_scores(self, s: Session, row: ArticleRow, scores: Scores) -> None:
        fields = self._score_columns(scores)
        # The old spans and sentences are replaced without being read: decoding them first doubled
        # the memory of re-scoring a long article.
        old = s.scalars(
            select(ScoreRow)
            .where(ScoreRow.article_id == row.id)
            .options(defer(ScoreRow.spans), defer(ScoreRow.sentences), defer(ScoreRow.headline_spans))
        ).first()
        if old is None:
            row.score = ScoreRow(**fields)
        else:
            for key, value in fields.items():
                setattr(old, key, value)
            old.scored_at = _now()
        s.flush()

    def record_attempt(
        self,
        attempt: FetchAttempt,
        *,
        canonical_url: str,
        event_id: int | None,
        article_id: int | None = None,
    ) -> None:
        with self.session() as s:
            s.add(
                FetchAttemptRow(
                    url=attempt.url,
                    canonical_url=canonical_url,
                    event_id=event_id,
                    article_id=article_id,
                    status=attempt.status,
                    health=attempt.health,
                    reason=attempt.reason,
                    elapsed=attempt.elapsed,
                    at=attempt.at or _now(),
                )
            )

    def articles_to_rescore(
        self, scorer_version: str, everything: bool = False
    ) -> list[tuple[int, str, str]]:
        """(id, title, text) of articles whose scores are missing or from another scorer version."""
        with self.session() as s:
            q = select(ArticleRow.id, ArticleRow.title, ArticleRow.text).outerjoin(ScoreRow)
            if not everything:
                q = q.where((ScoreRow.id.is_(None)) | (ScoreRow.scorer_version != scorer_version))
            return [(i, title, body) for i, title, body in s.execute(q.order_by(ArticleRow.id)).all()]

    def raw_pages(self, ids: Iterable[int] | None = None) -> Iterator[tuple[int, str, str | None]]:
        """(id, url, html) of stored articles, for re-extraction without refetching."""
        with database_errors(), self.session() as s:
            q = select(ArticleRow.id, ArticleRow.url, ArticleRow.raw_html).order_by(ArticleRow.id)
            if ids is not None:
                q = q.where(ArticleRow.id.in_(list(ids)))
            rows = s.execute(q).all()
        for aid, url, blob in rows:
            yield aid, url, decompress_html(blob)

    def event_articles(
        self, event_id: int | None = None, *, with_text: bool = True, sentences: bool = True
    ) -> list[dict]:
        """Articles (with their scores) as plain dicts, ordered by outlet then date.  ``sentences``
        False: with text and spans but an empty ``sentences`` list (the largest column, unread)."""
        if not with_text:
            return self._meta_rows(event_id)
        with self.session() as s:
            # One query for all scores, not one per article; never the stored HTML.
            score_load = selectinload(ArticleRow.score)
            if not with_text:
                score_load = (
                    score_load.defer(ScoreRow.spans).defer(ScoreRow.sentences).defer(ScoreRow.headline_spans)
                )
            elif not sentences:
                score_load = score_load.defer(ScoreRow.sentences)
            q = (
                select(ArticleRow, EventRow.name)
                .outerjoin(EventRow, ArticleRow.event_id == EventRow.id)
                .options(defer(ArticleRow.raw_html), score_load)
            )
            if not with_text:
                q = q.options(defer(ArticleRow.text))
            if event_id is not None:
                q = q.where(ArticleRow.event_id == event_id)
            q = q.where(shown())
            rows = s.execute(q.order_by(ArticleRow.outlet, ArticleRow.published, ArticleRow.id)).all()
            out = [_row_dict(a, ev, with_text, sentences) for a, ev in rows]
        return out

    def _meta_rows(self, event_id: int | None) -> list[dict]:
        """:meth:`event_articles` without text: the same dicts from one plain query of the columns
        they hold (no ORM objects: ~5x less CPU for every article of a large database)."""
        a, sc = ArticleRow, ScoreRow
        cols: tuple[Any, ...] = (a.id, EventRow.name, a.event_id, a.outlet, a.domain, a.title, a.authors)
        cols += (a.published, a.url)
        cols += (a.canonical_url, a.source, a.language, a.health, a.problems, a.reason, a.extractor)
        cols += (a.word_count, sc.id, *(getattr(sc, f) for f in _SCORE_FIELDS), sc.categories)
        q = (
            select(*cols)
            .outerjoin(EventRow, a.event_id == EventRow.id)
            .outerjoin(sc, sc.article_id == a.id)
            .where(shown())
        )
        if event_id is not None:
            q = q.where(a.event_id == event_id)
        with self.session() as s:
            rows = s.execute(q.order_by(a.outlet, a.published, a.id)).all()
        out = []
        for r in rows:
            d = dict(zip(_META_KEYS, r[:17], strict=True))
            d["authors"], d["problems"] = list(d["authors"] or []), list(d["problems"] or [])
            scored = r[17] is not None
            d.update(zip(_SCORE_FIELDS, r[18:-1] if scored else [None] * len(_SCORE_FIELDS), strict=True))
            d["categories"] = dict(r[-1]) if scored else {}
            out.append(d)
        return out

    def outlet_names(self) -> list[str]:
        """Every outlet with an article, sorted (one DISTINCT query on an indexed column)."""
        with self.session() as s:
            q = select(ArticleRow.outlet).outerjoin(EventRow, ArticleRow.event_id == EventRow.id)
            return sorted(o for o in s.scalars(q.where(shown()).distinct()) if o is not None)

    def text_sample(self, limit: int) -> list[dict]:
        """``id``, ``title``, ``text``, ``outlet`` and ``event`` (name) of at most ``limit`` articles
        spread evenly over the database (every k-th by id, so the same data gives the same sample):
        a sample for background statistics that stays cheap at any size.  Nothing else is loaded."""
        if limit <= 0:
            return []
        chosen = self.sample_ids(limit)
        with self.session() as s:
            out: list[dict] = []
            for i in range(0, len(chosen), SAMPLE_QUERY_CHUNK):
                q = (
                    select(ArticleRow.id, ArticleRow.title, ArticleRow.text, ArticleRow.outlet, EventRow.name)
                    .outerjoin(EventRow, ArticleRow.event_id == EventRow.id)
                    .where(ArticleRow.id.in_(chosen[i : i + SAMPLE_QUERY_CHUNK]))
                )
                keys = ("id", "title", "text", "outlet", "event")
                out += [dict(zip(keys, r, strict=True)) for r in s.execute(q)]
        return sorted(out, key=lambda d: d["id"])

    def sample_ids(self, limit: int) -> list[int]:
        """The ids of :meth:`text_sample` (every k-th shown article by id, at most ``limit``)."""
        if limit <= 0:
            return []
        with self.session() as s:
            every = select(ArticleRow.id).outerjoin(EventRow, ArticleRow.event_id == EventRow.id)
            ids = list(s.scalars(every.where(shown()).order_by(ArticleRow.id)))
        step = max(1, -(-len(ids) // limit))  # ceil: at most ``limit`` ids
        return ids[::step][:limit]

    def search_texts(
        self,
        words: Iterable[str],
        *,
        event_id: int | None = None,
        outlets: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = SEARCH_ARTICLE_LIMIT,
    ) -> list[dict]:
        """``id``, ``title``, ``text``, ``outlet``, ``published``, ``event`` of at most ``limit``
        articles whose text or title contains every word of ``words`` (SQL LIKE, ignoring case as
        the database does): the prefilter of a search; the caller finds the exact hits."""
        with self.session() as s:
            q = (
                select(
                    ArticleRow.id,
                    ArticleRow.title,
                    ArticleRow.text,
                    ArticleRow.outlet,
                    ArticleRow.published,
                    EventRow.name,
                )
                .outerjoin(EventRow, ArticleRow.event_id == EventRow.id)
                .where(shown())
            )
            for w in words:
                pattern = "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                q = q.where(
                    ArticleRow.text.ilike(pattern, escape="\\") | ArticleRow.title.ilike(pattern, escape="\\")
                )
            if event_id is not None:
                q = q.where(ArticleRow.event_id == event_id)
            if outlets:
                q = q.where(ArticleRow.outlet.in_(list(outlets)))
            if since is not None:
                q = q.where(ArticleRow.published >= since)
            if until is not None:
                q = q.where(ArticleRow.published <= until)
            q = q.order_by(ArticleRow.published.desc(), ArticleRow.id).limit(limit)
            keys = ("id", "title", "text", "outlet", "published", "event")
            return [dict(zip(keys, r, strict=True)) for r in s.execute(q)]

    def attempts(self, event_id: int | None = None, *, failed_only: bool = False) -> list[dict]:
        with self.session() as s:
            q = select(FetchAttemptRow).order_by(FetchAttemptRow.at)
            if event_id is not None:
                q = q.where(FetchAttemptRow.event_id == event_id)
            if failed_only:
                q = q.where(FetchAttemptRow.health != "ok")
            return [
                {
                    "url": r.url,
                    "status": r.status,
                    "health": r.health,
                    "reason": r.reason,
                    "elapsed": r.elapsed,
                    "at": r.at,
                    "article_id": r.article_id,
                    "event_id": r.event_id,
                }
                for r in s.scalars(q)
            ]

    def version(self) -> tuple:
        """Changes whenever rows are added, removed or edited: a cache key for readers (the dashboard)."""
        with self.session() as s:
            latest = (
                s.scalar(select(func.max(ArticleRow.updated_at))),
                s.scalar(select(func.max(ScoreRow.scored_at))),
                s.scalar(select(func.max(FetchAttemptRow.at))),
            )
        return (*self.counts().values(), *latest)

    def is_empty(self) -> bool:
        """True when the database holds nothing: no event, no article, no fetch attempt."""
        return not any(self.counts().values())

    def article_sources(self) -> dict[str, int]:
        """How many articles came from each source ("url", "html-file", "text", "demo")."""
        with self.session() as s:
            q = select(ArticleRow.source, func.count(ArticleRow.id)).group_by(ArticleRow.source)
            return {src: n for src, n in s.execute(q)}

    def counts(self) -> dict[str, int]:
        with self.session() as s:
            return {
                "events": s.scalar(select(func.count(EventRow.id)).where(EventRow.deleted_at.is_(None))) or 0,
                "articles": s.scalar(
                    select(func.count(ArticleRow.id))
                    .outerjoin(EventRow, ArticleRow.event_id == EventRow.id)
                    .where(shown())
                )
                or 0,
                "scores": s.scalar(select(func.count(ScoreRow.id))) or 0,
                "fetch_attempts": s.scalar(select(func.count(FetchAttemptRow.id))) or 0,
            }


def _article_fields(article: Article) -> dict:
    return {
        "title": article.title,
        "authors": list(article.authors),
        "published": article.published,
        "text": article.text,
        "outlet": article.outlet,
        "domain": article.domain,
        "language": article.language,
        "health": article.health,
        "problems": list(article.problems),
        "reason": article.reason,
        "top_image": article.top_image,
        "description": article.description,
        "extractor": article.extractor,
        "word_count": article.word_count,
    }


def score_fields(scores: Scores) -> dict:
    """The columns of ScoreRow for ``scores`` (spans and sentences as JSON-ready lists)."""
    fields = _score_columns(scores)
    fields["spans"] = [span_dict(sp) for sp in fields["spans"]]
    fields["sentences"] = [list(x) for x in fields["sentences"]]
    fields["headline_spans"] = [span_dict(sp) for sp in fields["headline_spans"]]
    return fields


def _score_columns(scores: Scores) -> dict:
    """:func:`score_fields` as written to the database: the spans stay ``Span`` objects and the
    sentences tuples (``json_column_dumps`` writes the same JSON), so a long article's hundreds of
    thousands of spans are not first copied into dicts."""
    sent, loaded = scores.sentiment, scores.loaded
    return {
        "scorer_version": scores.scorer_version,
        "sentiment": sent.compound,
        "positive_share": sent.positive_share,
        "negative_share": sent.negative_share,
        "n_sentences": sent.n_sentences,
        "headline_sentiment": scores.headline_sentiment.compound if scores.headline_sentiment else None,
        "loaded_rate": loaded.rate_per_1000,
        "quoted_rate": loaded.quoted_rate_per_1000,
        "loaded_count": sum(1 for sp in loaded.spans if not sp.quoted),
        "loaded_sentences": loaded.loaded_sentences,
        "categories": dict(loaded.categories),
        "spans": list(loaded.spans),
        "sentences": [(x.start, x.end, round(x.compound, 4)) for x in sent.sentences],
        "headline_spans": list(scores.headline_loaded.spans) if scores.headline_loaded else [],
    }


SAMPLE_QUERY_CHUNK = 500  # ids per IN (...) query of text_sample (SQLite's variable limit is far above)


_META_KEYS: tuple[str, ...] = ("id", "event", "event_id", "outlet", "domain", "title", "authors", "published")
_META_KEYS += ("url",)
_META_KEYS += ("canonical_url", "source", "language", "health", "problems", "reason", "extractor", "words")
_SCORE_FIELDS: tuple[str, ...] = ("scorer_version", "sentiment", "positive_share", "negative_share")
_SCORE_FIELDS += ("n_sentences",)
_SCORE_FIELDS += ("headline_sentiment", "loaded_rate", "quoted_rate", "loaded_count", "loaded_sentences")


def _row_dict(a: ArticleRow, event_name: str | None, with_text: bool, sentences: bool = True) -> dict:
    sc = a.score
    d = {
        "id": a.id,
        "event": event_name,
        "event_id": a.event_id,
        "outlet": a.outlet,
        "domain": a.domain,
        "title": a.title,
        "authors": list(a.authors or []),
        "published": a.published,
        "url": a.url,
        "canonical_url": a.canonical_url,
        "source": a.source,
        "language": a.language,
        "health": a.health,
        "problems": list(a.problems or []),
        "reason": a.reason,
        "extractor": a.extractor,
        "words": a.word_count,
        "scorer_version": sc.scorer_version if sc else None,
        "sentiment": sc.sentiment if sc else None,
        "positive_share": sc.positive_share if sc else None,
        "negative_share": sc.negative_share if sc else None,
        "n_sentences": sc.n_sentences if sc else None,
        "headline_sentiment": sc.headline_sentiment if sc else None,
        "loaded_rate": sc.loaded_rate if sc else None,
        "quoted_rate": sc.quoted_rate if sc else None,
        "loaded_count": sc.loaded_count if sc else None,
        "loaded_sentences": sc.loaded_sentences if sc else None,
        "categories": dict(sc.categories) if sc else {},
    }
    if with_text:
        d["text"] = a.text
        d["spans"] = list(sc.spans) if sc else []
        d["sentences"] = list(sc.sentences) if sc and sentences else []
        d["headline_spans"] = list(sc.headline_spans) if sc else []
    return d
