"""GET /playbooks: the caller's playbooks (every playbook for an administrator), ``q`` a
case-insensitive substring of the name."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.automation.ports import (
    PLAYBOOK_SORT_FIELDS,
    AutomationUnitOfWork,
    PlaybookFilters,
)
from application.automation.views import PlaybookView
from application.shared.pagination import Page, PageRequest, Sort
from domain.shared.access import Action, Actor, Resource, Scope, require

MAX_QUERY_CHARS = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class ListPlaybooksQuery:
    actor: Actor
    q: str | None = None
    owner_id: UUID | None = None
    limit: int | None = None
    offset: int | None = None
    sort: str | None = None


class ListPlaybooks:
    def __init__(self, uow: AutomationUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: ListPlaybooksQuery) -> Page[PlaybookView]:
        scope = require(query.actor, Resource.PLAYBOOKS, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        sort = Sort.parse(query.sort, PLAYBOOK_SORT_FIELDS, default="-updated_at")
        q = (query.q or "").strip()[:MAX_QUERY_CHARS] or None
        owner = query.owner_id
        if scope is not Scope.ALL:
            if owner not in (None, query.actor.user_id):
                return Page(items=[], total=0, limit=window.limit, offset=window.offset)
            owner = query.actor.user_id
        async with self._uow as uow:
            items, total = await uow.playbooks.list(
                PlaybookFilters(owner_id=owner, q=q),
                limit=window.limit,
                offset=window.offset,
                sort=sort,
            )
        return Page(
            items=[PlaybookView.of(p) for p in items],
            total=total,
            limit=window.limit,
            offset=window.offset,
        )
