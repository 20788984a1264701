"""A stored document: its metadata; the bytes live in blob storage under ``storage_key``."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.shared.aggregate import Aggregate

NAME_MAX = 255
DEFAULT_NAME = "document"


class DocumentKind(StrEnum):
    REPORT = "report"
    PHOTO = "photo"
    MANUAL = "manual"
    INVOICE = "invoice"
    CERTIFICATE = "certificate"
    OTHER = "other"


#: Kinds kept encrypted at rest unless the uploader says otherwise (``encrypt=false``).
ENCRYPTED_BY_DEFAULT = frozenset({DocumentKind.INVOICE, DocumentKind.CERTIFICATE})


def encrypt_by_default(kind: DocumentKind) -> bool:
    return kind in ENCRYPTED_BY_DEFAULT


def clean_name(filename: str | None) -> str:
    """The client's file name without any folder part, control characters or surrounding
    blanks, at most 255 characters; ``document`` when nothing is left."""
    raw = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C").strip()
    if kept in {"", ".", ".."}:
        return DEFAULT_NAME
    if len(kept) > NAME_MAX:
        stem, dot, ext = kept.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            kept = stem[: NAME_MAX - len(ext) - 1] + "." + ext
        else:
            kept = kept[:NAME_MAX]
    return kept


@dataclass(kw_only=True, eq=False, slots=True)
class Document(Aggregate):
    name: str
    kind: DocumentKind
    size: int
    mime_type: str
    sha256: str
    """Hex SHA-256 of the document's bytes (the plaintext, also when stored encrypted)."""
    encrypted: bool
    key_id: str | None
    """The key of the key ring the stored bytes are encrypted under (None when plain)."""
    storage_key: str
    intervention_id: UUID | None
    equipment_id: UUID | None
    uploaded_by: UUID
    created_at: datetime

    def reencrypted(self, *, storage_key: str, key_id: str) -> None:
        """The bytes now live under ``storage_key``, encrypted under ``key_id``."""
        self.storage_key = storage_key
        self.key_id = key_id
        self.version += 1


def storage_key_for(document_id: UUID, nonce: str) -> str:
    """Where a document's bytes go: a fresh key per write (a re-encryption writes a new
    object and drops the old one, so a crash half-way never leaves a record pointing to
    bytes it cannot read)."""
    return f"documents/{document_id}/{nonce}"
