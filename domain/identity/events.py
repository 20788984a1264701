"""Identity and security events. None of them ever carries a password, a hash or a token."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.shared.access import Role
from domain.shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True, slots=True)
class UserRegistered(DomainEvent):
    user_id: UUID
    email: str
    role: Role


@dataclass(frozen=True, kw_only=True, slots=True)
class LoginSucceeded(DomainEvent):
    user_id: UUID


@dataclass(frozen=True, kw_only=True, slots=True)
class LoginFailed(DomainEvent):
    user_id: UUID | None


@dataclass(frozen=True, kw_only=True, slots=True)
class AccountLocked(DomainEvent):
    user_id: UUID | None


@dataclass(frozen=True, kw_only=True, slots=True)
class RefreshReuseDetected(DomainEvent):
    user_id: UUID
    family_id: UUID


@dataclass(frozen=True, kw_only=True, slots=True)
class PasswordChanged(DomainEvent):
    user_id: UUID
    via_reset: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class PasswordResetRequested(DomainEvent):
    user_id: UUID


@dataclass(frozen=True, kw_only=True, slots=True)
class RoleChanged(DomainEvent):
    user_id: UUID
    old_role: Role
    new_role: Role


@dataclass(frozen=True, kw_only=True, slots=True)
class UserProfileChanged(DomainEvent):
    user_id: UUID
    fields: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class UserDeactivated(DomainEvent):
    user_id: UUID


@dataclass(frozen=True, kw_only=True, slots=True)
class UserReactivated(DomainEvent):
    user_id: UUID
