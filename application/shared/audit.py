"""The audit trail: a platform capability every module writes in its own transaction.

``uow.audit.record(entry)`` appends in the unit of work's transaction (gone on rollback);
``AuditTrail`` reads the whole trail for ``GET /audit`` (admins, managers). Entries hold
JSON-ready values only: ``changes`` maps each changed field to ``[old, new]``, with ids and
timestamps as strings (timestamps in the API's ``...Z`` form), enums as their values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass, replace
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, Protocol, Union
from uuid import UUID

from domain.shared.access import Actor
from domain.shared.ids import new_id

AuditValue = Union[  # noqa: UP007 - a recursive alias needs the string forward references
    str, int, float, bool, None, list["AuditValue"], dict[str, "AuditValue"]
]
"""JSON-ready values only (ids and timestamps as strings, enums as their values)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFilters:
    entity_type: str | None = None
    entity_id: UUID | None = None
    actor_id: UUID | None = None
    at_from: datetime | None = None
    """``at >= at_from``."""
    at_to: datetime | None = None
    """``at < at_to``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One change: ``changes`` maps each changed field to ``[old, new]`` (JSON values)."""

    actor_id: UUID | None
    """``None`` for system jobs (escalation)."""
    entity_type: str
    entity_id: UUID
    action: str
    """What happened, in the module's words: create, update, assign, login_failed, ..."""
    changes: Mapping[str, list[AuditValue]]
    at: datetime
    id: UUID = field(default_factory=new_id)


class AuditLog(Protocol):
    """The writing side, part of every module's unit of work."""

    async def record(self, entry: AuditEntry) -> None:
        """Append, in the unit of work's transaction (gone on rollback)."""
        ...


class AuditTrail(Protocol):
    """The reading side (``GET /audit``)."""

    async def list(
        self, filters: AuditFilters, *, limit: int, offset: int
    ) -> tuple[Sequence[AuditEntry], int]:
        """Newest first (``at`` descending, then id descending), with the total."""
        ...


class AuditedUnitOfWork(Protocol):
    audit: AuditLog


def timestamp(value: datetime) -> str:
    """The API's timestamp form: RFC 3339 in UTC with ``Z`` (``2026-11-21T09:00:00Z``)."""
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_LEGACY_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$")


def _normalised_value(value: AuditValue) -> AuditValue:
    if isinstance(value, str) and _LEGACY_UTC.match(value):
        return value.removesuffix("+00:00") + "Z"
    if isinstance(value, list):
        return [_normalised_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalised_value(v) for k, v in value.items()}
    return value


def normalised(entry: AuditEntry) -> AuditEntry:
    """``entry`` with ``+00:00`` timestamps in ``changes`` (entries written before the ``Z``
    rule) written with ``Z``."""
    changes = {name: [_normalised_value(v) for v in pair] for name, pair in entry.changes.items()}
    return entry if changes == entry.changes else replace(entry, changes=changes)


def audit_value(value: Any) -> AuditValue:
    """A JSON-ready copy: ids and timestamps as strings, enums as values, tuples as lists."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Enum):
        return audit_value(value.value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return timestamp(value) if value.tzinfo is not None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): audit_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [audit_value(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return audit_value(asdict(value))
    return str(value)


def audit_changes(changes: Mapping[str, tuple[Any, Any]]) -> dict[str, list[AuditValue]]:
    return {name: [audit_value(old), audit_value(new)] for name, (old, new) in changes.items()}


async def record(
    uow: AuditedUnitOfWork,
    *,
    actor: Actor | None,
    entity_type: str,
    entity_id: UUID,
    action: str,
    changes: Mapping[str, tuple[Any, Any]],
    at: datetime,
) -> None:
    """Append one entry to the audit log of ``uow`` (same transaction as the change)."""
    await uow.audit.record(
        AuditEntry(
            actor_id=actor.user_id if actor else None,
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            changes=audit_changes(changes),
            at=at,
        )
    )


def created(fields: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The diff of a creation: every field from ``None``."""
    return {name: (None, value) for name, value in fields.items()}


def fields_of(entity: object, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(entity, name) for name in names}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """``{field: (old, new)}`` of the fields whose value changed."""
    return {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
