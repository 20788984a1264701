"""In-memory documents repositories and unit of work (the twin of the SQL ones)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from adapters.persistence.memory.store import MemoryStore, MemoryUnitOfWork, snapshot
from application.documents.ports import (
    DocumentFilters,
    DocumentRepository,
    DocumentsUnitOfWork,
    PendingObject,
    PendingObjectRepository,
)
from application.shared.events import EventPublisher
from application.shared.pagination import Sort
from application.shared.uow import OutboxSignal
from domain.documents.document import Document
from domain.shared.errors import Conflict, PreconditionFailed

DOCUMENTS, PENDING = "doc_documents", "doc_pending_objects"


def _sort_value(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    return value


def _matches(document: Document, f: DocumentFilters) -> bool:
    if f.intervention_id is not None and document.intervention_id != f.intervention_id:
        return False
    if f.equipment_id is not None and document.equipment_id != f.equipment_id:
        return False
    if f.kind is not None and document.kind != f.kind:
        return False
    return f.readable_interventions is None or (
        document.intervention_id is not None
        and document.intervention_id in f.readable_interventions
    )


class MemoryDocumentRepository(DocumentRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._rows: dict[UUID, Document] = uow.table(DOCUMENTS)

    async def get(self, document_id: UUID) -> Document | None:
        found = self._rows.get(document_id)
        return None if found is None else snapshot(found)

    async def add(self, document: Document) -> None:
        if document.id in self._rows or any(
            d.storage_key == document.storage_key for d in self._rows.values()
        ):
            raise Conflict("This document exists already.", code="duplicate_value")
        self._rows[document.id] = snapshot(document)

    async def save(self, document: Document, *, expected_version: int) -> None:
        stored = self._rows.get(document.id)
        if stored is None or stored.version != expected_version:
            raise PreconditionFailed("The document was changed by someone else.")
        self._rows[document.id] = snapshot(document)

    async def remove(self, document_id: UUID) -> bool:
        return self._rows.pop(document_id, None) is not None

    async def list(
        self, filters: DocumentFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Document], int]:
        matches = sorted(
            (d for d in self._rows.values() if _matches(d, filters)), key=lambda d: d.id.int
        )
        matches.sort(key=lambda d: _sort_value(getattr(d, sort.field)), reverse=sort.descending)
        return [snapshot(d) for d in matches[offset : offset + limit]], len(matches)

    async def encrypted_not_under(
        self, key_id: str, *, after: UUID | None, limit: int
    ) -> Sequence[Document]:
        found = sorted(
            (
                d
                for d in self._rows.values()
                if d.encrypted and d.key_id != key_id and (after is None or d.id.int > after.int)
            ),
            key=lambda d: d.id.int,
        )
        return [snapshot(d) for d in found[:limit]]

    async def count_encrypted_not_under(self, key_id: str) -> int:
        return sum(1 for d in self._rows.values() if d.encrypted and d.key_id != key_id)


class MemoryPendingObjectRepository(PendingObjectRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._rows: dict[str, PendingObject] = uow.table(PENDING)

    async def add(self, pending: PendingObject) -> None:
        self._rows[pending.storage_key] = pending

    async def remove(self, storage_key: str) -> bool:
        return self._rows.pop(storage_key, None) is not None

    async def due(self, now: datetime, *, limit: int) -> Sequence[PendingObject]:
        due = sorted(
            (p for p in self._rows.values() if p.sweep_after <= now),
            key=lambda p: (p.sweep_after, p.storage_key),
        )
        return due[:limit]


class MemoryDocumentsUnitOfWork(MemoryUnitOfWork, DocumentsUnitOfWork):
    documents: MemoryDocumentRepository
    pending_objects: MemoryPendingObjectRepository

    def __init__(
        self,
        store: MemoryStore,
        publisher: EventPublisher | None = None,
        *,
        outbox_signal: OutboxSignal | None = None,
    ) -> None:
        super().__init__(store, publisher, outbox_signal=outbox_signal)

    def _open_repositories(self) -> None:
        self.documents = MemoryDocumentRepository(self)
        self.pending_objects = MemoryPendingObjectRepository(self)
