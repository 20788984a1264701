"""Rotate a refresh token: the presented one dies, a new pair comes back.

Presenting a token that was already used is a replay: the whole family is revoked (and that
revocation committed, with its durable record), its access tokens are refused from then on,
before answering ``Unauthenticated``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from application.identity.ports import IdentityUnitOfWork, SecurityLog
from application.identity.revocations import record_revocations
from application.identity.session_state import SessionState
from application.identity.sessions import SessionIssuer
from application.identity.tokens import hash_token
from application.identity.views import TokenPair
from application.shared.clock import Clock
from domain.identity.events import RefreshReuseDetected
from domain.identity.revocations import Revocation
from domain.shared.errors import Unauthenticated

MAX_TOKEN_CHARS = 512


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshCommand:
    refresh_token: str = field(repr=False)
    client_address: str | None = None


def invalid_refresh() -> Unauthenticated:
    return Unauthenticated("The refresh token is invalid or expired.", code="invalid_refresh_token")


class Refresh:
    def __init__(
        self,
        uow: IdentityUnitOfWork,
        issuer: SessionIssuer,
        security_log: SecurityLog,
        clock: Clock,
        state: SessionState,
    ) -> None:
        self._uow, self._issuer, self._log, self._clock = uow, issuer, security_log, clock
        self._state = state

    async def __call__(self, command: RefreshCommand) -> TokenPair:
        if not command.refresh_token or len(command.refresh_token) > MAX_TOKEN_CHARS:
            raise invalid_refresh()
        token_hash = hash_token(command.refresh_token)
        async with self._uow as uow:
            now = self._clock.now()
            token = await uow.refresh_tokens.consume(token_hash, now)
            if token is None:
                known = await uow.refresh_tokens.get_token(token_hash)
                if known is None:
                    raise invalid_refresh()
                await uow.refresh_tokens.revoke_family(known.family_id, now)
                # the thief's (or victim's) access tokens of this family die now, everywhere
                revocation = Revocation.of_session(
                    known.family_id,
                    known.user_id,
                    now,
                    access_ttl_seconds=self._issuer.access_ttl_seconds,
                )
                await record_revocations(uow, self._state, [revocation], now)
                await uow.commit()  # the revocation must stick although we refuse
                await self._log.record(
                    RefreshReuseDetected.__name__,
                    user_id=known.user_id,
                    ip=command.client_address,
                    detail={"family_id": str(known.family_id)},
                )
                raise invalid_refresh()
            family = await uow.refresh_tokens.get_family(token.family_id)
            user = await uow.users.get(token.user_id)
            if (
                family is None
                or not family.is_alive(now)
                or token.is_expired(now)
                or user is None
                or not user.is_active
            ):
                await uow.commit()  # keep the token consumed: it is dead either way
                raise invalid_refresh()
            pair = await self._issuer.rotate(uow, user, family, now)
            await uow.commit()
        return pair
