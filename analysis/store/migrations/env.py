"""Alembic's environment: runs the migrations on the connection the program hands over.

The program drives Alembic itself (analysis/store/migrate.py, ``python -m analysis db upgrade``):
it opens the connection, takes the migration lock, and passes the connection in
``config.attributes["connection"]``; there is no alembic.ini and the ``alembic`` command is not used.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "the migrations run through the program: python -m analysis db upgrade (analysis.store.migrate)"
    )
# The connection is already in a transaction (the migration lock's): Alembic joins it, and the
# caller commits once every step has run.
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
