"""How an image gets in: judged from its bytes, cleaned, stored, recorded, thumbnailed.

1. The first bytes name the format (magic numbers): anything but PNG, JPEG, WebP or GIF is
   refused before the rest of the upload is read (415).
2. The header gives width, height and frame count without decoding a pixel: past the pixel
   limit the upload is refused (422 ``image_too_large``), from the first bytes when the
   header is in them, else once the file is in.
3. The stored copy is rewritten without metadata (``ImageCodec.sanitize``: EXIF with its GPS
   tags, XMP, IPTC, comments; a JPEG keeps its orientation as its only EXIF tag) and without
   anything after the image's end; its SHA-256 and size are those of the stored bytes.
4. The bytes go to the BlobStorage port, then the row is committed; if the commit fails the
   object is removed, so there is never an object without its row or a row without its object.
5. The thumbnail job is queued (unique per image); if the queue is down the image is kept and
   the first ``?size=thumb`` request queues it again.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, AsyncIterator, Callable
from uuid import UUID

from application.media.policy import THUMBNAIL_JOB, MediaPolicy, image_key
from application.media.ports import ENTITY_IMAGE, ImageCodec, MediaUnitOfWork
from application.shared import audit
from application.shared.clock import Clock
from application.shared.jobs import JobQueue
from application.shared.storage import BlobStorage
from domain.media.images import Image, Visibility, check_dimensions
from domain.shared.access import Actor
from domain.shared.errors import FieldError, ValidationFailed

log = logging.getLogger("atelier.media")

_AUDITED = ("title", "format", "width", "height", "size", "sha256", "visibility", "owner_id")


class ImageIntake:
    def __init__(
        self,
        uow: MediaUnitOfWork,
        storage: BlobStorage,
        codec: ImageCodec,
        queue: Callable[[], JobQueue],
        clock: Clock,
        policy: MediaPolicy,
    ) -> None:
        self._uow, self._storage, self._codec = uow, storage, codec
        self._queue, self._clock, self._policy = queue, clock, policy

    def admit(self, head: bytes) -> None:
        """Judge the first bytes: 415 for another format, 422 when the header already shows
        too many pixels. Silent when the header is not complete yet."""
        probe = self._codec.probe(head, complete=False)
        if probe is not None:
            check_dimensions(probe, self._policy.max_pixels)

    def check_size(self, size: int) -> None:
        """422 ``payload_too_large`` past the byte limit (the HTTP edge answers 413 first,
        while streaming; this guards the other modules' ``store_private``)."""
        if size > self._policy.max_bytes:
            raise ValidationFailed(
                f"The image is larger than {self._policy.max_bytes} bytes.",
                code="payload_too_large",
                errors=[FieldError("file", "too large")],
            )

    async def read_all(self, chunks: AsyncIterable[bytes]) -> bytes:
        data = bytearray()
        async for chunk in chunks:
            data += chunk
            self.check_size(len(data))
        return bytes(data)

    async def store(
        self,
        data: bytes,
        *,
        owner_id: UUID,
        visibility: Visibility,
        title: str | None,
        actor: Actor | None,
    ) -> Image:
        title = Image.clean_title(title)
        probe = await self._codec.examine(data)
        check_dimensions(probe, self._policy.max_pixels)
        clean = await self._codec.sanitize(data, probe)
        image_id = Image.new_id()
        key = image_key(image_id)

        async def one() -> AsyncIterator[bytes]:
            yield clean

        blob = await self._storage.put(key, one(), content_type=probe.format.mime_type)
        now = self._clock.now()
        image = Image(
            id=image_id,
            title=title,
            format=probe.format,
            width=probe.width,
            height=probe.height,
            size=blob.size,
            sha256=blob.sha256,
            visibility=visibility,
            owner_id=owner_id,
            storage_key=key,
            created_at=now,
            updated_at=now,
        )
        try:
            async with self._uow as uow:
                await uow.images.add(image)
                await audit.record(
                    uow, actor=actor, entity_type=ENTITY_IMAGE, entity_id=image.id,
                    action="create", changes=audit.created(audit.fields_of(image, _AUDITED)),
                    at=now,
                )  # fmt: skip
                await uow.commit()
        except BaseException:
            try:
                await self._storage.delete(key)
            except Exception:
                log.exception("media: could not remove %s after a failed upload", key)
            raise
        await queue_thumbnail(self._queue, image.id)
        return image


async def queue_thumbnail(queue: Callable[[], JobQueue], image_id: UUID) -> None:
    """Queue the thumbnail job once per image; a queue that is down is logged, not fatal."""
    try:
        await queue().enqueue(
            THUMBNAIL_JOB, {"image_id": str(image_id)}, key=f"media-thumbnail-{image_id}"
        )
    except Exception:
        log.warning("media: could not queue the thumbnail of %s", image_id, exc_info=True)
