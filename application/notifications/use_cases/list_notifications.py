"""The caller's notifications: newest first, or (``after``) the ones created after a given
one, oldest first, so a client that reconnects reads what it missed in order."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.notifications.ports import NotificationFilters, NotificationsUnitOfWork
from application.notifications.views import NotificationPage, NotificationView
from application.shared.pagination import Page, PageRequest, Sort
from domain.shared.access import Action, Actor, Resource, require

SORTS = ("created_at",)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListNotificationsQuery:
    actor: Actor
    unread: bool | None = None
    after: UUID | None = None
    limit: int | None = None
    offset: int | None = None
    sort: str | None = None


class ListNotifications:
    def __init__(self, uow: NotificationsUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: ListNotificationsQuery) -> NotificationPage:
        require(query.actor, Resource.NOTIFICATIONS, Action.READ)
        window = PageRequest.of(query.limit, query.offset)
        default = "created_at" if query.after is not None else "-created_at"
        sort = Sort.parse(query.sort, SORTS, default)
        filters = NotificationFilters(
            user_id=query.actor.user_id, unread=query.unread, after=query.after
        )
        async with self._uow as uow:
            items, total = await uow.notifications.list(
                filters, limit=window.limit, offset=window.offset, newest_first=sort.descending
            )
            unread = await uow.notifications.unread_count(query.actor.user_id)
        page = Page(
            items=[NotificationView.of(item) for item in items],
            total=total,
            limit=window.limit,
            offset=window.offset,
        )
        return NotificationPage(page=page, unread=unread)
