"""GET /themes: filters ``category_id``, ``color_id``, ``q``."""

from __future__ import annotations

from dataclasses import replace

from application.media.commands import ListThemesQuery
from application.media.ports import NAMED_SORT_FIELDS, MediaUnitOfWork
from application.shared.pagination import Page, PageRequest, Sort
from domain.media.catalogue import Theme
from domain.shared.access import Action, Resource, require

MAX_QUERY_CHARS = 200


class ListThemes:
    def __init__(self, uow: MediaUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: ListThemesQuery) -> Page[Theme]:
        require(query.actor, Resource.THEMES, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        sort = Sort.parse(query.sort, NAMED_SORT_FIELDS, default="name")
        filters = query.filters
        if filters.q is not None:
            filters = replace(filters, q=filters.q.strip()[:MAX_QUERY_CHARS] or None)
        async with self._uow as uow:
            items, total = await uow.themes.list(
                filters, limit=window.limit, offset=window.offset, sort=sort
            )
        return Page(items=items, total=total, limit=window.limit, offset=window.offset)
