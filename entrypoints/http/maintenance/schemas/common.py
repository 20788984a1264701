"""Shared parts of the maintenance schemas: bounded types, ``changes_of`` and ``parse_instant``.

Every string has a maximum length and every integer a range (422 beyond them). PATCH bodies
use ``UNSET``: only the fields present in the body reach the use case (``changes_of``).

``parse_instant`` is the one parser of the ``from``/``to``/``created_from``/``created_to``
query parameters: an RFC 3339 timestamp with an offset, or a date (00:00 UTC that day).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any

import msgspec
from msgspec import UNSET

from domain.shared.errors import FieldError, ValidationFailed

PUBLIC_MODULE = "entrypoints.http.maintenance.schemas"
"""The module the paged answers (``Page[XRead]``) claim as theirs: Litestar names the OpenAPI
component of ``Page[XRead]`` after ``XRead.__module__``, so those classes keep the name they had
before the schemas were split into modules (``Page_entrypoints.http.maintenance.schemas.XRead_``).
A class that sets it must not use ``from __future__ import annotations`` (its annotations would
then be resolved in this package's namespace)."""

# -- bounded types (limits mirror domain.maintenance.validation) ---------------------------
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Short = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
OptionalShort = Annotated[str, msgspec.Meta(max_length=100)]
Place = Annotated[str, msgspec.Meta(max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=5_000)]
ReportText = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]
Reason = Annotated[str, msgspec.Meta(max_length=1_000)]
Phone = Annotated[str, msgspec.Meta(max_length=32)]
Skill = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Skills = Annotated[list[Skill], msgspec.Meta(max_length=50)]
HourMinute = Annotated[str, msgspec.Meta(min_length=4, max_length=5)]
Weekday = Annotated[int, msgspec.Meta(ge=0, le=6)]
EstimatedMinutes = Annotated[int, msgspec.Meta(ge=1, le=1_440)]
IntervalDays = Annotated[int, msgspec.Meta(ge=1, le=3_650)]
Instant = Annotated[datetime, msgspec.Meta(tz=True)]
"""A timestamp with an offset (RFC 3339); a naive one is 422."""


def changes_of(body: msgspec.Struct, *, convert: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The fields present in a PATCH body (``UNSET`` ones left out), converted if asked."""
    changes: dict[str, Any] = {}
    for name in body.__struct_fields__:
        value = getattr(body, name)
        if value is UNSET:
            continue
        fn = (convert or {}).get(name)
        changes[name] = fn(value) if fn is not None and value is not None else value
    return changes


# -- time query parameters -----------------------------------------------------------------
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_INSTANT_CHARS = 40


def parse_instant(field: str, value: str | None) -> datetime | None:
    """``2026-11-21T09:00:00Z`` / ``...+02:00`` (to UTC) or ``2026-11-21`` (00:00 UTC);
    ``None`` stays ``None``; anything else is a 422 naming ``field``."""
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) > MAX_INSTANT_CHARS:
            raise ValueError(text)
        if _DATE.match(text):
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        if "T" not in text.upper() and " " not in text:
            raise ValueError(text)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise _bad_instant(field) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _bad_instant(field)
    return parsed.astimezone(UTC)


def _bad_instant(field: str) -> ValidationFailed:
    return ValidationFailed(
        errors=[
            FieldError(
                field,
                "must be an RFC 3339 timestamp with an offset (2026-11-21T09:00:00Z) "
                "or a date (2026-11-21)",
            )
        ]
    )
