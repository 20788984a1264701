"""GET /images/{id}/content (``?size=thumb`` for the thumbnail) and the facts of
GET /images/{id}/url.

The thumbnail is made by a job after the upload; until it exists the answer is 404
``thumbnail_not_ready`` (with ``retry_after``), and asking queues the job again in case it
was lost (the job is unique per image, so this never makes two). When the job found the
image undecodable the answer is 404 ``thumbnail_unavailable`` for good."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application.media.commands import ImageContentQuery
from application.media.intake import queue_thumbnail
from application.media.ports import MediaUnitOfWork
from application.media.use_cases.get_image import load_visible
from application.shared.jobs import JobQueue
from domain.media.images import Image
from domain.shared.access import Action, Resource, require
from domain.shared.errors import NotFound

THUMBNAIL_RETRY_AFTER_SECONDS = 2


@dataclass(frozen=True, slots=True)
class ImageContent:
    image: Image
    key: str
    """The storage key to stream."""
    mime_type: str


class GetImageContent:
    def __init__(self, uow: MediaUnitOfWork, queue: Callable[[], JobQueue]) -> None:
        self._uow, self._queue = uow, queue

    async def __call__(self, query: ImageContentQuery) -> ImageContent:
        if query.actor is not None:
            require(query.actor, Resource.IMAGES, Action.READ)
        async with self._uow as uow:
            image = await load_visible(uow, query.actor, query.image_id)
        if not query.thumbnail:
            return ImageContent(image, image.storage_key, image.mime_type)
        if image.thumbnail_failed:
            raise NotFound(
                "No thumbnail can be made of this image (it cannot be decoded).",
                code="thumbnail_unavailable",
            )
        if image.thumbnail_key is None:
            await queue_thumbnail(self._queue, image.id)
            raise NotFound(
                "The thumbnail is being made; try again shortly.",
                code="thumbnail_not_ready",
                extra={"retry_after": THUMBNAIL_RETRY_AFTER_SECONDS},
            )
        return ImageContent(image, image.thumbnail_key, "image/webp")
