"""Ports of the media library: repositories, unit of work, and the image codec.

Repositories follow the maintenance conventions: ``get`` hands out a copy (tracked by the
unit of work), ``save(entity, expected_version=...)`` stores it only when the stored version
is still the one it was loaded with (else ``PreconditionFailed``), ``list`` returns one page
(ties by id ascending) and the total. Names are unique per kind, compared casefolded with
blanks collapsed: a taken one is 409 ``name_taken`` naming ``name``.

``ImageCodec`` is the only place that reads image bytes (Pillow, in an adapter): the domain
and the use cases stay free of it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from application.shared.pagination import Sort
from application.shared.uow import UnitOfWork
from domain.media.catalogue import Category, Color, Theme
from domain.media.images import Image, ImageFormat, ImageProbe, Visibility

NAMED_SORT_FIELDS = frozenset({"name", "created_at", "updated_at"})
IMAGE_SORT_FIELDS = frozenset({"created_at", "title", "size", "width", "height"})

ENTITY_CATEGORY = "category"
ENTITY_COLOR = "color"
ENTITY_THEME = "theme"
ENTITY_IMAGE = "image"


@dataclass(frozen=True, slots=True, kw_only=True)
class NameFilters:
    q: str | None = None
    """Case-insensitive substring of the name."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ThemeFilters:
    category_id: UUID | None = None
    color_id: UUID | None = None
    """Themes having this colour among theirs."""
    q: str | None = None
    """Case-insensitive substring of the name or description."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageFilters:
    visibility: Visibility | None = None
    owner_id: UUID | None = None
    q: str | None = None
    """Case-insensitive substring of the title."""
    visible_to: UUID | None = None
    """Only public images and those owned by this user (the "read public and own" scope)."""


class CategoryRepository(Protocol):
    async def get(self, category_id: UUID) -> Category | None: ...
    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Category]: ...
    async def get_by_name(self, name: str) -> Category | None:
        """By name, compared casefolded with blanks collapsed."""
        ...

    async def add(self, item: Category) -> None: ...
    async def save(self, item: Category, *, expected_version: int) -> None: ...
    async def delete(self, category_id: UUID) -> None: ...
    async def list(
        self, filters: NameFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Category], int]: ...


class ColorRepository(Protocol):
    async def get(self, color_id: UUID) -> Color | None: ...
    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Color]: ...
    async def get_by_name(self, name: str) -> Color | None: ...
    async def add(self, item: Color) -> None: ...
    async def save(self, item: Color, *, expected_version: int) -> None: ...
    async def delete(self, color_id: UUID) -> None: ...
    async def list(
        self, filters: NameFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Color], int]: ...


class ThemeRepository(Protocol):
    async def get(self, theme_id: UUID) -> Theme | None: ...
    async def get_by_name(self, name: str) -> Theme | None: ...
    async def add(self, item: Theme) -> None: ...
    async def save(self, item: Theme, *, expected_version: int) -> None: ...
    async def delete(self, theme_id: UUID) -> None: ...
    async def list(
        self, filters: ThemeFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Theme], int]: ...
    async def count_using(
        self,
        *,
        category_id: UUID | None = None,
        color_id: UUID | None = None,
        cover_image_id: UUID | None = None,
    ) -> int:
        """Themes referring to the category, the colour or the cover image given."""
        ...


class ImageRepository(Protocol):
    async def get(self, image_id: UUID) -> Image | None: ...
    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Image]: ...
    async def add(self, item: Image) -> None: ...
    async def save(self, item: Image, *, expected_version: int) -> None: ...
    async def delete(self, image_id: UUID) -> None: ...
    async def list(
        self, filters: ImageFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Image], int]: ...


class MediaUnitOfWork(UnitOfWork, Protocol):
    categories: CategoryRepository
    colors: ColorRepository
    themes: ThemeRepository
    images: ImageRepository


class ImageCodec(Protocol):
    """Reads and rewrites image bytes (an adapter; CPU work runs off the event loop)."""

    def sniff(self, head: bytes) -> ImageFormat | None:
        """The format the first bytes announce (magic numbers only), or None."""
        ...

    def probe(self, data: bytes, *, complete: bool) -> ImageProbe | None:
        """Format and dimensions from the header, never decoding pixels. ``complete=False``
        (only the first bytes): None when the header is not all there yet. Raises
        ``UnsupportedImageType`` (not one of the four formats) or ``InvalidImage``. Meant
        for the first bytes; for a whole file use ``examine``."""
        ...

    async def examine(self, data: bytes) -> ImageProbe:
        """``probe`` of a whole file, frames counted (up to ``MAX_FRAMES`` + 1), off the
        event loop."""
        ...

    async def sanitize(self, data: bytes, probe: ImageProbe) -> bytes:
        """The copy to store: metadata removed (EXIF with its GPS tags, XMP, IPTC,
        comments, text chunks), the JPEG orientation kept as the only EXIF tag, anything
        after the image's end dropped. Raises ``InvalidImage`` for a malformed structure."""
        ...

    async def thumbnail(self, data: bytes, *, long_side: int, max_pixels: int) -> bytes:
        """A WebP of at most ``long_side`` pixels on its long side (orientation applied,
        first frame of an animation). Raises ``InvalidImage`` when it cannot be decoded."""
        ...
