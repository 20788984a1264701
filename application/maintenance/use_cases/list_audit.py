"""GET /audit: who changed what and when, newest first (admins and managers)."""

from __future__ import annotations

from application.maintenance.audit import normalised
from application.maintenance.commands import ListAuditQuery
from application.maintenance.ports import AuditEntry, MaintenanceUnitOfWork
from application.shared.pagination import Page, PageRequest
from domain.shared.access import Action, Resource, require


class ListAudit:
    def __init__(self, uow: MaintenanceUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: ListAuditQuery) -> Page[AuditEntry]:
        require(query.actor, Resource.AUDIT, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        async with self._uow as uow:
            items, total = await uow.audit.list(
                query.filters, limit=window.limit, offset=window.offset
            )
        return Page(
            items=[normalised(e) for e in items],
            total=total,
            limit=window.limit,
            offset=window.offset,
        )
