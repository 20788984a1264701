"""GET /planning: entries (optionally of one technician) overlapping [from, to), with their
intervention summary, ordered by start."""

from __future__ import annotations

from application.maintenance.commands import ListPlanningQuery
from application.maintenance.guards import check_period
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.ports import MaintenanceUnitOfWork, ScheduleFilters
from application.maintenance.views import PlanningEntryView
from application.shared.pagination import Page, PageRequest
from domain.shared.access import Action, Resource, require


class ListPlanning:
    def __init__(self, uow: MaintenanceUnitOfWork, policy: MaintenancePolicy) -> None:
        self._uow, self._policy = uow, policy

    async def __call__(self, query: ListPlanningQuery) -> Page[PlanningEntryView]:
        require(query.actor, Resource.PLANNING, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        if query.starts_at is not None and query.ends_at is not None:
            check_period(query.starts_at, query.ends_at, max_days=self._policy.calendar_max_days)
        filters = ScheduleFilters(
            technician_id=query.technician_id,
            ends_after=query.starts_at,
            starts_before=query.ends_at,
        )
        async with self._uow as uow:
            entries, total = await uow.schedule.list(
                filters, limit=window.limit, offset=window.offset
            )
            interventions = await uow.interventions.get_many({e.intervention_id for e in entries})
        return Page(
            items=[PlanningEntryView.of(e, interventions.get(e.intervention_id)) for e in entries],
            total=total,
            limit=window.limit,
            offset=window.offset,
        )
