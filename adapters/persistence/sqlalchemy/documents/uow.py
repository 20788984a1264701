"""``SqlDocumentsUnitOfWork``: the documents repositories on one SQL transaction."""

from __future__ import annotations

from adapters.persistence.sqlalchemy.documents.repositories import (
    SqlDocumentRepository,
    SqlPendingObjectRepository,
)
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.documents.ports import DocumentsUnitOfWork


class SqlDocumentsUnitOfWork(SqlAlchemyUnitOfWork, DocumentsUnitOfWork):
    documents: SqlDocumentRepository
    pending_objects: SqlPendingObjectRepository

    def _open_repositories(self) -> None:
        self.documents = SqlDocumentRepository(self)
        self.pending_objects = SqlPendingObjectRepository(self)
