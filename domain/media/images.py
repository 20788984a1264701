"""Images: what was judged from the bytes, who owns it and who may read it.

An image's format is never the client's word: the bytes are inspected (an adapter does it)
and only PNG, JPEG, WebP and GIF are accepted. Its pixel count is known from the header
before anything is decoded, so an image beyond the configured limit (a decompression bomb) is
refused without decoding it. Images uploaded by clients and technicians are private to their
owner (managers and admins see every image); those uploaded by managers and admins are
public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.media import values
from domain.shared.access import Actor, Role
from domain.shared.aggregate import Aggregate
from domain.shared.errors import FieldError, ValidationFailed
from domain.shared.ids import new_id

THUMBNAIL_LONG_SIDE = 256
MAX_SIDE = 65_535
MAX_FRAMES = 1_000
"""Frames of an animation (GIF, WebP) accepted at most: counting and checking frames costs
time per frame whatever their size, so a file of many tiny frames is refused too."""


class ImageFormat(StrEnum):
    PNG = "png"
    JPEG = "jpeg"
    WEBP = "webp"
    GIF = "gif"

    @property
    def mime_type(self) -> str:
        return f"image/{self.value}"


class Visibility(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class UnsupportedImageType(ValidationFailed):
    """The bytes are not a PNG, JPEG, WebP or GIF image: 415 at the HTTP edge (a validation
    error for the other modules' ``ImageLibrary.store_private``)."""

    code = "unsupported_media_type"
    title = "Unsupported media type"


class ImageTooLarge(ValidationFailed):
    """422 ``image_too_large``: more pixels than the limit (decided from the header)."""

    code = "image_too_large"
    title = "Image too large"


class InvalidImage(ValidationFailed):
    """422 ``invalid_image``: the bytes start like an accepted format but are not a
    well-formed image of it (truncated, corrupt, or another file behind a borrowed header)."""

    code = "invalid_image"
    title = "Invalid image"


@dataclass(frozen=True, slots=True)
class ImageProbe:
    """What the header says: format and dimensions (``frames`` > 1 for animations)."""

    format: ImageFormat
    width: int
    height: int
    frames: int = 1

    @property
    def pixels(self) -> int:
        return self.width * self.height


def check_dimensions(probe: ImageProbe, max_pixels: int) -> None:
    """``ImageTooLarge`` beyond ``max_pixels`` (all frames of an animation count) or
    ``MAX_FRAMES``, and
    ``InvalidImage`` for an empty or absurd canvas."""
    if not (0 < probe.width <= MAX_SIDE and 0 < probe.height <= MAX_SIDE):
        raise InvalidImage(
            f"The image claims a {probe.width}x{probe.height} canvas.",
            errors=[FieldError("file", "the image has impossible dimensions")],
        )
    if probe.frames > MAX_FRAMES:
        raise ImageTooLarge(
            f"The animation has more than {MAX_FRAMES} frames.",
            errors=[FieldError("file", f"more than {MAX_FRAMES} frames")],
            extra={"max_frames": MAX_FRAMES},
        )
    total = probe.pixels * max(1, probe.frames)
    if total > max_pixels:
        raise ImageTooLarge(
            f"The image has {total} pixels; at most {max_pixels} are accepted.",
            errors=[FieldError("file", f"more than {max_pixels} pixels")],
            extra={"width": probe.width, "height": probe.height, "max_pixels": max_pixels},
        )


def visibility_for(role: Role) -> Visibility:
    """Managers' and admins' uploads are public; clients' and technicians' private."""
    return Visibility.PUBLIC if role in (Role.ADMIN, Role.MANAGER) else Visibility.PRIVATE


def sees_every_image(actor: Actor) -> bool:
    return actor.role in (Role.ADMIN, Role.MANAGER)


@dataclass(kw_only=True, eq=False, slots=True)
class Image(Aggregate):
    title: str | None
    format: ImageFormat
    width: int
    height: int
    size: int
    sha256: str
    visibility: Visibility
    owner_id: UUID
    storage_key: str
    thumbnail_key: str | None = None
    thumbnail_failed: bool = False
    """The thumbnail job could not decode the image (it passed the structural checks of the
    upload, which decode nothing); no thumbnail will ever exist."""
    created_at: datetime
    updated_at: datetime

    @property
    def mime_type(self) -> str:
        return self.format.mime_type

    @staticmethod
    def new_id() -> UUID:
        return new_id()

    @staticmethod
    def clean_title(title: str | None) -> str | None:
        return values.clean_text(title, "title", values.TITLE_MAX)

    def readable_by(self, actor: Actor) -> bool:
        """Public images, one's own, and every image for managers and admins."""
        return (
            sees_every_image(actor)
            or self.visibility is Visibility.PUBLIC
            or self.owner_id == actor.user_id
        )

    def deletable_by(self, actor: Actor) -> bool:
        """Managers and admins delete any image; others their own."""
        return sees_every_image(actor) or self.owner_id == actor.user_id

    def thumbnail_made(self, key: str, now: datetime) -> None:
        self.thumbnail_key = key
        self.thumbnail_failed = False
        self.updated_at = now

    def thumbnail_impossible(self, now: datetime) -> None:
        self.thumbnail_failed = True
        self.updated_at = now
