"""``SqlUserRepository``: users with a unique casefolded e-mail and optimistic versions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.identity.tables import users
from adapters.persistence.sqlalchemy.queries import execute_guarded
from adapters.persistence.sqlalchemy.uow import SqlAlchemyUnitOfWork
from adapters.persistence.sqlalchemy.versioning import update_versioned
from application.identity.ports import USER_SORT_FIELDS, UserFilters, UserRepository
from application.shared.pagination import Sort
from domain.identity.user import User
from domain.identity.values import normalize_email
from domain.shared.access import Role
from domain.shared.errors import PreconditionFailed


def escape_like(value: str) -> str:
    """``value`` as a literal inside a LIKE pattern (escape character ``\\``)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _values(user: User) -> dict[str, Any]:
    """Every mutable column of ``user`` (not ``id``, ``created_at`` nor ``version``)."""
    return {
        "email": user.email,
        "email_normalized": user.email_normalized,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role.value,
        "is_active": user.is_active,
        "password_hash": user.password_hash,
        "tokens_valid_after": user.tokens_valid_after,
        "kept_session_id": user.kept_session_id,
        "last_login_at": user.last_login_at,
        "updated_at": user.updated_at,
    }


def _user(row: sa.Row[Any]) -> User:
    r = row._mapping  # by key: attribute access on a Row costs ~8x more
    return User(
        id=r["id"],
        version=r["version"],
        email=r["email"],
        first_name=r["first_name"],
        last_name=r["last_name"],
        role=Role(r["role"]),
        password_hash=r["password_hash"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        is_active=r["is_active"],
        last_login_at=r["last_login_at"],
        tokens_valid_after=r["tokens_valid_after"],
        kept_session_id=r["kept_session_id"],
    )


def _sort_key(field: str) -> sa.ColumnElement[Any]:
    """Strings compare case-insensitively, like the memory adapter's ``casefold``."""
    if field not in USER_SORT_FIELDS:
        raise ValueError(f"cannot sort users by {field!r}")
    if field == "email":
        return users.c.email_normalized
    if field in {"first_name", "last_name"}:
        return sa.func.lower(users.c[field])
    return users.c[field]


def _conditions(filters: UserFilters) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.role is not None:
        conditions.append(users.c.role == filters.role.value)
    if filters.is_active is not None:
        conditions.append(users.c.is_active == filters.is_active)
    if filters.user_id is not None:
        conditions.append(users.c.id == filters.user_id)
    if filters.q:
        pattern = f"%{escape_like(filters.q.casefold())}%"
        conditions.append(
            sa.or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (users.c.email_normalized, users.c.first_name, users.c.last_name)
                )
            )
        )
    return conditions


# Built once: SQLAlchemy memoises its cache key, so the hot read (GET /auth/me, an
# authentication cache miss) skips building and keying a statement per call.
_BY_ID = sa.select(users).where(users.c.id == sa.bindparam("user_id"))


class SqlUserRepository(UserRepository):
    def __init__(self, uow: SqlAlchemyUnitOfWork) -> None:
        self._uow = uow
        self._conn = uow.connection

    async def _one(
        self, condition: sa.ColumnElement[bool] | sa.Select[Any], params: Any = None
    ) -> User | None:
        statement = (
            condition if isinstance(condition, sa.Select) else users.select().where(condition)
        )
        row = (await self._conn.execute(statement, params)).first()
        if row is None:
            return None
        user = _user(row)
        self._uow.track(user)
        return user

    async def get(self, user_id: UUID) -> User | None:
        return await self._one(_BY_ID, {"user_id": user_id})

    async def get_by_email(self, email: str) -> User | None:
        return await self._one(users.c.email_normalized == normalize_email(email))

    async def add(self, user: User) -> None:
        row = {"id": user.id, "created_at": user.created_at, "version": user.version}
        # a taken address is 409 email_taken (the unique constraint's own code)
        await execute_guarded(self._conn, sa.insert(users).values(**row, **_values(user)))
        self._uow.track(user)

    async def save(self, user: User) -> None:
        saved = await update_versioned(self._conn, users, user.id, user.version, _values(user))
        if not saved:
            raise PreconditionFailed("The user was changed by someone else.")
        user.version += 1
        self._uow.track(user)

    async def record_login(self, user_id: UUID, at: datetime) -> None:
        await self._conn.execute(
            sa.update(users).where(users.c.id == user_id).values(last_login_at=at)
        )

    async def list(
        self, filters: UserFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[User], int]:
        conditions = _conditions(filters)
        key = _sort_key(sort.field)
        # None first when ascending, last when descending; ties by id (as in memory)
        order = key.desc().nulls_last() if sort.descending else key.asc().nulls_first()
        page = (
            sa.select(users)
            .where(*conditions)
            .order_by(order, users.c.id)
            .limit(limit)
            .offset(offset)
        )
        count = sa.select(sa.func.count()).select_from(users).where(*conditions)
        total = (await self._conn.execute(count)).scalar_one()
        rows = (await self._conn.execute(page)).all()
        return [_user(row) for row in rows], int(total)
