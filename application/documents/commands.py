"""Commands and queries of the documents use cases."""

from __future__ import annotations

from collections.abc import AsyncIterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.documents.ports import DocumentFilters
from domain.documents.document import DocumentKind
from domain.shared.access import Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadDocumentCommand:
    actor: Actor
    kind: DocumentKind
    filename: str | None
    declared_type: str | None
    head: bytes
    """The file's first bytes (its type is judged from them before anything is stored)."""
    chunks: AsyncIterable[bytes]
    """The whole file, ``head`` included, as it arrives."""
    intervention_id: UUID | None = None
    equipment_id: UUID | None = None
    encrypt: bool | None = None
    """None: the kind's default (invoices and certificates are encrypted)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ListDocumentsQuery:
    actor: Actor
    filters: DocumentFilters
    limit: int
    offset: int
    sort: str = "-created_at"


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentQuery:
    actor: Actor
    document_id: UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentContentQuery:
    """The bytes, for an authenticated ``actor`` or for the holder of a signed link
    (``actor`` None, ``expires`` and ``signature`` from the link)."""

    document_id: UUID
    actor: Actor | None = None
    expires: str | None = None
    signature: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteDocumentCommand:
    actor: Actor
    document_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepCommand:
    now: datetime | None = None
    limit: int = 500
