"""Writing the audit trail: ``{field: (old, new)}`` diffs turned into JSON-ready entries.

Timestamps inside ``changes`` take the form of every other timestamp of the API: RFC 3339 in
UTC with ``Z`` (``2026-11-21T09:00:00Z``, fractions of a second only when there are any).
Entries written before that rule used ``+00:00``; :func:`normalised` rewrites them on read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass, replace
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from application.maintenance.ports import AuditEntry, AuditValue, MaintenanceUnitOfWork
from domain.shared.access import Actor


def audit_value(value: Any) -> AuditValue:
    """A JSON-ready copy: ids and timestamps as strings, enums as values, tuples as lists."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Enum):
        return audit_value(value.value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return utc_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): audit_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [audit_value(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return audit_value(asdict(value))
    return str(value)


def utc_instant(value: datetime) -> str:
    """``2026-11-21T09:00:00Z`` (a naive value is taken as UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


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
    """``entry`` with legacy ``+00:00`` timestamps in ``changes`` written with ``Z``."""
    changes = {name: [_normalised_value(v) for v in pair] for name, pair in entry.changes.items()}
    return entry if changes == entry.changes else replace(entry, changes=changes)


def audit_changes(changes: Mapping[str, tuple[Any, Any]]) -> dict[str, list[AuditValue]]:
    return {name: [audit_value(old), audit_value(new)] for name, (old, new) in changes.items()}


async def record(
    uow: MaintenanceUnitOfWork,
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


#: Fields of an intervention that its life-cycle moves change.
LIFECYCLE_FIELDS = (
    "status",
    "technician_id",
    "scheduled_at",
    "estimated_minutes",
    "started_at",
    "completed_at",
    "report",
    "cancel_reason",
)
