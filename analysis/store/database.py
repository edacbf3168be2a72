"""The database: the Store, built from the queries in events.py and articles.py (tables in schema.py,
engines and migrations in engine.py).

Outlets (display names, groups, colours) in outlets.py.

The rest of the program talks to the database only through it.  SQLite (WAL mode) by default, any
SQLAlchemy URL otherwise (PostgreSQL: ``postgresql+psycopg://user:pw@host/db``).
Every write commits on its own, so one failing article never loses the others.
"""

from analysis.store.articles import ArticleQueries
from analysis.store.corrections import CorrectionQueries
from analysis.store.derived import DerivedQueries
from analysis.store.edits import EditQueries
from analysis.store.errors import StoreError, translate_database_errors
from analysis.store.voices import VoiceQueries

__all__ = ["Store", "StoreError"]  # StoreError: callers that still import it from here


@translate_database_errors
class Store(EditQueries, CorrectionQueries, ArticleQueries, VoiceQueries, DerivedQueries):
    """Repository over one database.  Methods commit their own transaction; a failing database
    raises DatabaseError (a StoreError), never a SQLAlchemy exception."""
