"""The review tables (schema head, revision 0003). Rows are only ever added, never updated or deleted.

A decision or comment names its candidate by job id + candidate key (app/reviews/candidates.py) and
records the fingerprint of the results it was made on, so a later page can say they have changed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DECISIONS = ("Advance", "Hold", "Reject")
AUTHOR_SIGNED_IN = "signed-in"
AUTHOR_SELF_DECLARED = "self-declared"
AUTHOR_SAMPLE = "sample"
AUTHOR_KINDS = (AUTHOR_SIGNED_IN, AUTHOR_SELF_DECLARED, AUTHOR_SAMPLE)
AUTHOR_KIND_WORDS = {
    AUTHOR_SIGNED_IN: "signed in",
    AUTHOR_SELF_DECLARED: "self-declared",
    AUTHOR_SAMPLE: "sample review",
}


def author_label(author: str, kind: str) -> str:
    """ "Ann (signed in)": the words every page, table and download uses for who wrote an entry (plain text)."""
    return f"{author} ({AUTHOR_KIND_WORDS.get(kind, kind)})"


class Base(DeclarativeBase):
    pass


class Decision(Base):
    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(36), index=True)
    candidate_key: Mapped[str] = mapped_column(String(80))
    strategy: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(200))
    author_kind: Mapped[str] = mapped_column(String(16), server_default=AUTHOR_SELF_DECLARED)  # since 0002
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)  # since 0002
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Comment(Base):
    """Since 0002."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(36), index=True)
    candidate_key: Mapped[str] = mapped_column(String(80))
    strategy: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    author_kind: Mapped[str] = mapped_column(String(16))
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Seed(Base):
    """Since 0003: one-off data added once (the sample reviews), by name."""

    __tablename__ = "review_seeds"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
