"""The dashboard readers (memory, SQLite, PostgreSQL) give the same, hand-computed figures.

Each SQL backend gets an empty database of its own: the figures cover whole tables.

The data set, at ``NOW`` = Wednesday 2025-03-12 12:00 UTC (week from Monday 03-10):

equipment  E1 operational, due 03-03 | E2 down, due 03-31 | E3 degraded, no interval |
           E4 retired (due, but excluded everywhere)
technicians T1, T2 available; T3 not
interventions (created -> ...)
  A corrective critical 03-11 08:00, open, due 03-12 10:00          -> overdue, critical
  B corrective high 03-10 09:00, T1, started 10:00, done 12:00,
    due 03-10 18:00                                                 -> done this week, on time
  C preventive normal 03-01 00:00, T2, started 03-02 08:00, done 14:00,
    due 03-02 12:00                                                 -> late
  D corrective critical 03-12 06:00, T1, in progress since 09:00,
    due 11:00                                                       -> overdue, critical, busy
  E predictive low 02-01, T2, planned
  F corrective normal 03-05, cancelled, due 03-06                   -> not overdue
  G corrective normal 02-20 10:00, T3, started 11:00, done 11:30
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
import sqlalchemy as sa

from adapters.persistence.memory.identity import MemoryIdentityUnitOfWork
from adapters.persistence.memory.maintenance import (
    MemoryDashboardReader,
    MemoryMaintenanceUnitOfWork,
)
from adapters.persistence.memory.store import MemoryStore
from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.identity.tables import users
from adapters.persistence.sqlalchemy.maintenance import (
    SqlDashboardReader,
    SqlMaintenanceUnitOfWork,
)
from adapters.persistence.sqlalchemy.migrations import upgrade
from application.maintenance.ports import (
    DashboardReader,
    DashboardStats,
    EquipmentCounts,
    InterventionCounts,
    Kpi,
    MaintenanceUnitOfWork,
    TechnicianCounts,
)
from domain.identity.user import User
from domain.maintenance.equipment import Equipment
from domain.maintenance.intervention import Intervention
from domain.maintenance.technician import Technician
from domain.shared.access import Role
from tests.support import services

NOW = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


EXPECTED = DashboardStats(
    interventions=InterventionCounts(
        total=7, open=1, in_progress=1, done_this_week=1, critical=2, overdue=2
    ),
    equipment=EquipmentCounts(total=3, operational=1, down=1, maintenance_due=1),
    technicians=TechnicianCounts(total=3, available=2, busy=1, average_load=0.67),
    kpi=Kpi(
        mean_resolution_hours=14.17,  # (3 + 38 + 1.5) / 3
        on_time_rate=0.5,  # B on time, C late
        mttr_hours=1.25,  # (2 + 0.5) / 2, corrective only
        mtbf_hours=432.0,  # 720 h x 3 machines / 5 failures (A B D F G)
    ),
)


@dataclass
class Backend:
    uow: Callable[[], MaintenanceUnitOfWork]
    reader: DashboardReader
    new_user: Callable[[], Awaitable[UUID]]


async def _insert_user(database: SqlDatabase) -> UUID:
    user_id = uuid.uuid4()
    email = f"d.{user_id.hex}@example.test"
    async with database.engine.begin() as conn:
        await conn.execute(
            sa.insert(users).values(
                id=user_id,
                email=email,
                email_normalized=email,
                first_name="Dash",
                last_name="Board",
                role="technician",
                is_active=True,
                password_hash="x",
                created_at=NOW,
                updated_at=NOW,
                version=1,
            )
        )
    return user_id


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "memory":
        store = MemoryStore()

        async def any_user() -> UUID:
            # a real user: the memory twin refuses references to nobody, as SQL does
            user = User.register(
                email=f"d.{uuid.uuid4().hex}@example.test",
                first_name="Dash",
                last_name="Board",
                role=Role.TECHNICIAN,
                password_hash="x",
                now=NOW,
            )
            async with MemoryIdentityUnitOfWork(store) as uow:
                await uow.users.add(user)
                await uow.commit()
            return user.id

        yield Backend(
            lambda: MemoryMaintenanceUnitOfWork(store), MemoryDashboardReader(store), any_user
        )
        return
    if request.param == "sqlite":
        async for b in _sql_backend(f"sqlite+aiosqlite:///{tmp_path / 'dashboard.db'}"):
            yield b
        return
    with services.scratch_postgres_database() as url:
        async for b in _sql_backend(url):
            yield b


async def _sql_backend(url: str) -> AsyncIterator[Backend]:
    upgrade(url)
    database = SqlDatabase.from_settings(url=url, pool_size=2, max_overflow=0)
    try:
        yield Backend(
            lambda: SqlMaintenanceUnitOfWork(database),
            SqlDashboardReader(database),
            lambda: _insert_user(database),
        )
    finally:
        await database.aclose()


async def load_data_set(b: Backend) -> None:
    creator = await b.new_user()
    t1, t2, t3 = [
        Technician.create(user_id=await b.new_user(), now=at(1, 1), available=available)
        for available in (True, True, False)
    ]
    e1 = Equipment.create(
        name="E1",
        type="pump",
        serial_number="E-1",
        now=at(1, 1),
        maintenance_interval_days=30,
        last_maintenance_at=at(2, 1),
    )
    e2 = Equipment.create(
        name="E2",
        type="pump",
        serial_number="E-2",
        now=at(1, 1),
        status="down",
        maintenance_interval_days=30,
        installed_on=date(2025, 3, 1),
    )
    e3 = Equipment.create(
        name="E3", type="press", serial_number="E-3", now=at(1, 1), status="degraded"
    )
    e4 = Equipment.create(
        name="E4",
        type="press",
        serial_number="E-4",
        now=at(1, 1),
        maintenance_interval_days=1,
        last_maintenance_at=at(1, 1),
    )
    e4.retire(0, at(1, 2))

    def new(created: datetime, type: str, priority: str, due: datetime | None) -> Intervention:
        return Intervention.create(
            title=f"{type} {priority}",
            equipment_id=e1.id,
            created_by=creator,
            now=created,
            type=type,
            priority=priority,
            due_at=due,
        )

    a = new(at(3, 11, 8), "corrective", "critical", at(3, 12, 10))
    b_ = new(at(3, 10, 9), "corrective", "high", at(3, 10, 18))
    b_.assign(t1.id, at(3, 10, 10), 60, at(3, 10, 9))
    b_.start(at(3, 10, 10))
    b_.complete("ok", at(3, 10, 12))
    c = new(at(3, 1), "preventive", "normal", at(3, 2, 12))
    c.assign(t2.id, at(3, 2, 8), 60, at(3, 1))
    c.start(at(3, 2, 8))
    c.complete("ok", at(3, 2, 14))
    d = new(at(3, 12, 6), "corrective", "critical", at(3, 12, 11))
    d.assign(t1.id, at(3, 12, 9), 120, at(3, 12, 6))
    d.start(at(3, 12, 9))
    e = new(at(2, 1), "predictive", "low", None)
    e.assign(t2.id, at(3, 13, 8), 120, at(2, 1))
    f = new(at(3, 5), "corrective", "normal", at(3, 6))
    f.cancel(None, at(3, 5, 1))
    g = new(at(2, 20, 10), "corrective", "normal", None)
    g.assign(t3.id, at(2, 20, 11), 30, at(2, 20, 10))
    g.start(at(2, 20, 11))
    g.complete("ok", at(2, 20, 11, 30))

    async with b.uow() as uow:
        for technician in (t1, t2, t3):
            await uow.technicians.add(technician)
        for machine in (e1, e2, e3, e4):
            await uow.equipment.add(machine)
        for item in (a, b_, c, d, e, f, g):
            await uow.interventions.add(item)
        await uow.commit()


async def test_same_figures_on_every_backend(backend: Backend) -> None:
    empty = await backend.reader.stats(NOW)
    assert empty.interventions.total == 0
    assert empty.technicians.average_load == 0.0
    assert empty.kpi == Kpi(
        mean_resolution_hours=None, on_time_rate=None, mttr_hours=None, mtbf_hours=None
    )
    await load_data_set(backend)
    assert await backend.reader.stats(NOW) == EXPECTED


async def test_the_week_and_the_mtbf_window_move_with_now(backend: Backend) -> None:
    await load_data_set(backend)
    later = await backend.reader.stats(NOW + timedelta(days=10))
    assert later.interventions.done_this_week == 0  # the week of 03-17
    # [02-20 12:00, 03-22 12:00): G (02-20 10:00) has left the window: 720 x 3 / 4
    assert later.kpi.mtbf_hours == 540.0
    assert later.equipment.maintenance_due == 1
    # on 03-31 E2 (installed 03-01, every 30 days) is due too
    assert (await backend.reader.stats(at(3, 31))).equipment.maintenance_due == 2
