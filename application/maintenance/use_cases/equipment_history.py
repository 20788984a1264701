"""GET /equipment/{id}/history: its interventions, newest first."""

from __future__ import annotations

from application.maintenance.commands import EquipmentHistoryQuery
from application.maintenance.guards import load_equipment
from application.maintenance.ports import InterventionFilters, MaintenanceUnitOfWork
from application.maintenance.views import InterventionView
from application.shared.clock import Clock
from application.shared.pagination import Page, PageRequest, Sort
from domain.shared.access import Action, Resource, require


class EquipmentHistory:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, query: EquipmentHistoryQuery) -> Page[InterventionView]:
        window = PageRequest.of(query.limit, query.offset)
        now = self._clock.now()
        async with self._uow as uow:
            equipment = await load_equipment(uow, query.actor, query.equipment_id)
            require(query.actor, Resource.INTERVENTIONS, Action.READ)
            items, total = await uow.interventions.list(
                InterventionFilters(equipment_id=equipment.id, now=now),
                limit=window.limit,
                offset=window.offset,
                sort=Sort("created_at", descending=True),
            )
        return Page(
            items=[InterventionView.of(i, now) for i in items],
            total=total,
            limit=window.limit,
            offset=window.offset,
        )
