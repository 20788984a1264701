"""An in-memory twin of the media module's ``ImageLibrary`` port (tests, and the AI jobs
module's fallback while no media module is installed).

Rules, as the media module states them in its contract: an image is readable by its owner,
and by everybody when it is not private; ``read_for`` answers None for a missing *or*
hidden image. ``store_private`` accepts only bytes Pillow can decode as PNG, JPEG or WebP.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from uuid import UUID

from PIL import Image, UnidentifiedImageError

from application.contracts.media import ImageLibrary, LibraryImage
from domain.shared.access import Actor, Role
from domain.shared.errors import FieldError, ValidationFailed
from domain.shared.ids import new_id

_MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


@dataclass(frozen=True, slots=True)
class _Stored:
    image: LibraryImage
    private: bool
    title: str | None


class MemoryImageLibrary(ImageLibrary):
    def __init__(self) -> None:
        self.images: dict[UUID, _Stored] = {}

    @staticmethod
    def _inspect(content: bytes) -> tuple[str, int, int]:
        try:
            with Image.open(io.BytesIO(content)) as image:
                image.verify()
                kind, size = image.format or "", image.size
        except (UnidentifiedImageError, OSError, ValueError):
            kind, size = "", (0, 0)
        if kind not in _MIME:
            raise ValidationFailed(
                "Not a PNG, JPEG or WebP image.",
                code="unsupported_media_type",
                errors=[FieldError("file", "not a PNG, JPEG or WebP image")],
            )
        return _MIME[kind], size[0], size[1]

    def add(
        self,
        owner_id: UUID,
        content: bytes,
        *,
        private: bool = True,
        title: str | None = None,
        image_id: UUID | None = None,
    ) -> UUID:
        mime, width, height = self._inspect(content)
        image = LibraryImage(
            id=image_id or new_id(),
            owner_id=owner_id,
            mime_type=mime,
            width=width,
            height=height,
            content=content,
        )
        self.images[image.id] = _Stored(image, private, title)
        return image.id

    async def read_for(self, actor: Actor, image_id: UUID) -> LibraryImage | None:
        stored = self.images.get(image_id)
        if stored is None:
            return None
        if stored.private and stored.image.owner_id != actor.user_id and actor.role != Role.ADMIN:
            return None
        return stored.image

    async def store_private(
        self, owner_id: UUID, content: bytes, *, title: str | None = None
    ) -> UUID:
        return self.add(owner_id, content, private=True, title=title)
