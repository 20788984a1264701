"""The documents module's answers (msgspec Structs).

No ``from __future__ import annotations`` here: Litestar names the OpenAPI component of
``Page[DocumentRead]`` from these classes' own namespace.
"""

from datetime import datetime
from uuid import UUID

import msgspec

from application.documents.views import DocumentLink, DocumentView, Verification
from domain.documents.document import DocumentKind


class DocumentRead(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    kind: DocumentKind
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
    def of(cls, view: DocumentView) -> "DocumentRead":
        return cls(
            id=view.id,
            name=view.name,
            kind=DocumentKind(view.kind),
            size=view.size,
            mime_type=view.mime_type,
            sha256=view.sha256,
            encrypted=view.encrypted,
            intervention_id=view.intervention_id,
            equipment_id=view.equipment_id,
            uploaded_by=view.uploaded_by,
            created_at=view.created_at,
            version=view.version,
        )


class DocumentLinkRead(msgspec.Struct, kw_only=True):
    url: str
    """Works without a bearer token until ``expires_at``."""
    expires_at: datetime

    @classmethod
    def of(cls, link: DocumentLink, url: str) -> "DocumentLinkRead":
        return cls(url=url, expires_at=link.expires_at)


class VerificationRead(msgspec.Struct, kw_only=True):
    ok: bool
    """True when the stored bytes read back (and decrypt) to the recorded SHA-256 and size."""
    sha256: str | None
    """The SHA-256 of the bytes read back; null when they could not be read or decrypted."""
    expected_sha256: str
    size: int | None

    @classmethod
    def of(cls, v: Verification) -> "VerificationRead":
        return cls(ok=v.ok, sha256=v.sha256, expected_sha256=v.expected_sha256, size=v.size)
