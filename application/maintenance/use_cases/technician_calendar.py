"""Data of GET /planning/technicians/{id}.ics: the technician's entries in [from, to)."""

from __future__ import annotations

from datetime import timedelta

from application.maintenance.commands import TechnicianCalendarQuery
from application.maintenance.guards import check_period, load_technician
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.ports import MaintenanceUnitOfWork
from application.maintenance.views import CalendarView, PlanningEntryView, TechnicianView
from application.shared.clock import Clock
from domain.shared.access import Action, Resource, require


class GetTechnicianCalendar:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock, policy: MaintenancePolicy) -> None:
        self._uow, self._clock, self._policy = uow, clock, policy

    async def __call__(self, query: TechnicianCalendarQuery) -> CalendarView:
        require(query.actor, Resource.PLANNING, Action.READ)
        now, p = self._clock.now(), self._policy
        start, end = check_period(
            query.starts_at or now - timedelta(days=p.calendar_default_days_before),
            query.ends_at or now + timedelta(days=p.calendar_default_days_after),
            max_days=p.calendar_max_days,
        )
        async with self._uow as uow:
            technician = await load_technician(uow, query.actor, query.technician_id)
            entries = await uow.schedule.overlapping(start, end, technician_id=technician.id)
            interventions = await uow.interventions.get_many({e.intervention_id for e in entries})
        return CalendarView(
            technician=TechnicianView.of(technician),
            starts_at=start,
            ends_at=end,
            entries=tuple(
                PlanningEntryView.of(e, interventions.get(e.intervention_id)) for e in entries
            ),
            generated_at=now,
        )
