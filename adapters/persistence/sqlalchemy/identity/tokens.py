"""Refresh-token families and tokens, password-reset tokens.

Consuming a token is one ``UPDATE ... WHERE used_at IS NULL RETURNING ...`` statement, so of
two concurrent consumers exactly one gets the row (PostgreSQL and SQLite >= 3.35).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.errors import execute_checked
from adapters.persistence.sqlalchemy.identity.tables import (
    password_reset_tokens,
    refresh_families,
    refresh_tokens,
)
from adapters.persistence.sqlalchemy.queries import execute_guarded
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.identity.ports import PasswordResetRepository, RefreshTokenRepository
from domain.identity.password_reset import PasswordResetToken
from domain.identity.sessions import RefreshFamily, RefreshToken


def _family(row: sa.Row[Any]) -> RefreshFamily:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return RefreshFamily(
        id=r["id"],
        user_id=r["user_id"],
        created_at=r["created_at"],
        absolute_expires_at=r["absolute_expires_at"],
        revoked_at=r["revoked_at"],
    )


def _token(row: sa.Row[Any]) -> RefreshToken:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return RefreshToken(
        token_hash=r["token_hash"],
        family_id=r["family_id"],
        user_id=r["user_id"],
        issued_at=r["issued_at"],
        expires_at=r["expires_at"],
        used_at=r["used_at"],
    )


def _reset(row: sa.Row[Any]) -> PasswordResetToken:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return PasswordResetToken(
        token_hash=r["token_hash"],
        user_id=r["user_id"],
        created_at=r["created_at"],
        expires_at=r["expires_at"],
        used_at=r["used_at"],
    )


class SqlRefreshTokenRepository(RefreshTokenRepository):
    def __init__(self, uow: SqlAlchemyUnitOfWork) -> None:
        self._conn = uow.connection

    async def add_family(self, family: RefreshFamily) -> None:
        await execute_checked(
            self._conn,
            sa.insert(refresh_families).values(
                id=family.id,
                user_id=family.user_id,
                created_at=family.created_at,
                absolute_expires_at=family.absolute_expires_at,
                revoked_at=family.revoked_at,
            ),
            guarded=False,
        )

    async def get_family(self, family_id: UUID) -> RefreshFamily | None:
        query = sa.select(refresh_families).where(refresh_families.c.id == family_id)
        row = (await self._conn.execute(query)).first()
        return None if row is None else _family(row)

    async def add_token(self, token: RefreshToken) -> None:
        values = {
            "token_hash": token.token_hash,
            "family_id": token.family_id,
            "user_id": token.user_id,
            "issued_at": token.issued_at,
            "expires_at": token.expires_at,
            "used_at": token.used_at,
        }
        # a duplicate hash is 409 duplicate_value, an unknown family 422 unknown_reference
        await execute_guarded(self._conn, sa.insert(refresh_tokens).values(values))

    async def get_token(self, token_hash: str) -> RefreshToken | None:
        query = sa.select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
        row = (await self._conn.execute(query)).first()
        return None if row is None else _token(row)

    async def consume(self, token_hash: str, now: datetime) -> RefreshToken | None:
        statement = (
            sa.update(refresh_tokens)
            .where(refresh_tokens.c.token_hash == token_hash, refresh_tokens.c.used_at.is_(None))
            .values(used_at=now)
            .returning(*refresh_tokens.c)
        )
        row = (await self._conn.execute(statement)).first()
        return None if row is None else _token(row)

    async def revoke_family(self, family_id: UUID, now: datetime) -> None:
        await self._conn.execute(
            sa.update(refresh_families)
            .where(refresh_families.c.id == family_id, refresh_families.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_all_for_user(
        self, user_id: UUID, now: datetime, *, except_family: UUID | None = None
    ) -> list[UUID]:
        statement = (
            sa.update(refresh_families)
            .where(refresh_families.c.user_id == user_id, refresh_families.c.revoked_at.is_(None))
            .values(revoked_at=now)
            .returning(refresh_families.c.id)
        )
        if except_family is not None:
            statement = statement.where(refresh_families.c.id != except_family)
        ids: list[UUID] = list((await self._conn.execute(statement)).scalars())
        return sorted(ids, key=lambda family_id: family_id.int)  # UUIDv7: creation order


class SqlPasswordResetRepository(PasswordResetRepository):
    def __init__(self, uow: SqlAlchemyUnitOfWork) -> None:
        self._conn = uow.connection

    async def add(self, token: PasswordResetToken) -> None:
        await execute_checked(
            self._conn,
            sa.insert(password_reset_tokens).values(
                token_hash=token.token_hash,
                user_id=token.user_id,
                created_at=token.created_at,
                expires_at=token.expires_at,
                used_at=token.used_at,
            ),
            guarded=False,
        )

    async def get(self, token_hash: str) -> PasswordResetToken | None:
        table = password_reset_tokens
        row = (
            await self._conn.execute(sa.select(table).where(table.c.token_hash == token_hash))
        ).first()
        return None if row is None else _reset(row)

    async def consume(self, token_hash: str, now: datetime) -> PasswordResetToken | None:
        table = password_reset_tokens
        statement = (
            sa.update(table)
            .where(
                table.c.token_hash == token_hash,
                table.c.used_at.is_(None),
                table.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(*table.c)
        )
        row = (await self._conn.execute(statement)).first()
        return None if row is None else _reset(row)

    async def invalidate_for_user(self, user_id: UUID, now: datetime) -> None:
        table = password_reset_tokens
        await self._conn.execute(
            sa.update(table)
            .where(table.c.user_id == user_id, table.c.used_at.is_(None))
            .values(used_at=now)
        )
