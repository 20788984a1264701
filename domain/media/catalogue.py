"""Categories, colours and themes: the catalogue managers curate (mutable, versioned)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.media import values
from domain.shared.aggregate import Aggregate
from domain.shared.errors import FieldError, ValidationFailed
from domain.shared.ids import new_id

MAX_THEME_COLORS = 50

Diff = dict[str, tuple[Any, Any]]


def _apply(entity: Aggregate, cleaned: Mapping[str, Any], now: datetime) -> Diff:
    """Set the changed fields, bump the version once; the diff ``{field: (old, new)}``."""
    diff: Diff = {}
    for name, value in cleaned.items():
        old = getattr(entity, name)
        if old != value:
            diff[name] = (old, value)
            setattr(entity, name, value)
    if diff:
        entity.version += 1
        entity.updated_at = now  # type: ignore[attr-defined]
    return diff


@dataclass(kw_only=True, eq=False, slots=True)
class Category(Aggregate):
    name: str
    description: str | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def name_key(self) -> str:
        return values.name_key(self.name)

    @classmethod
    def create(cls, *, name: str, description: str | None, now: datetime) -> Category:
        return cls(
            id=new_id(),
            name=values.clean_name(name),
            description=values.clean_text(description, "description"),
            created_at=now,
            updated_at=now,
        )

    def update(self, changes: Mapping[str, Any], now: datetime) -> Diff:
        cleaned: dict[str, Any] = {}
        if "name" in changes:
            cleaned["name"] = values.clean_name(changes["name"])
        if "description" in changes:
            cleaned["description"] = values.clean_text(changes["description"], "description")
        return _apply(self, cleaned, now)


@dataclass(kw_only=True, eq=False, slots=True)
class Color(Aggregate):
    name: str
    hex: str
    created_at: datetime
    updated_at: datetime

    @property
    def name_key(self) -> str:
        return values.name_key(self.name)

    @classmethod
    def create(cls, *, name: str, hex: str, now: datetime) -> Color:
        errors: list[FieldError] = []
        cleaned: dict[str, str] = {}
        for field_name, fn, raw in (
            ("name", values.clean_name, name),
            ("hex", values.clean_hex, hex),
        ):
            try:
                cleaned[field_name] = fn(raw)
            except ValidationFailed as exc:
                errors.extend(exc.errors)
        if errors:
            raise ValidationFailed(errors=errors)
        return cls(
            id=new_id(), name=cleaned["name"], hex=cleaned["hex"], created_at=now, updated_at=now
        )

    def update(self, changes: Mapping[str, Any], now: datetime) -> Diff:
        cleaned: dict[str, Any] = {}
        if "name" in changes:
            cleaned["name"] = values.clean_name(changes["name"])
        if "hex" in changes:
            cleaned["hex"] = values.clean_hex(changes["hex"])
        return _apply(self, cleaned, now)


def unique_ids(ids: Sequence[UUID], field_name: str = "color_ids") -> tuple[UUID, ...]:
    """Duplicates dropped (first kept); at most 50."""
    unique = tuple(dict.fromkeys(ids))
    if len(unique) > MAX_THEME_COLORS:
        raise ValidationFailed(
            errors=[FieldError(field_name, f"at most {MAX_THEME_COLORS} colours")]
        )
    return unique


@dataclass(kw_only=True, eq=False, slots=True)
class Theme(Aggregate):
    name: str
    description: str | None = None
    category_id: UUID | None = None
    color_ids: tuple[UUID, ...] = ()
    cover_image_id: UUID | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def name_key(self) -> str:
        return values.name_key(self.name)

    @classmethod
    def create(
        cls,
        *,
        name: str,
        description: str | None,
        category_id: UUID | None,
        color_ids: Sequence[UUID],
        cover_image_id: UUID | None,
        now: datetime,
    ) -> Theme:
        return cls(
            id=new_id(),
            name=values.clean_name(name),
            description=values.clean_text(description, "description"),
            category_id=category_id,
            color_ids=unique_ids(color_ids),
            cover_image_id=cover_image_id,
            created_at=now,
            updated_at=now,
        )

    def update(self, changes: Mapping[str, Any], now: datetime) -> Diff:
        cleaned: dict[str, Any] = {}
        if "name" in changes:
            cleaned["name"] = values.clean_name(changes["name"])
        if "description" in changes:
            cleaned["description"] = values.clean_text(changes["description"], "description")
        if "category_id" in changes:
            cleaned["category_id"] = changes["category_id"]
        if "color_ids" in changes:
            cleaned["color_ids"] = unique_ids(changes["color_ids"] or ())
        if "cover_image_id" in changes:
            cleaned["cover_image_id"] = changes["cover_image_id"]
        return _apply(self, cleaned, now)
