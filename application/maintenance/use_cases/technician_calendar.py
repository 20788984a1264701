"""Data of GET /planning/technicians/{id}.ics: the technician's entries in [from, to)."""

from __future__ import annotations

from application.maintenance.calendars import calendar_period, calendar_view, read_calendar
from application.maintenance.commands import TechnicianCalendarQuery
from application.maintenance.guards import load_technician
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.ports import MaintenanceUnitOfWork, UserDirectory
from application.maintenance.views import CalendarView
from application.shared.clock import Clock
from domain.shared.access import Action, Resource, require


class GetTechnicianCalendar:
    def __init__(
        self,
        uow: MaintenanceUnitOfWork,
        users: UserDirectory,
        clock: Clock,
        policy: MaintenancePolicy,
    ) -> None:
        self._uow, self._users, self._clock, self._policy = uow, users, clock, policy

    async def __call__(self, query: TechnicianCalendarQuery) -> CalendarView:
        require(query.actor, Resource.PLANNING, Action.READ)
        now = self._clock.now()
        period = calendar_period(self._policy, now, query.starts_at, query.ends_at)
        async with self._uow as uow:
            technician = await load_technician(uow, query.actor, query.technician_id)
            entries, equipment = await read_calendar(uow, technician, *period)
        return await calendar_view(self._users, technician, entries, equipment, period, now)
