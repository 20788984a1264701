"""The media library's part of the composition root: its settings section, its container
and its spec (``MODULE``, registered in ``registry.py``).

It publishes the ``media.image_library`` port (``application.contracts.media``) and runs two
jobs: ``media.make_thumbnail`` (queued after each upload) and ``media.delete_blob`` (retries
the removal of a deleted image's stored objects).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from dependency_injector import containers, providers

from adapters.images.pillow import PillowImageCodec
from adapters.persistence.memory.media import MemoryMediaUnitOfWork
from application.media.catalogue import CATEGORIES, COLORS, THEMES
from application.media.intake import ImageIntake
from application.media.library import MediaImageLibrary
from application.media.policy import DELETE_BLOB_JOB, THUMBNAIL_JOB, MediaPolicy
from application.media.use_cases.create_category import CreateCategory
from application.media.use_cases.create_color import CreateColor
from application.media.use_cases.create_theme import CreateTheme
from application.media.use_cases.delete_image import DeleteImage
from application.media.use_cases.delete_item import DeleteItem
from application.media.use_cases.get_image import GetImage
from application.media.use_cases.get_item import GetItem
from application.media.use_cases.image_content import GetImageContent
from application.media.use_cases.image_link import GetImageLink
from application.media.use_cases.list_images import ListImages
from application.media.use_cases.list_named import ListNamed
from application.media.use_cases.list_themes import ListThemes
from application.media.use_cases.make_thumbnail import MakeThumbnail
from application.media.use_cases.update_item import UpdateItem
from application.media.use_cases.upload_image import UploadImage
from application.shared.jobs import JobContext, JobDefinition, Json, Payload
from entrypoints.bootstrap.module import ModuleSpec

MIB = 1024 * 1024


class MediaSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The media module's ``ATELIER_*`` variables."""

    image_max_bytes: int = 20 * MIB
    image_max_pixels: int = 40_000_000
    image_url_ttl_seconds: int = 900

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not 1024 <= self.image_max_bytes <= 1024 * MIB:
            problems.append("ATELIER_IMAGE_MAX_BYTES must be between 1024 and 1073741824")
        if not 1 <= self.image_max_pixels <= 1_000_000_000:
            problems.append("ATELIER_IMAGE_MAX_PIXELS must be between 1 and 1000000000")
        if not 10 <= self.image_url_ttl_seconds <= 7 * 24 * 3600:
            problems.append("ATELIER_IMAGE_URL_TTL_SECONDS must be between 10 and 604800")
        if problems:
            raise msgspec.ValidationError("; ".join(problems))


def _policy(config: MediaSettings) -> MediaPolicy:
    return MediaPolicy(
        max_bytes=config.image_max_bytes,
        max_pixels=config.image_max_pixels,
        url_ttl_seconds=config.image_url_ttl_seconds,
    )


def _jobs(container: Any) -> list[JobDefinition]:
    async def make_thumbnail(ctx: JobContext, payload: Payload) -> Json:
        key = await container.make_thumbnail()(UUID(str(payload["image_id"])))
        return {"thumbnail_key": key}

    async def delete_blob(ctx: JobContext, payload: Payload) -> Json:
        await container.storage().delete(str(payload["key"]))
        return None

    return [
        JobDefinition(THUMBNAIL_JOB, make_thumbnail, retries=3, timeout_seconds=120),
        JobDefinition(DELETE_BLOB_JOB, delete_blob, retries=8, retry_delay_seconds=5.0),
    ]


def _sql_uow(database: Any, publisher: Any, signal: Any, read_only: bool = False) -> Any:
    from adapters.persistence.sqlalchemy.media import SqlMediaUnitOfWork

    return SqlMediaUnitOfWork(database, publisher, read_only=read_only, outbox_signal=signal)


def _memory_uow(store: Any, publisher: Any, signal: Any) -> Any:
    return MemoryMediaUnitOfWork(store, publisher, outbox_signal=signal)


class MediaContainer(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    config = providers.Dependency(instance_of=MediaSettings)

    clock = platform.clock
    storage = platform.storage
    job_queue = platform.job_queue
    event_bus = platform.event_bus
    database = platform.database
    persistence_kind = platform.persistence_kind

    policy = providers.Singleton(_policy, config)
    codec = providers.Singleton(PillowImageCodec)

    _sql = providers.Factory(_sql_uow, database, event_bus, platform.outbox_signal)
    _memory = providers.Factory(_memory_uow, database, event_bus, platform.outbox_signal)
    uow = providers.Selector(persistence_kind, sqlite=_sql, postgres=_sql, memory=_memory)
    _sql_read = providers.Factory(
        _sql_uow, database, event_bus, platform.outbox_signal, read_only=True
    )
    read_uow = providers.Selector(
        persistence_kind, sqlite=_sql_read, postgres=_sql_read, memory=_memory
    )

    intake = providers.Factory(ImageIntake, uow, storage, codec, job_queue.provider, clock, policy)

    # -- use cases -----------------------------------------------------------------------------
    create_category = providers.Factory(CreateCategory, uow, clock)
    list_categories = providers.Factory(ListNamed, read_uow, CATEGORIES)
    get_category = providers.Factory(GetItem, read_uow, CATEGORIES)
    update_category = providers.Factory(UpdateItem, uow, clock, CATEGORIES)
    delete_category = providers.Factory(DeleteItem, uow, clock, CATEGORIES)

    create_color = providers.Factory(CreateColor, uow, clock)
    list_colors = providers.Factory(ListNamed, read_uow, COLORS)
    get_color = providers.Factory(GetItem, read_uow, COLORS)
    update_color = providers.Factory(UpdateItem, uow, clock, COLORS)
    delete_color = providers.Factory(DeleteItem, uow, clock, COLORS)

    create_theme = providers.Factory(CreateTheme, uow, clock)
    list_themes = providers.Factory(ListThemes, read_uow)
    get_theme = providers.Factory(GetItem, read_uow, THEMES)
    update_theme = providers.Factory(UpdateItem, uow, clock, THEMES)
    delete_theme = providers.Factory(DeleteItem, uow, clock, THEMES)

    upload_image = providers.Factory(UploadImage, intake)
    list_images = providers.Factory(ListImages, read_uow)
    get_image = providers.Factory(GetImage, read_uow)
    delete_image = providers.Factory(DeleteImage, uow, storage, job_queue.provider, clock)
    image_content = providers.Factory(GetImageContent, read_uow, job_queue.provider)
    image_link = providers.Factory(GetImageLink, read_uow, storage, clock, policy)
    make_thumbnail = providers.Factory(MakeThumbnail, uow, storage, codec, clock, policy)

    # -- the published port (application.contracts.media) --------------------------------------
    image_library = providers.Factory(
        MediaImageLibrary, read_uow.provider, storage, intake.provider
    )


MODULE = ModuleSpec(
    name="media",
    container=MediaContainer,
    settings=MediaSettings,
    tables="adapters.persistence.sqlalchemy.media.tables",
    exports={"image_library": "image_library"},
    jobs=_jobs,
)
