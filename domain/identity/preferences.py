"""A user's preferences: favourite Galaxy namespaces, collections and modules, free settings."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.shared.aggregate import Aggregate
from domain.shared.errors import FieldError, ValidationFailed

MAX_FAVORITES = 200
MAX_FAVORITE_LENGTH = 200
MAX_SETTINGS_BYTES = 16 * 1024
FAVORITE_FIELDS = ("favorite_namespaces", "favorite_collections", "favorite_modules")


def _clean_favorites(name: str, values: Sequence[str], errors: list[FieldError]) -> list[str]:
    if len(values) > MAX_FAVORITES:
        errors.append(FieldError(name, f"At most {MAX_FAVORITES} entries."))
        return []
    cleaned: list[str] = []
    for index, value in enumerate(values):
        item = value.strip()
        if not item or len(item) > MAX_FAVORITE_LENGTH or "\x00" in item:
            errors.append(FieldError(f"{name}[{index}]", f"1 to {MAX_FAVORITE_LENGTH} characters."))
        elif item not in cleaned:  # keep order, drop duplicates
            cleaned.append(item)
    return cleaned


def _clean_settings(settings: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    try:
        encoded = json.dumps(settings, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        errors.append(FieldError("settings", "Settings must be plain JSON values."))
        return {}
    if len(encoded.encode()) > MAX_SETTINGS_BYTES:
        errors.append(FieldError("settings", f"Settings exceed {MAX_SETTINGS_BYTES} bytes."))
        return {}
    parsed: dict[str, Any] = json.loads(encoded)  # a deep, JSON-only copy
    return parsed


@dataclass(kw_only=True, eq=False, slots=True)
class Preferences(Aggregate):
    """Keyed by the user's id (``id == user_id``)."""

    favorite_namespaces: list[str] = field(default_factory=list)
    favorite_collections: list[str] = field(default_factory=list)
    favorite_modules: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None

    @property
    def user_id(self) -> UUID:
        return self.id

    @classmethod
    def empty(cls, user_id: UUID) -> Preferences:
        """The defaults of a user who never saved any (``version`` 0: nothing stored)."""
        return cls(id=user_id, version=0)

    def replace(
        self,
        now: datetime,
        *,
        favorite_namespaces: Sequence[str],
        favorite_collections: Sequence[str],
        favorite_modules: Sequence[str],
        settings: Mapping[str, Any],
    ) -> None:
        errors: list[FieldError] = []
        namespaces = _clean_favorites("favorite_namespaces", favorite_namespaces, errors)
        collections = _clean_favorites("favorite_collections", favorite_collections, errors)
        modules = _clean_favorites("favorite_modules", favorite_modules, errors)
        cleaned_settings = _clean_settings(settings, errors)
        if errors:
            raise ValidationFailed(errors=errors)
        self.favorite_namespaces = namespaces
        self.favorite_collections = collections
        self.favorite_modules = modules
        self.settings = cleaned_settings
        self.updated_at = now
