"""GET /images/{id}: public images, one's own, and all of them for managers and admins;
anything else is 404 (never leak existence)."""

from __future__ import annotations

from uuid import UUID

from application.media.commands import ItemQuery
from application.media.ports import MediaUnitOfWork
from domain.media.images import Image
from domain.shared.access import Action, Actor, Resource, require
from domain.shared.errors import NotFound


async def load_visible(uow: MediaUnitOfWork, actor: Actor | None, image_id: UUID) -> Image:
    """The image when ``actor`` may read it (``None``: a verified signed link)."""
    image = await uow.images.get(image_id)
    if image is None or (actor is not None and not image.readable_by(actor)):
        raise NotFound("No such image.")
    return image


class GetImage:
    def __init__(self, uow: MediaUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: ItemQuery) -> Image:
        require(query.actor, Resource.IMAGES, Action.READ)
        async with self._uow as uow:
            return await load_visible(uow, query.actor, query.item_id)
