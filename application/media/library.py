"""``media.image_library``: the published port other modules use (the AI jobs module reads
its callers' images and stores try-on results), see ``application.contracts.media``."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from application.contracts.media import ImageLibrary, LibraryImage
from application.media.intake import ImageIntake
from application.media.ports import MediaUnitOfWork
from application.shared.storage import BlobStorage
from domain.media.images import Visibility
from domain.shared.access import Actor


class MediaImageLibrary(ImageLibrary):
    def __init__(
        self,
        read_uow: Callable[[], MediaUnitOfWork],
        storage: BlobStorage,
        intake: Callable[[], ImageIntake],
    ) -> None:
        self._read_uow, self._storage, self._intake = read_uow, storage, intake

    async def read_for(self, actor: Actor, image_id: UUID) -> LibraryImage | None:
        async with self._read_uow() as uow:
            image = await uow.images.get(image_id)
        if image is None or not image.readable_by(actor):
            return None
        data = bytearray()
        async for chunk in self._storage.get(image.storage_key):
            data += chunk
        return LibraryImage(
            id=image.id,
            owner_id=image.owner_id,
            mime_type=image.mime_type,
            width=image.width,
            height=image.height,
            content=bytes(data),
        )

    async def store_private(
        self, owner_id: UUID, content: bytes, *, title: str | None = None
    ) -> UUID:
        intake = self._intake()
        intake.check_size(len(content))
        intake.admit(content[:8192])
        image = await intake.store(
            content, owner_id=owner_id, visibility=Visibility.PRIVATE, title=title, actor=None
        )
        return image.id
