"""GET /audit: who changed what and when, newest first (admins and managers)."""

from __future__ import annotations

from dataclasses import dataclass, field

from application.shared.audit import AuditEntry, AuditFilters, AuditTrail, normalised
from application.shared.pagination import Page, PageRequest
from domain.shared.access import Action, Actor, Resource, require


@dataclass(frozen=True, slots=True, kw_only=True)
class ListAuditQuery:
    actor: Actor
    filters: AuditFilters = field(default_factory=AuditFilters)
    limit: int | None = None
    offset: int | None = None


class ListAudit:
    def __init__(self, trail: AuditTrail) -> None:
        self._trail = trail

    async def __call__(self, query: ListAuditQuery) -> Page[AuditEntry]:
        require(query.actor, Resource.AUDIT, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        items, total = await self._trail.list(
            query.filters, limit=window.limit, offset=window.offset
        )
        return Page(
            items=[normalised(e) for e in items],
            total=total,
            limit=window.limit,
            offset=window.offset,
        )
