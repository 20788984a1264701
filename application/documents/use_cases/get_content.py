"""GET /documents/{id}/content: the bytes, streamed from storage (decrypted on the way).

Either the caller may read the document, or they hold a link signed by the app
(``DocumentLinkPath``) that has not expired; a wrong or expired signature is ``NotFound``
(the link says nothing about whether the document exists).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

from application.contracts.maintenance import InterventionAccess
from application.documents.commands import DocumentContentQuery
from application.documents.guards import load_document
from application.documents.ports import DocumentCipher, DocumentsUnitOfWork
from application.documents.views import DocumentContent, DocumentView
from application.shared.clock import Clock
from application.shared.signing import UrlSigner
from application.shared.storage import BlobStorage
from domain.documents.document import Document
from domain.shared.errors import NotFound, Unauthenticated

CHUNK = 256 * 1024


def link_path(document_id: UUID) -> str:
    """What a signed link to a document's content signs (the route below the API root)."""
    return f"/documents/{document_id}/content"


def read_plaintext(
    storage: BlobStorage, cipher: DocumentCipher, document: Document
) -> AsyncIterator[bytes]:
    stream = storage.get(document.storage_key, chunk_size=CHUNK)
    if document.encrypted and document.key_id is not None:
        return cipher.decrypt(stream, key_id=document.key_id, context=document.id.bytes)
    return stream


async def _first_then_rest(stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Start the stream now (so a missing object or a bad first chunk is an answer, not a
    broken response), then hand out the rest."""
    first = await anext(stream, None)

    async def rest() -> AsyncIterator[bytes]:
        if first is not None:
            yield first
        async for chunk in stream:
            yield chunk

    return rest()


class GetDocumentContent:
    def __init__(
        self,
        uow: DocumentsUnitOfWork,
        access: InterventionAccess,
        storage: BlobStorage,
        cipher: DocumentCipher,
        signer: UrlSigner,
        clock: Clock,
    ) -> None:
        self._uow, self._access, self._storage = uow, access, storage
        self._cipher, self._signer, self._clock = cipher, signer, clock

    async def __call__(self, query: DocumentContentQuery) -> DocumentContent:
        signed = query.expires is not None or query.signature is not None
        if query.actor is not None and not signed:
            document = await load_document(self._uow, self._access, query.actor, query.document_id)
        elif signed:
            genuine = self._signer.verify(
                link_path(query.document_id), query.expires, query.signature, self._clock.now()
            )
            found: Document | None = None
            if genuine:
                async with self._uow as uow:
                    found = await uow.documents.get(query.document_id)
            if found is None or found.encrypted:
                raise NotFound(
                    "This link is not valid (expired, altered or revoked).", code="invalid_link"
                )
            document = found
        else:
            raise Unauthenticated("A bearer access token is required.", code="missing_token")
        chunks = await _first_then_rest(read_plaintext(self._storage, self._cipher, document))
        return DocumentContent(document=DocumentView.of(document), chunks=chunks)
