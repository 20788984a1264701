"""``SqlUserDirectory``: identity's published ``UserDirectory`` port, on the ``users`` table."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.identity.tables import users
from adapters.persistence.sqlalchemy.queries import read_connection
from application.contracts.identity import DirectoryUser, UserDirectory
from domain.shared.access import Role


class SqlUserDirectory(UserDirectory):
    """Read-only; each call uses its own short connection (committed data)."""

    def __init__(self, database: SqlDatabase) -> None:
        self._database = database

    async def get_role(self, user_id: UUID) -> Role | None:
        statement = sa.select(users.c.role).where(users.c.id == user_id, users.c.is_active)
        async with read_connection(self._database) as conn:
            role = (await conn.execute(statement)).scalar_one_or_none()
        return None if role is None else Role(role)

    async def get_user(self, user_id: UUID) -> DirectoryUser | None:
        u = users.c
        statement = sa.select(u.id, u.role, u.is_active, u.first_name, u.last_name).where(
            u.id == user_id
        )
        async with read_connection(self._database) as conn:
            row = (await conn.execute(statement)).first()
        if row is None:
            return None
        return DirectoryUser(
            id=row.id,
            role=Role(row.role),
            is_active=row.is_active,
            first_name=row.first_name,
            last_name=row.last_name,
        )

    async def manager_ids(self) -> Sequence[UUID]:
        statement = (
            sa.select(users.c.id)
            .where(users.c.role == Role.MANAGER.value, users.c.is_active)
            .order_by(users.c.id)
        )
        async with read_connection(self._database) as conn:
            return list((await conn.execute(statement)).scalars())
