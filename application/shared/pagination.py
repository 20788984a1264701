"""Pages of list results: ``{items, total, limit, offset}`` with bounded limits and sorting."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from domain.shared.errors import FieldError, ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A validated window: ``limit`` defaults to 50 and is capped at 200 (never an error);
    a negative ``limit`` or ``offset`` is a ``ValidationFailed``."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0

    @classmethod
    def of(cls, limit: int | None = None, offset: int | None = None) -> PageRequest:
        errors: list[FieldError] = []
        if limit is not None and limit < 0:
            errors.append(FieldError("limit", "Must be zero or more."))
        if offset is not None and offset < 0:
            errors.append(FieldError("offset", "Must be zero or more."))
        if errors:
            raise ValidationFailed(errors=errors)
        chosen = DEFAULT_LIMIT if limit is None else min(limit, MAX_LIMIT)
        return cls(limit=chosen, offset=offset or 0)


@dataclass(frozen=True, slots=True)
class Sort:
    field: str
    descending: bool = False

    @classmethod
    def parse(cls, value: str | None, allowed: Collection[str], default: str) -> Sort:
        """``"name"`` or ``"-name"``; a field not in ``allowed`` is a ``ValidationFailed``."""
        raw = (value or default).strip()
        descending = raw.startswith("-")
        name = raw[1:] if descending else raw
        if name not in allowed:
            raise ValidationFailed(
                errors=[FieldError("sort", f"Sort by one of: {', '.join(sorted(allowed))}.")]
            )
        return cls(field=name, descending=descending)

    def __str__(self) -> str:
        return f"-{self.field}" if self.descending else self.field
