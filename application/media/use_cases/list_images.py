"""GET /images: filters ``visibility``, ``owner_id``, ``q``; clients and technicians see
public images and their own."""

from __future__ import annotations

from dataclasses import replace

from application.media.commands import ListImagesQuery
from application.media.ports import IMAGE_SORT_FIELDS, MediaUnitOfWork
from application.shared.pagination import Page, PageRequest, Sort
from domain.media.images import Image, sees_every_image
from domain.shared.access import Action, Resource, require

MAX_QUERY_CHARS = 200


class ListImages:
    def __init__(self, uow: MediaUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: ListImagesQuery) -> Page[Image]:
        require(query.actor, Resource.IMAGES, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        sort = Sort.parse(query.sort, IMAGE_SORT_FIELDS, default="-created_at")
        filters = query.filters
        if filters.q is not None:
            filters = replace(filters, q=filters.q.strip()[:MAX_QUERY_CHARS] or None)
        if not sees_every_image(query.actor):
            filters = replace(filters, visible_to=query.actor.user_id)
        async with self._uow as uow:
            items, total = await uow.images.list(
                filters, limit=window.limit, offset=window.offset, sort=sort
            )
        return Page(items=items, total=total, limit=window.limit, offset=window.offset)
