"""The assignment ranking's clash lookup costs the same whatever the agendas' length.

A seeded PostgreSQL database (3,000 interventions, 12 technicians, a planning entry per
booked or finished intervention: about 200 per technician), analysed. The ranking pool of a
slot in the middle of that history is run through the repository, its SQL captured and run
again under ``EXPLAIN ANALYZE``: the rows it reads from ``schedule_entries`` (returned or
filtered out, over every loop) must stay within two per technician. Filtering on both
bounds of the slot inside the lookup's ``LIMIT`` read every entry of a technician ending
after the slot starts.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.maintenance import SqlMaintenanceUnitOfWork
from tests.support.plans import (
    SEEDED_TECHNICIANS,
    database,
    explained,
    seeded_url,
)
from tests.support.psycopg_spy import sent_to_psycopg

__all__ = ["database", "seeded_url"]  # the fixtures, shared with the list plans' tests


async def _entries_read(database: SqlDatabase, statement: str | None = None) -> tuple[int, int]:
    """(rows of ``schedule_entries`` read by the pool's statement, or by ``statement`` with
    its parameters, for a slot in the middle of the history; the most entries one
    technician has ending after the slot starts)."""
    async with database.engine.connect() as conn:
        starts_at = (
            await conn.execute(
                sa.text(
                    "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY starts_at) "
                    "FROM schedule_entries"
                )
            )
        ).scalar_one()
        most = (
            await conn.execute(
                sa.text(
                    "SELECT max(n) FROM (SELECT count(*) AS n FROM schedule_entries "
                    "WHERE ends_at > :at GROUP BY technician_id) later"
                ),
                {"at": starts_at},
            )
        ).scalar_one()
    with sent_to_psycopg("technician_loads") as captured:
        async with SqlMaintenanceUnitOfWork(database) as uow:
            pool = await uow.technicians.ranking_pool(
                starts_at, starts_at + timedelta(minutes=45), intervention_id=None
            )
            assert len(pool.technicians) == SEEDED_TECHNICIANS
            sql, parameters = captured[0]
            nodes = await explained(uow.connection, statement or sql, parameters, analyze=True)
    read = sum(
        round(node["Actual Rows"] * int(node["Actual Loops"]))
        + int(node.get("Rows Removed by Filter", 0))
        for node in nodes
        if node.get("Relation Name") == "schedule_entries"
    )
    return read, int(most)


async def test_the_clash_lookup_reads_at_most_two_entries_per_technician(
    database: SqlDatabase,
) -> None:
    read, most = await _entries_read(database)
    assert most >= 50  # long agendas after the slot: reading them would show
    assert read <= 2 * SEEDED_TECHNICIANS, (
        f"read {read} planning entries for {SEEDED_TECHNICIANS} technicians"
    )


async def test_filtering_both_bounds_inside_the_limit_reads_the_agendas(
    database: SqlDatabase,
) -> None:
    """The check above can fail: the same lookup with the slot's end inside the ``LIMIT``
    (the statement this one replaced) reads a technician's later entries one by one."""
    old = (
        "SELECT t.id, c.id FROM technicians t LEFT JOIN LATERAL (SELECT s.id FROM "
        "schedule_entries s WHERE s.technician_id = t.id AND s.starts_at < %(ends_at)s "
        "AND s.ends_at > %(starts_at)s ORDER BY s.starts_at, s.id LIMIT 1) c ON true"
    )
    read, _ = await _entries_read(database, old)
    assert read > 10 * SEEDED_TECHNICIANS
