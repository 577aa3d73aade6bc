"""The review store: append-only decisions and comments in SQLite (default) or PostgreSQL.

`ReviewStore(url)` creates the database when needed and brings it to the newest schema with Alembic
(app/reviews/migrations). `history(job_ids)` reads everything about those jobs in one query;
`record(...)` adds a decision and/or a comment in one transaction. Faults of the database become a
`ReviewStoreError` with a message fit for the page (never the URL, which may hold a password).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, func, insert, literal, select, union_all
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from app.reviews.models import AUTHOR_KINDS, DECISIONS, Comment, Decision, Seed

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0003"
MAX_COMMENT_CHARS = 4000
MAX_AUTHOR_CHARS = 80
MIGRATION_LOCK = 15_2026  # pg_advisory_xact_lock key: one process migrates at a time


class ReviewStoreError(RuntimeError):
    """The review database could not do what was asked; `str()` is the message for the page."""


class InvalidReview(ValueError):
    """What the reviewer typed cannot be saved as it is; `str()` says why."""


@dataclass(frozen=True)
class Entry:
    """One row of a candidate's history: a decision or a comment."""

    kind: str  # "decision" | "comment"
    id: int
    job_id: str
    candidate_key: str
    strategy: str
    text: str  # the decision (Advance/Hold/Reject) or the comment's body
    author: str
    author_kind: str
    fingerprint: str | None
    created_at: datetime

    @property
    def is_decision(self) -> bool:
        return self.kind == "decision"


@dataclass(frozen=True)
class CandidateHistory:
    entries: tuple[Entry, ...] = ()  # oldest first

    @property
    def decisions(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.is_decision)

    @property
    def comments(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if not e.is_decision)

    @property
    def current(self) -> Entry | None:
        decisions = self.decisions
        return decisions[-1] if decisions else None


@dataclass(frozen=True)
class ReviewHistory:
    by_candidate: dict[tuple[str, str], CandidateHistory] = field(default_factory=dict)

    def of(self, job_id: str, candidate_key: str) -> CandidateHistory:
        return self.by_candidate.get((job_id, candidate_key), CandidateHistory())


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _no_nul(text: str) -> str:
    """PostgreSQL text cannot hold NUL characters; strings from the service may."""
    return text.replace("\x00", "")


def clean_comment(text: str | None) -> str:
    """The comment as it will be stored: stripped, NUL-free, at most MAX_COMMENT_CHARS (else InvalidReview)."""
    body = (text or "").replace("\x00", "").strip()
    if len(body) > MAX_COMMENT_CHARS:
        raise InvalidReview(
            f"A comment holds at most {MAX_COMMENT_CHARS:,} characters; this one has {len(body):,}. "
            "Shorten it (your text is still in the box)."
        )
    return body


def clean_author(name: str | None) -> str:
    author = " ".join((name or "").replace("\x00", "").split())
    if not author:
        raise InvalidReview("Give your name as reviewer before saving.")
    if len(author) > MAX_AUTHOR_CHARS:
        raise InvalidReview(f"A reviewer name holds at most {MAX_AUTHOR_CHARS} characters.")
    return author


def _message(error: BaseException) -> str:
    if isinstance(error, (DataError, IntegrityError)):
        return "The review database refused this entry as it is (it was not saved). Your draft is still in the form."
    text = str(getattr(error, "orig", None) or error).lower()
    if "read-only" in text or "readonly" in text or "read only" in text:
        return "The review database is read-only: nothing can be saved now. Your draft is still in the form."
    return (
        "The review database cannot be reached, so reviews cannot be shown or saved now. "
        "Your draft is still in the form; the rest of the page works."
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout = 10000")  # a second writer waits instead of failing
        cursor.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
    except Exception:  # a read-only file cannot switch journal mode: reading still works
        log.info("reviews: SQLite pragmas not applied (read-only database?)")
    finally:
        cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args=connect_args)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (Alembic, on one connection; PostgreSQL: one process at a time)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class ReviewStore:
    """Decisions and comments of design reviews, added and read; never changed or deleted."""

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        try:
            migrate(self.engine)
        except SQLAlchemyError as error:
            self.engine.dispose()
            log.warning("reviews: database not ready (%s)", type(error).__name__)
            raise ReviewStoreError(_message(error)) from None

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def history(self, job_ids: Iterable[str]) -> ReviewHistory:
        """Every decision and comment of these jobs, grouped by candidate: one query."""
        ids = sorted(set(job_ids))
        if not ids:
            return ReviewHistory()
        decisions = select(
            literal("decision").label("kind"),
            Decision.id,
            Decision.job_id,
            Decision.candidate_key,
            Decision.strategy,
            Decision.decision.label("text"),
            Decision.author,
            Decision.author_kind,
            Decision.fingerprint,
            Decision.created_at,
        ).where(Decision.job_id.in_(ids))
        comments = select(
            literal("comment").label("kind"),
            Comment.id,
            Comment.job_id,
            Comment.candidate_key,
            Comment.strategy,
            Comment.body.label("text"),
            Comment.author,
            Comment.author_kind,
            Comment.fingerprint,
            Comment.created_at,
        ).where(Comment.job_id.in_(ids))
        both = union_all(decisions, comments).subquery()
        query = select(both).order_by(both.c.created_at, both.c.kind.desc(), both.c.id)
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(query).all()
        except SQLAlchemyError as error:
            log.warning("reviews: read failed (%s)", type(error).__name__)
            raise ReviewStoreError(_message(error)) from None
        grouped: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        for row in rows:
            entry = Entry(
                row.kind, row.id, row.job_id, row.candidate_key, row.strategy, row.text, row.author,
                row.author_kind, row.fingerprint, _utc(row.created_at),
            )  # fmt: skip
            grouped[(entry.job_id, entry.candidate_key)].append(entry)
        return ReviewHistory({key: CandidateHistory(tuple(entries)) for key, entries in grouped.items()})

    def record(
        self,
        *,
        job_id: str,
        candidate_key: str,
        strategy: str,
        author: str,
        author_kind: str,
        fingerprint: str | None,
        decision: str | None = None,
        comment: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Add a decision and/or a comment (one transaction). Raises InvalidReview or ReviewStoreError."""
        body = clean_comment(comment)
        if decision is not None and decision not in DECISIONS:
            raise InvalidReview(f"A decision is one of {', '.join(DECISIONS)}.")
        if decision is None and not body:
            raise InvalidReview("Choose a decision or write a comment: there is nothing to save.")
        if author_kind not in AUTHOR_KINDS:
            raise InvalidReview("Unknown kind of author.")
        who = clean_author(author)
        moment = at or datetime.now(UTC)
        common = dict(
            job_id=job_id, candidate_key=_no_nul(candidate_key)[:80], strategy=_no_nul(strategy)[:200], author=who,
            author_kind=author_kind, fingerprint=fingerprint, created_at=moment,
        )  # fmt: skip
        try:
            with self.engine.begin() as connection:
                _insert(connection, common, decision, body)
        except SQLAlchemyError as error:
            log.warning("reviews: write failed (%s)", type(error).__name__)
            raise ReviewStoreError(_message(error)) from None

    def seed_once(self, name: str, entries: Sequence[dict[str, Any]]) -> int:
        """Add `entries` (each `record`'s keyword arguments) once per database, and only to one holding
        no review: one transaction that first claims `name` in review_seeds, so of several processes
        starting together exactly one adds them. Returns how many entries were added."""
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(Seed).values(name=name, added_at=datetime.now(UTC)))
                if any(
                    connection.execute(select(func.count()).select_from(t)).scalar_one() for t in (Decision, Comment)
                ):
                    return 0  # a real review came first: the claim stays, nothing is added
                for entry in entries:
                    values = dict(entry)
                    decision, body = values.pop("decision", None), clean_comment(values.pop("comment", None))
                    if decision is not None and decision not in DECISIONS:
                        raise InvalidReview(f"A decision is one of {', '.join(DECISIONS)}.")
                    values["author"] = clean_author(values["author"])
                    values["created_at"] = _utc(values.pop("at"))
                    _insert(connection, values, decision, body)
        except IntegrityError:
            return 0  # another process claimed it first
        except SQLAlchemyError as error:
            log.warning("reviews: seeding failed (%s)", type(error).__name__)
            raise ReviewStoreError(_message(error)) from None
        return len(entries)

    def close(self) -> None:
        self.engine.dispose()


def _insert(connection: Connection, common: dict[str, Any], decision: str | None, body: str) -> None:
    if decision is not None:
        connection.execute(insert(Decision).values(decision=decision, **common))
    if body:
        connection.execute(insert(Comment).values(body=body, **common))


def sqlite_url(data_dir: str | Path) -> str:
    return f"sqlite:///{Path(data_dir).expanduser() / 'reviews.sqlite'}"
