"""The assignment ranking's clashes on every backend: for each technician, the earliest of
its entries overlapping the slot (half-open ranges, so back-to-back is no clash), the
intervention's own entry excepted. PostgreSQL finds it with one index step per technician
(``technicians._build_pool_statement``), relying on one technician's entries never
overlapping and never being empty; random agendas and slots are checked against a plain
scan of the entries."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.maintenance.scheduling import ScheduleEntry
from domain.shared.errors import DomainError
from tests.contract.test_maintenance_repositories import (
    Backend,
    add_equipment,
    add_intervention,
    add_technician,
    backend,
)

__all__ = ["backend"]  # the fixture, shared with the repositories' contract

BASE = datetime(2036, 2, 4, 6, tzinfo=UTC)  # far from other tests' entries


async def _agendas(b: Backend, rng: random.Random) -> list[ScheduleEntry]:
    """Three technicians' agendas: 8 entries each of 1 to 180 minutes, some back-to-back."""
    equipment = await add_equipment(b)
    entries: list[ScheduleEntry] = []
    for _ in range(3):
        technician = await add_technician(b)
        at = BASE + timedelta(minutes=rng.randrange(0, 120))
        for _ in range(8):
            intervention = await add_intervention(b, equipment.id)
            entry = ScheduleEntry.create(
                intervention_id=intervention.id,
                technician_id=technician.id,
                starts_at=at,
                estimated_minutes=rng.randrange(1, 181),
            )
            entries.append(entry)
            at = entry.ends_at + timedelta(minutes=rng.choice((0, 0, 5, 45, 300)))
    async with b.uow() as uow:
        for entry in entries:
            await uow.schedule.add(entry)
        await uow.commit()
    return entries


def _expected(
    entries: list[ScheduleEntry], starts_at: datetime, ends_at: datetime, own: UUID | None
) -> dict[UUID, UUID]:
    """Each technician's earliest overlapping entry (by start), by a plain scan."""
    found: dict[UUID, ScheduleEntry] = {}
    for e in entries:
        if e.intervention_id == own or not (e.starts_at < ends_at and e.ends_at > starts_at):
            continue
        best = found.get(e.technician_id)
        if best is None or (e.starts_at, e.id) < (best.starts_at, best.id):
            found[e.technician_id] = e
    return {technician: e.id for technician, e in found.items()}


async def test_the_pool_names_each_technicians_earliest_clash(backend: Backend) -> None:
    rng = random.Random(20261129)
    entries = await _agendas(backend, rng)
    mine = {e.technician_id for e in entries}
    first, last = min(e.starts_at for e in entries), max(e.ends_at for e in entries)
    span = int((last - first).total_seconds() // 60)
    slots: list[tuple[datetime, datetime, UUID | None]] = []
    for _ in range(40):  # random slots, a third of them re-planning one of the entries
        start = first + timedelta(minutes=rng.randrange(-60, span + 60))
        own = rng.choice(entries).intervention_id if rng.random() < 0.33 else None
        slots.append((start, start + timedelta(minutes=rng.randrange(1, 300)), own))
    for e in rng.sample(entries, 6):  # the edges: back-to-back both ways, exactly over one
        slots.append((e.ends_at, e.ends_at + timedelta(minutes=10), None))
        slots.append((e.starts_at - timedelta(minutes=10), e.starts_at, None))
        slots.append((e.starts_at, e.ends_at, None))
        slots.append((e.starts_at, e.ends_at, e.intervention_id))
    slots.append((first - timedelta(minutes=5), last + timedelta(minutes=5), None))  # over all

    clashing = 0
    for starts_at, ends_at, own in slots:
        async with backend.uow() as uow:
            pool = await uow.technicians.ranking_pool(starts_at, ends_at, intervention_id=own)
        got = {c.technician_id: c.id for c in pool.clashes if c.technician_id in mine}
        assert got == _expected(entries, starts_at, ends_at, own), (starts_at, ends_at, own)
        by_id = {e.id: e for e in entries}
        for clash in pool.clashes:  # each clash read back whole
            if clash.technician_id in mine:
                assert clash == by_id[clash.id]
        clashing += bool(got)
    assert 0 < clashing < len(slots)  # both outcomes were checked


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # where the lookup relies on it
async def test_an_empty_entry_is_refused_by_postgresql(backend: Backend) -> None:
    """The clash lookup's premise is a constraint, not a convention: an entry that ends when
    it starts is a 422 naming its fields, not a row."""
    equipment = await add_equipment(backend)
    intervention = await add_intervention(backend, equipment.id)
    technician = await add_technician(backend)
    empty = ScheduleEntry(
        id=ScheduleEntry.create(
            intervention_id=intervention.id,
            technician_id=technician.id,
            starts_at=BASE,
            estimated_minutes=1,
        ).id,
        intervention_id=intervention.id,
        technician_id=technician.id,
        starts_at=BASE,
        ends_at=BASE,
    )
    async with backend.uow() as uow:
        with pytest.raises(DomainError) as refused:
            await uow.schedule.add(empty)
    assert refused.value.code == "invalid_value"
    assert {"starts_at", "ends_at"} & {e.field for e in refused.value.errors}
    async with backend.uow() as uow:
        assert (
            await uow.schedule.overlapping(
                BASE - timedelta(hours=1), BASE + timedelta(hours=1), technician_id=technician.id
            )
            == []
        )
