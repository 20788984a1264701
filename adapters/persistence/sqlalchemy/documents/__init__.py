"""The documents module's SQL adapters."""

from adapters.persistence.sqlalchemy.documents.uow import SqlDocumentsUnitOfWork

__all__ = ["SqlDocumentsUnitOfWork"]
