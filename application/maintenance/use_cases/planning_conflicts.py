"""GET /planning/conflicts: overlapping entries of each technician in [from, to)."""

from __future__ import annotations

from datetime import timedelta

from application.maintenance.commands import PlanningConflictsQuery
from application.maintenance.guards import check_period
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.ports import MaintenanceUnitOfWork
from application.maintenance.views import ConflictView, PlanningEntryView
from application.shared.clock import Clock
from domain.maintenance.scheduling import overlapping_pairs
from domain.shared.access import Action, Resource, require


class PlanningConflicts:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock, policy: MaintenancePolicy) -> None:
        self._uow, self._clock, self._policy = uow, clock, policy

    async def __call__(self, query: PlanningConflictsQuery) -> tuple[ConflictView, ...]:
        require(query.actor, Resource.PLANNING, Action.READ)
        now, p = self._clock.now(), self._policy
        start, end = check_period(
            query.starts_at or now - timedelta(days=p.calendar_default_days_before),
            query.ends_at or now + timedelta(days=p.calendar_default_days_after),
            max_days=p.calendar_max_days,
        )
        async with self._uow as uow:
            entries = await uow.schedule.overlapping(start, end)
            interventions = await uow.interventions.get_many({e.intervention_id for e in entries})
        return tuple(
            ConflictView(
                technician_id=a.technician_id,
                first=PlanningEntryView.of(a, interventions.get(a.intervention_id)),
                second=PlanningEntryView.of(b, interventions.get(b.intervention_id)),
            )
            for a, b in overlapping_pairs(entries)
        )
