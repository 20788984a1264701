"""The ``media.make_thumbnail`` job: a WebP of 256 px on the long side, stored next to the
image. Idempotent: an image that has one, or no longer exists, is left alone. An image that
cannot be decoded (it passed the upload's structural checks, which decode nothing) is marked
``thumbnail_failed``: a lasting answer, not a retry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

from application.media.policy import MediaPolicy, thumbnail_key
from application.media.ports import ImageCodec, MediaUnitOfWork
from application.shared.clock import Clock
from application.shared.storage import BlobStorage
from domain.media.images import THUMBNAIL_LONG_SIDE, ImageTooLarge, InvalidImage
from domain.shared.errors import PreconditionFailed


class MakeThumbnail:
    def __init__(
        self,
        uow: MediaUnitOfWork,
        storage: BlobStorage,
        codec: ImageCodec,
        clock: Clock,
        policy: MediaPolicy,
    ) -> None:
        self._uow, self._storage, self._codec = uow, storage, codec
        self._clock, self._policy = clock, policy

    async def __call__(self, image_id: UUID) -> str | None:
        """The thumbnail's key, or None when the image is gone."""
        async with self._uow as uow:
            image = await uow.images.get(image_id)
        if image is None:
            return None
        if image.thumbnail_key is not None:
            return image.thumbnail_key
        data = bytearray()
        async for chunk in self._storage.get(image.storage_key):
            data += chunk
        try:
            thumb = await self._codec.thumbnail(
                bytes(data), long_side=THUMBNAIL_LONG_SIDE, max_pixels=self._policy.max_pixels
            )
        except (InvalidImage, ImageTooLarge):
            await self._mark_failed(image_id)
            return None
        key = thumbnail_key(image_id)

        async def one() -> AsyncIterator[bytes]:
            yield thumb

        await self._storage.put(key, one(), content_type="image/webp")
        return await self._record(image_id, key)

    async def _mark_failed(self, image_id: UUID) -> None:
        async with self._uow as uow:
            current = await uow.images.get(image_id)
            if current is None or current.thumbnail_failed:
                return
            loaded = current.version
            current.thumbnail_impossible(self._clock.now())
            try:
                await uow.images.save(current, expected_version=loaded)
            except PreconditionFailed:
                return
            await uow.commit()

    async def _record(self, image_id: UUID, key: str) -> str | None:
        async with self._uow as uow:
            current = await uow.images.get(image_id)
            if current is None:  # deleted meanwhile
                await self._storage.delete(key)
                return None
            loaded = current.version
            current.thumbnail_made(key, self._clock.now())
            try:
                await uow.images.save(current, expected_version=loaded)
            except PreconditionFailed:
                return key
            await uow.commit()
        return key
