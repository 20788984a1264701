"""What identity use cases return: read models without secrets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.identity.preferences import Preferences
from domain.identity.user import User
from domain.shared.access import Role


@dataclass(frozen=True, slots=True, kw_only=True)
class UserView:
    """The API's User: never a password hash."""

    id: UUID
    email: str
    first_name: str
    last_name: str
    role: Role
    is_active: bool
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None
    version: int

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(
            id=user.id,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            role=user.role,
            is_active=user.is_active,
            created_at=user.created_at,
            updated_at=user.updated_at,
            last_login_at=user.last_login_at,
            version=user.version,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenPair:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    user: UserView
    session_id: UUID
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret


@dataclass(frozen=True, slots=True, kw_only=True)
class PreferencesView:
    favorite_namespaces: list[str]
    favorite_collections: list[str]
    favorite_modules: list[str]
    settings: dict[str, Any]
    version: int
    updated_at: datetime | None

    @classmethod
    def of(cls, preferences: Preferences) -> PreferencesView:
        return cls(
            favorite_namespaces=list(preferences.favorite_namespaces),
            favorite_collections=list(preferences.favorite_collections),
            favorite_modules=list(preferences.favorite_modules),
            settings=dict(preferences.settings),
            version=preferences.version,
            updated_at=preferences.updated_at,
        )
