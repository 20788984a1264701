"""Set a new password with a reset token (one use, before it expires)."""

from __future__ import annotations

from dataclasses import dataclass, field

from application.identity.ports import IdentityUnitOfWork, SecurityLog
from application.identity.revocations import publish_user
from application.identity.session_state import SessionState
from application.identity.sessions import end_sessions
from application.identity.tokens import hash_token
from application.shared.clock import Clock
from application.shared.security import PasswordHasher
from domain.identity.events import PasswordChanged
from domain.identity.password_policy import PasswordPolicy
from domain.shared.errors import BadRequest


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmPasswordResetCommand:
    token: str = field(repr=False)
    new_password: str = field(repr=False)
    client_address: str | None = None


def invalid_token() -> BadRequest:
    return BadRequest("The reset token is invalid, used or expired.", code="invalid_reset_token")


class ConfirmPasswordReset:
    def __init__(
        self,
        uow: IdentityUnitOfWork,
        hasher: PasswordHasher,
        passwords: PasswordPolicy,
        state: SessionState,
        security_log: SecurityLog,
        clock: Clock,
    ) -> None:
        self._uow, self._hasher, self._passwords = uow, hasher, passwords
        self._state, self._log, self._clock = state, security_log, clock

    async def __call__(self, command: ConfirmPasswordResetCommand) -> None:
        if not command.token or len(command.token) > 512:
            raise invalid_token()
        token_hash = hash_token(command.token)
        async with self._uow as uow:  # look first: a weak password must not burn the token
            reset = await uow.password_resets.get(token_hash)
            user = None if reset is None else await uow.users.get(reset.user_id)
        if reset is None or not reset.is_usable(self._clock.now()):
            raise invalid_token()
        if user is None or not user.is_active:
            raise invalid_token()
        self._passwords.validate(command.new_password, email=user.email, field="new_password")
        new_hash = await self._hasher.hash(command.new_password)
        async with self._uow as uow:
            now = self._clock.now()
            if await uow.password_resets.consume(token_hash, now) is None:
                raise invalid_token()  # used meanwhile, or expired while hashing
            fresh = await uow.users.get(user.id)
            if fresh is None or not fresh.is_active:
                raise invalid_token()
            fresh.change_password(new_hash, now, via_reset=True)
            await uow.users.save(fresh)
            await uow.password_resets.invalidate_for_user(fresh.id, now)
            await end_sessions(uow, fresh, now)
            await self._state.hold(fresh.id)
            await uow.commit()
        await publish_user(self._state, fresh)
        await self._log.record(
            PasswordChanged.__name__,
            user_id=fresh.id,
            ip=command.client_address,
            detail={"via": "reset"},
        )
