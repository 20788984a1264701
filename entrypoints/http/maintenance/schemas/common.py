"""Shared parts of the maintenance schemas: bounded types and ``changes_of``.

Every string has a maximum length and every integer a range (422 beyond them). PATCH bodies
use ``UNSET``: only the fields present in the body reach the use case (``changes_of``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

import msgspec
from msgspec import UNSET

from entrypoints.http.schemas import parse_instant

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


__all__ = ["PUBLIC_MODULE", "changes_of", "parse_instant"]
