"""GET /interventions/{id} (clients: only on their own equipment, others are 404)."""

from __future__ import annotations

from application.maintenance.commands import GetInterventionQuery
from application.maintenance.guards import view_visible_intervention
from application.maintenance.ports import MaintenanceUnitOfWork
from application.maintenance.views import InterventionView
from application.shared.clock import Clock


class GetIntervention:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, query: GetInterventionQuery) -> InterventionView:
        now = self._clock.now()
        async with self._uow as uow:
            return await view_visible_intervention(uow, query.actor, query.intervention_id, now)
