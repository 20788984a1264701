"""Contract of the maintenance repositories and unit of work: memory, SQLite and PostgreSQL.

The PostgreSQL database is shared by the whole session, so every test makes its own rows
(fresh users, equipment, a unique marker in types, skills and titles) and only looks at those.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from adapters.persistence.memory.audit import MemoryAuditTrail
from adapters.persistence.memory.identity import MemoryIdentityUnitOfWork
from adapters.persistence.memory.maintenance import MemoryMaintenanceUnitOfWork
from adapters.persistence.memory.store import MemoryStore
from adapters.persistence.sqlalchemy.audit import SqlAuditTrail
from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.identity.directory import SqlUserDirectory
from adapters.persistence.sqlalchemy.identity.tables import users
from adapters.persistence.sqlalchemy.maintenance import SqlMaintenanceUnitOfWork
from adapters.persistence.sqlalchemy.migrations import upgrade
from application.maintenance.ports import (
    EquipmentFilters,
    InterventionFilters,
    MaintenanceUnitOfWork,
    ScheduleFilters,
    TechnicianFilters,
)
from application.maintenance.views import InterventionView
from application.shared.audit import AuditEntry, AuditFilters, AuditTrail
from application.shared.events import EventPublisher
from application.shared.pagination import Sort
from domain.identity.user import User
from domain.maintenance.calendar_feed import CalendarFeed
from domain.maintenance.enums import (
    EquipmentStatus,
    ExperienceLevel,
    InterventionStatus,
    InterventionType,
    Priority,
)
from domain.maintenance.equipment import Equipment
from domain.maintenance.events import (
    EquipmentDown,
    InterventionAssigned,
    InterventionEscalated,
    TechnicianCreated,
)
from domain.maintenance.intervention import Intervention
from domain.maintenance.scheduling import ScheduleConflict, ScheduleEntry, ensure_no_conflict
from domain.maintenance.technician import Technician, WorkingWindow
from domain.shared.access import Role
from domain.shared.errors import Conflict, DuplicateValue, PreconditionFailed, UnknownReference
from domain.shared.events import DomainEvent
from tests.support.psycopg_spy import sent_to_psycopg

NOW = datetime(2025, 3, 12, 12, 0, 0, 123456, tzinfo=UTC)
UowFactory = Callable[..., MaintenanceUnitOfWork]


@dataclasses.dataclass
class Backend:
    name: str
    uow: UowFactory
    new_user: Callable[..., Awaitable[UUID]]
    """Make a user (a real ``users`` row on SQL, for the foreign keys) and return its id."""
    trail: AuditTrail
    """The committed audit trail (every module's unit of work writes it)."""


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "memory":
        store = MemoryStore()

        async def memory_user(role: Role = Role.TECHNICIAN, active: bool = True) -> UUID:
            # the twin refuses references to users that do not exist, as SQL does
            user = User.register(
                email=f"u.{uuid.uuid4().hex}@example.test",
                first_name="Test",
                last_name="User",
                role=role,
                password_hash="x",
                now=NOW,
            )
            user.is_active = active
            async with MemoryIdentityUnitOfWork(store) as uow:
                await uow.users.add(user)
                await uow.commit()
            return user.id

        yield Backend(
            "memory",
            lambda p=None: MemoryMaintenanceUnitOfWork(store, p),
            memory_user,
            MemoryAuditTrail(store),
        )
        return
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'maintenance.db'}"
        upgrade(url)
    else:
        url = request.getfixturevalue("migrated_postgres_url")
    database = SqlDatabase.from_settings(url=url, pool_size=4, max_overflow=2)

    async def sql_user(role: Role = Role.TECHNICIAN, active: bool = True) -> UUID:
        return await insert_user(database, role=role, active=active)

    try:
        yield Backend(
            request.param,
            lambda p=None: SqlMaintenanceUnitOfWork(database, p),
            sql_user,
            SqlAuditTrail(database),
        )
    finally:
        await database.aclose()


async def insert_user(database: SqlDatabase, *, role: Role, active: bool = True) -> UUID:
    user_id = uuid.uuid4()
    email = f"u.{user_id.hex}@example.test"
    async with database.engine.begin() as conn:
        await conn.execute(
            sa.insert(users).values(
                id=user_id,
                email=email,
                email_normalized=email,
                first_name="Test",
                last_name="User",
                role=role.value,
                is_active=active,
                password_hash="x",
                created_at=NOW,
                updated_at=NOW,
                version=1,
            )
        )
    return user_id


class Recorder(EventPublisher):
    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        self.events.extend(events)


def _marker() -> str:
    return uuid.uuid4().hex[:10]


def state(entity: Any) -> dict[str, Any]:
    """Every public field of an aggregate (what a round trip must keep)."""
    return {
        f.name: getattr(entity, f.name)
        for f in dataclasses.fields(entity)
        if not f.name.startswith("_")
    }


def ids(items: Sequence[Any]) -> list[UUID]:
    return [item.id for item in items]


# -- builders -------------------------------------------------------------------------------
async def add_technician(b: Backend, **kw: Any) -> Technician:
    user_id = await b.new_user()
    technician = Technician.create(user_id=user_id, now=kw.pop("now", NOW), **kw)
    async with b.uow() as uow:
        await uow.technicians.add(technician)
        await uow.commit()
    return technician


async def add_equipment(b: Backend, **kw: Any) -> Equipment:
    kw.setdefault("name", "Pump")
    kw.setdefault("type", f"pump-{_marker()}")
    kw.setdefault("serial_number", f"SN-{_marker()}")
    item = Equipment.create(now=kw.pop("now", NOW), **kw)
    async with b.uow() as uow:
        await uow.equipment.add(item)
        await uow.commit()
    return item


async def add_intervention(b: Backend, equipment_id: UUID, **kw: Any) -> Intervention:
    creator = kw.pop("created_by", None) or await b.new_user(Role.MANAGER)
    kw.setdefault("title", "Fix it")
    item = Intervention.create(
        equipment_id=equipment_id, created_by=creator, now=kw.pop("now", NOW), **kw
    )
    async with b.uow() as uow:
        await uow.interventions.add(item)
        await uow.commit()
    return item


# -- technicians ----------------------------------------------------------------------------
async def test_technician_round_trip_and_lookups(backend: Backend) -> None:
    hours = (WorkingWindow(0, 480, 720), WorkingWindow(2, 600, 1440))
    t = await add_technician(
        backend,
        specialty="Hydraulics",
        skills=["Welding", "pumps"],
        experience_level=ExperienceLevel.SENIOR,
        phone="+33 1 23",
        base_location="Lyon",
        working_hours=hours,
    )
    async with backend.uow() as uow:
        loaded = await uow.technicians.get(t.id)
        by_user = await uow.technicians.get_by_user(t.user_id)
        many = await uow.technicians.get_many([t.id, uuid.uuid4()])
        everyone = await uow.technicians.all()
        missing = await uow.technicians.get(uuid.uuid4())
    assert loaded is not None
    assert state(loaded) == state(t)
    assert loaded.working_hours == hours
    assert loaded.skills == ("pumps", "welding")
    assert by_user is not None
    assert by_user.id == t.id
    assert list(many) == [t.id]
    assert state(many[t.id]) == state(t)
    assert t.id in ids(everyone)
    assert [x.id.int for x in everyone] == sorted(x.id.int for x in everyone)
    assert missing is None


async def test_one_profile_per_user(backend: Backend) -> None:
    t = await add_technician(backend)
    twin = Technician.create(user_id=t.user_id, now=NOW)
    async with backend.uow() as uow:
        with pytest.raises(Conflict) as caught:
            await uow.technicians.add(twin)
        assert caught.value.code == "technician_exists"
        # the transaction is still usable after the refused insert
        assert await uow.technicians.get(t.id) is not None


async def test_technician_list_filters_sort_and_pages(backend: Backend) -> None:
    skill = f"skill-{_marker()}"
    spec = f"Spec {_marker()}"
    a = await add_technician(backend, skills=[skill], specialty=spec, experience_level="expert")
    b = await add_technician(backend, skills=[skill, "other"], experience_level="junior")
    c = await add_technician(
        backend, skills=[skill], specialty=spec.upper(), available=False, experience_level="senior"
    )
    await add_technician(backend, skills=["other"], specialty=spec)
    by_level = Sort("experience_level")

    async def listed(
        sort: Sort = by_level, limit: int = 50, offset: int = 0, **f: Any
    ) -> tuple[list[UUID], int]:
        async with backend.uow() as uow:
            items, total = await uow.technicians.list(
                TechnicianFilters(skill=skill, **f), limit=limit, offset=offset, sort=sort
            )
        return ids(items), total

    assert await listed() == ([b.id, c.id, a.id], 3)  # junior < senior < expert
    assert await listed(Sort("experience_level", descending=True)) == ([a.id, c.id, b.id], 3)
    assert await listed(available=True) == ([b.id, a.id], 2)
    assert await listed(available=False) == ([c.id], 1)
    assert await listed(specialty=f"  {spec.lower()} ") == ([c.id, a.id], 2)
    assert await listed(level=ExperienceLevel.EXPERT) == ([a.id], 1)
    assert await listed(user_id=b.user_id) == ([b.id], 1)
    assert await listed(limit=1, offset=1) == ([c.id], 3)
    assert await listed(limit=5, offset=3) == ([], 3)
    # None sorts last in both directions
    assert (await listed(Sort("specialty")))[0][-1] == b.id
    assert (await listed(Sort("specialty", descending=True)))[0][-1] == b.id


async def test_technician_concurrent_saves_one_fails(backend: Backend) -> None:
    t = await add_technician(backend)
    async with backend.uow() as uow:
        first = await uow.technicians.get(t.id)
        second = await uow.technicians.get(t.id)
    assert first is not None
    assert second is not None
    first.update({"phone": "0102"}, NOW)
    second.update({"available": False}, NOW)

    async def save(copy: Technician) -> str:
        async with backend.uow() as uow:
            try:
                await uow.technicians.save(copy, expected_version=1)
            except PreconditionFailed:
                return "stale"
            await uow.commit()
            return "saved"

    outcomes = await asyncio.gather(save(first), save(second))
    assert sorted(outcomes) == ["saved", "stale"]
    async with backend.uow() as uow:
        stored = await uow.technicians.get(t.id)
    assert stored is not None
    assert stored.version == 2
    winner = first if outcomes[0] == "saved" else second
    assert state(stored) == state(winner)


# -- equipment ------------------------------------------------------------------------------
async def test_equipment_round_trip_and_derived_next_maintenance(backend: Backend) -> None:
    owner = await backend.new_user(Role.CLIENT)
    e = await add_equipment(
        backend,
        model="X1",
        location="Hall 2",
        owner_id=owner,
        installed_on=date(2025, 1, 1),
        maintenance_interval_days=30,
        status="degraded",
    )
    async with backend.uow() as uow:
        loaded = await uow.equipment.get(e.id)
        many = await uow.equipment.get_many([e.id])
    assert loaded is not None
    assert state(loaded) == state(e)
    assert loaded.next_maintenance_at == datetime(2025, 1, 31, tzinfo=UTC)
    assert state(many[e.id]) == state(e)


async def test_serial_numbers_are_unique_ignoring_case_and_blanks(backend: Backend) -> None:
    serial = f"ab {_marker()}"
    first = await add_equipment(backend, serial_number=serial)
    other = await add_equipment(backend)
    twin = Equipment.create(
        name="Twin", type="pump", serial_number="  " + serial.upper().replace(" ", "   "), now=NOW
    )
    async with backend.uow() as uow:
        with pytest.raises(Conflict) as on_add:
            await uow.equipment.add(twin)
        loaded = await uow.equipment.get(other.id)
        assert loaded is not None
        loaded.update({"serial_number": serial.upper()}, NOW)
        with pytest.raises(Conflict) as on_save:
            await uow.equipment.save(loaded, expected_version=1)
    assert on_add.value.code == on_save.value.code == "serial_taken"
    async with backend.uow() as uow:
        again = await uow.equipment.get(first.id)
        assert again is not None
        again.update({"serial_number": serial.replace(" ", "")}, NOW)  # its own key: fine
        await uow.equipment.save(again, expected_version=1)
        await uow.commit()


async def test_taken_values_name_their_field(backend: Backend) -> None:
    first = await add_equipment(backend)
    twin = Equipment.create(name="Twin", type="pump", serial_number=first.serial_number, now=NOW)
    async with backend.uow() as uow:
        with pytest.raises(DuplicateValue) as caught:
            await uow.equipment.add(twin)
    assert caught.value.code == "serial_taken"
    assert [e.field for e in caught.value.errors] == ["serial_number"]
    t = await add_technician(backend)
    async with backend.uow() as uow:
        with pytest.raises(DuplicateValue) as profile:
            await uow.technicians.add(Technician.create(user_id=t.user_id, now=NOW))
    assert (profile.value.code, [e.field for e in profile.value.errors]) == (
        "technician_exists",
        ["user_id"],
    )


async def test_references_that_point_nowhere_are_refused_alike(backend: Backend) -> None:
    """The memory twin refuses what the SQL foreign keys refuse, with the same error."""

    async def refused(
        field: str, action: Callable[[MaintenanceUnitOfWork], Awaitable[Any]]
    ) -> None:
        async with backend.uow() as uow:
            with pytest.raises(UnknownReference) as caught:
                await action(uow)
        assert caught.value.code == "unknown_reference"
        assert [e.field for e in caught.value.errors] == [field]

    nobody = uuid.uuid4()
    orphan = Equipment.create(name="Orphan", type="pump", serial_number=f"SN-{_marker()}", now=NOW)
    orphan.owner_id = nobody
    await refused("owner_id", lambda uow: uow.equipment.add(orphan))
    owned = await add_equipment(backend, owner_id=await backend.new_user(Role.CLIENT))

    async def give_away(uow: MaintenanceUnitOfWork) -> None:
        loaded = await uow.equipment.get(owned.id)
        assert loaded is not None
        loaded.update({"owner_id": nobody}, NOW)
        await uow.equipment.save(loaded, expected_version=owned.version)

    await refused("owner_id", give_away)
    await refused(
        "user_id", lambda uow: uow.technicians.add(Technician.create(user_id=nobody, now=NOW))
    )
    creator = await backend.new_user(Role.MANAGER)
    lost = Intervention.create(title="Lost", equipment_id=nobody, created_by=creator, now=NOW)
    await refused("equipment_id", lambda uow: uow.interventions.add(lost))
    ghost = Intervention.create(title="Ghost", equipment_id=owned.id, created_by=nobody, now=NOW)
    await refused("created_by", lambda uow: uow.interventions.add(ghost))
    work = await add_intervention(backend, owned.id)

    async def assign_to_nobody(uow: MaintenanceUnitOfWork) -> None:
        loaded = await uow.interventions.get(work.id)
        assert loaded is not None
        loaded.assign(nobody, NOW + timedelta(days=1), 60, NOW)
        await uow.interventions.save(loaded, expected_version=work.version)

    await refused("technician_id", assign_to_nobody)
    tech = await add_technician(backend)
    slot = NOW + timedelta(days=2)
    await refused(
        "technician_id",
        lambda uow: uow.schedule.add(
            ScheduleEntry.create(
                intervention_id=work.id, technician_id=nobody, starts_at=slot, estimated_minutes=30
            )
        ),
    )
    await refused(
        "intervention_id",
        lambda uow: uow.schedule.add(
            ScheduleEntry.create(
                intervention_id=nobody, technician_id=tech.id, starts_at=slot, estimated_minutes=30
            )
        ),
    )
    async with backend.uow() as uow:  # nothing of it was kept
        assert await uow.equipment.get(orphan.id) is None
        assert await uow.interventions.get(lost.id) is None
        stored = await uow.equipment.get(owned.id)
        assert stored is not None
        assert stored.owner_id != nobody


async def test_calendar_feeds_one_per_technician(backend: Backend) -> None:
    tech = await add_technician(backend)
    issuer = await backend.new_user(Role.MANAGER)
    first, token = CalendarFeed.issue(technician_id=tech.id, created_by=issuer, now=NOW)
    second, _ = CalendarFeed.issue(technician_id=tech.id, created_by=None, now=NOW)
    async with backend.uow() as uow:
        await uow.feeds.replace(first)
        await uow.commit()
    async with backend.uow() as uow:
        loaded = await uow.feeds.get(first.id)
        assert loaded is not None
        assert (loaded.technician_id, loaded.created_by, loaded.created_at) == (
            tech.id,
            issuer,
            NOW,
        )
        assert loaded.accepts(token[32:])
        await uow.feeds.replace(second)  # rotation: the first one is gone
        await uow.commit()
    async with backend.uow() as uow:
        assert await uow.feeds.get(first.id) is None
        current = await uow.feeds.get_for_technician(tech.id)
        assert current is not None
        assert current.id == second.id
        assert await uow.feeds.remove_for_technician(tech.id) is True
        assert await uow.feeds.remove_for_technician(tech.id) is False
        # no commit: the removal is rolled back
    async with backend.uow() as uow:
        assert await uow.feeds.get(second.id) is not None
        orphan, _ = CalendarFeed.issue(technician_id=uuid.uuid4(), created_by=None, now=NOW)
        with pytest.raises(UnknownReference) as caught:
            await uow.feeds.replace(orphan)
        assert [e.field for e in caught.value.errors] == ["technician_id"]


async def test_equipment_stale_save_is_refused(backend: Backend) -> None:
    e = await add_equipment(backend)
    async with backend.uow() as uow:
        stale = await uow.equipment.get(e.id)
    async with backend.uow() as uow:
        fresh = await uow.equipment.get(e.id)
        assert fresh is not None
        fresh.update({"name": "Renamed"}, NOW)
        await uow.equipment.save(fresh, expected_version=1)
        await uow.commit()
    assert stale is not None
    stale.update({"location": "Elsewhere"}, NOW)
    async with backend.uow() as uow:
        with pytest.raises(PreconditionFailed):
            await uow.equipment.save(stale, expected_version=1)
        gone = Equipment.create(name="Ghost", type="x", serial_number=f"G-{_marker()}", now=NOW)
        with pytest.raises(PreconditionFailed):
            await uow.equipment.save(gone, expected_version=1)


async def test_equipment_list_filters_sort_and_pages(backend: Backend) -> None:
    kind = f"Press {_marker()}"
    owner = await backend.new_user(Role.CLIENT)
    due = await add_equipment(
        backend,
        name="beta 100%",
        type=kind,
        location="Hall  A",
        owner_id=owner,
        maintenance_interval_days=10,
        last_maintenance_at=NOW - timedelta(days=10),  # due exactly now
    )
    later = await add_equipment(
        backend,
        name="Alpha",
        type=kind.upper(),
        model="m_1",
        maintenance_interval_days=10,
        last_maintenance_at=NOW - timedelta(days=9),
    )
    down = await add_equipment(backend, name="gamma", type=kind, status="down", location="hall b")
    retired = await add_equipment(
        backend,
        name="Delta",
        type=kind,
        maintenance_interval_days=1,
        installed_on=date(2020, 1, 1),
    )
    async with backend.uow() as uow:
        r = await uow.equipment.get(retired.id)
        assert r is not None
        r.retire(0, NOW)
        await uow.equipment.save(r, expected_version=1)
        await uow.commit()

    async def listed(
        sort: Sort = Sort("name"), limit: int = 50, offset: int = 0, **f: Any
    ) -> tuple[list[UUID], int]:
        f.setdefault("type", f"  {kind.lower()} ")
        async with backend.uow() as uow:
            items, total = await uow.equipment.list(
                EquipmentFilters(**f), limit=limit, offset=offset, sort=sort
            )
        return ids(items), total

    everything = [later.id, due.id, retired.id, down.id]  # case-insensitive by name
    assert await listed() == (everything, 4)
    assert await listed(Sort("name", descending=True)) == (everything[::-1], 4)
    assert await listed(location="hall a") == ([due.id], 1)
    assert await listed(status=EquipmentStatus.DOWN) == ([down.id], 1)
    assert await listed(owner_id=owner) == ([due.id], 1)
    assert await listed(maintenance_due=True, now=NOW) == ([due.id], 1)
    assert await listed(maintenance_due=False, now=NOW) == ([later.id, retired.id, down.id], 3)
    assert await listed(q="100%") == ([due.id], 1)
    assert await listed(q="%") == ([due.id], 1)
    assert await listed(q="M_1") == ([later.id], 1)
    assert await listed(q="_") == ([later.id], 1)
    assert await listed(q=later.serial_number.lower()) == ([later.id], 1)
    assert await listed(q="HALL") == ([due.id, down.id], 2)
    assert await listed(limit=2, offset=1) == (everything[1:3], 4)
    # next_maintenance_at: None last both ways
    assert await listed(Sort("next_maintenance_at")) == (
        [retired.id, due.id, later.id, down.id],
        4,
    )
    assert (await listed(Sort("next_maintenance_at", descending=True)))[0][-1] == down.id
    async with backend.uow() as uow:
        soon = await uow.equipment.list_due_before(NOW + timedelta(days=1, seconds=1))
    assert [e for e in ids(soon) if e in everything] == sorted(
        [due.id, later.id], key=lambda i: i.int
    )


# -- interventions --------------------------------------------------------------------------
async def test_intervention_round_trip(backend: Backend) -> None:
    e = await add_equipment(backend)
    t = await add_technician(backend)
    item = await add_intervention(
        backend,
        e.id,
        description="Leaks",
        type="preventive",
        priority="high",
        urgent=True,
        due_at=NOW + timedelta(days=2),
        required_skills=["Pumps", "welding"],
        preventive_key=f"{e.id}:2025-W11",
    )
    async with backend.uow() as uow:
        loaded = await uow.interventions.get(item.id)
        assert loaded is not None
        assert state(loaded) == state(item)
        loaded.assign(t.id, NOW + timedelta(hours=1), 90, NOW)
        loaded.start(NOW + timedelta(hours=1))
        loaded.complete("Done.", NOW + timedelta(hours=3))
        await uow.interventions.save(loaded, expected_version=1)
        await uow.commit()
    async with backend.uow() as uow:
        again = await uow.interventions.get(item.id)
        many = await uow.interventions.get_many([item.id])
    assert again is not None
    assert state(again) == state(loaded)
    assert again.version == 4
    assert state(many[item.id]) == state(loaded)
    later = NOW + timedelta(days=5)  # past due_at: overdue only while not done
    async with backend.uow() as uow:
        view = await uow.interventions.view(item.id, later)
        assert await uow.interventions.view(uuid.uuid4(), later) is None
    assert view == InterventionView.of(again, later)


async def test_the_view_of_one_intervention_is_its_read_model(backend: Backend) -> None:
    e = await add_equipment(backend)
    item = await add_intervention(backend, e.id, due_at=NOW + timedelta(hours=1))
    for now in (NOW, NOW + timedelta(hours=2)):
        async with backend.uow() as uow:
            view = await uow.interventions.view(item.id, now)
        assert view == InterventionView.of(item, now)
    assert view is not None
    assert view.overdue


async def test_an_intervention_loads_with_its_equipment_both_tracked(backend: Backend) -> None:
    owner = await backend.new_user(Role.CLIENT)
    e = await add_equipment(
        backend,
        model="X-2",
        location="Hall B",
        owner_id=owner,
        installed_on=date(2024, 5, 1),
        maintenance_interval_days=30,
    )
    t = await add_technician(backend)
    item = await add_intervention(backend, e.id, priority="high", required_skills=["pumps"])
    async with backend.uow() as uow:
        found = await uow.interventions.get_with_equipment(item.id)
        alone = await uow.interventions.get(item.id)
        its_equipment = await uow.equipment.get(e.id)
        assert await uow.interventions.get_with_equipment(uuid.uuid4()) is None
    assert found is not None
    assert alone is not None
    assert its_equipment is not None
    loaded, equipment = found
    # every field as the single reads give it: no column of one taken for the other's
    assert state(loaded) == state(alone) == state(item)
    assert state(equipment) == state(its_equipment)
    assert (equipment.id, equipment.version, equipment.owner_id) == (e.id, 1, owner)
    assert equipment.created_at == e.created_at
    assert loaded.created_at == item.created_at

    recorder = Recorder()  # both are tracked: their events are published after the commit
    async with backend.uow(recorder) as uow:
        found = await uow.interventions.get_with_equipment(item.id)
        assert found is not None
        loaded, equipment = found
        loaded.assign(t.id, NOW + timedelta(hours=1), 30, NOW)
        await uow.interventions.save(loaded, expected_version=1)
        assert equipment.update({"status": "down"}, NOW)
        await uow.equipment.save(equipment, expected_version=1)
        await uow.commit()
    kinds = {type(ev) for ev in recorder.events}
    assert {InterventionAssigned, EquipmentDown} <= kinds, kinds


async def test_preventive_key_is_unique(backend: Backend) -> None:
    e = await add_equipment(backend)
    key = f"{e.id}:2025-W11"
    first = await add_intervention(backend, e.id, type="preventive", preventive_key=key)
    creator = await backend.new_user(Role.MANAGER)
    twin = Intervention.create(
        title="Again", equipment_id=e.id, created_by=creator, now=NOW, preventive_key=key
    )
    async with backend.uow() as uow:
        with pytest.raises(Conflict) as caught:
            await uow.interventions.add(twin)
        found = await uow.interventions.with_preventive_keys([key, "nothing"])
    assert caught.value.code == "preventive_exists"
    assert ids(found) == [first.id]


async def test_intervention_concurrent_saves_one_fails(backend: Backend) -> None:
    e = await add_equipment(backend)
    item = await add_intervention(backend, e.id)
    async with backend.uow() as uow:
        one = await uow.interventions.get(item.id)
        two = await uow.interventions.get(item.id)
    assert one is not None
    assert two is not None
    one.update({"title": "One"}, NOW)
    two.cancel("no", NOW)

    async def save(copy: Intervention) -> str:
        async with backend.uow() as uow:
            try:
                await uow.interventions.save(copy, expected_version=1)
            except PreconditionFailed:
                return "stale"
            await uow.commit()
            return "saved"

    assert sorted(await asyncio.gather(save(one), save(two))) == ["saved", "stale"]


async def test_intervention_list_filters_sort_and_pages(backend: Backend) -> None:
    word = _marker()
    owner = await backend.new_user(Role.CLIENT)
    mine = await add_equipment(backend, owner_id=owner)
    other = await add_equipment(backend)
    t = await add_technician(backend)
    a = await add_intervention(
        backend,
        mine.id,
        title=f"Oil {word}",
        priority="critical",
        due_at=NOW - timedelta(hours=1),
        now=NOW - timedelta(days=3),
    )
    b = await add_intervention(
        backend,
        mine.id,
        title="Belt",
        description=f"worn 50% {word.upper()}",
        type="predictive",
        priority="low",
        now=NOW - timedelta(days=2),
    )
    c = await add_intervention(
        backend,
        other.id,
        title=f"Valve_{word}",
        priority="high",
        due_at=NOW - timedelta(hours=2),
        now=NOW - timedelta(days=1),
    )
    d = await add_intervention(
        backend, other.id, title=f"Done {word}", priority="critical", due_at=NOW - timedelta(days=9)
    )
    async with backend.uow() as uow:
        cx = await uow.interventions.get(c.id)
        dx = await uow.interventions.get(d.id)
        assert cx is not None
        assert dx is not None
        cx.assign(t.id, NOW, 60, NOW)
        dx.cancel(None, NOW)
        await uow.interventions.save(cx, expected_version=1)
        await uow.interventions.save(dx, expected_version=1)
        await uow.commit()

    async def listed(
        sort: Sort = Sort("created_at"), limit: int = 50, offset: int = 0, **f: Any
    ) -> tuple[list[UUID], int]:
        f.setdefault("q", word)
        async with backend.uow() as uow:
            items, total = await uow.interventions.list(
                InterventionFilters(**f), limit=limit, offset=offset, sort=sort
            )
        return ids(items), total

    assert await listed() == ([a.id, b.id, c.id, d.id], 4)
    assert await listed(Sort("created_at", descending=True)) == ([d.id, c.id, b.id, a.id], 4)
    assert await listed(Sort("priority")) == ([b.id, c.id, a.id, d.id], 4)  # by severity
    assert await listed(Sort("priority", descending=True)) == ([a.id, d.id, c.id, b.id], 4)
    assert await listed(Sort("due_at")) == ([d.id, c.id, a.id, b.id], 4)  # None last
    assert await listed(Sort("title")) == ([b.id, d.id, a.id, c.id], 4)
    assert await listed(status=InterventionStatus.OPEN) == ([a.id, b.id], 2)
    assert await listed(status=InterventionStatus.OPEN, priority=Priority.CRITICAL) == (
        [a.id],
        1,
    )
    assert await listed(type=InterventionType.PREDICTIVE) == ([b.id], 1)
    assert await listed(equipment_id=other.id) == ([c.id, d.id], 2)
    assert await listed(technician_id=t.id) == ([c.id], 1)
    assert await listed(overdue=True, now=NOW) == ([a.id, c.id], 2)
    assert await listed(overdue=False, now=NOW) == ([b.id, d.id], 2)
    assert await listed(q=f"50% {word}") == ([b.id], 1)
    assert await listed(q=f"e_{word}") == ([c.id], 1)
    assert await listed(q=f"%{word}") == ([], 0)
    assert await listed(
        created_from=NOW - timedelta(days=2), created_to=NOW - timedelta(days=1)
    ) == ([b.id], 1)
    assert await listed(equipment_owner_id=owner) == ([a.id, b.id], 2)
    assert await listed(limit=2, offset=1) == ([b.id, c.id], 4)
    assert await listed(limit=0) == ([], 4)


async def test_intervention_counts(backend: Backend) -> None:
    e1 = await add_equipment(backend)
    e2 = await add_equipment(backend)
    t = await add_technician(backend)
    items = [await add_intervention(backend, e1.id) for _ in range(3)]
    await add_intervention(backend, e2.id)
    async with backend.uow() as uow:
        planned = await uow.interventions.get(items[0].id)
        running = await uow.interventions.get(items[1].id)
        cancelled = await uow.interventions.get(items[2].id)
        assert planned
        assert running
        assert cancelled
        planned.assign(t.id, NOW, 45, NOW)
        running.assign(t.id, NOW + timedelta(hours=1), 30, NOW)
        running.start(NOW)
        cancelled.cancel("dup", NOW)
        for x in (planned, running, cancelled):
            await uow.interventions.save(x, expected_version=1)
        await uow.commit()
    async with backend.uow() as uow:
        assert await uow.interventions.count_open_for_equipment(e1.id) == 2
        assert await uow.interventions.count_open_for_equipment(uuid.uuid4()) == 0
        assert await uow.interventions.count_by_equipment([e1.id, e2.id, uuid.uuid4()]) == {
            e1.id: 3,
            e2.id: 1,
        }
        assert await uow.interventions.count_by_equipment([]) == {}
        assert (await uow.interventions.booked_minutes())[t.id] == 75


async def test_escalation_candidates_are_tracked(backend: Backend) -> None:
    e = await add_equipment(backend)
    t = await add_technician(backend)
    old = await add_intervention(backend, e.id, priority="critical", now=NOW - timedelta(hours=2))
    older = await add_intervention(backend, e.id, priority="critical", now=NOW - timedelta(hours=3))
    await add_intervention(backend, e.id, priority="critical", now=NOW)  # too recent
    await add_intervention(backend, e.id, priority="high", now=NOW - timedelta(hours=5))
    assigned = await add_intervention(
        backend, e.id, priority="critical", now=NOW - timedelta(hours=5)
    )
    async with backend.uow() as uow:
        a = await uow.interventions.get(assigned.id)
        assert a is not None
        a.assign(t.id, NOW, 30, NOW)
        await uow.interventions.save(a, expected_version=1)
        await uow.commit()
    recorder = Recorder()
    mine = {old.id, older.id, assigned.id}
    async with backend.uow(recorder) as uow:
        found = [
            i
            for i in await uow.interventions.escalation_candidates(NOW - timedelta(hours=1))
            if i.equipment_id == e.id
        ]
        assert ids(found) == [older.id, old.id]
        for item in found:
            version = item.version
            assert item.escalate(NOW)
            await uow.interventions.save(item, expected_version=version)
        await uow.commit()
    assert {
        ev.intervention_id for ev in recorder.events if isinstance(ev, InterventionEscalated)
    } == {
        older.id,
        old.id,
    }
    async with backend.uow() as uow:
        again = await uow.interventions.escalation_candidates(NOW)
    assert not mine & set(ids(again))


# -- schedule -------------------------------------------------------------------------------
async def _planned(backend: Backend, t: Technician, count: int) -> list[Intervention]:
    e = await add_equipment(backend)
    return [await add_intervention(backend, e.id) for _ in range(count)]


async def test_schedule_entries(backend: Backend) -> None:
    t = await add_technician(backend)
    other = await add_technician(backend)
    i1, i2, i3 = await _planned(backend, t, 3)
    base = datetime(2031, 1, 6, 8, tzinfo=UTC)  # far from other tests' entries
    e1 = ScheduleEntry.create(
        intervention_id=i1.id, technician_id=t.id, starts_at=base, estimated_minutes=60
    )
    e2 = ScheduleEntry.create(
        intervention_id=i2.id,
        technician_id=t.id,
        starts_at=base + timedelta(hours=2),
        estimated_minutes=60,
    )
    e3 = ScheduleEntry.create(
        intervention_id=i3.id,
        technician_id=other.id,
        starts_at=base + timedelta(minutes=30),
        estimated_minutes=60,
    )
    async with backend.uow() as uow:
        for entry in (e2, e1, e3):
            await uow.schedule.add(entry)
        dup = ScheduleEntry.create(
            intervention_id=i1.id, technician_id=t.id, starts_at=base, estimated_minutes=5
        )
        with pytest.raises(Conflict):
            await uow.schedule.add(dup)
        await uow.commit()
    async with backend.uow() as uow:
        assert await uow.schedule.get(e1.id) == e1
        assert await uow.schedule.get_for_intervention(i2.id) == e2
        assert await uow.schedule.get(uuid.uuid4()) is None
        # half-open: touching windows do not overlap
        touching = await uow.schedule.overlapping(
            base + timedelta(hours=1), base + timedelta(hours=2), technician_id=t.id
        )
        assert touching == []
        window = (base + timedelta(minutes=59), base + timedelta(hours=2, minutes=1))
        assert await uow.schedule.overlapping(*window, technician_id=t.id) == [e1, e2]
        assert await uow.schedule.overlapping(*window) == [e1, e3, e2]
        moved = e2.rescheduled(base + timedelta(hours=4), 30)
        await uow.schedule.save(moved, expected_version=1)
        with pytest.raises(PreconditionFailed):
            await uow.schedule.save(moved.rescheduled(base, 5), expected_version=1)
        await uow.schedule.remove(e3.id)
        await uow.schedule.remove(e3.id)  # already gone: no error
        await uow.commit()
    async with backend.uow() as uow:
        assert await uow.schedule.get(e2.id) == moved
        assert await uow.schedule.get(e3.id) is None
        page, total = await uow.schedule.list(
            ScheduleFilters(technician_id=t.id), limit=50, offset=0
        )
        assert (page, total) == ([e1, moved], 2)
        page, total = await uow.schedule.list(
            ScheduleFilters(
                technician_id=t.id,
                ends_after=base + timedelta(hours=1),
                starts_before=base + timedelta(hours=5),
            ),
            limit=50,
            offset=0,
        )
        assert (page, total) == ([moved], 1)
        assert await uow.schedule.list(ScheduleFilters(technician_id=t.id), limit=1, offset=1) == (
            [moved],
            2,
        )


async def test_concurrent_overlapping_bookings_exactly_one_wins(backend: Backend) -> None:
    t = await add_technician(backend)
    first, second = await _planned(backend, t, 2)
    start = datetime(2032, 2, 2, 9, tzinfo=UTC)

    async def book(intervention: Intervention, offset_minutes: int) -> str:
        entry = ScheduleEntry.create(
            intervention_id=intervention.id,
            technician_id=t.id,
            starts_at=start + timedelta(minutes=offset_minutes),
            estimated_minutes=60,
        )
        async with backend.uow() as uow:
            await uow.schedule.lock_technician(t.id)
            existing = await uow.schedule.overlapping(
                entry.starts_at, entry.ends_at, technician_id=t.id
            )
            await asyncio.sleep(0.05)  # let the other booking read "no clash" too, if it can
            try:
                ensure_no_conflict(entry, existing)
            except ScheduleConflict:
                return "conflict"
            await uow.schedule.add(entry)
            await uow.commit()
        return "booked"

    outcomes = await asyncio.gather(book(first, 0), book(second, 30))
    assert sorted(outcomes) == ["booked", "conflict"]
    async with backend.uow() as uow:
        stored = await uow.schedule.overlapping(
            start, start + timedelta(hours=3), technician_id=t.id
        )
    assert len(stored) == 1


async def test_an_overlap_is_refused_without_any_lock(backend: Backend) -> None:
    """Bookings take no lock: each reads the clashes in its transaction and adds its entry.
    SQLite and memory serialise the transactions (the second reads the first's entry);
    PostgreSQL's exclusion constraint refuses the second entry at ``add``. Either way
    exactly one of several overlapping bookings wins."""
    t = await add_technician(backend)
    planned = await _planned(backend, t, 4)
    start = datetime(2032, 3, 3, 9, tzinfo=UTC)

    async def book(intervention: Intervention, offset_minutes: int) -> str:
        entry = ScheduleEntry.create(
            intervention_id=intervention.id,
            technician_id=t.id,
            starts_at=start + timedelta(minutes=offset_minutes),
            estimated_minutes=60,
        )
        try:
            async with backend.uow() as uow:
                existing = await uow.schedule.overlapping(
                    entry.starts_at, entry.ends_at, technician_id=t.id
                )
                await asyncio.sleep(0.05)  # every booking reads "no clash", if it can
                ensure_no_conflict(entry, existing)
                await uow.schedule.add(entry)
                await uow.commit()
        except ScheduleConflict as conflict:
            refused.append(conflict)
            return "conflict"
        return "booked"

    refused: list[ScheduleConflict] = []

    outcomes = await asyncio.gather(*(book(i, 10 * n) for n, i in enumerate(planned)))
    assert sorted(outcomes) == ["booked", "conflict", "conflict", "conflict"]
    for conflict in refused:
        assert conflict.code == "schedule_conflict"
        assert [e.field for e in conflict.errors] == ["scheduled_at"]
        assert conflict.clashing.technician_id == t.id
    async with backend.uow() as uow:
        stored = await uow.schedule.overlapping(
            start, start + timedelta(hours=3), technician_id=t.id
        )
    assert len(stored) == 1


async def test_concurrent_assignments_never_double_book(backend: Backend) -> None:
    """The assignment use case itself, eight requests at once for one technician and
    overlapping slots: exactly one is planned, the others are 409 ``schedule_conflict``."""
    from adapters.clock import FixedClock
    from application.maintenance.commands import AssignInterventionCommand
    from application.maintenance.policy import MaintenancePolicy
    from application.maintenance.use_cases.assign_intervention import AssignIntervention
    from domain.shared.access import Actor

    t = await add_technician(backend)
    planned = await _planned(backend, t, 8)
    manager = Actor(await backend.new_user(Role.MANAGER), Role.MANAGER)
    clock = FixedClock(datetime(2033, 5, 1, 6, tzinfo=UTC))
    start = datetime(2033, 5, 2, 9, tzinfo=UTC)

    async def assign(intervention: Intervention, n: int) -> str:
        use_case = AssignIntervention(backend.uow(), clock, MaintenancePolicy())
        try:
            await use_case(
                AssignInterventionCommand(
                    actor=manager,
                    intervention_id=intervention.id,
                    scheduled_at=start + timedelta(minutes=5 * n),
                    estimated_minutes=60,
                    technician_id=t.id,
                )
            )
        except ScheduleConflict:
            return "conflict"
        return "planned"

    outcomes = await asyncio.gather(*(assign(i, n) for n, i in enumerate(planned)))
    assert sorted(outcomes) == ["conflict"] * 7 + ["planned"]
    async with backend.uow() as uow:
        stored = await uow.schedule.overlapping(
            start, start + timedelta(hours=3), technician_id=t.id
        )
        statuses = [(await uow.interventions.get(i.id)) for i in planned]
    assert len(stored) == 1
    assert sum(1 for i in statuses if i is not None and i.technician_id == t.id) == 1


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_move_onto_another_entry_names_the_field(backend: Backend) -> None:
    """Saving an entry moved onto another one of the same technician: PostgreSQL's exclusion
    constraint answers 409 ``schedule_conflict`` naming ``scheduled_at`` (the constraint
    mapping); the other stores rely on the check made in their serialised transaction."""
    t = await add_technician(backend)
    first, second = await _planned(backend, t, 2)
    start = datetime(2032, 4, 4, 9, tzinfo=UTC)
    a = ScheduleEntry.create(
        intervention_id=first.id, technician_id=t.id, starts_at=start, estimated_minutes=60
    )
    b = ScheduleEntry.create(
        intervention_id=second.id,
        technician_id=t.id,
        starts_at=start + timedelta(hours=1),  # back to back: no clash
        estimated_minutes=60,
    )
    async with backend.uow() as uow:
        await uow.schedule.add(a)
        await uow.schedule.add(b)
        await uow.commit()
    async with backend.uow() as uow:
        with pytest.raises(Conflict) as caught:
            await uow.schedule.save(
                b.rescheduled(start + timedelta(minutes=30), 60), expected_version=b.version
            )
    assert caught.value.code == "schedule_conflict"
    assert [e.field for e in caught.value.errors] == ["scheduled_at"]


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # what psycopg is given
async def test_saves_run_without_a_savepoint(backend: Backend) -> None:
    """No caller goes on after a save's violation, so equipment, technician and planning
    entry saves run their one versioned UPDATE with no SAVEPOINT around it (two round
    trips fewer each); a violation is still its domain error (the move test above)."""
    e = await add_equipment(backend)
    t = await add_technician(backend)
    (work,) = await _planned(backend, t, 1)
    entry = ScheduleEntry.create(
        intervention_id=work.id,
        technician_id=t.id,
        starts_at=datetime(2033, 5, 2, 9, tzinfo=UTC),
        estimated_minutes=60,
    )
    async with backend.uow() as uow:
        await uow.schedule.add(entry)
        await uow.commit()
    with sent_to_psycopg() as sent:
        async with backend.uow() as uow:
            item = await uow.equipment.get(e.id)
            profile = await uow.technicians.get(t.id)
            assert item is not None
            assert profile is not None
            assert item.update({"location": "Hall C"}, NOW)
            await uow.equipment.save(item, expected_version=1)
            assert profile.update({"specialty": "Hydraulics"}, NOW)
            await uow.technicians.save(profile, expected_version=1)
            moved = entry.rescheduled(entry.starts_at + timedelta(hours=2), 60)
            await uow.schedule.save(moved, expected_version=entry.version)
            await uow.commit()
    statements = [text.lstrip().upper() for text, _ in sent]
    updated = {s.split()[1] for s in statements if s.startswith("UPDATE")}
    assert {"EQUIPMENT", "TECHNICIANS", "SCHEDULE_ENTRIES"} <= updated, statements
    assert not [s for s in statements if "SAVEPOINT" in s], statements
    async with backend.uow() as uow:
        stored = await uow.equipment.get(e.id)
        again = await uow.technicians.get(t.id)
        entries = await uow.schedule.get(entry.id)
    assert stored is not None
    assert stored.location == "Hall C"
    assert again is not None
    assert again.specialty == "Hydraulics"
    assert entries is not None
    assert entries.starts_at == moved.starts_at


# -- audit and unit of work -----------------------------------------------------------------
async def test_audit_log_filters_and_order(backend: Backend) -> None:
    actor = await backend.new_user(Role.MANAGER)
    entity, other_entity = uuid.uuid4(), uuid.uuid4()
    base = datetime(2030, 5, 1, tzinfo=UTC)
    entries = [
        AuditEntry(
            actor_id=actor,
            entity_type="equipment",
            entity_id=entity,
            action="create",
            changes={"name": [None, "Pump"], "skills": [[], ["a", "b"]]},
            at=base,
        ),
        AuditEntry(
            actor_id=actor,
            entity_type="equipment",
            entity_id=entity,
            action="update",
            changes={"status": ["operational", "down"]},
            at=base + timedelta(hours=1),
        ),
        AuditEntry(
            actor_id=None,
            entity_type="intervention",
            entity_id=other_entity,
            action="escalate",
            changes={},
            at=base + timedelta(hours=1),
        ),
    ]
    async with backend.uow() as uow:
        for entry in entries:
            await uow.audit.record(entry)
        await uow.commit()

    async def listed(limit: int = 50, offset: int = 0, **f: Any) -> tuple[list[AuditEntry], int]:
        found, total = await backend.trail.list(AuditFilters(**f), limit=limit, offset=offset)
        return list(found), total

    assert await listed(entity_id=entity) == ([entries[1], entries[0]], 2)
    assert await listed(actor_id=actor, entity_type="equipment", limit=1) == ([entries[1]], 2)
    assert await listed(entity_type="intervention", entity_id=other_entity) == ([entries[2]], 1)
    tied = sorted([entries[1], entries[2]], key=lambda e: e.id.int, reverse=True)
    mine = {entity, other_entity}
    found, total = await listed(
        at_from=base + timedelta(minutes=1), at_to=base + timedelta(hours=1, seconds=1)
    )
    assert [e for e in found if e.entity_id in mine] == tied
    assert total >= 2
    found, _ = await listed(at_from=base, at_to=base + timedelta(hours=2))
    assert [e for e in found if e.entity_id in mine] == [*tied, entries[0]]


async def test_rollback_leaves_nothing(backend: Backend) -> None:
    user = await backend.new_user()
    recorder = Recorder()
    t = Technician.create(user_id=user, now=NOW)
    e = Equipment.create(name="Tmp", type="tmp", serial_number=f"R-{_marker()}", now=NOW)
    entry_id = uuid.uuid4()
    async with backend.uow(recorder) as uow:
        await uow.technicians.add(t)
        await uow.equipment.add(e)
        await uow.audit.record(
            AuditEntry(
                actor_id=None,
                entity_type="equipment",
                entity_id=entry_id,
                action="create",
                changes={},
                at=NOW,
            )
        )
        await uow.rollback()
    dropped = Equipment.create(name="B", type="b", serial_number=f"B-{_marker()}", now=NOW)

    async def fail_half_way() -> None:
        async with backend.uow(recorder) as uow:
            await uow.equipment.add(dropped)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await fail_half_way()
    async with backend.uow() as uow:
        assert await uow.technicians.get(t.id) is None
        assert await uow.equipment.get(e.id) is None
        assert await uow.equipment.get(dropped.id) is None
    assert await backend.trail.list(AuditFilters(entity_id=entry_id), limit=5, offset=0) == (
        [],
        0,
    )
    assert recorder.events == []
    fresh = Technician.create(user_id=user, now=NOW)  # t's events were dropped on rollback
    async with backend.uow(recorder) as uow:
        await uow.technicians.add(fresh)
        await uow.commit()
    assert [type(ev) for ev in recorder.events] == [TechnicianCreated]


async def test_user_directory_reads_roles(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'users.db'}"
    upgrade(url)
    database = SqlDatabase.from_settings(url=url)
    try:
        tech = await insert_user(database, role=Role.TECHNICIAN)
        manager = await insert_user(database, role=Role.MANAGER)
        await insert_user(database, role=Role.MANAGER, active=False)
        directory = SqlUserDirectory(database)
        assert await directory.get_role(tech) == Role.TECHNICIAN
        assert await directory.get_role(uuid.uuid4()) is None
        assert list(await directory.manager_ids()) == [manager]
    finally:
        await database.aclose()


async def test_text_search_folds_accented_capitals(backend: Backend) -> None:
    """Searching "étalonnage" finds "Étalonnage" (SQLite's own LIKE folds ASCII letters only)."""
    word = _marker()
    machine = await add_equipment(backend, name=f"Ëtuve {word}")
    title = await add_intervention(backend, machine.id, title=f"Étalonnage {word}")
    body = await add_intervention(
        backend, machine.id, title=f"Check {word}", description="CONTRÔLE ANNUEL"
    )

    async def listed(q: str) -> list[UUID]:
        async with backend.uow() as uow:
            items, _ = await uow.interventions.list(
                InterventionFilters(q=q), limit=50, offset=0, sort=Sort("created_at")
            )
        return [i.id for i in items if i.equipment_id == machine.id]

    assert await listed(f"étalonnage {word}") == [title.id]
    assert await listed(f"ÉTALONNAGE {word.upper()}") == [title.id]
    assert await listed("contrôle annuel") == [body.id]
    async with backend.uow() as uow:
        found, total = await uow.equipment.list(
            EquipmentFilters(q=f"ëtuve {word}"), limit=10, offset=0, sort=Sort("created_at")
        )
    assert (ids(found), total) == ([machine.id], 1)


async def test_read_only_unit_of_work_reads_and_cannot_commit(backend: Backend) -> None:
    if backend.name == "memory":
        return  # the read-only mode is an SQL adapter detail (the memory twin has none)
    item = await add_intervention(backend, (await add_equipment(backend)).id)
    uow = backend.uow()
    assert isinstance(uow, SqlMaintenanceUnitOfWork)
    reader = SqlMaintenanceUnitOfWork(uow._database, read_only=True)
    async with reader:
        found = await reader.interventions.get(item.id)
        assert found is not None
        assert found.id == item.id
        if backend.name == "postgres":
            with pytest.raises(RuntimeError):
                await reader.commit()
    async with reader:  # the connection went back to the pool in its normal mode
        assert await reader.interventions.get(item.id) is not None
    async with backend.uow() as writer:  # pooled connections are transactional again
        found = await writer.interventions.get(item.id)
        assert found is not None
        found.cancel(None, NOW)
        await writer.interventions.save(found, expected_version=1)
        await writer.rollback()
    async with backend.uow() as check:
        again = await check.interventions.get(item.id)
        assert again is not None
        assert again.version == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)  # an SQL helper
async def test_a_capped_count_stops_at_the_cap(backend: Backend) -> None:
    """``page_and_total(count_cap=n)`` (the lists of interventions and equipment) counts at
    most ``n`` matches, in the page's own statement, an empty page too."""
    from adapters.persistence.sqlalchemy.maintenance.tables import interventions
    from adapters.persistence.sqlalchemy.queries import page_and_total

    e = await add_equipment(backend)
    for _ in range(5):
        await add_intervention(backend, e.id)
    conditions = [interventions.c.equipment_id == e.id]
    key, sort = interventions.c.created_at, Sort("created_at")
    async with backend.uow() as uow:
        conn = uow.connection  # type: ignore[attr-defined]
        for cap, limit, offset, expected in (
            (3, 2, 0, 3),
            (10, 2, 0, 5),
            (3, 2, 9, 3),
            (3, 0, 0, 3),
        ):
            rows, total = await page_and_total(
                conn, interventions, conditions, key, sort, limit=limit, offset=offset,
                count_cap=cap,
            )  # fmt: skip
            assert total == expected
            assert len(rows) == (min(limit, 5 - offset) if offset < 5 else 0)
