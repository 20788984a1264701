"""GET /documents/{id}/url: a link that reads the document without a bearer token, for a
while: S3's presigned URL, or (local storage) a link to the app's own content route signed
by the app. Encrypted documents have none (409 ``encrypted_document``): storage holds only
their ciphertext, and the app never hands out a bearer-less link to decrypted bytes."""

from __future__ import annotations

from datetime import timedelta

from application.contracts.maintenance import InterventionAccess
from application.documents.commands import DocumentQuery
from application.documents.guards import load_document
from application.documents.ports import DocumentsUnitOfWork
from application.documents.use_cases.get_content import link_path
from application.documents.views import DocumentLink
from application.shared.clock import Clock
from application.shared.signing import UrlSigner
from application.shared.storage import BlobStorage
from domain.documents.errors import EncryptedDocument


class GetDocumentLink:
    def __init__(
        self,
        uow: DocumentsUnitOfWork,
        access: InterventionAccess,
        storage: BlobStorage,
        signer: UrlSigner,
        clock: Clock,
        ttl_seconds: int,
    ) -> None:
        self._uow, self._access, self._storage = uow, access, storage
        self._signer, self._clock, self._ttl = signer, clock, ttl_seconds

    async def __call__(self, query: DocumentQuery) -> DocumentLink:
        document = await load_document(self._uow, self._access, query.actor, query.document_id)
        if document.encrypted:
            raise EncryptedDocument(
                "Encrypted documents have no direct link; read them through "
                f"/documents/{document.id}/content."
            )
        now = self._clock.now()
        expires_at = (now + timedelta(seconds=self._ttl)).replace(microsecond=0)
        url = await self._storage.presigned_url(document.storage_key, expires_in=self._ttl)
        if url is not None:
            return DocumentLink(url=url, expires_at=expires_at, signed_by_app=False)
        path = link_path(document.id)
        query_string = self._signer.sign(path, expires_at)
        return DocumentLink(url=f"{path}?{query_string}", expires_at=expires_at, signed_by_app=True)
