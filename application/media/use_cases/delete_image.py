"""DELETE /images/{id}: managers and admins any image, others their own (403 on a public
image of someone else, 404 on a hidden one); 409 ``image_in_use`` while a theme has it as
its cover. The row goes first, then the stored objects (a failed removal is retried by a
job, so no object outlives its row for long)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from application.media.commands import DeleteItemCommand
from application.media.policy import DELETE_BLOB_JOB
from application.media.ports import ENTITY_IMAGE, MediaUnitOfWork
from application.media.use_cases.get_image import load_visible
from application.shared import audit
from application.shared.clock import Clock
from application.shared.jobs import JobQueue
from application.shared.storage import BlobStorage
from domain.shared.access import Action, Resource, require
from domain.shared.errors import Conflict, Forbidden

log = logging.getLogger("atelier.media")


class DeleteImage:
    def __init__(
        self,
        uow: MediaUnitOfWork,
        storage: BlobStorage,
        queue: Callable[[], JobQueue],
        clock: Clock,
    ) -> None:
        self._uow, self._storage, self._queue, self._clock = uow, storage, queue, clock

    async def __call__(self, command: DeleteItemCommand) -> None:
        actor = command.actor
        require(actor, Resource.IMAGES, Action.READ)
        async with self._uow as uow:
            image = await load_visible(uow, actor, command.item_id)
            if not image.deletable_by(actor):
                raise Forbidden("You may delete only your own images.")
            image.check_version(command.expected_version)
            using = await uow.themes.count_using(cover_image_id=image.id)
            if using:
                raise Conflict(
                    f"{using} theme(s) use this image as their cover.",
                    code="image_in_use",
                    extra={"themes": using},
                )
            await uow.images.delete(image.id)
            await audit.record(
                uow, actor=actor, entity_type=ENTITY_IMAGE, entity_id=image.id,
                action="delete", changes={"sha256": (image.sha256, None)}, at=self._clock.now(),
            )  # fmt: skip
            await uow.commit()
        for key in (image.storage_key, image.thumbnail_key):
            if key is not None:
                await remove_blob(self._storage, self._queue, key)


async def remove_blob(storage: BlobStorage, queue: Callable[[], JobQueue], key: str) -> None:
    try:
        await storage.delete(key)
    except Exception:
        log.warning("media: removing %s failed; queued for a retry", key, exc_info=True)
        try:
            await queue().enqueue(DELETE_BLOB_JOB, {"key": key}, key=f"media-delete-{key}")
        except Exception:
            log.exception("media: %s is left in storage", key)
