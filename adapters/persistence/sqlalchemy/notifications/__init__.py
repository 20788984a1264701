"""The notifications module's SQL adapters."""

from adapters.persistence.sqlalchemy.notifications.repository import SqlNotificationRepository
from adapters.persistence.sqlalchemy.notifications.uow import SqlNotificationsUnitOfWork

__all__ = ["SqlNotificationRepository", "SqlNotificationsUnitOfWork"]
