"""Log out: the presented access token and the session's refresh family stop working."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from application.identity.ports import IdentityUnitOfWork
from application.identity.session_state import SessionState
from application.identity.sessions import ACCESS
from application.identity.tokens import hash_token
from application.shared.clock import Clock
from application.shared.security import TokenService
from domain.shared.access import Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class LogoutCommand:
    actor: Actor
    access_token: str = field(repr=False)
    """The bearer token of this request (already authenticated)."""
    refresh_token: str | None = field(default=None, repr=False)


class Logout:
    def __init__(
        self,
        uow: IdentityUnitOfWork,
        tokens: TokenService,
        state: SessionState,
        clock: Clock,
        *,
        access_ttl_seconds: int = 900,
    ) -> None:
        self._uow, self._tokens, self._state, self._clock = uow, tokens, state, clock
        self._access_ttl = access_ttl_seconds

    async def __call__(self, command: LogoutCommand) -> None:
        claims = self._tokens.verify(command.access_token, token_type=ACCESS)
        now = self._clock.now()
        remaining = (claims.expires_at - now).total_seconds()
        await self._state.deny(claims.jti, remaining_seconds=remaining + 60)  # + verify leeway
        families: set[UUID] = set()
        if command.actor.session_id is not None:
            families.add(command.actor.session_id)
        async with self._uow as uow:
            if command.refresh_token:
                token = await uow.refresh_tokens.get_token(hash_token(command.refresh_token))
                if token is not None and token.user_id == command.actor.user_id:
                    families.add(token.family_id)
            revoked = []
            for family_id in families:
                family = await uow.refresh_tokens.get_family(family_id)
                if family is not None and family.user_id == command.actor.user_id:
                    await uow.refresh_tokens.revoke_family(family_id, now)
                    revoked.append(family_id)
            await uow.commit()
        for family_id in revoked:  # the other access tokens of those sessions die too
            await self._state.deny_session(family_id, ttl_seconds=self._access_ttl + 60)
