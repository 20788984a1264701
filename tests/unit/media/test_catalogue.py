"""The catalogue use cases on the memory twins: who manages, unique names, references,
in-use deletes, versions and the audit trail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.media.commands import (
    CreateCategoryCommand,
    CreateColorCommand,
    CreateThemeCommand,
    DeleteItemCommand,
    ListThemesQuery,
    UpdateItemCommand,
)
from application.media.ports import ThemeFilters
from application.shared.audit import AuditFilters
from domain.shared.access import Actor, Role
from domain.shared.errors import (
    Conflict,
    DuplicateValue,
    Forbidden,
    PreconditionFailed,
    UnknownReference,
)
from entrypoints.bootstrap.container import shutdown, start
from tests.e2e.conftest import make_container

MANAGER = Actor(user_id=uuid4(), role=Role.MANAGER)


@pytest.fixture
async def media(tmp_path: Path) -> AsyncIterator[Any]:
    built = make_container(tmp_path, queue="memory")
    await start(built)
    try:
        yield built.media
    finally:
        await shutdown(built)


async def test_only_admins_and_managers_manage(media: Any) -> None:
    for role in (Role.CLIENT, Role.TECHNICIAN):
        with pytest.raises(Forbidden):
            await media.create_category()(
                CreateCategoryCommand(actor=Actor(uuid4(), role), name="x")
            )
    made = await media.create_color()(
        CreateColorCommand(actor=Actor(uuid4(), Role.ADMIN), name="Ink", hex="#000000")
    )
    assert made.version == 1


async def test_theme_rules(media: Any) -> None:
    category = await media.create_category()(CreateCategoryCommand(actor=MANAGER, name="Sea"))
    blue = await media.create_color()(CreateColorCommand(actor=MANAGER, name="Blue", hex="#0000ff"))
    with pytest.raises(DuplicateValue) as taken:
        await media.create_color()(CreateColorCommand(actor=MANAGER, name=" BLUE ", hex="#000001"))
    assert taken.value.code == "name_taken"
    ghost = UUID(int=7)
    with pytest.raises(UnknownReference) as unknown:
        await media.create_theme()(
            CreateThemeCommand(
                actor=MANAGER, name="T", category_id=ghost, color_ids=[ghost], cover_image_id=ghost
            )
        )
    assert [e.field for e in unknown.value.errors] == ["category_id", "color_ids", "cover_image_id"]
    theme = await media.create_theme()(
        CreateThemeCommand(actor=MANAGER, name="Tide", category_id=category.id, color_ids=[blue.id])
    )
    page = await media.list_themes()(
        ListThemesQuery(actor=MANAGER, filters=ThemeFilters(color_id=blue.id))
    )
    assert [t.id for t in page.items] == [theme.id]
    for delete, item_id, code in (
        (media.delete_category(), category.id, "category_in_use"),
        (media.delete_color(), blue.id, "color_in_use"),
    ):
        with pytest.raises(Conflict) as in_use:
            await delete(DeleteItemCommand(actor=MANAGER, item_id=item_id))
        assert in_use.value.code == code
    with pytest.raises(PreconditionFailed):
        await media.update_theme()(
            UpdateItemCommand(
                actor=MANAGER, item_id=theme.id, changes={"name": "X"}, expected_version=3
            )
        )
    with pytest.raises(UnknownReference):
        await media.update_theme()(
            UpdateItemCommand(actor=MANAGER, item_id=theme.id, changes={"category_id": ghost})
        )
    updated = await media.update_theme()(
        UpdateItemCommand(
            actor=MANAGER, item_id=theme.id, changes={"color_ids": []}, expected_version=1
        )
    )
    assert (updated.version, updated.color_ids) == (2, ())
    await media.delete_color()(DeleteItemCommand(actor=MANAGER, item_id=blue.id))


async def test_changes_are_audited(tmp_path: Path) -> None:
    container = make_container(tmp_path, queue="memory")
    await start(container)
    media: Any = container.media
    try:
        made = await media.create_category()(
            CreateCategoryCommand(actor=MANAGER, name="Audited", description="a")
        )
        await media.update_category()(
            UpdateItemCommand(actor=MANAGER, item_id=made.id, changes={"description": "b"})
        )
        await media.delete_category()(DeleteItemCommand(actor=MANAGER, item_id=made.id))
        entries, total = await container.audit_trail().list(
            AuditFilters(entity_type="category", entity_id=made.id), limit=10, offset=0
        )
        assert total == 3
        assert [e.action for e in entries] == ["delete", "update", "create"]
        assert entries[1].changes == {"description": ["a", "b"]}
        assert all(e.actor_id == MANAGER.user_id for e in entries)
    finally:
        await shutdown(container)
