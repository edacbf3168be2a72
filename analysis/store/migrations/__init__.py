"""Alembic's script folder for the store: env.py (runs on the connection the program hands over),
baseline.py (the frozen tables of revision 0001) and versions/ (one file a revision, run in order of
``down_revision``).  Driven by analysis/store/migrate.py; how to add a migration: README, Settings."""
