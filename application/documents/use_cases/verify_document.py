"""POST /documents/{id}/verify: read the stored bytes back (decrypting them when needed)
and compare their SHA-256 with the recorded one. A missing, truncated, altered or
undecryptable object is ``ok: false``, never an error."""

from __future__ import annotations

import hashlib
import logging

from application.contracts.maintenance import InterventionAccess
from application.documents.commands import DocumentQuery
from application.documents.guards import load_document
from application.documents.ports import DocumentCipher, DocumentsUnitOfWork
from application.documents.use_cases.get_content import read_plaintext
from application.documents.views import Verification
from application.shared.storage import BlobStorage
from domain.documents.errors import DocumentCorrupted
from domain.shared.errors import NotFound

log = logging.getLogger("atelier.documents")


class VerifyDocument:
    def __init__(
        self,
        uow: DocumentsUnitOfWork,
        access: InterventionAccess,
        storage: BlobStorage,
        cipher: DocumentCipher,
    ) -> None:
        self._uow, self._access = uow, access
        self._storage, self._cipher = storage, cipher

    async def __call__(self, query: DocumentQuery) -> Verification:
        document = await load_document(self._uow, self._access, query.actor, query.document_id)
        digest, size = hashlib.sha256(), 0
        try:
            async for chunk in read_plaintext(self._storage, self._cipher, document):
                digest.update(chunk)
                size += len(chunk)
        except (NotFound, DocumentCorrupted) as exc:
            log.warning("document %s failed verification: %s", document.id, exc)
            return Verification(ok=False, sha256=None, expected_sha256=document.sha256, size=None)
        actual = digest.hexdigest()
        return Verification(
            ok=actual == document.sha256 and size == document.size,
            sha256=actual,
            expected_sha256=document.sha256,
            size=size,
        )
