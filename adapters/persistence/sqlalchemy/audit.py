"""The audit trail on SQL: ``SqlAuditLog`` writes in a unit of work's transaction,
``SqlAuditTrail`` reads the committed trail (``GET /audit``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.queries import read_connection
from adapters.persistence.sqlalchemy.tables.audit import audit_log
from application.shared.audit import AuditEntry, AuditFilters, AuditLog, AuditTrail

if TYPE_CHECKING:  # the unit of work builds these; no import cycle at run time
    from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork


A = audit_log.c


def audit_row(a: AuditEntry) -> dict[str, Any]:
    return {
        "id": a.id,
        "at": a.at,
        "actor_id": a.actor_id,
        "entity_type": a.entity_type,
        "entity_id": a.entity_id,
        "action": a.action,
        "changes": dict(a.changes),
    }


def audit_entry(row: sa.Row[Any]) -> AuditEntry:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return AuditEntry(
        id=r["id"],
        at=r["at"],
        actor_id=r["actor_id"],
        entity_type=r["entity_type"],
        entity_id=r["entity_id"],
        action=r["action"],
        changes=dict(r["changes"]),
    )


class SqlAuditLog(AuditLog):
    """Entries are kept until the unit of work commits, then written with the
    transaction's other closing writes and its COMMIT (``driver_writes.commit_with``: a use
    case or a batch of event deliveries that records many entries costs no round trip of
    its own)."""

    def __init__(self, uow: SqlAlchemyUnitOfWork) -> None:
        self._uow = uow
        self._pending: list[dict[str, Any]] = []

    async def record(self, entry: AuditEntry) -> None:
        self._pending.append(audit_row(entry))

    def take(self) -> list[dict[str, Any]]:
        """The rows recorded so far, now the caller's to write (the unit of work writes them
        with its commit)."""
        rows, self._pending = self._pending, []
        return rows


class SqlAuditTrail(AuditTrail):
    def __init__(self, database: SqlDatabase) -> None:
        self._database = database

    async def list(
        self, filters: AuditFilters, *, limit: int, offset: int
    ) -> tuple[Sequence[AuditEntry], int]:
        f = filters
        conditions: list[sa.ColumnElement[bool]] = []
        if f.entity_type is not None:
            conditions.append(A.entity_type == f.entity_type)
        if f.entity_id is not None:
            conditions.append(A.entity_id == f.entity_id)
        if f.actor_id is not None:
            conditions.append(A.actor_id == f.actor_id)
        if f.at_from is not None:
            conditions.append(A.at >= f.at_from)
        if f.at_to is not None:
            conditions.append(A.at < f.at_to)
        count = sa.select(sa.func.count()).select_from(audit_log).where(*conditions)
        async with read_connection(self._database) as conn:
            total = int((await conn.execute(count)).scalar_one())
            if limit <= 0 or offset >= total:
                return [], total
            page = (
                sa.select(audit_log)
                .where(*conditions)
                .order_by(A.at.desc(), A.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [audit_entry(row) for row in await conn.execute(page)], total
