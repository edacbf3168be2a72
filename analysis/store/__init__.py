"""Store: SQLAlchemy models, queries and schema migrations (Alembic); the only code that talks SQL.
Imports only models, settings and the palette; raises its own StoreError, never a SQLAlchemy exception type.
"""

from analysis.models import dumps
from analysis.store import _quiet  # noqa: F401 - before anything that imports Alembic: its logger level
from analysis.store.articles import score_fields
from analysis.store.database import Store
from analysis.store.engine import (
    database_state,
    hide_passwords,
    is_memory_database,
    read_only_reason,
    safe_url,
    sqlite_file,
    upgrade_database,
)
from analysis.store.errors import DatabaseError, EventChangedError, StoreError
from analysis.store.events import GroupPlan
from analysis.store.migrate import SchemaState, Upgrade, migration_history
from analysis.store.schema import (
    MAX_EVENT_NAME,
    compress_html,
    decompress_html,
    event_name_key,
    event_slug,
    slug_prefix,
    unused_event_name,
    validate_event_name,
)

__all__ = [
    "MAX_EVENT_NAME",
    "DatabaseError",
    "EventChangedError",
    "GroupPlan",
    "SchemaState",
    "Store",
    "StoreError",
    "Upgrade",
    "compress_html",
    "database_state",
    "decompress_html",
    "dumps",
    "event_name_key",
    "event_slug",
    "hide_passwords",
    "is_memory_database",
    "migration_history",
    "read_only_reason",
    "safe_url",
    "score_fields",
    "slug_prefix",
    "sqlite_file",
    "unused_event_name",
    "upgrade_database",
    "validate_event_name",
]
