"""Decisions only: who set Advance, Hold or Reject on which candidate, and when.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(36), nullable=False),
        sa.Column("candidate_key", sa.String(80), nullable=False),
        sa.Column("strategy", sa.String(200), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_decisions_job_id", "review_decisions", ["job_id"])


def downgrade() -> None:
    op.drop_index("ix_review_decisions_job_id", "review_decisions")
    op.drop_table("review_decisions")
