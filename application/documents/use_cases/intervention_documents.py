"""The ``InterventionDocuments`` port the documents module publishes (the maintenance
report lists an intervention's documents through it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from application.contracts.documents import DocumentSummary, InterventionDocuments
from application.documents.ports import DocumentFilters, DocumentsUnitOfWork
from application.shared.pagination import Sort

REPORT_MAX = 200


class ListInterventionDocuments(InterventionDocuments):
    def __init__(self, uow_factory: Callable[[], DocumentsUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def list_for(self, intervention_id: UUID) -> Sequence[DocumentSummary]:
        async with self._uow_factory() as uow:
            documents, _ = await uow.documents.list(
                DocumentFilters(intervention_id=intervention_id),
                limit=REPORT_MAX,
                offset=0,
                sort=Sort("created_at"),
            )
        return [
            DocumentSummary(
                id=d.id,
                name=d.name,
                kind=d.kind.value,
                size=d.size,
                mime_type=d.mime_type,
                encrypted=d.encrypted,
                created_at=d.created_at,
            )
            for d in documents
        ]
