"""``SqlDocumentRepository`` and ``SqlPendingObjectRepository``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from adapters.persistence.sqlalchemy.documents.tables import document_pending_objects, documents
from adapters.persistence.sqlalchemy.errors import execute_checked
from adapters.persistence.sqlalchemy.queries import (
    execute_guarded,
    page_and_total,
    update_if_version,
)
from adapters.persistence.sqlalchemy.repository import SqlRepository
from application.documents.ports import (
    DocumentFilters,
    DocumentRepository,
    PendingObject,
    PendingObjectRepository,
)
from application.shared.pagination import Sort
from domain.documents.document import Document, DocumentKind
from domain.shared.errors import PreconditionFailed

D = documents.c
P = document_pending_objects.c


def _document(row: Any) -> Document:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return Document(
        id=r["id"],
        name=r["name"],
        kind=DocumentKind(r["kind"]),
        size=r["size"],
        mime_type=r["mime_type"],
        sha256=r["sha256"],
        encrypted=r["encrypted"],
        key_id=r["key_id"],
        storage_key=r["storage_key"],
        intervention_id=r["intervention_id"],
        equipment_id=r["equipment_id"],
        uploaded_by=r["uploaded_by"],
        created_at=r["created_at"],
        version=r["version"],
    )


def _row(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "name": document.name,
        "kind": document.kind.value,
        "size": document.size,
        "mime_type": document.mime_type,
        "sha256": document.sha256,
        "encrypted": document.encrypted,
        "key_id": document.key_id,
        "storage_key": document.storage_key,
        "intervention_id": document.intervention_id,
        "equipment_id": document.equipment_id,
        "uploaded_by": document.uploaded_by,
        "created_at": document.created_at,
        "version": document.version,
    }


def _conditions(f: DocumentFilters) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if f.intervention_id is not None:
        conditions.append(D.intervention_id == f.intervention_id)
    if f.equipment_id is not None:
        conditions.append(D.equipment_id == f.equipment_id)
    if f.kind is not None:
        conditions.append(D.kind == f.kind.value)
    if f.linked_only:
        conditions.append(sa.or_(D.intervention_id.is_not(None), D.equipment_id.is_not(None)))
    if f.readable_interventions is not None:
        readable = list(f.readable_interventions)
        conditions.append(D.intervention_id.in_(readable) if readable else sa.false())
    return conditions


class SqlDocumentRepository(SqlRepository, DocumentRepository):
    async def get(self, document_id: UUID) -> Document | None:
        row = (await self._conn.execute(sa.select(documents).where(D.id == document_id))).first()
        return None if row is None else _document(row)

    async def add(self, document: Document) -> None:
        await execute_guarded(self._conn, sa.insert(documents).values(_row(document)))

    async def save(self, document: Document, *, expected_version: int) -> None:
        values = _row(document)
        for fixed in ("id", "version", "created_at", "uploaded_by"):
            values.pop(fixed)
        saved = await update_if_version(
            self._conn,
            documents,
            document.id,
            expected_version=expected_version,
            new_version=document.version,
            values=values,
        )
        if not saved:
            raise PreconditionFailed("The document was changed by someone else.")

    async def remove(self, document_id: UUID) -> bool:
        result = await execute_checked(
            self._conn, sa.delete(documents).where(D.id == document_id), guarded=False
        )
        return isinstance(result, CursorResult) and result.rowcount == 1

    async def list(
        self, filters: DocumentFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Document], int]:
        column = getattr(D, sort.field)
        key = self._text_key(column) if sort.field in {"name", "kind"} else column
        rows, total = await page_and_total(
            self._conn, documents, _conditions(filters), key, sort, limit=limit, offset=offset
        )
        return [_document(row) for row in rows], total

    def _not_under(self, key_id: str) -> sa.ColumnElement[bool]:
        return sa.and_(D.encrypted.is_(True), sa.or_(D.key_id.is_(None), D.key_id != key_id))

    async def encrypted_not_under(
        self, key_id: str, *, after: UUID | None, limit: int
    ) -> Sequence[Document]:
        statement = sa.select(documents).where(self._not_under(key_id))
        if after is not None:
            statement = statement.where(D.id > after)
        rows = await self._conn.execute(statement.order_by(D.id).limit(limit))
        return [_document(row) for row in rows]

    async def count_encrypted_not_under(self, key_id: str) -> int:
        count = sa.select(sa.func.count()).select_from(documents).where(self._not_under(key_id))
        return int((await self._conn.execute(count)).scalar_one())


class SqlPendingObjectRepository(SqlRepository, PendingObjectRepository):
    async def add(self, pending: PendingObject) -> None:
        await execute_checked(
            self._conn,
            sa.delete(document_pending_objects).where(P.storage_key == pending.storage_key),
            guarded=False,
        )
        await execute_guarded(
            self._conn,
            sa.insert(document_pending_objects).values(
                storage_key=pending.storage_key,
                reason=pending.reason,
                sweep_after=pending.sweep_after,
            ),
        )

    async def remove(self, storage_key: str) -> bool:
        result = await execute_checked(
            self._conn,
            sa.delete(document_pending_objects).where(P.storage_key == storage_key),
            guarded=False,
        )
        return isinstance(result, CursorResult) and result.rowcount == 1

    async def due(self, now: datetime, *, limit: int) -> Sequence[PendingObject]:
        statement = (
            sa.select(document_pending_objects)
            .where(P.sweep_after <= now)
            .order_by(P.sweep_after, P.storage_key)
            .limit(limit)
        )
        return [
            PendingObject(storage_key=r.storage_key, reason=r.reason, sweep_after=r.sweep_after)
            for r in await self._conn.execute(statement)
        ]
