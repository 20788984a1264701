"""``SqlNotificationsUnitOfWork``: the notifications repository on one SQL transaction."""

from __future__ import annotations

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.notifications.repository import SqlNotificationRepository
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.notifications.ports import NotificationsUnitOfWork
from application.shared.events import EventPublisher
from application.shared.uow import OutboxSignal


class SqlNotificationsUnitOfWork(SqlAlchemyUnitOfWork, NotificationsUnitOfWork):
    notifications: SqlNotificationRepository

    def __init__(
        self,
        database: SqlDatabase,
        publisher: EventPublisher | None = None,
        *,
        read_only: bool = False,
        outbox_signal: OutboxSignal | None = None,
    ) -> None:
        super().__init__(database, publisher, read_only=read_only, outbox_signal=outbox_signal)

    def _open_repositories(self) -> None:
        self.notifications = SqlNotificationRepository(self)
