"""The User aggregate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.identity.events import (
    LoginSucceeded,
    PasswordChanged,
    RoleChanged,
    UserDeactivated,
    UserProfileChanged,
    UserReactivated,
    UserRegistered,
)
from domain.identity.values import clean_email, clean_names, normalize_email
from domain.shared.access import Role
from domain.shared.aggregate import Aggregate
from domain.shared.ids import new_id


@dataclass(frozen=True, slots=True)
class TokenCutoff:
    """Which access tokens of one user are still good.

    Tokens issued before ``after`` are dead, except those of ``kept_session_id`` (the session
    that changed the password keeps working); nothing is good while the user is inactive.
    """

    active: bool
    after: datetime | None = None
    kept_session_id: UUID | None = None

    def accepts(self, issued_at: datetime, session_id: UUID | None) -> bool:
        if not self.active:
            return False
        if self.after is None or issued_at >= self.after:
            return True
        return session_id is not None and session_id == self.kept_session_id


@dataclass(kw_only=True, eq=False, slots=True)
class User(Aggregate):
    email: str
    first_name: str
    last_name: str
    role: Role
    password_hash: str = field(repr=False)
    created_at: datetime
    updated_at: datetime
    is_active: bool = True
    last_login_at: datetime | None = None
    tokens_valid_after: datetime | None = None
    """Access tokens issued before this instant are dead (except ``kept_session_id``'s)."""
    kept_session_id: UUID | None = None

    @classmethod
    def register(
        cls,
        *,
        email: str,
        first_name: str,
        last_name: str,
        role: Role,
        password_hash: str,
        now: datetime,
        user_id: UUID | None = None,
    ) -> User:
        first, last = clean_names(first_name, last_name)
        user = cls(
            id=user_id or new_id(),
            email=clean_email(email),
            first_name=first,
            last_name=last,
            role=role,
            password_hash=password_hash,
            created_at=now,
            updated_at=now,
        )
        user.record(UserRegistered(occurred_at=now, user_id=user.id, email=user.email, role=role))
        return user

    @property
    def email_normalized(self) -> str:
        return normalize_email(self.email)

    @property
    def cutoff(self) -> TokenCutoff:
        return TokenCutoff(self.is_active, self.tokens_valid_after, self.kept_session_id)

    def record_login(self, now: datetime) -> None:
        self.last_login_at = now
        self.record(LoginSucceeded(occurred_at=now, user_id=self.id))

    def rehash_password(self, password_hash: str, now: datetime) -> None:
        """Replace the hash of the *same* password (stronger settings); sessions survive."""
        self.password_hash = password_hash
        self.updated_at = now

    def change_password(
        self,
        password_hash: str,
        now: datetime,
        *,
        keep_session_id: UUID | None = None,
        via_reset: bool = False,
    ) -> None:
        """Set a new password and end every session but ``keep_session_id``."""
        self.password_hash = password_hash
        self.updated_at = now
        self.revoke_sessions(now, keep_session_id=keep_session_id)
        self.record(PasswordChanged(occurred_at=now, user_id=self.id, via_reset=via_reset))

    def revoke_sessions(self, now: datetime, *, keep_session_id: UUID | None = None) -> None:
        """Kill every access token issued before ``now`` (but ``keep_session_id``'s)."""
        self.tokens_valid_after = now
        self.kept_session_id = keep_session_id

    def rename(self, now: datetime, *, first_name: str | None, last_name: str | None) -> None:
        first, last = clean_names(
            self.first_name if first_name is None else first_name,
            self.last_name if last_name is None else last_name,
        )
        changed = tuple(
            name
            for name, old, new in (
                ("first_name", self.first_name, first),
                ("last_name", self.last_name, last),
            )
            if old != new
        )
        if changed:
            self.first_name, self.last_name, self.updated_at = first, last, now
            self.record(UserProfileChanged(occurred_at=now, user_id=self.id, fields=changed))

    def change_role(self, role: Role, now: datetime) -> None:
        if role == self.role:
            return
        old, self.role, self.updated_at = self.role, role, now
        self.revoke_sessions(now)
        self.record(RoleChanged(occurred_at=now, user_id=self.id, old_role=old, new_role=role))

    def deactivate(self, now: datetime) -> None:
        if not self.is_active:
            return
        self.is_active, self.updated_at = False, now
        self.revoke_sessions(now)
        self.record(UserDeactivated(occurred_at=now, user_id=self.id))

    def reactivate(self, now: datetime) -> None:
        if self.is_active:
            return
        self.is_active, self.updated_at = True, now
        self.record(UserReactivated(occurred_at=now, user_id=self.id))
