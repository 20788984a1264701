"""Session-wide fixtures for the real services (see tests/support/services.py)."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import services

# moto needs credentials to sign requests even though it accepts any.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL of an empty PostgreSQL database owned by this test session."""
    with services.scratch_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def migrated_postgres_url(postgres_url: str) -> str:
    """The session's PostgreSQL database, migrated to head once (tables are shared)."""
    from adapters.persistence.sqlalchemy.migrations import upgrade

    upgrade(postgres_url)
    return postgres_url


@pytest.fixture(scope="session")
def redis_url() -> str:
    if not services.reachable(services.REDIS_URL, 6379):
        services.unavailable("Redis", services.REDIS_URL)
    return services.REDIS_URL


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix unique to one test, so tests never see each other's keys."""
    return f"atelier-test:{uuid.uuid4().hex[:10]}:"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with services.s3_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head once per session; tests copy it (``copy_sqlite``)
    instead of running every migration again."""
    from adapters.persistence.sqlalchemy.migrations import upgrade

    path = tmp_path_factory.mktemp("sqlite-template") / "atelier.db"
    upgrade(f"sqlite+aiosqlite:///{path.as_posix()}")
    return path


def copy_sqlite(template: Path, destination: Path) -> Path:
    """A consistent copy of ``template`` (SQLite's backup API: WAL content included)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(template) as source, sqlite3.connect(destination) as target:
        source.backup(target)
    return destination
