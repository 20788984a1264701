"""``/notifications``: the caller's own notifications (every role: own only)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from application.notifications.use_cases.list_notifications import (
    ListNotifications,
    ListNotificationsQuery,
)
from application.notifications.use_cases.mark_all_read import MarkAllNotificationsRead
from application.notifications.use_cases.mark_read import MarkNotificationRead
from domain.shared.access import Actor
from entrypoints.http.dependencies import BEARER, COMMON, module_use_case_provider
from entrypoints.http.errors import problem_responses
from entrypoints.http.notifications.schemas import NotificationList
from entrypoints.http.schemas import PageParams

use_case = module_use_case_provider("notifications")

UnreadParam = Annotated[
    bool | None,
    QueryParameter(description="true: only unread notifications; false: only read ones."),
]
AfterParam = Annotated[
    UUID | None,
    QueryParameter(
        description=(
            "Only notifications created after this one (the id of the last one a client "
            "saw), oldest first unless `sort` says otherwise: how a client that reconnects "
            "its socket (or was closed with 4408) catches up."
        )
    ),
]


class NotificationsController(Controller):
    path = "/notifications"
    tags = ["notifications"]
    security = BEARER
    dependencies = dict(COMMON)

    @get(
        "/",
        dependencies={"list_notifications": use_case("list_notifications")},
        summary="List the caller's notifications",
        description=(
            "Newest first (`sort=-created_at`), or with `after` oldest first. The answer "
            "carries `unread`: the caller's unread notifications in all, whatever the filters. "
            "New notifications also arrive in real time on `WS /api/v1/notifications/ws`: "
            'first message `{"type": "auth", "token": "<access token>"}` (closed with 4401 '
            "when missing, invalid, late, expired or revoked), then `ready`, one "
            '`{"type": "notification", ...this item}` per notification and `ping` heartbeats; '
            "a client that falls behind is closed with 4408 and catches up here with `after`."
        ),
        responses=problem_responses(401, 422),
    )
    async def list_notifications(
        self,
        actor: NamedDependency[Actor],
        list_notifications: NamedDependency[ListNotifications],
        page: NamedDependency[PageParams],
        unread: UnreadParam = None,
        after: AfterParam = None,
        sort: Annotated[
            str | None,
            QueryParameter(
                max_length=20,
                description="`created_at` or `-created_at` (default: `-created_at`, "
                "or `created_at` with `after`).",
            ),
        ] = None,
    ) -> NotificationList:
        result = await list_notifications(
            ListNotificationsQuery(
                actor=actor,
                unread=unread,
                after=after,
                limit=page.limit,
                offset=page.offset,
                sort=sort,
            )
        )
        return NotificationList.of(result)

    @post(
        "/read-all",
        status_code=204,
        dependencies={"mark_all_read": use_case("mark_all_read")},
        summary="Mark every notification of the caller read",
        responses=problem_responses(401),
    )
    async def read_all(
        self,
        actor: NamedDependency[Actor],
        mark_all_read: NamedDependency[MarkAllNotificationsRead],
    ) -> None:
        await mark_all_read(actor)

    @post(
        "/{notification_id:uuid}/read",
        status_code=204,
        dependencies={"mark_read": use_case("mark_read")},
        summary="Mark one of the caller's notifications read",
        description="Someone else's notification is 404, like one that does not exist.",
        responses=problem_responses(401, 404),
    )
    async def read_one(
        self,
        actor: NamedDependency[Actor],
        mark_read: NamedDependency[MarkNotificationRead],
        notification_id: FromPath[UUID],
    ) -> None:
        await mark_read(actor, notification_id)
