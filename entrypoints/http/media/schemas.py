"""msgspec bodies and answers of the media routes (bounded: 422 beyond the limits).

No ``from __future__ import annotations`` here: Litestar names the components of
``Page[XRead]`` after this module and resolves the annotations in it."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from domain.media.catalogue import Category, Color, Theme
from domain.media.images import Image, ImageFormat, Visibility

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Description = Annotated[str, msgspec.Meta(max_length=2_000)]
Hex = Annotated[str, msgspec.Meta(max_length=7, description="``#RRGGBB``", examples=["#1E90FF"])]
ColorIds = Annotated[list[UUID], msgspec.Meta(max_length=50)]


def changes_of(body: msgspec.Struct) -> dict[str, object]:
    """The fields present in a PATCH body (``UNSET`` ones left out)."""
    return {
        name: getattr(body, name)
        for name in body.__struct_fields__
        if getattr(body, name) is not UNSET
    }


# -- categories -----------------------------------------------------------------------------
class CategoryCreate(msgspec.Struct, kw_only=True):
    name: Name
    description: Description | None = None


class CategoryUpdate(msgspec.Struct, kw_only=True):
    name: Name | UnsetType = UNSET
    description: Description | UnsetType | None = UNSET


class CategoryRead(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    description: str | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, c: Category) -> "CategoryRead":
        return cls(id=c.id, name=c.name, description=c.description, version=c.version,
                   created_at=c.created_at, updated_at=c.updated_at)  # fmt: skip


# -- colours --------------------------------------------------------------------------------
class ColorCreate(msgspec.Struct, kw_only=True):
    name: Name
    hex: Hex


class ColorUpdate(msgspec.Struct, kw_only=True):
    name: Name | UnsetType = UNSET
    hex: Hex | UnsetType = UNSET


class ColorRead(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    hex: str
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, c: Color) -> "ColorRead":
        return cls(id=c.id, name=c.name, hex=c.hex, version=c.version,
                   created_at=c.created_at, updated_at=c.updated_at)  # fmt: skip


# -- themes ---------------------------------------------------------------------------------
class ThemeCreate(msgspec.Struct, kw_only=True):
    name: Name
    description: Description | None = None
    category_id: UUID | None = None
    color_ids: ColorIds = []
    cover_image_id: UUID | None = None


class ThemeUpdate(msgspec.Struct, kw_only=True):
    name: Name | UnsetType = UNSET
    description: Description | UnsetType | None = UNSET
    category_id: UUID | UnsetType | None = UNSET
    color_ids: ColorIds | UnsetType = UNSET
    cover_image_id: UUID | UnsetType | None = UNSET


class ThemeRead(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    description: str | None
    category_id: UUID | None
    color_ids: list[UUID]
    cover_image_id: UUID | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, t: Theme) -> "ThemeRead":
        return cls(id=t.id, name=t.name, description=t.description, category_id=t.category_id,
                   color_ids=list(t.color_ids), cover_image_id=t.cover_image_id,
                   version=t.version, created_at=t.created_at,
                   updated_at=t.updated_at)  # fmt: skip


# -- images ---------------------------------------------------------------------------------
class ImageRead(msgspec.Struct, kw_only=True):
    id: UUID
    title: str | None
    format: ImageFormat
    mime_type: str
    width: int
    height: int
    size: int
    """Bytes of the stored copy (metadata stripped)."""
    sha256: str
    """Of the stored copy."""
    visibility: Visibility
    owner_id: UUID
    thumbnail_ready: bool
    """Whether ``GET /images/{id}/content?size=thumb`` has a thumbnail to serve yet."""
    thumbnail_status: Literal["pending", "ready", "failed"]
    """``pending`` until the job has run; ``failed`` when the image could not be decoded
    (the thumbnail route then answers 404 ``thumbnail_unavailable``)."""
    version: int
    created_at: datetime

    @classmethod
    def of(cls, i: Image) -> "ImageRead":
        return cls(id=i.id, title=i.title, format=i.format, mime_type=i.mime_type,
                   width=i.width, height=i.height, size=i.size, sha256=i.sha256,
                   visibility=i.visibility, owner_id=i.owner_id,
                   thumbnail_ready=i.thumbnail_key is not None,
                   thumbnail_status=("ready" if i.thumbnail_key else
                                     "failed" if i.thumbnail_failed else "pending"),
                   version=i.version,
                   created_at=i.created_at)  # fmt: skip


class ImageUpload(msgspec.Struct, kw_only=True):
    """The multipart form of ``POST /images`` (documentation only: it is streamed)."""

    file: bytes
    title: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class ImageUrlRead(msgspec.Struct, kw_only=True):
    url: str
    expires_at: datetime
