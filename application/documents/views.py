"""Read models of the documents use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.documents.document import Document


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentView:
    id: UUID
    name: str
    kind: str
    size: int
    mime_type: str
    sha256: str
    encrypted: bool
    intervention_id: UUID | None
    equipment_id: UUID | None
    uploaded_by: UUID
    created_at: datetime
    version: int

    @classmethod
    def of(cls, document: Document) -> DocumentView:
        return cls(
            id=document.id,
            name=document.name,
            kind=document.kind.value,
            size=document.size,
            mime_type=document.mime_type,
            sha256=document.sha256,
            encrypted=document.encrypted,
            intervention_id=document.intervention_id,
            equipment_id=document.equipment_id,
            uploaded_by=document.uploaded_by,
            created_at=document.created_at,
            version=document.version,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentPage:
    items: Sequence[DocumentView]
    total: int


@dataclass(slots=True, kw_only=True)
class DocumentContent:
    """The bytes of a document, streamed (decrypted when stored encrypted)."""

    document: DocumentView
    chunks: AsyncIterator[bytes]


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentLink:
    url: str
    """Absolute (S3's presigned URL) or a path of the app with its signature (local
    storage): the HTTP edge makes the latter absolute."""
    expires_at: datetime
    signed_by_app: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Verification:
    ok: bool
    sha256: str | None
    """The digest of the bytes read back (None when they could not be read)."""
    expected_sha256: str
    size: int | None
