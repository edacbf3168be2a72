"""Baseline: the schema of 2026-12-07, the last version before Alembic.

Tables events, articles, scores, fetch_attempts, corrections, history and speaker_roles, as defined
in ../baseline.py (frozen).  ``db history`` shows the first line of a migration's docstring.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

from alembic import op

from analysis.store.migrations.baseline import BASELINE

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    BASELINE.create_all(op.get_bind())


def downgrade() -> None:
    BASELINE.drop_all(op.get_bind())
