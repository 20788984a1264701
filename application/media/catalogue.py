"""What the category, colour and theme use cases share: the kind of item, name uniqueness,
reference checks and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.media.ports import (
    ENTITY_CATEGORY,
    ENTITY_COLOR,
    ENTITY_THEME,
    MediaUnitOfWork,
)
from domain.media.catalogue import Theme
from domain.media.values import name_key
from domain.shared.access import Action, Actor, Resource, Scope, require
from domain.shared.errors import DuplicateValue, FieldError, Forbidden, NotFound, UnknownReference


@dataclass(frozen=True, slots=True)
class Kind:
    resource: Resource
    entity_type: str
    repository: str
    """The unit of work's attribute holding the repository."""
    noun: str
    usage: str | None = None
    """The ``ThemeRepository.count_using`` argument naming this kind (in-use check)."""
    in_use_code: str | None = None
    audited: tuple[str, ...] = ("name",)


CATEGORIES = Kind(
    Resource.CATEGORIES, ENTITY_CATEGORY, "categories", "category",
    usage="category_id", in_use_code="category_in_use", audited=("name", "description"),
)  # fmt: skip
COLORS = Kind(
    Resource.COLOURS, ENTITY_COLOR, "colors", "colour",
    usage="color_id", in_use_code="color_in_use", audited=("name", "hex"),
)  # fmt: skip
THEMES = Kind(
    Resource.THEMES, ENTITY_THEME, "themes", "theme",
    audited=("name", "description", "category_id", "color_ids", "cover_image_id"),
)  # fmt: skip


def repository(uow: MediaUnitOfWork, kind: Kind) -> Any:
    return getattr(uow, kind.repository)


def require_manage(actor: Actor, kind: Kind, action: Action) -> None:
    """Admins and managers manage the catalogue; everyone reads it."""
    if require(actor, kind.resource, action) is not Scope.ALL:
        raise Forbidden(f"You may not {action.value} {kind.resource.value}.")


async def load(uow: MediaUnitOfWork, kind: Kind, item_id: UUID) -> Any:
    item = await repository(uow, kind).get(item_id)
    if item is None:
        raise NotFound(f"No such {kind.noun}.")
    return item


async def ensure_name_free(
    uow: MediaUnitOfWork, kind: Kind, name: str, item_id: UUID | None
) -> None:
    """409 ``name_taken`` naming ``name`` when another item of the kind has it."""
    other = await repository(uow, kind).get_by_name(name)
    if other is not None and other.id != item_id:
        raise DuplicateValue(
            ["name"], f"A {kind.noun} named {name_key(name)!r} exists.", code="name_taken"
        )


async def check_theme_references(
    uow: MediaUnitOfWork, theme: Theme, fields: set[str] | None = None
) -> None:
    """422 ``unknown_reference`` naming every field whose id points nowhere (only
    ``fields`` when given: an update checks what it changes)."""
    errors: list[FieldError] = []

    def wanted(name: str) -> bool:
        return fields is None or name in fields

    if (
        wanted("category_id")
        and theme.category_id is not None
        and await uow.categories.get(theme.category_id) is None
    ):
        errors.append(FieldError("category_id", "no category has this id"))
    if wanted("color_ids") and theme.color_ids:
        found = await uow.colors.get_many(theme.color_ids)
        missing = [str(i) for i in theme.color_ids if i not in found]
        if missing:
            errors.append(FieldError("color_ids", f"no colour has the id {', '.join(missing)}"))
    if (
        wanted("cover_image_id")
        and theme.cover_image_id is not None
        and not await uow.images.get_many([theme.cover_image_id])
    ):
        errors.append(FieldError("cover_image_id", "no image has this id"))
    if errors:
        first = errors[0]
        error = UnknownReference(
            first.field, "item", detail="; ".join(f"{e.field}: {e.message}" for e in errors)
        )
        error.errors = tuple(errors)
        raise error
