"""Commands and queries of the media use cases (frozen dataclasses).

PATCH commands carry ``changes``: only the fields present in the body. ``expected_version``
is the ``If-Match`` version (None when absent).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Mapping, Sequence
from dataclasses import dataclass, field
from uuid import UUID

from application.media.ports import ImageFilters, NameFilters, ThemeFilters
from domain.shared.access import Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateCategoryCommand:
    actor: Actor
    name: str
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateColorCommand:
    actor: Actor
    name: str
    hex: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateThemeCommand:
    actor: Actor
    name: str
    description: str | None = None
    category_id: UUID | None = None
    color_ids: Sequence[UUID] = ()
    cover_image_id: UUID | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemQuery:
    actor: Actor
    item_id: UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class ListNamedQuery:
    actor: Actor
    filters: NameFilters = field(default_factory=NameFilters)
    limit: int | None = None
    offset: int | None = None
    sort: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListThemesQuery:
    actor: Actor
    filters: ThemeFilters = field(default_factory=ThemeFilters)
    limit: int | None = None
    offset: int | None = None
    sort: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateItemCommand:
    actor: Actor
    item_id: UUID
    changes: Mapping[str, object]
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteItemCommand:
    actor: Actor
    item_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadImageCommand:
    actor: Actor
    head: bytes
    """The first bytes of the file (judged before the rest is read)."""
    chunks: AsyncIterable[bytes]
    """The whole file, ``head`` included, as it arrives."""
    fields: Mapping[str, str] = field(default_factory=dict)
    """The other form fields (``title``); those sent after the file are there once
    ``chunks`` is consumed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ListImagesQuery:
    actor: Actor
    filters: ImageFilters = field(default_factory=ImageFilters)
    limit: int | None = None
    offset: int | None = None
    sort: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageContentQuery:
    actor: Actor | None
    """None: a signed link was verified by the HTTP edge (no bearer token)."""
    image_id: UUID
    thumbnail: bool = False
