"""GET /categories, GET /colors: a page, filter ``q``, sort by name (default) or dates."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from application.media.catalogue import Kind, repository
from application.media.commands import ListNamedQuery
from application.media.ports import NAMED_SORT_FIELDS, MediaUnitOfWork
from application.shared.pagination import Page, PageRequest, Sort
from domain.shared.access import Action, require

MAX_QUERY_CHARS = 200


class ListNamed:
    def __init__(self, uow: MediaUnitOfWork, kind: Kind) -> None:
        self._uow, self._kind = uow, kind

    async def __call__(self, query: ListNamedQuery) -> Page[Any]:
        require(query.actor, self._kind.resource, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        sort = Sort.parse(query.sort, NAMED_SORT_FIELDS, default="name")
        filters = query.filters
        if filters.q is not None:
            filters = replace(filters, q=filters.q.strip()[:MAX_QUERY_CHARS] or None)
        async with self._uow as uow:
            items, total = await repository(uow, self._kind).list(
                filters, limit=window.limit, offset=window.offset, sort=sort
            )
        return Page(items=items, total=total, limit=window.limit, offset=window.offset)
