"""msgspec bodies and answers of the identity routes.

Unknown fields are ignored (so a client sending ``id``, ``role`` or ``version`` on a
self-service route changes nothing); every string and list is bounded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from application.identity.policy import IdentityPolicy
from application.identity.views import PreferencesView, TokenPair, UserView
from domain.shared.access import Role
from entrypoints.http.schemas import Email, Name, Password, Token

Favorite = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Favorites = Annotated[list[Favorite], msgspec.Meta(max_length=200)]
SettingsMap = Annotated[dict[str, Any], msgspec.Meta(max_length=100)]


class UserRead(msgspec.Struct, kw_only=True):
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
    def of(cls, view: UserView) -> UserRead:
        return cls(
            id=view.id,
            email=view.email,
            first_name=view.first_name,
            last_name=view.last_name,
            role=view.role,
            is_active=view.is_active,
            created_at=view.created_at,
            updated_at=view.updated_at,
            last_login_at=view.last_login_at,
            version=view.version,
        )


_POLICY = IdentityPolicy()
#: A password being set: the policy's length (the policy also refuses common passwords and
#: ones containing the e-mail's local part, 422 naming the field).
NewPassword = Annotated[
    str,
    msgspec.Meta(
        min_length=_POLICY.password_min_length,
        max_length=_POLICY.password_max_length,
        description=f"{_POLICY.password_min_length} to {_POLICY.password_max_length} "
        "characters; not a common password, not containing the e-mail's local part.",
    ),
]


class RegisterBody(msgspec.Struct, kw_only=True):
    email: Email
    password: NewPassword
    first_name: Name
    last_name: Name


class LoginBody(msgspec.Struct, kw_only=True):
    email: Annotated[str, msgspec.Meta(max_length=320)]
    password: Password


class TokenPairRead(msgspec.Struct, kw_only=True):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    user: UserRead

    @classmethod
    def of(cls, pair: TokenPair) -> TokenPairRead:
        return cls(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            token_type=pair.token_type,
            expires_in=pair.expires_in,
            user=UserRead.of(pair.user),
        )


class RefreshBody(msgspec.Struct, kw_only=True):
    refresh_token: Token


class LogoutBody(msgspec.Struct, kw_only=True):
    refresh_token: Token | None = None


class ChangePasswordBody(msgspec.Struct, kw_only=True):
    current_password: Password
    new_password: NewPassword


class PasswordResetBody(msgspec.Struct, kw_only=True):
    email: Annotated[str, msgspec.Meta(max_length=320)]


class PasswordResetConfirmBody(msgspec.Struct, kw_only=True):
    token: Token
    new_password: NewPassword


class UserCreate(msgspec.Struct, kw_only=True):
    email: Email
    password: NewPassword
    first_name: Name
    last_name: Name
    role: Role


class UserUpdate(msgspec.Struct, kw_only=True):
    first_name: Name | None = None
    last_name: Name | None = None
    role: Role | None = None
    is_active: bool | None = None


class PreferencesBody(msgspec.Struct, kw_only=True):
    favorite_namespaces: Favorites = []
    favorite_collections: Favorites = []
    favorite_modules: Favorites = []
    settings: SettingsMap = {}


class PreferencesRead(msgspec.Struct, kw_only=True):
    favorite_namespaces: list[str]
    favorite_collections: list[str]
    favorite_modules: list[str]
    settings: dict[str, Any]
    version: int
    updated_at: datetime | None

    @classmethod
    def of(cls, view: PreferencesView) -> PreferencesRead:
        return cls(
            favorite_namespaces=view.favorite_namespaces,
            favorite_collections=view.favorite_collections,
            favorite_modules=view.favorite_modules,
            settings=view.settings,
            version=view.version,
            updated_at=view.updated_at,
        )
