"""What the two calendar routes share: a technician's entries in a period, with the names a
calendar shows (intervention titles, equipment names and locations, the technician's name).

``GET /planning/technicians/{id}.ics`` (bearer token) and ``GET /planning/feeds/{token}.ics``
(the secret feed URL) answer the same document for the same technician and period.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from uuid import UUID

from application.maintenance.guards import check_period
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.ports import MaintenanceUnitOfWork, UserDirectory
from application.maintenance.views import (
    CalendarEquipment,
    CalendarView,
    PlanningEntryView,
    TechnicianView,
)
from domain.maintenance.technician import Technician


def calendar_period(
    policy: MaintenancePolicy, now: datetime, start: datetime | None, end: datetime | None
) -> tuple[datetime, datetime]:
    """``[from, to)``, by default from ``calendar_default_days_before`` days ago to
    ``calendar_default_days_after`` days ahead; at most ``calendar_max_days`` long."""
    return check_period(
        start or now - timedelta(days=policy.calendar_default_days_before),
        end or now + timedelta(days=policy.calendar_default_days_after),
        max_days=policy.calendar_max_days,
    )


async def read_calendar(
    uow: MaintenanceUnitOfWork, technician: Technician, start: datetime, end: datetime
) -> tuple[tuple[PlanningEntryView, ...], dict[UUID, CalendarEquipment]]:
    """The technician's entries overlapping ``[start, end)`` and their equipment (call
    inside an open unit of work)."""
    entries = await uow.schedule.overlapping(start, end, technician_id=technician.id)
    interventions = await uow.interventions.get_many({e.intervention_id for e in entries})
    machines = await uow.equipment.get_many({i.equipment_id for i in interventions.values()})
    views = tuple(PlanningEntryView.of(e, interventions.get(e.intervention_id)) for e in entries)
    return views, {k: CalendarEquipment.of(e) for k, e in machines.items()}


async def calendar_view(
    users: UserDirectory,
    technician: Technician,
    entries: tuple[PlanningEntryView, ...],
    equipment: Mapping[UUID, CalendarEquipment],
    period: tuple[datetime, datetime],
    now: datetime,
) -> CalendarView:
    """Call after the unit of work is closed (the directory may open its own)."""
    user = await users.get_user(technician.user_id)
    return CalendarView(
        technician=TechnicianView.of(technician),
        technician_name=user.name if user is not None else "",
        starts_at=period[0],
        ends_at=period[1],
        entries=entries,
        equipment=dict(equipment),
        generated_at=now,
    )
