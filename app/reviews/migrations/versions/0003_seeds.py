"""A record of the one-off data added to the database (the demo's sample reviews), one row per kind.

Its primary key is what makes adding them happen once: two processes starting together on an empty
database both try, and the second one's insert of the same name fails and adds nothing.

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
    op.create_table(
        "review_seeds",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_seeds")
