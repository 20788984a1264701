"""The dashboard figures, defined once (the memory reader computes them with this module;
SQL readers must return the same numbers with aggregate queries).

``interventions``: ``total`` every intervention; ``open`` / ``in_progress`` by status;
``done_this_week`` done with ``completed_at`` in the current ISO week (Monday 00:00 UTC,
7 days); ``critical`` priority critical and not done/cancelled; ``overdue`` ``due_at < now``
and not done/cancelled.

``equipment`` (retired equipment excluded everywhere): ``total``; ``operational`` / ``down``
by status; ``maintenance_due`` ``next_maintenance_at <= now``.

``technicians``: ``total`` profiles; ``available`` with the flag on; ``busy`` with at least
one in-progress intervention; ``average_load`` planned + in-progress interventions per
technician (0 without technicians), rounded to 2 decimals.

``kpi`` (``domain.maintenance.kpi``): hours rounded to 2 decimals, ``on_time_rate`` to 4;
``mtbf_hours`` over the last ``MTBF_PERIOD_DAYS`` days ``[now - 30 d, now)`` with the
non-retired equipment count.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from application.maintenance.ports import (
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
    Priority,
)
from domain.maintenance.equipment import Equipment
from domain.maintenance.intervention import Intervention
from domain.maintenance.technician import Technician

MTBF_PERIOD_DAYS = 30


def week_start_of(now: datetime) -> datetime:
    """Monday 00:00 UTC of ``now``'s ISO week."""
    day = now.astimezone(UTC).date() - timedelta(days=now.astimezone(UTC).weekday())
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def compute_stats(
    *,
    interventions: Iterable[Intervention],
    equipment: Iterable[Equipment],
    technicians: Iterable[Technician],
    now: datetime,
) -> DashboardStats:
    items = list(interventions)
    machines = [e for e in equipment if not e.is_retired]
    people = list(technicians)
    week_from = week_start_of(now)
    week_to = week_from + timedelta(days=7)
    active = {InterventionStatus.PLANNED, InterventionStatus.IN_PROGRESS}
    busy = {
        i.technician_id
        for i in items
        if i.status == InterventionStatus.IN_PROGRESS and i.technician_id is not None
    }
    load = sum(1 for i in items if i.status in active and i.technician_id is not None)
    period_hours = MTBF_PERIOD_DAYS * 24.0
    failures = kpi.count_failures(items, now - timedelta(days=MTBF_PERIOD_DAYS), now)
    return DashboardStats(
        interventions=InterventionCounts(
            total=len(items),
            open=sum(1 for i in items if i.status == InterventionStatus.OPEN),
            in_progress=sum(1 for i in items if i.status == InterventionStatus.IN_PROGRESS),
            done_this_week=sum(
                1
                for i in items
                if i.status == InterventionStatus.DONE
                and i.completed_at is not None
                and week_from <= i.completed_at < week_to
            ),
            critical=sum(
                1
                for i in items
                if i.priority == Priority.CRITICAL and i.status not in CLOSED_STATUSES
            ),
            overdue=sum(1 for i in items if i.is_overdue(now)),
        ),
        equipment=EquipmentCounts(
            total=len(machines),
            operational=sum(1 for e in machines if e.status == EquipmentStatus.OPERATIONAL),
            down=sum(1 for e in machines if e.status == EquipmentStatus.DOWN),
            maintenance_due=sum(1 for e in machines if e.is_maintenance_due(now)),
        ),
        technicians=TechnicianCounts(
            total=len(people),
            available=sum(1 for t in people if t.available),
            busy=sum(1 for t in people if t.id in busy),
            average_load=round(load / len(people), 2) if people else 0.0,
        ),
        kpi=Kpi(
            mean_resolution_hours=_round(kpi.mean_resolution_hours(items), 2),
            on_time_rate=_round(kpi.on_time_rate(items), 4),
            mttr_hours=_round(kpi.mttr_hours(items), 2),
            mtbf_hours=_round(kpi.mtbf_hours(period_hours, len(machines), failures), 2),
        ),
    )
