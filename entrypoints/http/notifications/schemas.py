"""The notifications API's schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from application.notifications.views import NotificationPage, NotificationView


class NotificationRead(msgspec.Struct):
    id: UUID
    title: str
    message: str
    level: Literal["info", "warning", "error", "success"]
    read: bool
    created_at: datetime
    data: dict[str, Any]

    @classmethod
    def of(cls, view: NotificationView) -> NotificationRead:
        return cls(
            id=view.id,
            title=view.title,
            message=view.message,
            level=view.level,  # type: ignore[arg-type]  # a Level value
            read=view.read,
            created_at=view.created_at,
            data=view.data,
        )


class NotificationList(msgspec.Struct):
    """A page of the caller's notifications and their unread count."""

    items: list[NotificationRead]
    total: Annotated[
        int, msgspec.Meta(description="Notifications matching the filters (unread, after).")
    ]
    limit: int
    offset: int
    unread: Annotated[
        int,
        msgspec.Meta(
            description="The caller's unread notifications in all, whatever the filters "
            "(a badge count)."
        ),
    ]

    @classmethod
    def of(cls, result: NotificationPage) -> NotificationList:
        page = result.page
        return cls(
            items=[NotificationRead.of(item) for item in page.items],
            total=page.total,
            limit=page.limit,
            offset=page.offset,
            unread=result.unread,
        )
