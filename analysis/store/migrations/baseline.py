"""The tables of revision 0001, the baseline: the schema as the program left every database on
2026-12-07, the last day before Alembic.  FROZEN: never edit this file (a change of the schema is a
new migration in ``versions/``); schema.py may change, these definitions may not.

Used by the baseline migration (``versions/0001_baseline.py``) and by the legacy step
(``analysis/store/legacy.py``), which brings a database made before Alembic to exactly this shape.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

BASELINE = MetaData()


def _when(name: str, *, nullable: bool = False, index: bool = False) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable, index=index)


EVENTS = Table(
    "events",
    BASELINE,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("name_key", String(600), nullable=False, unique=True, index=True),
    Column("slug", String(200), nullable=False, unique=True, index=True),
    Column("description", Text, nullable=False),
    Column("auto", Boolean, nullable=False, server_default=false()),
    _when("created_at"),
    _when("deleted_at", nullable=True),
)

ARTICLES = Table(
    "articles",
    BASELINE,
    Column("id", Integer, primary_key=True),
    Column("canonical_url", String(2048), nullable=False, unique=True),
    Column("url", String(2048), nullable=False),
    Column("event_id", ForeignKey("events.id", ondelete="SET NULL"), index=True),
    Column("event_pinned", Boolean, nullable=False, server_default=false()),
    Column("source", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("authors", JSON, nullable=False),
    _when("published", nullable=True, index=True),
    Column("text", Text, nullable=False),
    Column("outlet", String(200), nullable=False, index=True),
    Column("domain", String(253), nullable=False, index=True),
    Column("language", String(8)),
    Column("health", String(32), nullable=False, index=True),
    Column("problems", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("top_image", String(2048)),
    Column("description", Text),
    Column("extractor", String(32), nullable=False),
    Column("word_count", Integer, nullable=False),
    Column("raw_html", LargeBinary),
    _when("created_at"),
    _when("deleted_at", nullable=True),
    _when("updated_at", index=True),
)

SCORES = Table(
    "scores",
    BASELINE,
    Column("id", Integer, primary_key=True),
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("scorer_version", String(100), nullable=False, index=True),
    Column("sentiment", Float, nullable=False),
    Column("positive_share", Float, nullable=False),
    Column("negative_share", Float, nullable=False),
    Column("n_sentences", Integer, nullable=False),
    Column("headline_sentiment", Float),
    Column("loaded_rate", Float, nullable=False),
    Column("quoted_rate", Float, nullable=False),
    Column("loaded_count", Integer, nullable=False),
    Column("loaded_sentences", Integer, nullable=False),
    Column("categories", JSON, nullable=False),
    Column("spans", JSON, nullable=False),
    Column("sentences", JSON, nullable=False),
    Column("headline_spans", JSON, nullable=False),
    _when("scored_at", index=True),
)

FETCH_ATTEMPTS = Table(
    "fetch_attempts",
    BASELINE,
    Column("id", Integer, primary_key=True),
    Column("url", String(2048), nullable=False),
    Column("canonical_url", String(2048), nullable=False, index=True),
    Column("event_id", ForeignKey("events.id", ondelete="SET NULL"), index=True),
    Column("article_id", ForeignKey("articles.id", ondelete="SET NULL")),
    Column("status", Integer),
    Column("health", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("elapsed", Float, nullable=False),
    _when("at", index=True),
)

CORRECTIONS = Table(
    "corrections",
    BASELINE,
    Column("id", Integer, primary_key=True),
    Column("family", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("term", String(200), nullable=False),
    Column("term_key", String(200), nullable=False, index=True),
    Column("scope", String(16), nullable=False),
    Column("scope_key", String(40), nullable=False),
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), index=True),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), index=True),
    Column("category", String(40)),
    Column("weight", Float),
    Column("note", Text, nullable=False),
    Column("created_by", String(100), nullable=False),
    _when("created_at"),
    UniqueConstraint("family", "term_key", "scope_key", name="uq_correction"),
)

HISTORY = Table(
    "history",
    BASELINE,
    Column("id", Integer, primary_key=True),
    _when("at", index=True),
    Column("user", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("event_id", Integer, index=True),
    Column("article_id", Integer, index=True),
    Column("subject", Text, nullable=False),
    Column("before", Text, nullable=False),
    Column("after", Text, nullable=False),
)

SPEAKER_ROLES = Table(
    "speaker_roles",
    BASELINE,
    Column("speaker_key", String(300), primary_key=True),
    Column("speaker", String(300), nullable=False),
    Column("role", String(32), nullable=False),
    _when("updated_at"),
)
