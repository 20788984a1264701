"""Starting, rotating and ending sessions (refresh families + access tokens)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.identity.policy import IdentityPolicy
from application.identity.ports import IdentityUnitOfWork
from application.identity.tokens import hash_token, new_opaque_token
from application.identity.views import TokenPair, UserView
from application.shared.security import TokenService
from domain.identity.sessions import RefreshFamily, RefreshToken
from domain.identity.user import User

ACCESS = "access"
ROLE_CLAIM = "role"
SESSION_CLAIM = "sid"
ISSUED_MS_CLAIM = "iat_ms"
"""Issue instant in milliseconds: JWT ``iat`` has whole seconds, too coarse to compare with a
cut-off set in the same second as a login."""


class SessionIssuer:
    def __init__(self, tokens: TokenService, policy: IdentityPolicy) -> None:
        self._tokens = tokens
        self._policy = policy

    @property
    def access_ttl_seconds(self) -> int:
        return self._policy.access_ttl_seconds

    async def start(self, uow: IdentityUnitOfWork, user: User, now: datetime) -> TokenPair:
        """A new family with its first refresh token, and an access token (not committed)."""
        family = RefreshFamily.start(user.id, now, self._policy.refresh_ttl_seconds)
        await uow.refresh_tokens.add_family(family)
        return await self.rotate(uow, user, family, now)

    async def rotate(
        self, uow: IdentityUnitOfWork, user: User, family: RefreshFamily, now: datetime
    ) -> TokenPair:
        """A new refresh token in ``family`` and a new access token (not committed)."""
        refresh = new_opaque_token()
        token = RefreshToken.issue(
            family, hash_token(refresh), now, self._policy.refresh_ttl_seconds
        )
        await uow.refresh_tokens.add_token(token)
        access = self._tokens.issue(
            str(user.id),
            token_type=ACCESS,
            ttl_seconds=self._policy.access_ttl_seconds,
            extra={
                ROLE_CLAIM: user.role.value,
                SESSION_CLAIM: str(family.id),
                ISSUED_MS_CLAIM: int(now.timestamp() * 1000),
            },
        )
        return TokenPair(
            access_token=access.token,
            refresh_token=refresh,
            expires_in=self._policy.access_ttl_seconds,
            user=UserView.of(user),
            session_id=family.id,
        )


async def end_sessions(
    uow: IdentityUnitOfWork,
    user: User,
    now: datetime,
    *,
    keep_session_id: UUID | None = None,
) -> None:
    """Revoke every refresh family of ``user`` but ``keep_session_id`` (not committed).
    The caller has already moved the user's cut-off: it holds the cached cut-off before the
    commit (``SessionState.hold``) and publishes the new record after (``publish_user``)."""
    await uow.refresh_tokens.revoke_all_for_user(user.id, now, except_family=keep_session_id)
