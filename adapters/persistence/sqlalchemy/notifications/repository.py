"""``SqlNotificationRepository``: the notifications table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.notifications.tables import notifications
from adapters.persistence.sqlalchemy.queries import execute_guarded, page_and_total
from adapters.persistence.sqlalchemy.repository import SqlRepository
from application.notifications.ports import NotificationFilters, NotificationRepository
from application.shared.pagination import Sort
from domain.notifications.notification import Level, Notification

N = notifications.c


def _notification(row: sa.Row[Any]) -> Notification:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return Notification(
        id=r["id"],
        user_id=r["user_id"],
        title=r["title"],
        message=r["message"],
        level=Level(r["level"]),
        data=dict(r["data"] or {}),
        created_at=r["created_at"],
        read_at=r["read_at"],
        source_event_id=r["source_event_id"],
    )


def _row(item: Notification) -> dict[str, Any]:
    return {
        "id": item.id,
        "user_id": item.user_id,
        "title": item.title,
        "message": item.message,
        "level": item.level.value,
        "data": item.data,
        "created_at": item.created_at,
        "read_at": item.read_at,
        "source_event_id": item.source_event_id,
    }


def _conditions(filters: NotificationFilters) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [N.user_id == filters.user_id]
    if filters.unread is True:
        conditions.append(N.read_at.is_(None))
    elif filters.unread is False:
        conditions.append(N.read_at.is_not(None))
    if filters.after is not None:
        conditions.append(N.id > filters.after)
    return conditions


class SqlNotificationRepository(SqlRepository, NotificationRepository):
    async def add_many(self, items: Sequence[Notification]) -> None:
        if items:
            # an unknown user is 422 unknown_reference, a second notification of one event
            # for one user 409 (adapters/persistence/sqlalchemy/errors.py)
            await execute_guarded(
                self._conn, sa.insert(notifications).values([_row(item) for item in items])
            )

    async def get(self, notification_id: UUID) -> Notification | None:
        statement = sa.select(notifications).where(N.id == notification_id)
        row = (await self._conn.execute(statement)).first()
        return None if row is None else _notification(row)

    async def list(
        self, filters: NotificationFilters, *, limit: int, offset: int, newest_first: bool
    ) -> tuple[Sequence[Notification], int]:
        rows, total = await page_and_total(
            self._conn,
            notifications,
            _conditions(filters),
            N.id,
            Sort("id", descending=newest_first),
            limit=limit,
            offset=offset,
        )
        return [_notification(row) for row in rows], total

    async def unread_count(self, user_id: UUID) -> int:
        statement = (
            sa.select(sa.func.count())
            .select_from(notifications)
            .where(N.user_id == user_id, N.read_at.is_(None))
        )
        return int((await self._conn.execute(statement)).scalar_one())

    async def mark_read(self, user_id: UUID, notification_id: UUID, at: datetime) -> bool:
        owned = sa.select(N.id).where(N.id == notification_id, N.user_id == user_id)
        if (await self._conn.execute(owned)).first() is None:
            return False
        await self._conn.execute(
            sa.update(notifications)
            .where(N.id == notification_id, N.read_at.is_(None))
            .values(read_at=at)
        )
        return True

    async def mark_all_read(self, user_id: UUID, at: datetime) -> int:
        result = await self._conn.execute(
            sa.update(notifications)
            .where(N.user_id == user_id, N.read_at.is_(None))
            .values(read_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)
