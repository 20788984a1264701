"""GET /documents: a page of the documents the caller can read."""

from __future__ import annotations

from dataclasses import replace

from application.contracts.maintenance import InterventionAccess
from application.documents.commands import ListDocumentsQuery
from application.documents.ports import DOCUMENT_SORT_FIELDS, DocumentsUnitOfWork
from application.documents.views import DocumentPage, DocumentView
from application.shared.pagination import PageRequest, Sort
from domain.shared.access import Action, Resource, Scope, require


class ListDocuments:
    def __init__(self, uow: DocumentsUnitOfWork, access: InterventionAccess) -> None:
        self._uow, self._access = uow, access

    async def __call__(self, query: ListDocumentsQuery) -> DocumentPage:
        scope = require(query.actor, Resource.DOCUMENTS, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        sort = Sort.parse(query.sort, DOCUMENT_SORT_FIELDS, "-created_at")
        filters = query.filters
        if scope is not Scope.ALL:
            readable = await self._access.readable_interventions(query.actor)
            if readable is not None:
                filters = replace(filters, readable_interventions=readable)
        async with self._uow as uow:
            documents, total = await uow.documents.list(
                filters, limit=window.limit, offset=window.offset, sort=sort
            )
        return DocumentPage(items=[DocumentView.of(d) for d in documents], total=total)
