"""Ports of the identity context: repositories, its unit of work, mailer, security log.

Repositories hand out copies: a change is stored only by the port method that says so, and
only when the unit of work commits. Every datetime is timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.shared.mail import EmailMessage as EmailMessage  # re-exported
from application.shared.mail import Mailer as Mailer  # re-exported
from application.shared.pagination import Sort
from application.shared.uow import UnitOfWork
from domain.identity.password_reset import PasswordResetToken
from domain.identity.preferences import Preferences
from domain.identity.revocations import Revocation, RevocationKind
from domain.identity.sessions import RefreshFamily, RefreshToken
from domain.identity.user import TokenCutoff, User
from domain.shared.access import Role

USER_SORT_FIELDS = frozenset(
    {"email", "first_name", "last_name", "role", "created_at", "updated_at", "last_login_at"}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class UserFilters:
    role: Role | None = None
    is_active: bool | None = None
    q: str | None = None
    """Case-insensitive substring of e-mail, first name or last name."""
    user_id: UUID | None = None
    """Restrict to one user (the "self only" scope)."""


class UserRepository(Protocol):
    async def get(self, user_id: UUID) -> User | None:
        """The user, tracked by the unit of work, or None."""
        ...

    async def get_by_email(self, email: str) -> User | None:
        """Case-insensitive lookup (compare ``email.strip().casefold()`` with the stored
        normalised address); the user is tracked by the unit of work."""
        ...

    async def add(self, user: User) -> None:
        """Insert a new user and track it. A second user with the same normalised e-mail
        raises ``Conflict(code="email_taken")`` (SQL adapters: from the unique index on
        ``email_normalized``, at the latest at commit)."""
        ...

    async def save(self, user: User) -> None:
        """Store the changes of a user loaded in this unit of work: only when the stored
        ``version`` still equals ``user.version`` (``UPDATE ... WHERE version = :v``), else
        ``PreconditionFailed``; then ``user.version`` is incremented."""
        ...

    async def record_login(self, user_id: UUID, at: datetime) -> None:
        """Set ``last_login_at`` alone: server-kept metadata that neither checks nor bumps the
        version, so concurrent logins never conflict and an admin's ``If-Match`` stays valid."""
        ...

    async def list(
        self, filters: UserFilters, *, limit: int, offset: int, sort: Sort
    ) -> tuple[Sequence[User], int]:
        """One page of matching users (sorted, ties broken by id) and the total count."""
        ...


class RefreshTokenRepository(Protocol):
    async def add_family(self, family: RefreshFamily) -> None: ...

    async def get_family(self, family_id: UUID) -> RefreshFamily | None: ...

    async def add_token(self, token: RefreshToken) -> None: ...

    async def get_token(self, token_hash: str) -> RefreshToken | None:
        """The token whatever its state (used or not), or None when unknown."""
        ...

    async def consume(self, token_hash: str, now: datetime) -> RefreshToken | None:
        """Atomically mark the token used and return it, only if it was unused
        (``UPDATE ... SET used_at = :now WHERE token_hash = :h AND used_at IS NULL
        RETURNING ...``). None for an unknown or already used token: of two concurrent
        calls with one hash, exactly one gets the token."""
        ...

    async def revoke_family(self, family_id: UUID, now: datetime) -> None:
        """Set ``revoked_at`` (kept if already set)."""
        ...

    async def revoke_all_for_user(
        self, user_id: UUID, now: datetime, *, except_family: UUID | None = None
    ) -> list[UUID]:
        """Revoke every live family of the user but ``except_family``; their ids."""
        ...


class PasswordResetRepository(Protocol):
    async def add(self, token: PasswordResetToken) -> None: ...

    async def get(self, token_hash: str) -> PasswordResetToken | None: ...

    async def consume(self, token_hash: str, now: datetime) -> PasswordResetToken | None:
        """Atomically mark used and return it, only if unused and not expired at ``now``."""
        ...

    async def invalidate_for_user(self, user_id: UUID, now: datetime) -> None:
        """Mark every unused token of the user used (a newer one or a reset supersedes)."""
        ...


class PreferencesRepository(Protocol):
    async def get(self, user_id: UUID) -> Preferences | None:
        """The stored preferences (tracked), or None when the user never saved any."""
        ...

    async def save(self, preferences: Preferences) -> None:
        """Insert (``version`` 0 -> 1) or update when the stored version equals
        ``preferences.version`` (else ``PreconditionFailed``); bumps ``version``."""
        ...


@dataclass(frozen=True, slots=True)
class AccessCheck:
    """What the database says about one access token (the cache's fallback)."""

    revoked: bool
    """Its ``jti`` or its session has a live revocation."""
    cutoff: TokenCutoff | None
    """The user's cut-off; None when there is no such user."""


class RevocationRepository(Protocol):
    """The durable record of revocations (the cache holds a copy for the hot path)."""

    async def add(self, revocation: Revocation) -> None:
        """Record a revocation; one already recorded (same kind and value) is kept as is."""
        ...

    async def check(
        self, user_id: UUID, *, jti: str, session_id: UUID | None, now: datetime
    ) -> AccessCheck:
        """In ONE query: whether ``jti`` or ``session_id`` has a revocation live at ``now``,
        and the user's cut-off (by primary keys: bounded whatever the table holds)."""
        ...

    async def live(
        self,
        now: datetime,
        *,
        after: tuple[RevocationKind, str] | None = None,
        limit: int = 1000,
    ) -> list[Revocation]:
        """Up to ``limit`` revocations live at ``now``, ordered by ``(kind, value)`` and
        strictly after ``after`` (keyset pagination, for rebuilding the cache)."""
        ...

    async def purge(self, now: datetime, *, limit: int = 500) -> int:
        """Delete up to ``limit`` revocations expired at ``now``; how many were deleted.
        Concurrent purges skip each other's rows instead of waiting for them."""
        ...


class IdentityUnitOfWork(UnitOfWork, Protocol):
    users: UserRepository
    refresh_tokens: RefreshTokenRepository
    password_resets: PasswordResetRepository
    preferences: PreferencesRepository
    revocations: RevocationRepository


class SecurityLog(Protocol):
    async def record(
        self,
        event_name: str,
        *,
        user_id: UUID | None,
        ip: str | None,
        detail: Mapping[str, str] | None = None,
    ) -> None:
        """Append a security event (login failures, reuse, lockouts...). Callers never
        pass a password, a hash or a token in ``detail``."""
        ...
