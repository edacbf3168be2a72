"""The outlets table: display names, domains, group dimensions and a stable colour per outlet.

Revision ID: 0002
Revises: 0001
Keep in step with ``OutletRow`` in analysis/store/schema.py.  The rows themselves are filled when a
database is opened (``analysis.store.outlets.sync_outlets``: one row per outlet its articles name,
in sorted order, so each keeps the colour it had before colours were stored).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("outlets"):
        return  # made by a build that had the table before this revision (create_all, then stamped)
    op.create_table(
        "outlets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("colour", sa.String(7), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outlets")
