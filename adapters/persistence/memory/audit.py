"""The audit trail in process memory: written in a unit of work's working copy (so it
commits or rolls back with the change), read from the committed tables."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from adapters.persistence.memory.store import MemoryStore, MemoryUnitOfWork, snapshot
from application.shared.audit import AuditEntry, AuditFilters, AuditLog, AuditTrail

AUDIT = "audit_log"


class MemoryAuditLog(AuditLog):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    async def record(self, entry: AuditEntry) -> None:
        self._uow.table(AUDIT)[entry.id] = snapshot(entry)


class MemoryAuditTrail(AuditTrail):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def list(
        self, filters: AuditFilters, *, limit: int, offset: int
    ) -> tuple[Sequence[AuditEntry], int]:
        f = filters
        rows: dict[UUID, AuditEntry] = self._store.tables.get(AUDIT, {})
        matches = sorted(
            (
                e
                for e in rows.values()
                if (f.entity_type is None or e.entity_type == f.entity_type)
                and (f.entity_id is None or e.entity_id == f.entity_id)
                and (f.actor_id is None or e.actor_id == f.actor_id)
                and (f.at_from is None or e.at >= f.at_from)
                and (f.at_to is None or e.at < f.at_to)
            ),
            key=lambda e: (e.at, e.id.int),
            reverse=True,
        )
        return [snapshot(e) for e in matches[offset : offset + limit]], len(matches)
