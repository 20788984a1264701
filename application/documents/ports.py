"""Ports of the documents context: the repositories, the unit of work, the cipher.

Objects without a record never linger: before any object is written its key is recorded
as *pending* (``PendingObjectRepository``) in a transaction of its own. The transaction that
creates the document's record removes the pending row; a failed upload deletes the object
and the row at once (or, when storage failed too, leaves the row to the sweeper job, which
deletes every object of a pending row older than the grace period). A delete moves the
object's key from the record to a pending row in one transaction and enqueues a retried
job that deletes the object; the sweeper catches what that job could not do.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.shared.pagination import Sort
from application.shared.uow import UnitOfWork
from domain.documents.document import Document, DocumentKind

DOCUMENT_SORT_FIELDS = frozenset({"created_at", "name", "size", "kind"})
ENTITY_DOCUMENT = "document"


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentFilters:
    intervention_id: UUID | None = None
    equipment_id: UUID | None = None
    kind: DocumentKind | None = None
    readable_interventions: Collection[UUID] | None = None
    """The caller's scope: only documents of these interventions (None: no restriction)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingObject:
    storage_key: str
    reason: str
    """``upload`` (being written), ``delete`` (its record is gone), ``rotate`` (a new copy
    being written by a key rotation)."""
    sweep_after: datetime


class DocumentRepository(Protocol):
    async def get(self, document_id: UUID) -> Document | None: ...

    async def add(self, document: Document) -> None: ...

    async def save(self, document: Document, *, expected_version: int) -> None:
        """Store the changes when the stored version is ``expected_version``, else
        ``PreconditionFailed``."""
        ...

    async def remove(self, document_id: UUID) -> bool:
        """Delete the record; whether there was one."""
        ...

    async def list(
        self, filters: DocumentFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[Document], int]:
        """One page (ties by id ascending) and the total."""
        ...

    async def encrypted_not_under(
        self, key_id: str, *, after: UUID | None, limit: int
    ) -> Sequence[Document]:
        """Encrypted documents whose key is not ``key_id``, by id ascending, ids above
        ``after`` (key rotation walks them in batches)."""
        ...

    async def count_encrypted_not_under(self, key_id: str) -> int: ...


class PendingObjectRepository(Protocol):
    async def add(self, pending: PendingObject) -> None:
        """Record (or re-record: same key replaces) an object that may lack a record."""
        ...

    async def remove(self, storage_key: str) -> bool:
        """Forget a pending object; whether this call removed the row (exactly one of two
        concurrent callers gets True)."""
        ...

    async def due(self, now: datetime, *, limit: int) -> Sequence[PendingObject]:
        """Rows whose ``sweep_after <= now``, oldest first."""
        ...


class DocumentsUnitOfWork(UnitOfWork, Protocol):
    documents: DocumentRepository
    pending_objects: PendingObjectRepository


class DocumentCipher(Protocol):
    """Streaming authenticated encryption under a key ring (newest key encrypts, every key
    decrypts). ``context`` (the document id) is bound to every chunk: the ciphertext of
    one document does not decrypt as another's."""

    @property
    def active_key_id(self) -> str:
        """The key new documents are encrypted under; raises ``DependencyUnavailable``
        when the ring is empty."""
        ...

    def has_key(self, key_id: str) -> bool: ...

    def encrypt(self, chunks: AsyncIterable[bytes], *, context: bytes) -> AsyncIterator[bytes]:
        """Ciphertext of the stream under ``active_key_id``."""
        ...

    def decrypt(
        self, chunks: AsyncIterable[bytes], *, key_id: str, context: bytes
    ) -> AsyncIterator[bytes]:
        """Plaintext of the stream; raises ``DocumentCorrupted`` as soon as a chunk fails to
        authenticate, is missing, out of order or the stream was truncated."""
        ...
