"""Derived data: per-article term counts and quotes, per-outlet term sums (what pages read).

Tables article_derived and outlet_terms (analysis/store/schema.py: ArticleDerivedRow,
OutletTermsRow).  Their rows are recomputed on read when missing or stale, so an upgraded database
starts with them empty.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    have = set(sa.inspect(op.get_bind()).get_table_names())  # made by a build that had them (create_all)
    if "article_derived" not in have:
        _article_derived()
    if "outlet_terms" not in have:
        _outlet_terms()


def _article_derived() -> None:
    op.create_table(
        "article_derived",
        sa.Column(
            "article_id",
            sa.Integer(),
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("source_stamp", sa.DateTime(timezone=True), nullable=True),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("quotes", sa.JSON(), nullable=False),
    )


def _outlet_terms() -> None:
    op.create_table(
        "outlet_terms",
        sa.Column("outlet", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outlet_terms")
    op.drop_table("article_derived")
