"""The automation module's SQL adapters."""

from adapters.persistence.sqlalchemy.automation.uow import SqlAutomationUnitOfWork

__all__ = ["SqlAutomationUnitOfWork"]
