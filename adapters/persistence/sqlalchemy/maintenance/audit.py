"""``SqlAuditLog``: the append-only audit trail, written in the unit of work's transaction."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.maintenance import mapping
from adapters.persistence.sqlalchemy.maintenance.base import SqlRepository
from adapters.persistence.sqlalchemy.tables.maintenance import audit_log
from application.maintenance.ports import AuditEntry, AuditFilters, AuditLog

A = audit_log.c


class SqlAuditLog(SqlRepository, AuditLog):
    async def record(self, entry: AuditEntry) -> None:
        await self._conn.execute(sa.insert(audit_log).values(mapping.audit_row(entry)))

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
        total = int((await self._conn.execute(count)).scalar_one())
        if limit <= 0 or offset >= total:
            return [], total
        page = (
            sa.select(audit_log)
            .where(*conditions)
            .order_by(A.at.desc(), A.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [mapping.audit_entry(row) for row in await self._conn.execute(page)], total
