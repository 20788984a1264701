"""The media use cases and the published ``media.image_library`` port on the memory twins
(memory store, memory storage, the in-process job queue)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.contracts.media import ImageLibrary
from application.identity.use_cases.create_user import CreateUserCommand
from application.media.commands import (
    DeleteItemCommand,
    ImageContentQuery,
    ItemQuery,
    UploadImageCommand,
)
from application.media.policy import DELETE_BLOB_JOB, THUMBNAIL_JOB
from application.shared.jobs import JobState
from domain.media.images import ImageTooLarge, InvalidImage, UnsupportedImageType, Visibility
from domain.shared.access import Actor, Role
from domain.shared.errors import NotFound, ValidationFailed
from entrypoints.bootstrap.container import published_port, shutdown, start
from tests.e2e.conftest import make_container
from tests.e2e.media.images import jpeg_with_gps, png, png_bomb, png_undecodable

SYSTEM = Actor(user_id=UUID(int=0), role=Role.ADMIN)


@pytest.fixture
async def container(tmp_path: Path) -> AsyncIterator[Any]:
    built = make_container(tmp_path, queue="memory", image_max_pixels=1_000_000)
    await start(built)
    try:
        yield built
    finally:
        await shutdown(built)


async def user(container: Any, role: Role) -> Actor:
    view = await container.identity.create_user()(
        CreateUserCommand(
            actor=SYSTEM, email=f"{role.value}-{uuid4().hex[:12]}@example.com",
            password="violet-sunrise-42-lantern", first_name="A", last_name="B", role=role,
        )
    )  # fmt: skip
    return Actor(user_id=view.id, role=role)


async def chunks(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start_at in range(0, len(data), size):
        yield data[start_at : start_at + size]


def command(actor: Actor, data: bytes, **fields: str) -> UploadImageCommand:
    return UploadImageCommand(actor=actor, head=data[:8192], chunks=chunks(data), fields=fields)


async def stored_keys(container: Any) -> Iterable[str]:
    objects: dict[str, Any] = container.storage()._objects  # the memory adapter's objects
    return list(objects)


async def test_upload_queues_the_thumbnail_job_and_the_job_makes_it(container: Any) -> None:
    client = await user(container, Role.CLIENT)
    image = await container.media.upload_image()(command(client, jpeg_with_gps(), title="Me"))
    assert image.visibility is Visibility.PRIVATE
    assert image.title == "Me"
    queue = container.job_queue()
    job = await queue.get(f"media-thumbnail-{image.id}")
    assert job is not None
    assert job.name == THUMBNAIL_JOB
    assert job.state is JobState.QUEUED
    with pytest.raises(NotFound) as caught:
        await container.media.image_content()(
            ImageContentQuery(actor=client, image_id=image.id, thumbnail=True)
        )
    assert caught.value.code == "thumbnail_not_ready"
    key = await container.media.make_thumbnail()(image.id)
    assert key == f"media/thumbnails/{image.id}.webp"
    assert await container.media.make_thumbnail()(image.id) == key  # idempotent
    found = await container.media.image_content()(
        ImageContentQuery(actor=client, image_id=image.id, thumbnail=True)
    )
    assert (found.key, found.mime_type) == (key, "image/webp")


async def test_refused_uploads_store_nothing(container: Any) -> None:
    manager = await user(container, Role.MANAGER)
    upload = container.media.upload_image()
    with pytest.raises(UnsupportedImageType):
        await upload(command(manager, b"%PDF-1.7 " * 20))
    with pytest.raises(ImageTooLarge):
        await upload(command(manager, png((2000, 1000))))
    with pytest.raises(ImageTooLarge):
        await upload(command(manager, png_bomb()))
    with pytest.raises(InvalidImage):
        await upload(command(manager, png()[:50]))
    with pytest.raises(ValidationFailed) as caught:
        await upload(command(manager, png(), title="x" * 300))
    assert caught.value.errors[0].field == "title"
    assert await stored_keys(container) == []


async def test_the_published_port_honours_visibility(container: Any) -> None:
    library: ImageLibrary = published_port(container, "media.image_library")()
    owner = await user(container, Role.CLIENT)
    stranger = await user(container, Role.CLIENT)
    manager = await user(container, Role.MANAGER)
    image_id = await library.store_private(owner.user_id, jpeg_with_gps(), title="try-on")
    meta = await container.media.get_image()(ItemQuery(actor=owner, item_id=image_id))
    assert meta.visibility is Visibility.PRIVATE
    assert meta.owner_id == owner.user_id
    read = await library.read_for(owner, image_id)
    assert read is not None
    assert (read.mime_type, read.width, read.height) == ("image/jpeg", 64, 48)
    assert b"SecretCam" not in read.content
    assert await library.read_for(stranger, image_id) is None
    assert await library.read_for(manager, image_id) is not None
    assert await library.read_for(owner, UUID(int=5)) is None
    with pytest.raises(ValidationFailed):
        await library.store_private(owner.user_id, b"not an image at all")


async def test_delete_removes_row_and_objects_and_retries_a_failed_removal(
    container: Any,
) -> None:
    owner = await user(container, Role.TECHNICIAN)
    image = await container.media.upload_image()(command(owner, png()))
    await container.media.make_thumbnail()(image.id)
    storage = container.storage()
    assert len(list(await stored_keys(container))) == 2

    failing = {"on": True}
    real_delete = storage.delete

    async def delete(key: str) -> None:
        if failing["on"]:
            raise OSError("storage down")
        await real_delete(key)

    storage.delete = delete
    try:
        await container.media.delete_image()(DeleteItemCommand(actor=owner, item_id=image.id))
    finally:
        storage.delete = real_delete
    with pytest.raises(NotFound):
        await container.media.get_image()(ItemQuery(actor=owner, item_id=image.id))
    queue = container.job_queue()
    retry = await queue.get(f"media-delete-{image.storage_key}")
    assert retry is not None
    assert retry.name == DELETE_BLOB_JOB


class _Context:
    job_id, attempt, max_attempts = "job", 1, 1

    async def progress(self, percent: int) -> None:
        return None

    async def cancelled(self) -> bool:
        return False


async def test_the_registered_jobs_make_thumbnails_and_remove_objects(container: Any) -> None:
    owner = await user(container, Role.CLIENT)
    image = await container.media.upload_image()(command(owner, png((300, 600))))
    jobs = container.job_registry().definitions
    result = await jobs[THUMBNAIL_JOB].run(_Context(), {"image_id": str(image.id)})
    assert result == {"thumbnail_key": f"media/thumbnails/{image.id}.webp"}
    assert len(list(await stored_keys(container))) == 2
    await jobs[DELETE_BLOB_JOB].run(_Context(), {"key": image.storage_key})
    assert list(await stored_keys(container)) == [f"media/thumbnails/{image.id}.webp"]


async def test_an_undecodable_image_gets_no_thumbnail_for_good(container: Any) -> None:
    owner = await user(container, Role.CLIENT)
    image = await container.media.upload_image()(command(owner, png_undecodable()))
    assert await container.media.make_thumbnail()(image.id) is None
    stored = await container.media.get_image()(ItemQuery(actor=owner, item_id=image.id))
    assert stored.thumbnail_failed
    assert stored.thumbnail_key is None
    with pytest.raises(NotFound) as caught:
        await container.media.image_content()(
            ImageContentQuery(actor=owner, image_id=image.id, thumbnail=True)
        )
    assert caught.value.code == "thumbnail_unavailable"
    original = await container.media.image_content()(
        ImageContentQuery(actor=owner, image_id=image.id)
    )
    assert original.mime_type == "image/png"
