"""A seeded, analysed PostgreSQL database for the tests that read query plans (the
``seeded_url`` and ``database`` fixtures: import them into the test module), and a walk
over an ``EXPLAIN (FORMAT JSON)`` document."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.migrations import upgrade
from adapters.persistence.sqlalchemy.seeding import ScaleShape, seed_scale
from tests.support import services

#: The seeding instant (intervention dates, planning entries).
SEEDED_AT = datetime(2026, 11, 28, 12, tzinfo=UTC)
#: Technicians in the seeded database: about 200 planning entries each.
SEEDED_TECHNICIANS = 12


@contextmanager
def seeded_postgres_url() -> Iterator[str]:
    """A scratch database: 3,000 interventions on 60 equipment, 12 technicians, vacuumed
    and analysed (so plans are the ones a loaded database gets); dropped afterwards."""
    import psycopg

    with services.scratch_postgres_database() as url:
        upgrade(url)
        shape = ScaleShape.for_interventions(3_000, equipment=60, technicians=SEEDED_TECHNICIANS)
        seed_scale(url, shape, password_hash="x", now=SEEDED_AT)
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
        yield url


@pytest.fixture(scope="module")
def seeded_url() -> Iterator[str]:
    """``seeded_postgres_url``, once per test module that imports it."""
    with seeded_postgres_url() as url:
        yield url


@pytest.fixture
async def database(seeded_url: str) -> AsyncIterator[SqlDatabase]:
    """A small pool on ``seeded_url``."""
    db = SqlDatabase.from_settings(url=seeded_url, pool_size=2, max_overflow=0)
    try:
        yield db
    finally:
        await db.aclose()


async def explained(
    conn: AsyncConnection, statement: str, parameters: Any = None, *, analyze: bool = False
) -> list[dict[str, Any]]:
    """Every node of ``statement``'s plan (``EXPLAIN (FORMAT JSON)``, run when ``analyze``)
    on ``conn``, the root first."""
    options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
    result = await conn.exec_driver_sql(f"EXPLAIN ({options}) {statement}", parameters)
    raw = result.scalar_one()
    document = raw if isinstance(raw, list) else json.loads(raw)
    return list(plan_nodes(document[0]["Plan"]))


def plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a plan (``document[0]["Plan"]``), the root first."""
    yield plan
    for child in plan.get("Plans", ()):
        yield from plan_nodes(child)
