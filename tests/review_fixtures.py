"""Fixtures of the review tests: a real PostgreSQL for the session, and a fresh database per test.

`review_db_url` is parametrised: each test that takes it runs on SQLite (a file in tmp_path) and on
PostgreSQL (a new database in the session's cluster). The cluster is started once and always stopped;
the PostgreSQL cases skip only when Debian's postgresql package is not installed.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.local_postgres import LocalPostgres, PostgresUnavailable

__all__ = ["postgres", "review_db_url", "new_postgres_database"]
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    try:
        cluster = LocalPostgres()
    except PostgresUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {error}")
        pytest.skip(str(error))
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def new_postgres_database(cluster: LocalPostgres) -> str:
    """A fresh, empty database in the cluster; its URL."""
    name = f"reviews_{os.getpid()}_{next(_numbers)}"
    admin = create_engine(make_url(cluster.url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))  # a generated identifier, not user input
    admin.dispose()
    return make_url(cluster.url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def review_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'reviews.sqlite'}"
    return new_postgres_database(request.getfixturevalue("postgres"))
