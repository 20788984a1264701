"""SQL repositories of the media library (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, ClassVar
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.media.tables import (
    categories,
    colors,
    images,
    theme_colors,
    themes,
)
from adapters.persistence.sqlalchemy.queries import (
    contains_text,
    execute_guarded,
    fold_text,
    page_and_total,
    update_if_version,
)
from adapters.persistence.sqlalchemy.repository import SqlRepository
from application.media.ports import (
    CategoryRepository,
    ColorRepository,
    ImageFilters,
    ImageRepository,
    NameFilters,
    ThemeFilters,
    ThemeRepository,
)
from application.shared.pagination import Sort
from domain.media.catalogue import Category, Color, Theme
from domain.media.images import Image, ImageFormat, Visibility
from domain.media.values import name_key
from domain.shared.errors import PreconditionFailed


def _category(row: Any) -> Category:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return Category(
        id=r["id"], name=r["name"], description=r["description"], created_at=r["created_at"],
        updated_at=r["updated_at"], version=r["version"],
    )  # fmt: skip


def _color(row: Any) -> Color:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return Color(
        id=r["id"], name=r["name"], hex=r["hex"], created_at=r["created_at"],
        updated_at=r["updated_at"], version=r["version"],
    )  # fmt: skip


def _image(row: Any) -> Image:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return Image(
        id=r["id"], title=r["title"], format=ImageFormat(r["format"]), width=r["width"],
        height=r["height"], size=r["size"], sha256=r["sha256"],
        visibility=Visibility(r["visibility"]), owner_id=r["owner_id"],
        storage_key=r["storage_key"], thumbnail_key=r["thumbnail_key"],
        thumbnail_failed=r["thumbnail_failed"], created_at=r["created_at"],
        updated_at=r["updated_at"], version=r["version"],
    )  # fmt: skip


class _Named(SqlRepository):
    """get / add / save / delete / list of a table with a unique ``name_key``."""

    table: ClassVar[sa.Table]
    label: ClassVar[str]

    def _entity(self, row: Any) -> Any:
        raise NotImplementedError

    def _values(self, item: Any) -> dict[str, Any]:
        raise NotImplementedError

    async def _rows(self, *conditions: sa.ColumnElement[bool]) -> list[Any]:
        statement = sa.select(self.table).where(*conditions).order_by(self.table.c.id)
        return [self._entity(row) for row in await self._conn.execute(statement)]

    async def _one(self, *conditions: sa.ColumnElement[bool]) -> Any:
        found = await self._rows(*conditions)
        if not found:
            return None
        self._uow.track(found[0])
        return found[0]

    async def get(self, item_id: UUID) -> Any:
        return await self._one(self.table.c.id == item_id)

    async def get_by_name(self, name: str) -> Any:
        return await self._one(self.table.c.name_key == name_key(name))

    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Any]:
        if not ids:
            return {}
        return {i.id: i for i in await self._rows(self.table.c.id.in_(list(ids)))}

    async def add(self, item: Any) -> None:
        row = {**self._values(item), "id": item.id, "created_at": item.created_at,
               "version": item.version}  # fmt: skip
        await execute_guarded(self._conn, sa.insert(self.table).values(row))
        self._uow.track(item)

    async def save(self, item: Any, *, expected_version: int) -> None:
        saved = await update_if_version(
            self._conn,
            self.table,
            item.id,
            expected_version=expected_version,
            new_version=item.version,
            values=self._values(item),
        )
        if not saved:
            raise PreconditionFailed(f"The {self.label} was changed by someone else.")
        self._uow.track(item)

    async def delete(self, item_id: UUID) -> None:
        await execute_guarded(self._conn, sa.delete(self.table).where(self.table.c.id == item_id))

    def _sort_key(self, field: str) -> sa.ColumnElement[Any]:
        if field == "name":
            return self._text_key(self.table.c.name_key, folded=True)
        if field not in ("created_at", "updated_at"):
            raise ValueError(f"cannot sort by {field!r}")
        return self.table.c[field]

    def _q(self, q: str, *columns: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        return contains_text(fold_text(q) or "", *columns, dialect=self._conn.dialect.name)

    async def _list(
        self, conditions: list[sa.ColumnElement[bool]], *, limit: int, offset: int, sort: Sort
    ) -> tuple[list[Any], int]:
        rows, total = await page_and_total(
            self._conn, self.table, conditions, self._sort_key(sort.field), sort,
            limit=limit, offset=offset,
        )  # fmt: skip
        return [self._entity(row) for row in rows], total


class SqlCategoryRepository(_Named, CategoryRepository):
    table = categories
    label = "category"

    def _entity(self, row: Any) -> Category:
        return _category(row)

    def _values(self, item: Category) -> dict[str, Any]:
        return {"name": item.name, "name_key": item.name_key, "description": item.description,
                "updated_at": item.updated_at}  # fmt: skip

    async def list(
        self, filters: NameFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Category], int]:
        conditions = [self._q(filters.q, categories.c.name)] if filters.q else []
        return await self._list(conditions, limit=limit, offset=offset, sort=sort)


class SqlColorRepository(_Named, ColorRepository):
    table = colors
    label = "colour"

    def _entity(self, row: Any) -> Color:
        return _color(row)

    def _values(self, item: Color) -> dict[str, Any]:
        return {"name": item.name, "name_key": item.name_key, "hex": item.hex,
                "updated_at": item.updated_at}  # fmt: skip

    async def list(
        self, filters: NameFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Color], int]:
        conditions = [self._q(filters.q, colors.c.name)] if filters.q else []
        return await self._list(conditions, limit=limit, offset=offset, sort=sort)


class SqlThemeRepository(_Named, ThemeRepository):
    table = themes
    label = "theme"

    def _entity(self, row: Any) -> Theme:
        return Theme(
            id=row.id, name=row.name, description=row.description, category_id=row.category_id,
            cover_image_id=row.cover_image_id, created_at=row.created_at,
            updated_at=row.updated_at, version=row.version,
        )  # fmt: skip

    def _values(self, item: Theme) -> dict[str, Any]:
        return {"name": item.name, "name_key": item.name_key, "description": item.description,
                "category_id": item.category_id, "cover_image_id": item.cover_image_id,
                "updated_at": item.updated_at}  # fmt: skip

    async def _with_colors(self, items: list[Theme]) -> list[Theme]:
        if not items:
            return items
        statement = (
            sa.select(theme_colors.c.theme_id, theme_colors.c.color_id)
            .where(theme_colors.c.theme_id.in_([t.id for t in items]))
            .order_by(theme_colors.c.theme_id, theme_colors.c.position)
        )
        found: dict[UUID, list[UUID]] = {}
        for row in await self._conn.execute(statement):
            found.setdefault(row.theme_id, []).append(row.color_id)
        for item in items:
            item.color_ids = tuple(found.get(item.id, ()))
        return items

    async def _rows(self, *conditions: sa.ColumnElement[bool]) -> list[Any]:
        return await self._with_colors(await super()._rows(*conditions))

    async def _write_colors(self, item: Theme) -> None:
        await self._conn.execute(sa.delete(theme_colors).where(theme_colors.c.theme_id == item.id))
        if item.color_ids:
            await execute_guarded(
                self._conn,
                sa.insert(theme_colors).values(
                    [{"theme_id": item.id, "color_id": c, "position": n}
                     for n, c in enumerate(item.color_ids)]
                ),
            )  # fmt: skip

    async def add(self, item: Theme) -> None:
        await super().add(item)
        await self._write_colors(item)

    async def save(self, item: Theme, *, expected_version: int) -> None:
        await super().save(item, expected_version=expected_version)
        await self._write_colors(item)

    async def delete(self, item_id: UUID) -> None:
        # the foreign key cascades too; said here so no backend depends on it
        await self._conn.execute(sa.delete(theme_colors).where(theme_colors.c.theme_id == item_id))
        await super().delete(item_id)

    async def list(
        self, filters: ThemeFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Theme], int]:
        conditions: list[sa.ColumnElement[bool]] = []
        if filters.category_id is not None:
            conditions.append(themes.c.category_id == filters.category_id)
        if filters.color_id is not None:
            conditions.append(
                sa.exists().where(
                    theme_colors.c.theme_id == themes.c.id,
                    theme_colors.c.color_id == filters.color_id,
                )
            )
        if filters.q:
            conditions.append(
                self._q(filters.q, themes.c.name, sa.func.coalesce(themes.c.description, ""))
            )
        items, total = await self._list(conditions, limit=limit, offset=offset, sort=sort)
        return await self._with_colors(items), total

    async def count_using(
        self,
        *,
        category_id: UUID | None = None,
        color_id: UUID | None = None,
        cover_image_id: UUID | None = None,
    ) -> int:
        if color_id is not None:
            statement = sa.select(sa.func.count()).where(theme_colors.c.color_id == color_id)
        elif category_id is not None:
            statement = sa.select(sa.func.count()).where(themes.c.category_id == category_id)
        elif cover_image_id is not None:
            statement = sa.select(sa.func.count()).where(themes.c.cover_image_id == cover_image_id)
        else:
            return 0
        return int((await self._conn.execute(statement)).scalar_one())


_IMAGE_SORTS = {"created_at", "size", "width", "height"}


class SqlImageRepository(SqlRepository, ImageRepository):
    async def _rows(self, *conditions: sa.ColumnElement[bool]) -> list[Image]:
        statement = sa.select(images).where(*conditions).order_by(images.c.id)
        return [_image(row) for row in await self._conn.execute(statement)]

    async def get(self, image_id: UUID) -> Image | None:
        found = await self._rows(images.c.id == image_id)
        if not found:
            return None
        self._uow.track(found[0])
        return found[0]

    async def get_many(self, ids: Collection[UUID]) -> Mapping[UUID, Image]:
        if not ids:
            return {}
        return {i.id: i for i in await self._rows(images.c.id.in_(list(ids)))}

    def _values(self, item: Image) -> dict[str, Any]:
        return {
            "title": item.title, "format": item.format.value, "width": item.width,
            "height": item.height, "size": item.size, "sha256": item.sha256,
            "visibility": item.visibility.value, "owner_id": item.owner_id,
            "storage_key": item.storage_key, "thumbnail_key": item.thumbnail_key,
            "thumbnail_failed": item.thumbnail_failed,
            "updated_at": item.updated_at,
        }  # fmt: skip

    async def add(self, item: Image) -> None:
        row = {**self._values(item), "id": item.id, "created_at": item.created_at,
               "version": item.version}  # fmt: skip
        await execute_guarded(self._conn, sa.insert(images).values(row))
        self._uow.track(item)

    async def save(self, item: Image, *, expected_version: int) -> None:
        saved = await update_if_version(
            self._conn, images, item.id, expected_version=expected_version,
            new_version=item.version, values=self._values(item),
        )  # fmt: skip
        if not saved:
            raise PreconditionFailed("The image was changed by someone else.")
        self._uow.track(item)

    async def delete(self, image_id: UUID) -> None:
        await execute_guarded(self._conn, sa.delete(images).where(images.c.id == image_id))

    async def list(
        self, filters: ImageFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Image], int]:
        f = filters
        conditions: list[sa.ColumnElement[bool]] = []
        if f.visibility is not None:
            conditions.append(images.c.visibility == f.visibility.value)
        if f.owner_id is not None:
            conditions.append(images.c.owner_id == f.owner_id)
        if f.visible_to is not None:
            conditions.append(
                sa.or_(
                    images.c.visibility == Visibility.PUBLIC.value,
                    images.c.owner_id == f.visible_to,
                )
            )
        if f.q:
            conditions.append(
                contains_text(
                    fold_text(f.q) or "",
                    sa.func.coalesce(images.c.title, ""),
                    dialect=self._conn.dialect.name,
                )
            )
        if sort.field == "title":
            key: sa.ColumnElement[Any] = self._text_key(images.c.title)
        elif sort.field in _IMAGE_SORTS:
            key = images.c[sort.field]
        else:
            raise ValueError(f"cannot sort images by {sort.field!r}")
        rows, total = await page_and_total(
            self._conn, images, conditions, key, sort, limit=limit, offset=offset
        )
        return [_image(row) for row in rows], total
