"""Log out: the presented access token and the session's refresh family stop working.

The revocations are recorded in the same transaction as the family's revocation, and copied
to the cache before it commits (``record_revocations``): a cache restarted empty afterwards
cannot bring the token back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from application.identity.ports import IdentityUnitOfWork
from application.identity.revocations import record_revocations
from application.identity.session_state import SessionState
from application.identity.sessions import ACCESS
from application.identity.tokens import hash_token
from application.shared.clock import Clock
from application.shared.security import TokenService
from domain.identity.revocations import Revocation
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
        user_id = command.actor.user_id
        now = self._clock.now()
        families: set[UUID] = set()
        if command.actor.session_id is not None:
            families.add(command.actor.session_id)
        async with self._uow as uow:
            if command.refresh_token:
                token = await uow.refresh_tokens.get_token(hash_token(command.refresh_token))
                if token is not None and token.user_id == user_id:
                    families.add(token.family_id)
            revocations = [
                Revocation.of_token(claims.jti, user_id, now, token_expires_at=claims.expires_at)
            ]
            for family_id in sorted(families, key=lambda family: family.int):
                family = await uow.refresh_tokens.get_family(family_id)
                if family is not None and family.user_id == user_id:
                    await uow.refresh_tokens.revoke_family(family_id, now)
                    # the other access tokens of that session die too
                    revocations.append(
                        Revocation.of_session(
                            family_id, user_id, now, access_ttl_seconds=self._access_ttl
                        )
                    )
            await record_revocations(uow, self._state, revocations, now)
            await uow.commit()
