"""``SqlDashboardReader``: ``GET /dashboard/stats`` computed by the database.

Aggregate queries with ``COUNT(*) FILTER (WHERE ...)`` and ``AVG`` of durations; no row
reaches Python. The interventions are read through partial covering indexes (migration
0004), index-only where the visibility map allows: the total (smallest index), the active
ones (``ix_interventions_active``: not done/cancelled), the done ones
(``ix_interventions_done``) and recent corrective ones
(``ix_interventions_corrective_created_at``). Their predicates are written with literal
constants so the planner matches the partial indexes. On PostgreSQL the queries run
concurrently on their own connections.
The definitions are ``application.maintenance.dashboard`` (the memory reader runs that
module; the contract suite checks both give the same numbers). Only the final combination of
the aggregates (ratios, MTBF, rounding) happens here.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.maintenance.equipment import due
from adapters.persistence.sqlalchemy.maintenance.tables import (
    equipment,
    interventions,
    technicians,
)
from adapters.persistence.sqlalchemy.queries import const, read_connection
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
Query = Any  # a one-row SELECT (its column types vary)
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
        queries: list[Query] = [
            sa.select(_count().label("total")).select_from(interventions),
            self._active(now),
            self._done(now),
            self._failures(now),
            self._equipment(now),
            sa.select(_count(), _count(T.available.is_(True))).select_from(technicians),
        ]
        total, a, d, failures_row, e, t = await self._run_all(queries)
        people = int(t[0])
        failures, machines = int(failures_row[0]), int(e.total)
        mtbf = kpi.mtbf_hours(MTBF_PERIOD_DAYS * 24.0, machines, failures)
        return DashboardStats(
            interventions=InterventionCounts(
                total=int(total[0]),
                open=int(a.open),
                in_progress=int(a.in_progress),
                done_this_week=int(d.done_this_week),
                critical=int(a.critical),
                overdue=int(a.overdue),
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
                busy=int(a.busy),
                average_load=round(int(a.load) / people, 2) if people else 0.0,
            ),
            kpi=Kpi(
                mean_resolution_hours=_round(d.mean_resolution, 2),
                on_time_rate=_round(d.on_time / d.with_due, 4) if d.with_due else None,
                mttr_hours=_round(d.mttr, 2),
                mtbf_hours=_round(mtbf, 2),
            ),
        )

    async def _run_all(self, queries: list[Query]) -> list[Any]:
        """One row per query: concurrently on PostgreSQL (a connection each), in turn on
        SQLite (whose in-memory database has a single connection)."""

        async def one(statement: Query) -> Any:
            async with read_connection(self._database) as conn:
                return (await conn.execute(statement)).one()

        if self._database.dialect_name == "postgresql":
            return list(await asyncio.gather(*(one(q) for q in queries)))
        async with read_connection(self._database) as conn:
            return [(await conn.execute(q)).one() for q in queries]

    def _active(self, now: datetime) -> Query:
        """Open, in progress, critical, overdue, load and busy: all among the interventions
        neither done nor cancelled (``ix_interventions_active``)."""
        return (
            sa.select(
                _count(IV.status == S.OPEN.value).label("open"),
                _count(IV.status == S.IN_PROGRESS.value).label("in_progress"),
                _count(IV.priority == Priority.CRITICAL.value).label("critical"),
                _count(sa.and_(IV.due_at.is_not(None), IV.due_at < now)).label("overdue"),
                _count(
                    sa.and_(
                        IV.status.in_([S.PLANNED.value, S.IN_PROGRESS.value]),
                        IV.technician_id.is_not(None),
                    )
                ).label("load"),
                sa.func.count(sa.distinct(IV.technician_id))
                .filter(IV.status == S.IN_PROGRESS.value)
                .label("busy"),
            )
            .select_from(interventions)
            .where(IV.status.not_in(const(*_CLOSED)))
        )

    def _done(self, now: datetime) -> Query:
        """Resolution KPIs and this week's completions (``ix_interventions_done``)."""
        dialect = self._database.dialect_name
        week_from = week_start_of(now)
        corrective = IV.type == InterventionType.CORRECTIVE.value
        with_due = IV.due_at.is_not(None)
        return (
            sa.select(
                _count(
                    sa.and_(
                        IV.completed_at >= week_from,
                        IV.completed_at < week_from + timedelta(days=7),
                    )
                ).label("done_this_week"),
                sa.func.avg(_hours(dialect, IV.completed_at, IV.created_at)).label(
                    "mean_resolution"
                ),
                _avg(
                    sa.and_(corrective, IV.started_at.is_not(None)),
                    _hours(dialect, IV.completed_at, IV.started_at),
                ).label("mttr"),
                _count(with_due).label("with_due"),
                _count(sa.and_(with_due, IV.completed_at <= IV.due_at)).label("on_time"),
            )
            .select_from(interventions)
            .where(IV.status == const(S.DONE.value)[0], IV.completed_at.is_not(None))
        )

    def _failures(self, now: datetime) -> Query:
        """Corrective interventions created in the MTBF period."""
        return (
            sa.select(_count())
            .select_from(interventions)
            .where(
                IV.type == const(InterventionType.CORRECTIVE.value)[0],
                IV.created_at >= now - timedelta(days=MTBF_PERIOD_DAYS),
                IV.created_at < now,
            )
        )

    def _equipment(self, now: datetime) -> Query:
        return (
            sa.select(
                _count().label("total"),
                _count(E.status == EquipmentStatus.OPERATIONAL.value).label("operational"),
                _count(E.status == EquipmentStatus.DOWN.value).label("down"),
                _count(due(now)).label("maintenance_due"),
            )
            .select_from(equipment)
            .where(E.status != EquipmentStatus.RETIRED.value)
        )
