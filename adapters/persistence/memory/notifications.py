"""In-memory notifications repository and unit of work (the twin of the SQL ones)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from adapters.persistence import constraints
from adapters.persistence.memory.store import (
    MemoryStore,
    MemoryUnitOfWork,
    Reference,
    check_references,
    snapshot,
)
from application.notifications.ports import (
    NotificationFilters,
    NotificationRepository,
    NotificationsUnitOfWork,
)
from application.shared.events import EventPublisher
from application.shared.uow import OutboxSignal
from domain.notifications.notification import Notification

NOTIFICATIONS = "notifications"
USERS = "users"  # identity's memory table
REFERENCES = (Reference("user_id", "users", USERS),)
SOURCE_UNIQUE = "uq_notifications_user_id_source_event_id"  # as SQL names it


def _matches(item: Notification, filters: NotificationFilters) -> bool:
    if item.user_id != filters.user_id:
        return False
    if filters.unread is not None and item.read is filters.unread:
        return False
    return filters.after is None or item.id > filters.after


class MemoryNotificationRepository(NotificationRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    async def add_many(self, notifications: Sequence[Notification]) -> None:
        rows = self._uow.table(NOTIFICATIONS)
        taken = {
            (item.user_id, item.source_event_id)
            for item in rows.values()
            if item.source_event_id is not None
        }
        for item in notifications:
            key = (item.user_id, item.source_event_id)
            if item.source_event_id is not None and key in taken:
                raise constraints.duplicate(
                    NOTIFICATIONS, ["user_id", "source_event_id"], SOURCE_UNIQUE
                )
            check_references(self._uow, NOTIFICATIONS, item, REFERENCES)
            taken.add(key)
            rows[item.id] = snapshot(item)

    async def get(self, notification_id: UUID) -> Notification | None:
        item = self._uow.peek(NOTIFICATIONS).get(notification_id)
        return None if item is None else snapshot(item)

    async def list(
        self, filters: NotificationFilters, *, limit: int, offset: int, newest_first: bool
    ) -> tuple[Sequence[Notification], int]:
        matching = sorted(
            (item for item in self._uow.peek(NOTIFICATIONS).values() if _matches(item, filters)),
            key=lambda item: item.id,
            reverse=newest_first,
        )
        return [snapshot(item) for item in matching[offset : offset + limit]], len(matching)

    async def unread_count(self, user_id: UUID) -> int:
        return sum(
            1
            for item in self._uow.peek(NOTIFICATIONS).values()
            if item.user_id == user_id and not item.read
        )

    async def mark_read(self, user_id: UUID, notification_id: UUID, at: datetime) -> bool:
        rows = self._uow.table(NOTIFICATIONS)
        item = rows.get(notification_id)
        if item is None or item.user_id != user_id:
            return False
        changed = snapshot(item)
        if changed.mark_read(at):
            rows[notification_id] = changed
        return True

    async def mark_all_read(self, user_id: UUID, at: datetime) -> int:
        rows = self._uow.table(NOTIFICATIONS)
        count = 0
        for key, item in list(rows.items()):
            if item.user_id == user_id and not item.read:
                changed = snapshot(item)
                changed.mark_read(at)
                rows[key] = changed
                count += 1
        return count


class MemoryNotificationsUnitOfWork(MemoryUnitOfWork, NotificationsUnitOfWork):
    notifications: MemoryNotificationRepository

    def __init__(
        self,
        store: MemoryStore,
        publisher: EventPublisher | None = None,
        *,
        outbox_signal: OutboxSignal | None = None,
    ) -> None:
        super().__init__(store, publisher, outbox_signal=outbox_signal)

    def _open_repositories(self) -> None:
        self.notifications = MemoryNotificationRepository(self)
