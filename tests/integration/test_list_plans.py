"""The hot list queries of GET /interventions read indexes, never the whole table.

A seeded PostgreSQL database (a few thousand interventions, analysed); each documented
filter (with the default order, newest first) and each documented sort (both directions) is
run through the repository, its SQL captured and explained with ``enable_seqscan = off``: a
query that no index can serve still plans a ``Seq Scan on interventions``, and fails here.
The list's capped count (``LIST_COUNT_CAP``) is part of the same statement.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.maintenance import SqlMaintenanceUnitOfWork
from application.maintenance.ports import INTERVENTION_SORT_FIELDS, InterventionFilters
from application.shared.pagination import Sort
from domain.maintenance.enums import InterventionStatus, InterventionType, Priority
from tests.support.plans import SEEDED_AT, database, explained, seeded_url
from tests.support.psycopg_spy import sent_to_psycopg

__all__ = ["database", "seeded_url"]  # the fixtures, shared with the other plan tests

NOW = SEEDED_AT
DEFAULT = Sort("created_at", descending=True)


async def _some_ids(database: SqlDatabase) -> tuple[Any, Any]:
    async with database.engine.connect() as conn:
        row = (
            await conn.execute(
                sa.text(
                    "SELECT equipment_id, technician_id FROM interventions "
                    "WHERE technician_id IS NOT NULL LIMIT 1"
                )
            )
        ).one()
    return row.equipment_id, row.technician_id


def _cases(equipment_id: Any, technician_id: Any) -> list[tuple[str, InterventionFilters, Sort]]:
    now = NOW
    filters = {
        "status": InterventionFilters(status=InterventionStatus.OPEN, now=now),
        "priority": InterventionFilters(priority=Priority.CRITICAL, now=now),
        "type": InterventionFilters(type=InterventionType.PREDICTIVE, now=now),
        "equipment_id": InterventionFilters(equipment_id=equipment_id, now=now),
        "technician_id": InterventionFilters(technician_id=technician_id, now=now),
        "overdue=true": InterventionFilters(overdue=True, now=now),
        "overdue=false": InterventionFilters(overdue=False, now=now),
        "q": InterventionFilters(q="pompe", now=now),
        "created_from": InterventionFilters(created_from=now - timedelta(days=30), now=now),
        "created_to": InterventionFilters(created_to=now - timedelta(days=300), now=now),
        "status+priority": InterventionFilters(
            status=InterventionStatus.OPEN, priority=Priority.CRITICAL, now=now
        ),
    }
    cases = [(name, f, DEFAULT) for name, f in filters.items()]
    for field in sorted(INTERVENTION_SORT_FIELDS):
        for descending in (False, True):
            sort = Sort(field, descending=descending)
            cases.append((f"sort={'-' if descending else ''}{field}", InterventionFilters(), sort))
    return cases


async def _plan(
    database: SqlDatabase, filters: InterventionFilters, sort: Sort
) -> list[dict[str, Any]]:
    with sent_to_psycopg("FROM interventions") as captured:
        async with SqlMaintenanceUnitOfWork(database) as uow:
            await uow.connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            await uow.interventions.list_views(filters, limit=50, offset=0, sort=sort, now=NOW)
            assert captured, "the list ran no query on interventions"
            statement, parameters = captured[0]
            return await explained(uow.connection, statement, parameters)


async def test_every_documented_filter_and_sort_reads_an_index(database: SqlDatabase) -> None:
    equipment_id, technician_id = await _some_ids(database)
    scans: dict[str, list[str]] = {}
    for name, filters, sort in _cases(equipment_id, technician_id):
        nodes = await _plan(database, filters, sort)
        seq = [
            n["Node Type"]
            for n in nodes
            if n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "interventions"
        ]
        if seq:
            scans[name] = seq
    assert scans == {}, f"sequential scans of interventions: {sorted(scans)}"


async def test_without_an_index_the_plan_shows_a_sequential_scan(
    database: SqlDatabase,
) -> None:
    """The check above can fail: a filter on a column no index covers plans a Seq Scan."""
    async with database.engine.connect() as conn:
        await conn.exec_driver_sql("SET enable_seqscan = off")
        nodes = await explained(conn, "SELECT id FROM interventions WHERE report = 'x' LIMIT 50")
        await conn.exec_driver_sql("RESET enable_seqscan")
    assert any(n["Node Type"] == "Seq Scan" for n in nodes)


async def test_a_large_total_is_kept_for_a_moment(
    database: SqlDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A total of at least ``KEPT_TOTAL_MIN`` is kept ``KEPT_TOTAL_SECONDS`` (``KeptPages``):
    the pages of the same filters carry no ``count`` meanwhile; an empty page, a smaller
    total and the same filters after that moment are counted. The cap still bounds every
    count."""
    from adapters.persistence.sqlalchemy import queries
    from adapters.persistence.sqlalchemy.maintenance import interventions as adapter

    monkeypatch.setattr(adapter, "LIST_COUNT_CAP", 1_000)
    monkeypatch.setattr(queries, "KEPT_TOTAL_MIN", 100)
    monkeypatch.setattr(queries, "KEPT_TOTAL_SECONDS", 1.5)
    equipment_id, _ = await _some_ids(database)
    async with database.engine.connect() as conn:
        opened = (
            await conn.exec_driver_sql("SELECT count(*) FROM interventions WHERE status = 'open'")
        ).scalar_one()
    assert 100 <= opened < 1_000, opened  # the seeded shape: a total kept, not capped
    many = InterventionFilters(status=InterventionStatus.OPEN, now=NOW)
    capped = InterventionFilters(now=NOW)  # 3,000 rows: the cap
    few = InterventionFilters(equipment_id=equipment_id, now=NOW)

    async def listed(filters: InterventionFilters, offset: int = 0) -> tuple[int, int, bool]:
        with sent_to_psycopg("FROM interventions") as sent:
            async with SqlMaintenanceUnitOfWork(database, read_only=True) as uow:
                items, total = await uow.interventions.list_views(
                    filters, limit=50, offset=offset, sort=DEFAULT, now=NOW
                )
        return len(items), total, any("count(*)" in statement for statement, _ in sent)

    assert await listed(many) == (50, opened, True)
    assert await listed(many) == (50, opened, False)  # kept: the page alone
    assert await listed(many, offset=50) == (50, opened, False)
    assert await listed(many, offset=100_000) == (0, opened, True)  # empty: counted
    assert await listed(capped) == (50, 1_000, True)
    assert await listed(capped) == (50, 1_000, False)
    small = await listed(few)
    assert small[1] < 100  # a small total: always counted
    assert small[2]
    assert (await listed(few))[2]
    await asyncio.sleep(1.6)
    assert await listed(many) == (50, opened, True)  # the moment is over: counted again
