"""GET /technicians/{id}/availability: busy entries and free working windows in [from, to)."""

from __future__ import annotations

from application.maintenance.commands import TechnicianAvailabilityQuery
from application.maintenance.guards import check_period, load_technician
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.ports import MaintenanceUnitOfWork
from application.maintenance.views import AvailabilityView, PlanningEntryView, TimeWindowView
from domain.maintenance.scheduling import availability


class GetTechnicianAvailability:
    def __init__(self, uow: MaintenanceUnitOfWork, policy: MaintenancePolicy) -> None:
        self._uow, self._policy = uow, policy

    async def __call__(self, query: TechnicianAvailabilityQuery) -> AvailabilityView:
        start, end = check_period(
            query.starts_at, query.ends_at, max_days=self._policy.availability_max_days
        )
        async with self._uow as uow:
            technician = await load_technician(uow, query.actor, query.technician_id)
            entries = await uow.schedule.overlapping(start, end, technician_id=technician.id)
            interventions = await uow.interventions.get_many({e.intervention_id for e in entries})
        result = availability(technician, entries, start, end)
        return AvailabilityView(
            technician_id=technician.id,
            starts_at=result.starts_at,
            ends_at=result.ends_at,
            available=result.available,
            busy=tuple(
                PlanningEntryView.of(e, interventions.get(e.intervention_id)) for e in result.busy
            ),
            free=tuple(
                TimeWindowView(starts_at=w.starts_at, ends_at=w.ends_at) for w in result.free
            ),
        )
