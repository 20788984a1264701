"""``SqlPreferencesRepository``: one row per user, versioned like an aggregate."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.errors import execute_checked
from adapters.persistence.sqlalchemy.identity.tables import user_preferences
from adapters.persistence.sqlalchemy.queries import execute_guarded
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.identity.ports import PreferencesRepository
from domain.identity.preferences import Preferences
from domain.shared.errors import DuplicateValue, PreconditionFailed

STALE = "The preferences were changed by someone else."


def _values(preferences: Preferences) -> dict[str, Any]:
    return {
        "favorite_namespaces": list(preferences.favorite_namespaces),
        "favorite_collections": list(preferences.favorite_collections),
        "favorite_modules": list(preferences.favorite_modules),
        "settings": preferences.settings,
        "updated_at": preferences.updated_at,
    }


class SqlPreferencesRepository(PreferencesRepository):
    def __init__(self, uow: SqlAlchemyUnitOfWork) -> None:
        self._uow = uow
        self._conn = uow.connection

    async def get(self, user_id: UUID) -> Preferences | None:
        table = user_preferences
        row = (await self._conn.execute(sa.select(table).where(table.c.user_id == user_id))).first()
        if row is None:
            return None
        preferences = Preferences(
            id=row.user_id,
            version=row.version,
            favorite_namespaces=list(row.favorite_namespaces),
            favorite_collections=list(row.favorite_collections),
            favorite_modules=list(row.favorite_modules),
            settings=dict(row.settings),
            updated_at=row.updated_at,
        )
        self._uow.track(preferences)
        return preferences

    async def save(self, preferences: Preferences) -> None:
        table = user_preferences
        if preferences.version == 0:
            try:
                row = {"user_id": preferences.id, "version": 1, **_values(preferences)}
                await execute_guarded(self._conn, sa.insert(table).values(row))
            except DuplicateValue as exc:  # someone else stored them first
                raise PreconditionFailed(STALE) from exc
        else:
            statement = (
                sa.update(table)
                .where(table.c.user_id == preferences.id, table.c.version == preferences.version)
                .values({**_values(preferences), "version": table.c.version + 1})
            )
            result = await execute_checked(self._conn, statement, guarded=False)
            if getattr(result, "rowcount", 0) != 1:
                raise PreconditionFailed(STALE)
        preferences.version += 1
        self._uow.track(preferences)
