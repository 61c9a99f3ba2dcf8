"""Fixtures every test folder shares: the records on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg_cluster import Cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = Cluster()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def records_at(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a test's records live: a new SQLite file, or a new schema on the session's PostgreSQL."""
    if request.param == "sqlite":
        return tmp_path / "hotline.sqlite3"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.fresh()
