"""GET /interventions: filters status, priority, type, equipment_id, technician_id, overdue,
q, created_from, created_to; clients see only their own equipment's interventions."""

from __future__ import annotations

from dataclasses import replace

from application.maintenance.commands import ListInterventionsQuery
from application.maintenance.ports import INTERVENTION_SORT_FIELDS, MaintenanceUnitOfWork
from application.maintenance.views import InterventionView
from application.shared.clock import Clock
from application.shared.pagination import Page, PageRequest, Sort
from domain.shared.access import Action, Resource, Scope, require

MAX_QUERY_CHARS = 200


class ListInterventions:
    def __init__(self, uow: MaintenanceUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, query: ListInterventionsQuery) -> Page[InterventionView]:
        scope = require(query.actor, Resource.INTERVENTIONS, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        sort = Sort.parse(query.sort, INTERVENTION_SORT_FIELDS, default="-created_at")
        now = self._clock.now()
        filters = replace(query.filters, now=now)
        if filters.q is not None:
            filters = replace(filters, q=filters.q.strip()[:MAX_QUERY_CHARS] or None)
        if scope is Scope.OWN:
            filters = replace(filters, equipment_owner_id=query.actor.user_id)
        async with self._uow as uow:
            items, total = await uow.interventions.list_views(
                filters, limit=window.limit, offset=window.offset, sort=sort, now=now
            )
        return Page(
            items=list(items),
            total=total,
            limit=window.limit,
            offset=window.offset,
        )
