"""Fixtures shared by the contract suites."""

from __future__ import annotations

import pytest

from adapters.persistence.sqlalchemy.migrations import upgrade


@pytest.fixture(scope="session")
def migrated_postgres_url(postgres_url: str) -> str:
    """The session's PostgreSQL database, migrated to head once (tables are shared)."""
    upgrade(postgres_url)
    return postgres_url
