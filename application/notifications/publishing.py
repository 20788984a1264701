"""Creating notifications (in the caller's transaction) and telling open sockets (after it).

Every new notification is stored; one of level warning or error also gets a
``NotificationMailRequested`` event in the same transaction (its mail is a retried job).
After the commit, each is published on its user's notifications channel, on every app
instance (Broadcaster): best effort, since a client that misses it catches up from the list
(``GET /notifications?after=<id>``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from application.contracts.notifications import NotificationMailRequested
from application.notifications.ports import NotificationsUnitOfWork
from application.shared.realtime import Broadcaster, user_channel
from domain.notifications.notification import Draft, Notification
from domain.shared.errors import DomainError

log = logging.getLogger("atelier.notifications")


def notifications_channel(user_id: UUID) -> str:
    """The channel of one user's ``/notifications/ws`` sockets."""
    return f"{user_channel(user_id)}:notifications"


def notification_message(notification: Notification) -> dict[str, Any]:
    """A notification as the socket sends it (the list's item plus ``"type"``)."""
    return {
        "type": "notification",
        "id": str(notification.id),
        "title": notification.title,
        "message": notification.message,
        "level": notification.level.value,
        "read": notification.read,
        "created_at": notification.created_at.isoformat(),
        "data": notification.data,
    }


async def create_notifications(
    uow: NotificationsUnitOfWork,
    drafts: Sequence[Draft],
    *,
    now: datetime,
    source_event_id: UUID | None,
) -> list[Notification]:
    """Store one notification per draft (at most one per user) and request their mail."""
    created: list[Notification] = []
    seen: set[UUID] = set()
    for draft in drafts:
        if draft.user_id in seen:
            continue
        seen.add(draft.user_id)
        created.append(Notification.from_draft(draft, now=now, source_event_id=source_event_id))
    if not created:
        return created
    await uow.notifications.add_many(created)
    for notification in created:
        if notification.level.mailed:
            uow.emit(
                NotificationMailRequested(
                    notification_id=notification.id, user_id=notification.user_id
                ),
                occurred_at=now,
            )
    return created


async def publish_notifications(
    broadcaster: Broadcaster, notifications: Sequence[Notification]
) -> None:
    """Tell the users' open sockets (after the commit). A failure is logged, never raised:
    the notifications are stored, and a client catches up with ``after=``."""
    for notification in notifications:
        try:
            await broadcaster.publish(
                notifications_channel(notification.user_id), notification_message(notification)
            )
        except Exception as exc:  # noqa: BLE001 - stored already: never fail the job now
            code = exc.code if isinstance(exc, DomainError) else type(exc).__name__
            log.warning("notification %s not pushed: %s", notification.id, code)
