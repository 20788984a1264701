"""``SqlCalendarFeedRepository``: the technicians' secret calendar feeds (hashes only)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.errors import execute_checked
from adapters.persistence.sqlalchemy.maintenance.tables import calendar_feeds
from adapters.persistence.sqlalchemy.queries import execute_guarded
from adapters.persistence.sqlalchemy.repository import SqlRepository
from application.maintenance.ports import CalendarFeedRepository
from domain.maintenance.calendar_feed import CalendarFeed

F = calendar_feeds.c


def _feed(row: sa.Row[Any]) -> CalendarFeed:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return CalendarFeed(
        id=r["id"],
        technician_id=r["technician_id"],
        secret_hash=r["secret_hash"],
        created_at=r["created_at"],
        created_by=r["created_by"],
    )


class SqlCalendarFeedRepository(SqlRepository, CalendarFeedRepository):
    async def _one(self, condition: sa.ColumnElement[bool]) -> CalendarFeed | None:
        row = (await self._conn.execute(sa.select(calendar_feeds).where(condition))).first()
        return None if row is None else _feed(row)

    async def get(self, feed_id: UUID) -> CalendarFeed | None:
        return await self._one(F.id == feed_id)

    async def get_for_technician(self, technician_id: UUID) -> CalendarFeed | None:
        return await self._one(F.technician_id == technician_id)

    async def replace(self, feed: CalendarFeed) -> None:
        await self.remove_for_technician(feed.technician_id)
        row = {
            "id": feed.id,
            "technician_id": feed.technician_id,
            "secret_hash": feed.secret_hash,
            "created_at": feed.created_at,
            "created_by": feed.created_by,
        }
        # an unknown technician or creator is 422 unknown_reference (errors.execute_checked)
        await execute_guarded(self._conn, sa.insert(calendar_feeds).values(row))

    async def remove_for_technician(self, technician_id: UUID) -> bool:
        statement = sa.delete(calendar_feeds).where(F.technician_id == technician_id)
        result = await execute_checked(self._conn, statement, guarded=False)
        return bool(getattr(result, "rowcount", 0))
