"""GET /equipment: filters location, type, status, owner_id, maintenance_due, q."""

from __future__ import annotations

from dataclasses import replace

from application.maintenance.commands import ListEquipmentQuery
from application.maintenance.ports import EQUIPMENT_SORT_FIELDS, MaintenanceUnitOfWork
from application.maintenance.views import EquipmentView
from application.shared.clock import Clock
from application.shared.pagination import Page, PageRequest, Sort
from domain.shared.access import Action, Resource, Scope, require

MAX_QUERY_CHARS = 200


class ListEquipment:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, query: ListEquipmentQuery) -> Page[EquipmentView]:
        scope = require(query.actor, Resource.EQUIPMENT, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        sort = Sort.parse(query.sort, EQUIPMENT_SORT_FIELDS, default="name")
        filters = replace(query.filters, now=self._clock.now())
        if filters.q is not None:
            filters = replace(filters, q=filters.q.strip()[:MAX_QUERY_CHARS] or None)
        if scope is Scope.OWN:
            if filters.owner_id not in (None, query.actor.user_id):
                return Page(items=[], total=0, limit=window.limit, offset=window.offset)
            filters = replace(filters, owner_id=query.actor.user_id)
        async with self._uow as uow:
            items, total = await uow.equipment.list(
                filters, limit=window.limit, offset=window.offset, sort=sort
            )
            counts = await uow.interventions.count_by_equipment([e.id for e in items])
        return Page(
            items=[EquipmentView.of(e, counts.get(e.id, 0)) for e in items],
            total=total,
            limit=window.limit,
            offset=window.offset,
        )
