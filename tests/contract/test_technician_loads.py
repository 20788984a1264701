"""Technicians' booked minutes (the assignment ranking's load) on every backend: on SQL they
are kept by the triggers of migration 0014 in the writing transaction, so every change of an
intervention's status, technician or estimated minutes shows at once, whatever wrote it."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
import sqlalchemy as sa

from adapters.persistence.sqlalchemy.maintenance.tables import interventions
from tests.contract.test_maintenance_repositories import (
    NOW,
    Backend,
    add_equipment,
    add_intervention,
    add_technician,
    backend,
)

__all__ = ["backend"]  # the fixture, shared with the repositories' contract


async def _loads(b: Backend, *technicians: UUID) -> dict[UUID, int]:
    """The booked minutes of ``technicians`` (others' tests share the database), by both
    reads: ``booked_minutes`` and the ranking pool."""
    async with b.uow() as uow:
        booked = await uow.interventions.booked_minutes()
        pool = await uow.technicians.ranking_pool(
            NOW + timedelta(days=300), NOW + timedelta(days=300, hours=1), intervention_id=None
        )
    mine = {t: booked[t] for t in technicians if booked.get(t)}
    assert mine == {t: pool.loads[t] for t in technicians if pool.loads.get(t)}
    return mine


async def _change(b: Backend, intervention_id: UUID, step: str, technician: UUID) -> None:
    async with b.uow() as uow:
        item = await uow.interventions.get(intervention_id)
        assert item is not None
        version = item.version
        if step == "assign":
            item.assign(technician, NOW + timedelta(hours=1), 45, NOW)
        elif step == "reschedule":
            item.reschedule(NOW + timedelta(hours=2), 90, NOW)
        elif step == "start":
            item.start(NOW)
        elif step == "complete":
            item.complete("done", NOW)
        elif step == "unassign":
            item.unassign(NOW)
        elif step == "cancel":
            item.cancel("duplicate", NOW)
        await uow.interventions.save(item, expected_version=version)
        await uow.commit()


async def test_loads_follow_every_change_of_a_booking(backend: Backend) -> None:
    e = await add_equipment(backend)
    t1, t2 = (await add_technician(backend)).id, (await add_technician(backend)).id
    a, b, c, d = [(await add_intervention(backend, e.id)).id for _ in range(4)]
    assert await _loads(backend, t1, t2) == {}

    steps = [
        (a, "assign", t1, {t1: 45}),
        (b, "assign", t1, {t1: 90}),
        (c, "assign", t2, {t1: 90, t2: 45}),
        (a, "reschedule", t1, {t1: 135, t2: 45}),  # 45 -> 90 minutes
        (b, "start", t1, {t1: 135, t2: 45}),  # in progress still counts
        (b, "complete", t1, {t1: 90, t2: 45}),
        (c, "unassign", t2, {t1: 90}),
        (a, "cancel", t1, {}),
        (d, "assign", t2, {t2: 45}),
        (c, "assign", t1, {t1: 45, t2: 45}),
    ]
    for intervention_id, step, technician, expected in steps:
        await _change(backend, intervention_id, step, technician)
        assert await _loads(backend, t1, t2) == expected, step


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_loads_follow_writes_that_bypass_the_domain(backend: Backend) -> None:
    """A booking moved to another technician or deleted by any SQL statement: the triggers,
    not the repositories, keep the loads."""
    e = await add_equipment(backend)
    t1, t2 = (await add_technician(backend)).id, (await add_technician(backend)).id
    a, b = [(await add_intervention(backend, e.id)).id for _ in range(2)]
    await _change(backend, a, "assign", t1)
    await _change(backend, b, "assign", t1)

    async def run(statement: sa.Executable) -> None:
        async with backend.uow() as uow:
            await uow.connection.execute(statement)  # type: ignore[attr-defined]
            await uow.commit()

    column = interventions.c
    await run(sa.update(interventions).where(column.id == a).values(technician_id=t2))
    assert await _loads(backend, t1, t2) == {t1: 45, t2: 45}
    await run(sa.update(interventions).where(column.id == a).values(estimated_minutes=None))
    assert await _loads(backend, t1, t2) == {t1: 45}
    await run(sa.update(interventions).where(column.id == b).values(title="same booking"))
    assert await _loads(backend, t1, t2) == {t1: 45}
    await run(sa.delete(interventions).where(column.id == b))
    assert await _loads(backend, t1, t2) == {}


async def test_the_ranking_pool_reads_each_profile_as_it_is_now(backend: Backend) -> None:
    """The SQL pool keeps mapped profiles by (id, version) between assignments: a changed
    profile is read again."""

    async def pooled(technician_id: UUID) -> tuple[tuple[str, ...], bool]:
        async with backend.uow() as uow:
            pool = await uow.technicians.ranking_pool(
                NOW + timedelta(days=300), NOW + timedelta(days=300, hours=1), intervention_id=None
            )
        (found,) = [t for t in pool.technicians if t.id == technician_id]
        return found.skills, found.available

    technician = await add_technician(backend, skills=["pompe"])
    assert await pooled(technician.id) == (("pompe",), True)
    assert await pooled(technician.id) == (("pompe",), True)  # a second read: the kept copy

    async with backend.uow() as uow:
        item = await uow.technicians.get(technician.id)
        assert item is not None
        version = item.version
        item.update({"skills": ["soudure", "pompe"], "available": False}, NOW)
        await uow.technicians.save(item, expected_version=version)
        await uow.commit()
    assert await pooled(technician.id) == (("pompe", "soudure"), False)
