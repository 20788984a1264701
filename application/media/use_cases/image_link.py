"""GET /images/{id}/url: ``{url, expires_at}``; presigned by the storage when it can (S3),
else None and the HTTP edge signs a link to the app's own content route (local storage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from application.media.commands import ItemQuery
from application.media.policy import MediaPolicy
from application.media.ports import MediaUnitOfWork
from application.media.use_cases.get_image import load_visible
from application.shared.clock import Clock
from application.shared.storage import BlobStorage
from domain.shared.access import Action, Resource, require


@dataclass(frozen=True, slots=True)
class ImageLink:
    image_id: object
    presigned_url: str | None
    """None: the storage cannot presign; sign a link to the app instead."""
    expires_at: datetime


class GetImageLink:
    def __init__(
        self, uow: MediaUnitOfWork, storage: BlobStorage, clock: Clock, policy: MediaPolicy
    ) -> None:
        self._uow, self._storage, self._clock, self._policy = uow, storage, clock, policy

    async def __call__(self, query: ItemQuery) -> ImageLink:
        require(query.actor, Resource.IMAGES, Action.READ)
        async with self._uow as uow:
            image = await load_visible(uow, query.actor, query.item_id)
        ttl = self._policy.url_ttl_seconds
        expires_at = self._clock.now().replace(microsecond=0) + timedelta(seconds=ttl)
        url = await self._storage.presigned_url(image.storage_key, expires_in=ttl)
        return ImageLink(image.id, url, expires_at)
