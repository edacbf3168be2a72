"""The tables (SQLAlchemy ORM rows) and the rules for event names: normalised keys, slugs, checks."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from analysis.store.errors import StoreError

MAX_EVENT_NAME = 200  # characters; longer names are refused with a message
# Characters of an event name's normalised form (event_name_key).  NFKC can expand a character up to
# 18-fold, so a 200-character name may need more; 600 characters stay under PostgreSQL's btree limit
# for the unique index (~2,700 bytes) even at 4 bytes a character.
MAX_NAME_KEY = 600
MAX_TERM = 200  # characters of a corrected word or phrase
SLUG_PREFIX_CHARS = 60  # readable part of a slug; the hash of the full name follows it
SLUG_HASH_DIGITS = (8, 16, 64)  # hex digits of the hash: longer only if a shorter one is taken


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class EventRow(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_EVENT_NAME), unique=True)
    # What makes two names one event: event_name_key(name).  Unique; matched in full, never cut.
    # (Added to databases made before it by the legacy step, analysis/store/legacy.py.)
    name_key: Mapped[str] = mapped_column(String(MAX_NAME_KEY), unique=True, index=True)
    # For URLs and file names: a readable prefix plus a hash of name_key (unique by construction).
    slug: Mapped[str] = mapped_column(String(MAX_EVENT_NAME), unique=True, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # True for events made by automatic grouping and not touched by a user since; re-grouping
    # may rename, refill or remove them.  A user's edit makes them False (kept as they are).
    auto: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # Set by a soft delete (hides the event and its articles from every read), cleared by a restore.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    articles: Mapped[list[ArticleRow]] = relationship(back_populates="event")


class ArticleRow(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True)
    url: Mapped[str] = mapped_column(String(2048))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    # True when a person put the article in its event (ingest --event, a move, a merge, a split):
    # re-grouping never moves it.  False when automatic grouping chose the event.
    event_pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    source: Mapped[str] = mapped_column(String(16))  # "url", "html-file", "text", "demo"
    title: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list] = mapped_column(JSON, default=list)
    published: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    outlet: Mapped[str] = mapped_column(String(200), index=True)
    domain: Mapped[str] = mapped_column(String(253), index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    health: Mapped[str] = mapped_column(String(32), index=True)
    problems: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    top_image: Mapped[str | None] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(Text)
    extractor: Mapped[str] = mapped_column(String(32), default="")
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    raw_html: Mapped[bytes | None] = mapped_column(LargeBinary)  # zlib-compressed UTF-8
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # Set by a soft delete (the article is left out of every read), cleared by a restore.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # indexed: Store.version() asks for the latest on every dashboard run (without an index, SQLite
    # reads every row, past the stored HTML, to find it)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now, index=True
    )
    event: Mapped[EventRow | None] = relationship(back_populates="articles")
    score: Mapped[ScoreRow | None] = relationship(
        back_populates="article", cascade="all, delete-orphan", uselist=False
    )


class ScoreRow(Base):
    __tablename__ = "scores"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), unique=True)
    scorer_version: Mapped[str] = mapped_column(String(100), index=True)
    sentiment: Mapped[float] = mapped_column(Float)
    positive_share: Mapped[float] = mapped_column(Float)
    negative_share: Mapped[float] = mapped_column(Float)
    n_sentences: Mapped[int] = mapped_column(Integer)
    headline_sentiment: Mapped[float | None] = mapped_column(Float)
    loaded_rate: Mapped[float] = mapped_column(Float)
    quoted_rate: Mapped[float] = mapped_column(Float)
    loaded_count: Mapped[int] = mapped_column(Integer)
    loaded_sentences: Mapped[int] = mapped_column(Integer)
    categories: Mapped[dict] = mapped_column(JSON, default=dict)
    spans: Mapped[list] = mapped_column(JSON, default=list)
    sentences: Mapped[list] = mapped_column(JSON, default=list)
    headline_spans: Mapped[list] = mapped_column(JSON, default=list)
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    article: Mapped[ArticleRow] = relationship(back_populates="score")


class FetchAttemptRow(Base):
    __tablename__ = "fetch_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    canonical_url: Mapped[str] = mapped_column(String(2048), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    status: Mapped[int | None] = mapped_column(Integer)
    health: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    elapsed: Mapped[float] = mapped_column(Float, default=0.0)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)


class CorrectionRow(Base):
    """A person's correction of the evidence: a flag dismissed, restored or added, a topic word
    marked or unmarked, in one article, one event or everywhere.  The current state only (restoring
    a dismissal removes its row); every change is also written to ``history``."""

    __tablename__ = "corrections"
    __table_args__ = (UniqueConstraint("family", "term_key", "scope_key", name="uq_correction"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    family: Mapped[str] = mapped_column(String(16))  # "flag" (dismiss/restore/add) or "topic"
    kind: Mapped[str] = mapped_column(String(16))  # dismiss, restore, add, topic, not_topic
    term: Mapped[str] = mapped_column(String(MAX_TERM))  # as the person typed it
    term_key: Mapped[str] = mapped_column(String(MAX_TERM), index=True)  # case-folded, spaces collapsed
    scope: Mapped[str] = mapped_column(String(16))  # "article", "event" or "global"
    scope_key: Mapped[str] = mapped_column(String(40))  # "global", "event:<id>", "article:<id>"
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    category: Mapped[str | None] = mapped_column(String(40))  # for "add"
    weight: Mapped[float | None] = mapped_column(Float)  # for "add"
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class HistoryRow(Base):
    """Append-only: every change a person made (corrections, event edits) with who, when, what,
    before and after.  No foreign keys: the record outlives the event or article it names."""

    __tablename__ = "history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    user: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(40))  # "flag.dismiss", "event.rename" ...
    event_id: Mapped[int | None] = mapped_column(Integer, index=True)
    article_id: Mapped[int | None] = mapped_column(Integer, index=True)
    subject: Mapped[str] = mapped_column(Text, default="")  # the word, or the event's name
    before: Mapped[str] = mapped_column(Text, default="")
    after: Mapped[str] = mapped_column(Text, default="")


class SpeakerRoleRow(Base):
    """A speaker role set by the user: wins over the role found in the text (analysis/compare/roles)."""

    __tablename__ = "speaker_roles"
    speaker_key: Mapped[str] = mapped_column(String(300), primary_key=True)  # case-folded name
    speaker: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


MAX_OUTLET_NAME = 200  # characters of an outlet's name and display name (articles.outlet's size)


class OutletRow(Base):
    """One outlet: ``name`` is the string stored on its articles (``articles.outlet``), never changed
    once given; the rest is what a person may edit.  ``colour`` is given once, when the outlet is first
    seen, and kept (adding an outlet never repaints another).  ``origin``: "shipped" (named by
    data/outlets.csv), "page" (named by its pages or its domain) or "user" (edited or imported by a
    person: the program never renames it).  Keep in step with migrations/versions/0002_outlets.py."""

    __tablename__ = "outlets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_OUTLET_NAME), unique=True)
    display_name: Mapped[str] = mapped_column(String(MAX_OUTLET_NAME))
    domains: Mapped[list] = mapped_column(JSON, default=list)  # registered domains, e.g. ["bbc.co.uk"]
    groups: Mapped[dict] = mapped_column(JSON, default=dict)  # dimension -> value ("type": "wire agency")
    colour: Mapped[str] = mapped_column(String(7))  # "#rrggbb"
    origin: Mapped[str] = mapped_column(String(16), default="page")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class ArticleDerivedRow(Base):
    """What the pages need of one article's text, computed once (analysis/store/derived.py): its term
    counts (word choice) and its quotes (voices).  Stale when the article changed since
    (``source_stamp`` is the article's ``updated_at`` then) or the rules did (``version``)."""

    __tablename__ = "article_derived"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    source_stamp: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    terms: Mapped[dict] = mapped_column(JSON, default=dict)
    quotes: Mapped[list] = mapped_column(JSON, default=list)


class OutletTermsRow(Base):
    """One outlet's term counts summed over its shown articles; ``fingerprint`` names that set of
    articles as it was (ids and ``updated_at``) and the rules' version: anything else is stale."""

    __tablename__ = "outlet_terms"
    outlet: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    articles: Mapped[int] = mapped_column(Integer)
    terms: Mapped[dict] = mapped_column(JSON, default=dict)


DERIVED_TABLES = frozenset({"article_derived", "outlet_terms"})


def shown() -> ColumnElement[bool]:
    """The rows a read shows: the article is not deleted, nor is its event (for queries that
    outer-join ``EventRow`` on the article's event; an article without event has NULL there)."""
    return ArticleRow.deleted_at.is_(None) & EventRow.deleted_at.is_(None)


def event_name_key(name: str) -> str:
    """The normalised full name that identifies an event: NFKC, case-folded, whitespace collapsed.

    Two names are the same event exactly when their keys are equal ("Storm  Oriel" and "STORM
    oriel", full-width and ASCII letters); nothing is cut, transliterated or dropped, so
    "Выборы в Киеве" and "Наводнение в Москве" stay two events."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


# Latin letters that have no decomposition to ASCII under NFKD
_LATIN_EXTRA = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ħ": "h", "ı": "i"}
)


def slug_prefix(name: str) -> str:
    """The readable part of a slug: Latin letters transliterated to ASCII ("Zürich" -> "zurich"),
    letters and digits of other scripts kept as they are ("Выборы в Киеве" -> "выборы-в-киеве"),
    everything else a hyphen; at most SLUG_PREFIX_CHARS characters, "event" when nothing is left."""
    out: list[str] = []
    for ch in event_name_key(name).translate(_LATIN_EXTRA):
        ascii_part = re.sub(
            r"[^a-z0-9]", "", unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        )
        if ascii_part:
            out.append(ascii_part)
        elif ch.isalnum() or unicodedata.category(ch).startswith("M"):  # marks: Devanagari vowel signs ...
            out.append(ch)
        else:
            out.append("-")
    prefix = re.sub(r"-+", "-", "".join(out)).strip("-")
    if len(prefix) > SLUG_PREFIX_CHARS:
        cut = prefix[:SLUG_PREFIX_CHARS]
        prefix = (cut[: cut.rindex("-")] if "-" in cut[SLUG_PREFIX_CHARS // 2 :] else cut).strip("-")
    return prefix or "event"


def event_slug(name: str, digits: int = SLUG_HASH_DIGITS[0]) -> str:
    """The slug of an event named ``name``: readable prefix + hash of the full normalised name
    ("Paris visit, 2026!" -> "paris-visit-2026-1c0e5a3f").  The store lengthens the hash in the
    (astronomically rare) case that another event already has this slug: read an event's slug
    from the store (``find_event(name).slug``) rather than recomputing it."""
    key = event_name_key(name)
    return f"{slug_prefix(key)}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:digits]}"


slugify = event_slug  # the name used before slugs carried a hash


def _free_slug(name: str, taken: Callable[[str], bool]) -> str:
    """``event_slug(name)`` with the shortest hash whose slug ``taken`` says is free."""
    for digits in SLUG_HASH_DIGITS:
        slug = event_slug(name, digits)
        if not taken(slug):
            return slug
    raise StoreError(f"no free slug for the event name {name!r}")  # a full SHA-256 collision


def unused_event_name(taken_keys: set[str], name: str) -> str:
    """``name``, or ``name (2)``, ``name (3)`` ... whose key (event_name_key) is not in ``taken_keys``.

    The suffix is part of the full key, which is never cut, so each candidate is new and the loop
    ends after at most ``len(taken_keys) + 1`` tries."""
    base = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in name)
    base = " ".join(base.split())[:150] or "Untitled event"
    while len(event_name_key(base)) > MAX_NAME_KEY - 20:  # pathological NFKC expansions
        base = base[:-10].rstrip() or "Untitled event"
    candidate, n = base, 2
    while event_name_key(candidate) in taken_keys:
        candidate, n = f"{base} ({n})", n + 1
    return candidate


def validate_event_name(name: str) -> str:
    """Strip and check an event name; raises StoreError with a readable message."""
    clean = " ".join((name or "").split())
    if not clean:
        raise StoreError("the event name is empty")
    if len(clean) > MAX_EVENT_NAME:
        raise StoreError(f"the event name is longer than {MAX_EVENT_NAME} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in clean):
        raise StoreError("the event name contains control characters")
    if len(event_name_key(clean)) > MAX_NAME_KEY:
        raise StoreError(f"the event name is longer than {MAX_NAME_KEY} characters once normalised")
    return clean


def compress_html(html: str | None) -> bytes | None:
    return None if html is None else zlib.compress(html.encode("utf-8", "replace"), 6)


def decompress_html(blob: bytes | None) -> str | None:
    return None if blob is None else zlib.decompress(blob).decode("utf-8", "replace")
