"""GET /technicians: filters available, skill, specialty, level; sorted, paginated."""

from __future__ import annotations

from dataclasses import replace

from application.maintenance.commands import ListTechniciansQuery
from application.maintenance.ports import TECHNICIAN_SORT_FIELDS, MaintenanceUnitOfWork
from application.maintenance.views import TechnicianView
from application.shared.pagination import Page, PageRequest, Sort
from domain.shared.access import Action, Resource, Scope, require


class ListTechnicians:
    def __init__(self, uow: MaintenanceUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: ListTechniciansQuery) -> Page[TechnicianView]:
        scope = require(query.actor, Resource.TECHNICIANS, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        sort = Sort.parse(query.sort, TECHNICIAN_SORT_FIELDS, default="created_at")
        filters = query.filters
        if filters.skill is not None:
            filters = replace(filters, skill=" ".join(filters.skill.split()).lower() or None)
        if scope is Scope.OWN:
            filters = replace(filters, user_id=query.actor.user_id)
        async with self._uow as uow:
            items, total = await uow.technicians.list(
                filters, limit=window.limit, offset=window.offset, sort=sort
            )
        return Page(
            items=[TechnicianView.of(t) for t in items],
            total=total,
            limit=window.limit,
            offset=window.offset,
        )
