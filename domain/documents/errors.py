"""The documents context's own errors."""

from __future__ import annotations

from domain.shared.errors import Conflict


class DocumentCorrupted(Conflict):
    """409: the stored bytes do not decrypt (tampered, truncated) or are not the document's
    (``POST /documents/{id}/verify`` reports it as ``ok: false`` instead)."""

    code = "document_corrupted"
    title = "Document corrupted"


class EncryptedDocument(Conflict):
    """409: encrypted documents have no direct link (storage holds only ciphertext)."""

    code = "encrypted_document"
    title = "Encrypted document"
