"""``SqlRevocationRepository``: the durable record of revoked access tokens and sessions.

``check`` is the cache's fallback on the request path: one statement, primary-key lookups
only (the user row and at most two revocation rows). ``purge`` deletes a bounded batch of
expired rows; on PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets concurrent purges take different
rows instead of queueing behind each other (SQLite serialises writers anyway).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from adapters.persistence.sqlalchemy.identity.tables import (
    REVOCATION_VALUE_LENGTH,
    session_revocations,
    users,
)
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from application.identity.ports import AccessCheck, RevocationRepository
from domain.identity.revocations import Revocation, RevocationKind
from domain.identity.user import TokenCutoff

_TABLE = session_revocations


def _revocation(row: sa.Row[Any]) -> Revocation:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return Revocation(
        kind=RevocationKind(r["kind"]),
        value=r["value"],
        user_id=r["user_id"],
        revoked_at=r["revoked_at"],
        expires_at=r["expires_at"],
    )


class SqlRevocationRepository(RevocationRepository):
    def __init__(self, uow: SqlAlchemyUnitOfWork) -> None:
        self._conn = uow.connection

    async def add(self, revocation: Revocation) -> None:
        if len(revocation.value) > REVOCATION_VALUE_LENGTH:
            raise ValueError("revocation value too long")
        values = {
            "kind": revocation.kind.value,
            "value": revocation.value,
            "user_id": revocation.user_id,
            "revoked_at": revocation.revoked_at,
            "expires_at": revocation.expires_at,
        }
        insert: Any = (
            postgresql.insert(_TABLE)
            if self._conn.dialect.name == "postgresql"
            else sqlite.insert(_TABLE)
        )
        await self._conn.execute(
            insert.values(values).on_conflict_do_nothing(index_elements=["kind", "value"])
        )

    async def check(
        self, user_id: UUID, *, jti: str, session_id: UUID | None, now: datetime
    ) -> AccessCheck:
        matches = sa.and_(_TABLE.c.kind == RevocationKind.TOKEN.value, _TABLE.c.value == jti)
        if session_id is not None:
            matches = sa.or_(
                matches,
                sa.and_(
                    _TABLE.c.kind == RevocationKind.SESSION.value,
                    _TABLE.c.value == str(session_id),
                ),
            )
        revoked = sa.exists().where(matches, _TABLE.c.expires_at > now)
        query = sa.select(
            users.c.is_active,
            users.c.tokens_valid_after,
            users.c.kept_session_id,
            revoked.label("revoked"),
        ).where(users.c.id == user_id)
        row = (await self._conn.execute(query)).first()
        if row is None:
            return AccessCheck(revoked=False, cutoff=None)
        cutoff = TokenCutoff(row.is_active, row.tokens_valid_after, row.kept_session_id)
        return AccessCheck(revoked=bool(row.revoked), cutoff=cutoff)

    async def live(
        self,
        now: datetime,
        *,
        after: tuple[RevocationKind, str] | None = None,
        limit: int = 1000,
    ) -> list[Revocation]:
        query = sa.select(_TABLE).where(_TABLE.c.expires_at > now)
        if after is not None:
            query = query.where(
                sa.tuple_(_TABLE.c.kind, _TABLE.c.value) > sa.tuple_(after[0].value, after[1])
            )
        query = query.order_by(_TABLE.c.kind, _TABLE.c.value).limit(limit)
        return [_revocation(row) for row in await self._conn.execute(query)]

    async def purge(self, now: datetime, *, limit: int = 500) -> int:
        expired = (
            sa.select(_TABLE.c.kind, _TABLE.c.value)
            .where(_TABLE.c.expires_at <= now)
            .order_by(_TABLE.c.expires_at)
            .limit(limit)
        )
        if self._conn.dialect.name == "postgresql":
            expired = expired.with_for_update(skip_locked=True)
        statement = sa.delete(_TABLE).where(sa.tuple_(_TABLE.c.kind, _TABLE.c.value).in_(expired))
        result = await self._conn.execute(statement)
        return int(result.rowcount or 0)
