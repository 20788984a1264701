"""``SqlDashboardReader``: ``GET /dashboard/stats`` computed by the database.

Three aggregate queries (interventions, equipment, technicians), each one pass over its
table with ``COUNT(*) FILTER (WHERE ...)`` and ``AVG`` of durations; no row reaches Python.
The definitions are ``application.maintenance.dashboard`` (the memory reader runs that
module; the contract suite checks both give the same numbers). Only the final combination of
the aggregates (ratios, MTBF, rounding) happens here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.maintenance.equipment import due
from adapters.persistence.sqlalchemy.maintenance.interventions import overdue
from adapters.persistence.sqlalchemy.maintenance.queries import read_connection
from adapters.persistence.sqlalchemy.tables.maintenance import (
    equipment,
    interventions,
    technicians,
)
from application.maintenance.dashboard import MTBF_PERIOD_DAYS, week_start_of
from application.maintenance.ports import (
    DashboardReader,
    DashboardStats,
    EquipmentCounts,
    InterventionCounts,
    Kpi,
    TechnicianCounts,
)
from domain.maintenance import kpi
from domain.maintenance.enums import (
    CLOSED_STATUSES,
    EquipmentStatus,
    InterventionStatus,
    InterventionType,
    Priority,
)

IV, E, T = interventions.c, equipment.c, technicians.c
S = InterventionStatus
_CLOSED = sorted(s.value for s in CLOSED_STATUSES)


def _count(condition: sa.ColumnElement[bool] | None = None) -> sa.ColumnElement[int]:
    count = sa.func.count()
    return count if condition is None else count.filter(condition)


def _hours(dialect: str, end: sa.ColumnElement[Any], start: sa.ColumnElement[Any]) -> Any:
    """``end - start`` in hours, as a float expression of the database."""
    if dialect == "postgresql":
        return sa.extract("epoch", end - start) / 3600.0
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 24.0


def _avg(condition: sa.ColumnElement[bool], value: Any) -> sa.ColumnElement[Any]:
    return sa.func.avg(value).filter(condition)


def _round(value: Any, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


class SqlDashboardReader(DashboardReader):
    def __init__(self, database: SqlDatabase) -> None:
        self._database = database

    async def stats(self, now: datetime) -> DashboardStats:
        async with read_connection(self._database) as conn:
            i = await self._interventions(conn, now)
            e = await self._equipment(conn, now)
            t = (await conn.execute(sa.select(_count(), _count(T.available.is_(True))))).one()
        people = int(t[0])
        failures, machines = int(i.failures), int(e.total)
        mtbf = kpi.mtbf_hours(MTBF_PERIOD_DAYS * 24.0, machines, failures)
        return DashboardStats(
            interventions=InterventionCounts(
                total=int(i.total),
                open=int(i.open),
                in_progress=int(i.in_progress),
                done_this_week=int(i.done_this_week),
                critical=int(i.critical),
                overdue=int(i.overdue),
            ),
            equipment=EquipmentCounts(
                total=machines,
                operational=int(e.operational),
                down=int(e.down),
                maintenance_due=int(e.maintenance_due),
            ),
            technicians=TechnicianCounts(
                total=people,
                available=int(t[1]),
                busy=int(i.busy),
                average_load=round(int(i.load) / people, 2) if people else 0.0,
            ),
            kpi=Kpi(
                mean_resolution_hours=_round(i.mean_resolution, 2),
                on_time_rate=_round(i.on_time / i.with_due, 4) if i.with_due else None,
                mttr_hours=_round(i.mttr, 2),
                mtbf_hours=_round(mtbf, 2),
            ),
        )

    async def _interventions(self, conn: AsyncConnection, now: datetime) -> Any:
        dialect = conn.dialect.name
        week_from = week_start_of(now)
        done = IV.status == S.DONE.value
        finished = sa.and_(done, IV.completed_at.is_not(None))
        with_due = sa.and_(finished, IV.due_at.is_not(None))
        corrective = IV.type == InterventionType.CORRECTIVE.value
        statement = sa.select(
            _count().label("total"),
            _count(IV.status == S.OPEN.value).label("open"),
            _count(IV.status == S.IN_PROGRESS.value).label("in_progress"),
            _count(
                sa.and_(
                    finished,
                    IV.completed_at >= week_from,
                    IV.completed_at < week_from + timedelta(days=7),
                )
            ).label("done_this_week"),
            _count(
                sa.and_(IV.priority == Priority.CRITICAL.value, IV.status.not_in(_CLOSED))
            ).label("critical"),
            _count(overdue(now)).label("overdue"),
            _count(
                sa.and_(
                    IV.status.in_([S.PLANNED.value, S.IN_PROGRESS.value]),
                    IV.technician_id.is_not(None),
                )
            ).label("load"),
            sa.func.count(sa.distinct(IV.technician_id))
            .filter(IV.status == S.IN_PROGRESS.value)
            .label("busy"),
            _avg(finished, _hours(dialect, IV.completed_at, IV.created_at)).label(
                "mean_resolution"
            ),
            _avg(
                sa.and_(finished, corrective, IV.started_at.is_not(None)),
                _hours(dialect, IV.completed_at, IV.started_at),
            ).label("mttr"),
            _count(with_due).label("with_due"),
            _count(sa.and_(with_due, IV.completed_at <= IV.due_at)).label("on_time"),
            _count(
                sa.and_(
                    corrective,
                    IV.created_at >= now - timedelta(days=MTBF_PERIOD_DAYS),
                    IV.created_at < now,
                )
            ).label("failures"),
        ).select_from(interventions)
        return (await conn.execute(statement)).one()

    async def _equipment(self, conn: AsyncConnection, now: datetime) -> Any:
        statement = (
            sa.select(
                _count().label("total"),
                _count(E.status == EquipmentStatus.OPERATIONAL.value).label("operational"),
                _count(E.status == EquipmentStatus.DOWN.value).label("down"),
                _count(due(now)).label("maintenance_due"),
            )
            .select_from(equipment)
            .where(E.status != EquipmentStatus.RETIRED.value)
        )
        return (await conn.execute(statement)).one()
