"""A page of users, for admins and managers; the others read only themselves, by id."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from application.identity.ports import USER_SORT_FIELDS, IdentityUnitOfWork, UserFilters
from application.identity.views import UserView
from application.shared.pagination import Page, PageRequest, Sort
from domain.shared.access import Action, Actor, Resource, Scope, require
from domain.shared.errors import Forbidden

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
        if require(query.actor, Resource.USERS, Action.READ) is not Scope.ALL:
            raise Forbidden("Only administrators and managers may list users.")
        window = PageRequest.of(query.limit, query.offset)
        sort = Sort.parse(query.sort, USER_SORT_FIELDS, default="created_at")
        filters = query.filters
        if filters.q is not None:
            q = filters.q.strip()[:MAX_QUERY_CHARS]
            filters = replace(filters, q=q or None)
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
