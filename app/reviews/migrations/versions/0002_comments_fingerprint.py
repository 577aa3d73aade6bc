"""Comments, the author's kind (signed-in, self-declared, sample) and the fingerprint of the results.

Decisions made before 0002 keep their rows: they become self-declared (there was no sign-in) and
their fingerprint stays empty ("not recorded"), so the page never claims they match the results.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_decisions") as batch:
        batch.add_column(sa.Column("author_kind", sa.String(16), nullable=False, server_default="self-declared"))
        batch.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))
    op.create_table(
        "review_comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(36), nullable=False),
        sa.Column("candidate_key", sa.String(80), nullable=False),
        sa.Column("strategy", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("author_kind", sa.String(16), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_comments_job_id", "review_comments", ["job_id"])


def downgrade() -> None:
    op.drop_index("ix_review_comments_job_id", "review_comments")
    op.drop_table("review_comments")
    with op.batch_alter_table("review_decisions") as batch:
        batch.drop_column("fingerprint")
        batch.drop_column("author_kind")
