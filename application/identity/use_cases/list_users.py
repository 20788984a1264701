"""A page of users: everyone for admins and managers, only oneself for the others."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from application.identity.ports import USER_SORT_FIELDS, IdentityUnitOfWork, UserFilters
from application.identity.views import UserView
from application.shared.pagination import Page, PageRequest, Sort
from domain.shared.access import Action, Actor, Resource, Scope, require

MAX_QUERY_CHARS = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class ListUsersQuery:
    actor: Actor
    filters: UserFilters = field(default_factory=UserFilters)
    limit: int | None = None
    offset: int | None = None
    sort: str | None = None


class ListUsers:
    def __init__(self, uow: IdentityUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: ListUsersQuery) -> Page[UserView]:
        scope = require(query.actor, Resource.USERS, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        sort = Sort.parse(query.sort, USER_SORT_FIELDS, default="created_at")
        filters = query.filters
        if filters.q is not None:
            q = filters.q.strip()[:MAX_QUERY_CHARS]
            filters = replace(filters, q=q or None)
        if scope is Scope.OWN:
            if filters.user_id not in (None, query.actor.user_id):
                return Page(items=[], total=0, limit=window.limit, offset=window.offset)
            filters = replace(filters, user_id=query.actor.user_id)
        async with self._uow as uow:
            users, total = await uow.users.list(
                filters, limit=window.limit, offset=window.offset, sort=sort
            )
        return Page(
            items=[UserView.of(u) for u in users],
            total=total,
            limit=window.limit,
            offset=window.offset,
        )
