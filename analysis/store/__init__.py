"""Store: SQLAlchemy models, queries and schema migrations; the only code that talks SQL.
Imports only models and settings; raises its own StoreError, never a SQLAlchemy exception type.
"""
