"""GET /documents/{id}: the metadata of a document the caller can read."""

from __future__ import annotations

from application.contracts.maintenance import InterventionAccess
from application.documents.commands import DocumentQuery
from application.documents.guards import load_document
from application.documents.ports import DocumentsUnitOfWork
from application.documents.views import DocumentView


class GetDocument:
    def __init__(self, uow: DocumentsUnitOfWork, access: InterventionAccess) -> None:
        self._uow, self._access = uow, access

    async def __call__(self, query: DocumentQuery) -> DocumentView:
        document = await load_document(self._uow, self._access, query.actor, query.document_id)
        return DocumentView.of(document)
