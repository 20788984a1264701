"""What the notifications use cases return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from application.shared.pagination import Page
from domain.notifications.notification import Notification


@dataclass(frozen=True, slots=True, kw_only=True)
class NotificationView:
    id: UUID
    title: str
    message: str
    level: str
    read: bool
    created_at: datetime
    data: dict[str, Any]

    @classmethod
    def of(cls, notification: Notification) -> NotificationView:
        return cls(
            id=notification.id,
            title=notification.title,
            message=notification.message,
            level=notification.level.value,
            read=notification.read,
            created_at=notification.created_at,
            data=dict(notification.data),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class NotificationPage:
    page: Page[NotificationView]
    unread: int
    """The caller's unread notifications in all (whatever the filters)."""
