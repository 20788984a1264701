"""The notifications module's ports: its repository, its unit of work, what it publishes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.shared.uow import UnitOfWork
from domain.notifications.notification import Notification


@dataclass(frozen=True, slots=True, kw_only=True)
class NotificationFilters:
    user_id: UUID
    unread: bool | None = None
    """True: only unread ones; False: only read ones; None: all."""
    after: UUID | None = None
    """Only notifications created after this one (by id: ids are time-ordered)."""


class NotificationRepository(Protocol):
    async def add_many(self, notifications: Sequence[Notification]) -> None:
        """Insert; a user referring to nobody is ``UnknownReference``."""
        ...

    async def get(self, notification_id: UUID) -> Notification | None: ...

    async def list(
        self, filters: NotificationFilters, *, limit: int, offset: int, newest_first: bool
    ) -> tuple[Sequence[Notification], int]:
        """A page (by id, i.e. creation order) and the total matching ``filters``."""
        ...

    async def unread_count(self, user_id: UUID) -> int: ...

    async def mark_read(self, user_id: UUID, notification_id: UUID, at: datetime) -> bool:
        """Mark one of the user's notifications read (if unread); False when the user has
        no such notification."""
        ...

    async def mark_all_read(self, user_id: UUID, at: datetime) -> int:
        """Mark every unread notification of the user read; how many were."""
        ...


class NotificationsUnitOfWork(UnitOfWork, Protocol):
    notifications: NotificationRepository
