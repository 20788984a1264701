"""In-memory media repositories and unit of work (the embedded twin of the SQL ones): the
same unique names (409 ``name_taken``), foreign keys (422 ``unknown_reference``) and
orderings."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from adapters.persistence import constraints
from adapters.persistence.memory.store import (
    MemoryStore,
    MemoryUnitOfWork,
    Reference,
    check_references,
    snapshot,
)
from application.media.ports import (
    CategoryRepository,
    ColorRepository,
    ImageFilters,
    ImageRepository,
    MediaUnitOfWork,
    NameFilters,
    ThemeFilters,
    ThemeRepository,
)
from application.shared.events import EventPublisher
from application.shared.pagination import Sort
from application.shared.uow import OutboxSignal
from domain.media.catalogue import Category, Color, Theme
from domain.media.images import Image, Visibility
from domain.media.values import name_key
from domain.shared.errors import PreconditionFailed

CATEGORIES, COLORS, THEMES, IMAGES = (
    "media_categories",
    "media_colors",
    "media_themes",
    "media_images",
)
USERS = "users"


def _fold(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _sort_value(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _page(
    rows: Iterable[Any], keep: Callable[[Any], bool], *, limit: int, offset: int, sort: Sort,
    key: Callable[[Any], Any] | None = None,
) -> tuple[list[Any], int]:  # fmt: skip
    value = key or (lambda r: getattr(r, sort.field))
    matches = sorted((r for r in rows if keep(r)), key=lambda r: r.id.int)
    present = [r for r in matches if value(r) is not None]
    missing = [r for r in matches if value(r) is None]
    present.sort(key=lambda r: _sort_value(value(r)), reverse=sort.descending)
    ordered = present + missing
    return [snapshot(r) for r in ordered[offset : offset + limit]], len(ordered)


class _Table:
    label = "item"
    sql_table = ""
    memory_table = ""
    references: tuple[Reference, ...] = ()

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._rows: dict[UUID, Any] = uow.table(self.memory_table)

    def _out(self, item: Any) -> Any:
        copy = snapshot(item)
        self._uow.track(copy)
        return copy

    async def get(self, item_id: UUID) -> Any:
        item = self._rows.get(item_id)
        return None if item is None else self._out(item)

    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Any]:
        return {i: snapshot(self._rows[i]) for i in ids if i in self._rows}

    def _check_unique(self, item: Any) -> None:
        key = getattr(item, "name_key", None)
        if key is None:
            return
        for other in self._rows.values():
            if other.id != item.id and other.name_key == key:
                raise constraints.duplicate(
                    self.sql_table, ["name_key"], f"uq_{self.sql_table}_name_key"
                )

    def _store(self, item: Any) -> None:
        stored = snapshot(item)
        stored.pull_events()
        self._rows[item.id] = stored
        self._uow.track(item)

    async def add(self, item: Any) -> None:
        if item.id in self._rows:
            raise constraints.duplicate(self.sql_table, ["id"], f"pk_{self.sql_table}")
        self._check_unique(item)
        check_references(self._uow, self.sql_table, item, self.references)
        self._store(item)

    async def save(self, item: Any, *, expected_version: int) -> None:
        stored = self._rows.get(item.id)
        if stored is None or stored.version != expected_version:
            raise PreconditionFailed(f"The {self.label} was changed by someone else.")
        self._check_unique(item)
        check_references(self._uow, self.sql_table, item, self.references)
        self._store(item)

    referred_by: tuple[str, Callable[[Any, UUID], bool]] | None = None
    """(the SQL table referring to rows of this one, "does this row refer to the id")."""

    async def delete(self, item_id: UUID) -> None:
        if self.referred_by is not None:  # as the SQL foreign keys (RESTRICT)
            table, refers = self.referred_by
            if any(refers(theme, item_id) for theme in self._uow.peek(THEMES).values()):
                raise constraints.still_referenced(self.sql_table, table)
        self._rows.pop(item_id, None)

    async def get_by_name(self, name: str) -> Any:
        key = name_key(name)
        for item in self._rows.values():
            if item.name_key == key:
                return self._out(item)
        return None


class MemoryCategoryRepository(_Table, CategoryRepository):
    label, sql_table, memory_table = "category", "categories", CATEGORIES
    referred_by = ("themes", lambda t, i: t.category_id == i)

    async def list(
        self, filters: NameFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Category], int]:
        q = _fold(filters.q)
        return _page(self._rows.values(), lambda c: q in _fold(c.name), limit=limit,
                     offset=offset, sort=sort)  # fmt: skip


class MemoryColorRepository(_Table, ColorRepository):
    label, sql_table, memory_table = "colour", "colors", COLORS
    referred_by = ("theme_colors", lambda t, i: i in t.color_ids)

    async def list(
        self, filters: NameFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Color], int]:
        q = _fold(filters.q)
        return _page(self._rows.values(), lambda c: q in _fold(c.name), limit=limit,
                     offset=offset, sort=sort)  # fmt: skip


class MemoryThemeRepository(_Table, ThemeRepository):
    label, sql_table, memory_table = "theme", "themes", THEMES
    references = (
        Reference("category_id", "categories", CATEGORIES),
        Reference("cover_image_id", "images", IMAGES),
    )

    def _check_colors(self, item: Theme) -> None:
        colors = self._uow.peek(COLORS)
        for color_id in item.color_ids:
            if color_id not in colors:
                raise constraints.unknown_reference("theme_colors", "color_id", "colors")

    async def add(self, item: Theme) -> None:
        if item.id not in self._rows:
            self._check_unique(item)
            check_references(self._uow, self.sql_table, item, self.references)
            self._check_colors(item)
        await super().add(item)

    async def save(self, item: Theme, *, expected_version: int) -> None:
        stored = self._rows.get(item.id)
        if stored is not None and stored.version == expected_version:
            self._check_unique(item)
            check_references(self._uow, self.sql_table, item, self.references)
            self._check_colors(item)
        await super().save(item, expected_version=expected_version)

    async def list(
        self, filters: ThemeFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Theme], int]:
        f = filters
        q = _fold(f.q)

        def keep(t: Theme) -> bool:
            return (
                (f.category_id is None or t.category_id == f.category_id)
                and (f.color_id is None or f.color_id in t.color_ids)
                and (not q or q in _fold(t.name) or q in _fold(t.description))
            )

        return _page(self._rows.values(), keep, limit=limit, offset=offset, sort=sort)

    async def count_using(
        self,
        *,
        category_id: UUID | None = None,
        color_id: UUID | None = None,
        cover_image_id: UUID | None = None,
    ) -> int:
        if color_id is not None:
            return sum(color_id in t.color_ids for t in self._rows.values())
        if category_id is not None:
            return sum(t.category_id == category_id for t in self._rows.values())
        if cover_image_id is not None:
            return sum(t.cover_image_id == cover_image_id for t in self._rows.values())
        return 0


class MemoryImageRepository(_Table, ImageRepository):
    label, sql_table, memory_table = "image", "images", IMAGES
    referred_by = ("themes", lambda t, i: t.cover_image_id == i)
    references = (Reference("owner_id", "users", USERS),)

    async def list(
        self, filters: ImageFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Image], int]:
        f = filters
        q = _fold(f.q)

        def keep(i: Image) -> bool:
            return (
                (f.visibility is None or i.visibility is f.visibility)
                and (f.owner_id is None or i.owner_id == f.owner_id)
                and (
                    f.visible_to is None
                    or i.visibility is Visibility.PUBLIC
                    or i.owner_id == f.visible_to
                )
                and (not q or q in _fold(i.title))
            )

        return _page(self._rows.values(), keep, limit=limit, offset=offset, sort=sort)


class MemoryMediaUnitOfWork(MemoryUnitOfWork, MediaUnitOfWork):
    categories: MemoryCategoryRepository
    colors: MemoryColorRepository
    themes: MemoryThemeRepository
    images: MemoryImageRepository

    def __init__(
        self,
        store: MemoryStore,
        publisher: EventPublisher | None = None,
        *,
        outbox_signal: OutboxSignal | None = None,
    ) -> None:
        super().__init__(store, publisher, outbox_signal=outbox_signal)

    def _open_repositories(self) -> None:
        self.categories = MemoryCategoryRepository(self)
        self.colors = MemoryColorRepository(self)
        self.themes = MemoryThemeRepository(self)
        self.images = MemoryImageRepository(self)
