"""In-memory identity repositories and unit of work (the embedded twin of the SQL ones)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from adapters.persistence import constraints
from adapters.persistence.memory.store import (
    MemoryStore,
    MemoryUnitOfWork,
    Reference,
    check_references,
    snapshot,
)
from application.identity.ports import (
    AccessCheck,
    IdentityUnitOfWork,
    PasswordResetRepository,
    PreferencesRepository,
    RefreshTokenRepository,
    RevocationRepository,
    SecurityLog,
    UserFilters,
    UserRepository,
)
from application.shared.events import EventPublisher
from application.shared.pagination import Sort
from application.shared.uow import OutboxSignal
from domain.identity.password_reset import PasswordResetToken
from domain.identity.preferences import Preferences
from domain.identity.revocations import Revocation, RevocationKind
from domain.identity.sessions import RefreshFamily, RefreshToken
from domain.identity.user import User
from domain.identity.values import normalize_email
from domain.shared.errors import PreconditionFailed

# The foreign keys of the SQL schema (see ``store.check_references``).
_USER = Reference("user_id", "users", "users")
FAMILY_REFERENCES = (_USER,)
TOKEN_REFERENCES = (Reference("family_id", "refresh_families", "refresh_families"), _USER)
RESET_REFERENCES = (_USER,)
PREFERENCES_REFERENCES = (Reference("user_id", "users", "users", attribute="id"),)


def _sort_key(user: User, sort: Sort) -> tuple[int, Any]:
    value = getattr(user, sort.field)
    if isinstance(value, str):
        value = value.casefold()
    return (1, value) if value is not None else (0, "")  # None sorts first (ascending)


class MemoryUserRepository(UserRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._rows: dict[UUID, User] = uow.table("users")

    def _out(self, user: User) -> User:
        copy = snapshot(user)
        self._uow.track(copy)
        return copy

    async def get(self, user_id: UUID) -> User | None:
        user = self._rows.get(user_id)
        return None if user is None else self._out(user)

    async def get_by_email(self, email: str) -> User | None:
        key = normalize_email(email)
        for user in self._rows.values():
            if user.email_normalized == key:
                return self._out(user)
        return None

    async def add(self, user: User) -> None:
        key = user.email_normalized
        if user.id in self._rows:
            raise constraints.duplicate("users", ["id"], "pk_users")
        if any(u.email_normalized == key for u in self._rows.values()):
            raise constraints.duplicate("users", ["email_normalized"], "uq_users_email_normalized")
        stored = snapshot(user)
        stored.pull_events()
        self._rows[user.id] = stored
        self._uow.track(user)

    async def save(self, user: User) -> None:
        stored = self._rows.get(user.id)
        if stored is None or stored.version != user.version:
            raise PreconditionFailed("The user was changed by someone else.")
        user.version += 1
        copy = snapshot(user)
        copy.pull_events()
        self._rows[user.id] = copy
        self._uow.track(user)

    async def record_login(self, user_id: UUID, at: datetime) -> None:
        stored = self._rows.get(user_id)
        if stored is not None:
            updated = snapshot(stored)
            updated.last_login_at = at
            self._rows[user_id] = updated

    async def list(
        self, filters: UserFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[User], int]:
        q = filters.q.casefold() if filters.q else None
        matches = [
            u
            for u in self._rows.values()
            if (filters.role is None or u.role == filters.role)
            and (filters.is_active is None or u.is_active == filters.is_active)
            and (filters.user_id is None or u.id == filters.user_id)
            and (q is None or any(q in s.casefold() for s in (u.email, u.first_name, u.last_name)))
        ]
        matches.sort(key=lambda u: u.id.int)
        matches.sort(key=lambda u: _sort_key(u, sort), reverse=sort.descending)
        return [snapshot(u) for u in matches[offset : offset + limit]], len(matches)


class MemoryRefreshTokenRepository(RefreshTokenRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._families: dict[UUID, RefreshFamily] = uow.table("refresh_families")
        self._tokens: dict[str, RefreshToken] = uow.table("refresh_tokens")

    async def add_family(self, family: RefreshFamily) -> None:
        if family.id in self._families:
            raise constraints.duplicate("refresh_families", ["id"], "pk_refresh_families")
        check_references(self._uow, "refresh_families", family, FAMILY_REFERENCES)
        self._families[family.id] = snapshot(family)

    async def get_family(self, family_id: UUID) -> RefreshFamily | None:
        family = self._families.get(family_id)
        return None if family is None else snapshot(family)

    async def add_token(self, token: RefreshToken) -> None:
        if token.token_hash in self._tokens:
            raise constraints.duplicate("refresh_tokens", ["token_hash"], "pk_refresh_tokens")
        check_references(self._uow, "refresh_tokens", token, TOKEN_REFERENCES)
        self._tokens[token.token_hash] = snapshot(token)

    async def get_token(self, token_hash: str) -> RefreshToken | None:
        token = self._tokens.get(token_hash)
        return None if token is None else snapshot(token)

    async def consume(self, token_hash: str, now: datetime) -> RefreshToken | None:
        token = self._tokens.get(token_hash)
        if token is None or token.used_at is not None:
            return None
        used = snapshot(token)
        used.used_at = now
        self._tokens[token_hash] = used
        return snapshot(used)

    async def revoke_family(self, family_id: UUID, now: datetime) -> None:
        family = self._families.get(family_id)
        if family is not None and family.revoked_at is None:
            revoked = snapshot(family)
            revoked.revoke(now)
            self._families[family_id] = revoked

    async def revoke_all_for_user(
        self, user_id: UUID, now: datetime, *, except_family: UUID | None = None
    ) -> list[UUID]:
        ids = [
            f.id
            for f in self._families.values()
            if f.user_id == user_id and f.revoked_at is None and f.id != except_family
        ]
        for family_id in ids:
            await self.revoke_family(family_id, now)
        return ids


class MemoryPasswordResetRepository(PasswordResetRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._rows: dict[str, PasswordResetToken] = uow.table("password_resets")

    async def add(self, token: PasswordResetToken) -> None:
        if token.token_hash in self._rows:
            raise constraints.duplicate(
                "password_reset_tokens", ["token_hash"], "pk_password_reset_tokens"
            )
        check_references(self._uow, "password_reset_tokens", token, RESET_REFERENCES)
        self._rows[token.token_hash] = snapshot(token)

    async def get(self, token_hash: str) -> PasswordResetToken | None:
        token = self._rows.get(token_hash)
        return None if token is None else snapshot(token)

    async def consume(self, token_hash: str, now: datetime) -> PasswordResetToken | None:
        token = self._rows.get(token_hash)
        if token is None or not token.is_usable(now):
            return None
        used = snapshot(token)
        used.used_at = now
        self._rows[token_hash] = used
        return snapshot(used)

    async def invalidate_for_user(self, user_id: UUID, now: datetime) -> None:
        for key, token in list(self._rows.items()):
            if token.user_id == user_id and token.used_at is None:
                used = snapshot(token)
                used.used_at = now
                self._rows[key] = used


class MemoryPreferencesRepository(PreferencesRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._rows: dict[UUID, Preferences] = uow.table("preferences")

    async def get(self, user_id: UUID) -> Preferences | None:
        stored = self._rows.get(user_id)
        if stored is None:
            return None
        copy = snapshot(stored)
        self._uow.track(copy)
        return copy

    async def save(self, preferences: Preferences) -> None:
        stored = self._rows.get(preferences.id)
        current = 0 if stored is None else stored.version
        if current != preferences.version:
            raise PreconditionFailed("The preferences were changed by someone else.")
        check_references(self._uow, "user_preferences", preferences, PREFERENCES_REFERENCES)
        preferences.version += 1
        copy = snapshot(preferences)
        copy.pull_events()
        self._rows[preferences.id] = copy
        self._uow.track(preferences)


class MemoryRevocationRepository(RevocationRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._rows: dict[tuple[RevocationKind, str], Revocation] = uow.table("revocations")
        self._users: dict[UUID, User] = uow.table("users")

    async def add(self, revocation: Revocation) -> None:
        self._rows.setdefault((revocation.kind, revocation.value), revocation)

    async def check(
        self, user_id: UUID, *, jti: str, session_id: UUID | None, now: datetime
    ) -> AccessCheck:
        keys = [(RevocationKind.TOKEN, jti)]
        if session_id is not None:
            keys.append((RevocationKind.SESSION, str(session_id)))
        revoked = any(
            (found := self._rows.get(key)) is not None and found.is_live(now) for key in keys
        )
        user = self._users.get(user_id)
        return AccessCheck(revoked=revoked, cutoff=None if user is None else user.cutoff)

    async def live(
        self,
        now: datetime,
        *,
        after: tuple[RevocationKind, str] | None = None,
        limit: int = 1000,
    ) -> list[Revocation]:
        keys = sorted(key for key, row in self._rows.items() if row.is_live(now))
        if after is not None:
            keys = [key for key in keys if key > after]
        return [self._rows[key] for key in keys[:limit]]

    async def purge(self, now: datetime, *, limit: int = 500) -> int:
        expired = [key for key, row in self._rows.items() if not row.is_live(now)][:limit]
        for key in expired:
            del self._rows[key]
        return len(expired)


class MemoryIdentityUnitOfWork(MemoryUnitOfWork, IdentityUnitOfWork):
    users: MemoryUserRepository
    refresh_tokens: MemoryRefreshTokenRepository
    password_resets: MemoryPasswordResetRepository
    preferences: MemoryPreferencesRepository
    revocations: MemoryRevocationRepository

    def __init__(
        self,
        store: MemoryStore,
        publisher: EventPublisher | None = None,
        *,
        outbox_signal: OutboxSignal | None = None,
    ) -> None:
        super().__init__(store, publisher, outbox_signal=outbox_signal)

    def _open_repositories(self) -> None:
        self.users = MemoryUserRepository(self)
        self.refresh_tokens = MemoryRefreshTokenRepository(self)
        self.password_resets = MemoryPasswordResetRepository(self)
        self.preferences = MemoryPreferencesRepository(self)
        self.revocations = MemoryRevocationRepository(self)


@dataclass(frozen=True, slots=True)
class SecurityLogEntry:
    event_name: str
    user_id: UUID | None
    ip: str | None
    detail: Mapping[str, str] = field(default_factory=dict)


class MemorySecurityLog(SecurityLog):
    """Keeps entries in a list (tests, the embedded profile)."""

    def __init__(self) -> None:
        self.entries: list[SecurityLogEntry] = []

    async def record(
        self,
        event_name: str,
        *,
        user_id: UUID | None,
        ip: str | None,
        detail: Mapping[str, str] | None = None,
    ) -> None:
        self.entries.append(SecurityLogEntry(event_name, user_id, ip, dict(detail or {})))

    def names(self) -> list[str]:
        return [e.event_name for e in self.entries]
