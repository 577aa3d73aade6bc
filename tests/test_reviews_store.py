"""The review store on SQLite and on a real PostgreSQL: append-only history, one query per read,
concurrent writers, hostile text, the length cap, faults, the v1 → head migration, and sample reviews added once."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, inspect, text

from app.reviews import candidates as cand
from app.reviews.sample import SEED_FILE, seed_sample_reviews
from app.reviews.store import (
    HEAD,
    MAX_COMMENT_CHARS,
    InvalidReview,
    ReviewStore,
    ReviewStoreError,
    make_engine,
    migrate,
)
from app.sample_api import DEFAULT_DATA_DIR
from tests.review_fixtures import *  # noqa: F403 - the postgres and review_db_url fixtures

JOB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"
OTHER = "36435fac-4bc7-5211-9555-2ac31c0a7bed"


def _save(store: ReviewStore, **changes: Any) -> None:
    values: dict[str, Any] = dict(
        job_id=JOB, candidate_key="r:a", strategy="cdr_grafting", author="Ann", author_kind="self-declared",
        fingerprint="f1", decision="Hold", comment=None,
    )  # fmt: skip
    values.update(changes)
    store.record(**values)


def test_history_is_append_only_and_current_is_the_latest(review_db_url: str) -> None:
    store = ReviewStore(review_db_url)
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    _save(store, decision="Hold", comment="first look", at=start)
    _save(store, decision="Advance", author="Ben", at=start + timedelta(minutes=5))
    _save(store, decision=None, comment="agree", author="Cy", at=start + timedelta(minutes=9))
    _save(store, job_id=OTHER, decision="Reject", at=start)
    history = store.history([JOB])
    record = history.of(JOB, "r:a")
    assert [(e.kind, e.text, e.author) for e in record.entries] == [
        ("decision", "Hold", "Ann"),
        ("comment", "first look", "Ann"),
        ("decision", "Advance", "Ben"),
        ("comment", "agree", "Cy"),
    ]
    assert record.current is not None and record.current.text == "Advance"
    assert record.current.created_at == start + timedelta(minutes=5)  # timezone-aware UTC on both backends
    assert history.of(OTHER, "r:a").entries == ()  # not asked for
    store.close()


def test_history_of_many_jobs_is_one_query(review_db_url: str) -> None:
    store = ReviewStore(review_db_url)
    jobs = [f"00000000-0000-0000-0000-{i:012d}" for i in range(6)]
    for job in jobs:
        for strategy in range(12):
            _save(store, job_id=job, candidate_key=f"r:{strategy}", comment="c")
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    history = store.history(jobs)
    assert len(statements) == 1, statements
    assert sum(len(h.entries) for h in history.by_candidate.values()) == 6 * 12 * 2
    store.close()


def test_two_reviewers_saving_at_the_same_moment_both_land(review_db_url: str) -> None:
    first, second = ReviewStore(review_db_url), ReviewStore(review_db_url)  # two engines, as two processes
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def reviewer(store: ReviewStore, name: str) -> None:
        try:
            barrier.wait(10)
            for i in range(15):
                _save(store, author=name, decision="Advance" if i % 2 else "Reject", comment=f"{name} {i}")
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=reviewer, args=(s, n)) for s, n in ((first, "Ann"), (second, "Ben"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures
    record = first.history([JOB]).of(JOB, "r:a")
    assert len(record.decisions) == 30 and len(record.comments) == 30
    assert {c.text for c in record.comments} == {f"{n} {i}" for n in ("Ann", "Ben") for i in range(15)}
    first.close()
    second.close()


HOSTILE = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "'); DROP TABLE review_decisions; --",
    "Robert'); DELETE FROM review_comments WHERE ('1'='1",
    "**bold** <img src=x onerror=alert(1)> \u202e\u2066 emoji 🧪 and a NUL\x00 byte",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_is_stored_as_given_and_sql_stays_bound(review_db_url: str, payload: str) -> None:
    store = ReviewStore(review_db_url)
    _save(store, decision="Hold", comment=payload, author=payload[:80], strategy=payload)
    entries = store.history([JOB]).of(JOB, "r:a").entries
    assert [e.text for e in entries] == ["Hold", payload.replace("\x00", "").strip()]
    assert entries[0].author == " ".join(payload[:80].replace("\x00", "").split())
    assert set(inspect(store.engine).get_table_names()) >= {"review_decisions", "review_comments"}
    store.close()


def test_comment_length_is_capped_with_a_clear_message(tmp_path: Path) -> None:
    store = ReviewStore(f"sqlite:///{tmp_path / 'r.sqlite'}")
    _save(store, decision=None, comment="x" * MAX_COMMENT_CHARS)
    with pytest.raises(InvalidReview, match=f"at most {MAX_COMMENT_CHARS:,} characters; this one has 4,001"):
        _save(store, decision=None, comment="x" * (MAX_COMMENT_CHARS + 1))
    with pytest.raises(InvalidReview, match="nothing to save"):
        _save(store, decision=None, comment="   ")
    with pytest.raises(InvalidReview, match="Advance, Hold, Reject"):
        _save(store, decision="Maybe")
    with pytest.raises(InvalidReview, match="name"):
        _save(store, author="  ")
    assert len(store.history([JOB]).of(JOB, "r:a").entries) == 1


def test_unreachable_database_gives_a_clear_message_without_the_url() -> None:
    from app.local_postgres import free_port

    url = f"postgresql+psycopg://reviewer:s3cret-pw@127.0.0.1:{free_port()}/abdash"
    with pytest.raises(ReviewStoreError) as caught:
        ReviewStore(url)
    message = str(caught.value)
    assert "cannot be reached" in message and "draft is still in the form" in message
    assert "s3cret" not in message and "127.0.0.1" not in message


def test_read_only_sqlite_reads_but_refuses_writes_clearly(tmp_path: Path) -> None:
    path = tmp_path / "reviews.sqlite"
    writable = ReviewStore(f"sqlite:///{path}")
    _save(writable, comment="kept")
    writable.close()
    read_only = ReviewStore(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert len(read_only.history([JOB]).of(JOB, "r:a").entries) == 2
    with pytest.raises(ReviewStoreError, match="read-only"):
        _save(read_only, comment="new")
    read_only.close()


def test_read_only_postgresql_refuses_writes_clearly(postgres) -> None:
    from tests.review_fixtures import new_postgres_database

    url = new_postgres_database(postgres)
    store = ReviewStore(url)
    _save(store, comment="kept")
    with store.engine.connect() as connection:
        database = connection.execute(text("SELECT current_database()")).scalar_one()
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on'))
    admin.dispose()
    store.close()
    again = ReviewStore(url)  # new connections are read-only; the schema is already at head
    assert len(again.history([JOB]).of(JOB, "r:a").entries) == 2
    with pytest.raises(ReviewStoreError, match="read-only"):
        _save(again, comment="new")
    again.close()


def test_migration_from_v1_keeps_existing_decisions(review_db_url: str) -> None:
    engine = make_engine(review_db_url)
    migrate(engine, "0001")
    assert "review_comments" not in inspect(engine).get_table_names()
    with engine.begin() as connection:
        for i, decision in enumerate(("Hold", "Advance")):
            connection.execute(
                text(
                    "INSERT INTO review_decisions (job_id, candidate_key, strategy, decision, author, created_at) "
                    "VALUES (:job, :key, :strategy, :decision, :author, :at)"
                ),
                dict(job=JOB, key="r:a", strategy="cdr_grafting", decision=decision, author=f"v1 reviewer {i}",
                     at=datetime(2026, 11, 20, 10 + i, tzinfo=UTC)),
            )  # fmt: skip
    engine.dispose()

    store = ReviewStore(review_db_url)  # first use of the new code upgrades to head
    assert seed_sample_reviews(store, DEFAULT_DATA_DIR) == 0  # the demo's reviews never join real ones
    record = store.history([JOB]).of(JOB, "r:a")
    assert [(e.text, e.author, e.author_kind, e.fingerprint) for e in record.decisions] == [
        ("Hold", "v1 reviewer 0", "self-declared", None),
        ("Advance", "v1 reviewer 1", "self-declared", None),
    ]
    _save(store, decision=None, comment="comments work after the upgrade")
    assert len(store.history([JOB]).of(JOB, "r:a").comments) == 1
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD
    store.close()


def test_candidate_keys_survive_reordering_and_fingerprints_see_changes() -> None:
    rows: list[dict[str, Any]] = [
        {"id": "row-1", "strategy": "cdr_grafting", "humanized_vh": "EVQL", "oasis_score": {"vh": {"percentile": 0.5}}},
        {"strategy": "back_mutation", "humanized_vh": "QVQL"},
        {"strategy": "back_mutation", "humanized_vh": "QVQL"},  # a duplicate without id
    ]
    first = cand.job_candidates(JOB, {"results": rows})
    second = cand.job_candidates(JOB, {"results": [rows[1], rows[0]]})
    assert first[0].key == "r:row-1" and first[0].key in {c.key for c in second}
    assert first[1].key.startswith("s:") and first[1].key != first[2].key  # duplicates stay apart
    by_key = {c.key: c for c in second}
    assert by_key[first[0].key].fingerprint == first[0].fingerprint
    changed = [{**rows[0], "oasis_score": {"vh": {"percentile": 0.6}}}]
    assert cand.job_candidates(JOB, {"results": changed})[0].fingerprint != first[0].fingerprint
    job_only = cand.job_candidates(JOB, {"job": {"id": JOB}, "results": []})
    assert [(c.key, c.label) for c in job_only] == [("job", "the job")]


def test_sqlite_is_in_wal_mode(tmp_path: Path) -> None:
    store = ReviewStore(f"sqlite:///{tmp_path / 'r.sqlite'}")
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    store.close()


def test_sample_reviews_are_added_once_when_processes_start_together(review_db_url: str) -> None:
    """Replicas starting on one empty database each try to add the demo's sample reviews: exactly one does."""
    expected = len(json.loads((DEFAULT_DATA_DIR / SEED_FILE).read_text())["reviews"])
    stores = [ReviewStore(review_db_url) for _ in range(6)]  # six engines, as six processes
    barrier = threading.Barrier(len(stores))
    added: list[int] = []
    failures: list[BaseException] = []

    def start(store: ReviewStore) -> None:
        try:
            barrier.wait(10)
            added.append(seed_sample_reviews(store, DEFAULT_DATA_DIR))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=start, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    assert sorted(added) == [0] * (len(stores) - 1) + [expected], added
    with stores[0].engine.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM review_decisions")).scalar_one()
        rows += connection.execute(text("SELECT count(*) FROM review_comments")).scalar_one()
    assert 0 < rows <= 2 * expected
    assert seed_sample_reviews(stores[0], DEFAULT_DATA_DIR) == 0  # a later start adds nothing
    for store in stores:
        store.close()
