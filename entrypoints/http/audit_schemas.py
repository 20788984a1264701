"""msgspec answer of ``GET /audit``."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from application.shared.audit import AuditEntry


class FieldChange(msgspec.Struct, kw_only=True):
    old: Any
    new: Any


class AuditRead(msgspec.Struct, kw_only=True):
    id: UUID
    at: datetime
    actor_id: UUID | None
    entity_type: str
    entity_id: UUID
    action: str
    changes: dict[str, FieldChange]

    @classmethod
    def of(cls, e: AuditEntry) -> "AuditRead":
        changes = {
            name: FieldChange(old=pair[0] if pair else None, new=pair[1] if len(pair) > 1 else None)
            for name, pair in e.changes.items()
        }
        return cls(
            id=e.id,
            at=e.at,
            actor_id=e.actor_id,
            entity_type=e.entity_type,
            entity_id=e.entity_id,
            action=e.action,
            changes=changes,
        )
