"""Contract of the media repositories and unit of work: memory, SQLite and PostgreSQL.

The PostgreSQL database is shared by the session: every test makes its own rows (names with
a unique marker, fresh users) and only looks at those."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from adapters.persistence.memory.identity import MemoryIdentityUnitOfWork
from adapters.persistence.memory.media import MemoryMediaUnitOfWork
from adapters.persistence.memory.store import MemoryStore
from adapters.persistence.sqlalchemy.media import SqlMediaUnitOfWork
from application.media.ports import ImageFilters, MediaUnitOfWork, NameFilters, ThemeFilters
from application.shared.pagination import Sort
from domain.identity.user import User
from domain.media.catalogue import Category, Color, Theme
from domain.media.images import Image, ImageFormat, Visibility
from domain.shared.access import Role
from domain.shared.errors import (
    DuplicateValue,
    PreconditionFailed,
    StillReferenced,
    UnknownReference,
)
from tests.contract.test_maintenance_repositories import insert_user
from tests.support.databases import migrated_database

NOW = datetime(2026, 3, 12, 12, 0, 0, 123456, tzinfo=UTC)


@dataclasses.dataclass
class Backend:
    name: str
    uow: Callable[[], MediaUnitOfWork]
    new_user: Callable[[], Awaitable[UUID]]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "memory":
        store = MemoryStore()

        async def memory_user() -> UUID:
            user = User.register(
                email=f"u.{uuid.uuid4().hex}@example.test", first_name="T", last_name="U",
                role=Role.CLIENT, password_hash="x", now=NOW,
            )  # fmt: skip
            async with MemoryIdentityUnitOfWork(store) as uow:
                await uow.users.add(user)
                await uow.commit()
            return user.id

        yield Backend("memory", lambda: MemoryMediaUnitOfWork(store), memory_user)
        return
    async with migrated_database(request, tmp_path, "media") as database:

        async def sql_user() -> UUID:
            return await insert_user(database, role=Role.CLIENT)

        yield Backend(request.param, lambda: SqlMediaUnitOfWork(database), sql_user)


def mark() -> str:
    return uuid.uuid4().hex[:10]


def image(owner: UUID, *, title: str, visibility: Visibility, at: datetime = NOW) -> Image:
    image_id = Image.new_id()
    return Image(id=image_id, title=title, format=ImageFormat.PNG, width=10, height=20, size=99,
                 sha256="0" * 64, visibility=visibility, owner_id=owner,
                 storage_key=f"media/images/{image_id}", created_at=at, updated_at=at)  # fmt: skip


async def test_names_are_unique_without_case_and_blanks(backend: Backend) -> None:
    word = mark()
    async with backend.uow() as uow:
        await uow.categories.add(Category.create(name=f"Retro {word}", description=None, now=NOW))
        await uow.colors.add(Color.create(name=f"Red {word}", hex="#FF0000", now=NOW))
        await uow.commit()
    async with backend.uow() as uow:
        with pytest.raises(DuplicateValue) as caught:
            await uow.categories.add(
                Category.create(name=f"  RETRO   {word}", description=None, now=NOW)
            )
        assert caught.value.code == "name_taken"
        assert caught.value.fields == ("name",)
        found = await uow.colors.get_by_name(f"red {word.upper()}")
        assert found is not None
        assert found.hex == "#FF0000"


async def test_save_checks_the_version(backend: Backend) -> None:
    item = Category.create(name=f"V {mark()}", description="a", now=NOW)
    async with backend.uow() as uow:
        await uow.categories.add(item)
        await uow.commit()
    async with backend.uow() as uow:
        loaded = await uow.categories.get(item.id)
        assert loaded is not None
        loaded.update({"description": "b"}, NOW + timedelta(seconds=1))
        await uow.categories.save(loaded, expected_version=1)
        await uow.commit()
    async with backend.uow() as uow:
        stale = await uow.categories.get(item.id)
        assert stale is not None
        assert (stale.version, stale.description) == (2, "b")
        stale.update({"description": "c"}, NOW)
        with pytest.raises(PreconditionFailed):
            await uow.categories.save(stale, expected_version=1)


async def test_themes_keep_their_colours_in_order_and_filter(backend: Backend) -> None:
    word = mark()
    owner = await backend.new_user()
    category = Category.create(name=f"Cat {word}", description=None, now=NOW)
    a, b, c = (Color.create(name=f"{n} {word}", hex="#000000", now=NOW) for n in "abc")
    cover = image(owner, title=f"cover {word}", visibility=Visibility.PUBLIC)
    async with backend.uow() as uow:
        await uow.categories.add(category)
        for color in (a, b, c):
            await uow.colors.add(color)
        await uow.images.add(cover)
        await uow.commit()
    first = Theme.create(name=f"First {word}", description="sunny beach", category_id=category.id,
                         color_ids=[c.id, a.id], cover_image_id=cover.id, now=NOW)  # fmt: skip
    second = Theme.create(name=f"Second {word}", description=None, category_id=None,
                          color_ids=[b.id], cover_image_id=None, now=NOW)  # fmt: skip
    async with backend.uow() as uow:
        await uow.themes.add(first)
        await uow.themes.add(second)
        await uow.commit()
    async with backend.uow() as uow:
        loaded = await uow.themes.get(first.id)
        assert loaded is not None
        assert loaded.color_ids == (c.id, a.id)
        assert await uow.themes.count_using(category_id=category.id) == 1
        assert await uow.themes.count_using(color_id=a.id) == 1
        assert await uow.themes.count_using(cover_image_id=cover.id) == 1
        assert await uow.themes.count_using(color_id=uuid.uuid4()) == 0
        sort = Sort("name")
        by_color, total = await uow.themes.list(ThemeFilters(color_id=b.id), limit=10, offset=0,
                                                sort=sort)  # fmt: skip
        assert ([t.id for t in by_color], total) == ([second.id], 1)
        by_category, _ = await uow.themes.list(
            ThemeFilters(category_id=category.id), limit=10, offset=0, sort=sort
        )
        assert [t.color_ids for t in by_category] == [(c.id, a.id)]
        by_text, _ = await uow.themes.list(ThemeFilters(q="BEACH"), limit=10, offset=0, sort=sort)
        assert first.id in [t.id for t in by_text]
        both, total = await uow.themes.list(ThemeFilters(q=word), limit=1, offset=1,
                                            sort=Sort("name", descending=True))  # fmt: skip
        assert ([t.id for t in both], total) == ([first.id], 2)
        loaded.update({"color_ids": [b.id]}, NOW)
        await uow.themes.save(loaded, expected_version=1)
        await uow.commit()
    for kind, item_id in (("categories", category.id), ("colors", b.id), ("images", cover.id)):
        async with backend.uow() as uow:
            with pytest.raises(StillReferenced):
                await getattr(uow, kind).delete(item_id)
    async with backend.uow() as uow:
        again = await uow.themes.get(first.id)
        assert again is not None
        assert again.color_ids == (b.id,)
        await uow.themes.delete(first.id)
        await uow.commit()
    async with backend.uow() as uow:
        assert await uow.themes.get(first.id) is None
        assert await uow.themes.count_using(category_id=category.id) == 0


async def test_unknown_references_are_refused(backend: Backend) -> None:
    ghost = uuid.uuid4()
    async with backend.uow() as uow:
        with pytest.raises(UnknownReference) as caught:
            await uow.images.add(image(ghost, title="x", visibility=Visibility.PRIVATE))
        assert caught.value.field == "owner_id"
    theme = Theme.create(name=f"T {mark()}", description=None, category_id=ghost, color_ids=[],
                         cover_image_id=None, now=NOW)  # fmt: skip
    async with backend.uow() as uow:
        with pytest.raises(UnknownReference) as caught:
            await uow.themes.add(theme)
        assert caught.value.field == "category_id"


async def test_images_list_by_visibility_owner_and_title(backend: Backend) -> None:
    word = mark()
    me, other = await backend.new_user(), await backend.new_user()
    mine = image(me, title=f"Mine {word}", visibility=Visibility.PRIVATE)
    theirs = image(other, title=f"Theirs {word}", visibility=Visibility.PRIVATE)
    shared = image(other, title=f"Shared {word}", visibility=Visibility.PUBLIC,
                   at=NOW + timedelta(seconds=5))  # fmt: skip
    async with backend.uow() as uow:
        for item in (mine, theirs, shared):
            await uow.images.add(item)
        await uow.commit()
    newest = Sort("created_at", descending=True)
    async with backend.uow() as uow:
        seen, total = await uow.images.list(ImageFilters(q=word, visible_to=me), limit=10,
                                            offset=0, sort=newest)  # fmt: skip
        assert ([i.id for i in seen], total) == ([shared.id, mine.id], 2)
        private, _ = await uow.images.list(
            ImageFilters(q=word, visibility=Visibility.PRIVATE), limit=10, offset=0, sort=newest
        )
        assert {i.id for i in private} == {mine.id, theirs.id}
        owned, _ = await uow.images.list(ImageFilters(owner_id=other), limit=10, offset=0,
                                         sort=Sort("title"))  # fmt: skip
        assert [i.id for i in owned] == [shared.id, theirs.id]
        loaded = await uow.images.get(mine.id)
        assert loaded is not None
        assert loaded.visibility is Visibility.PRIVATE
        assert loaded.format is ImageFormat.PNG
        loaded.thumbnail_made("media/thumbnails/x.webp", NOW)
        await uow.images.save(loaded, expected_version=1)
        await uow.commit()
    async with backend.uow() as uow:
        again = await uow.images.get(mine.id)
        assert again is not None
        assert again.thumbnail_key == "media/thumbnails/x.webp"
        await uow.images.delete(mine.id)
        await uow.commit()
    async with backend.uow() as uow:
        assert await uow.images.get(mine.id) is None
        named, _ = await uow.categories.list(NameFilters(q=word), limit=5, offset=0, sort=newest)
        assert named == []
