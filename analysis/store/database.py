"""The database: SQLAlchemy 2 models and the queries the rest of the program uses.

The only module that talks to the database.  SQLite (WAL mode) by default, any
SQLAlchemy URL otherwise (PostgreSQL: ``postgresql+psycopg://user:pw@host/db``).
Every write commits on its own, so one failing article never loses the others.
"""

from analysis.store.articles import ArticleQueries
from analysis.store.errors import StoreError, translate_database_errors
from analysis.store.events import EventQueries

__all__ = ["Store", "StoreError"]  # StoreError: callers that still import it from here


@translate_database_errors
class Store(EventQueries, ArticleQueries):
    """Repository over one database.  Methods commit their own transaction; a failing database
    raises DatabaseError (a StoreError), never a SQLAlchemy exception."""
