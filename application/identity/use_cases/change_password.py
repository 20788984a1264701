"""Change one's own password; every other session is revoked."""

from __future__ import annotations

from dataclasses import dataclass, field

from application.identity.ports import IdentityUnitOfWork, SecurityLog
from application.identity.revocations import publish_user
from application.identity.session_state import SessionState
from application.identity.sessions import end_sessions
from application.shared.clock import Clock
from application.shared.security import PasswordHasher
from domain.identity.events import PasswordChanged
from domain.identity.password_policy import PasswordPolicy
from domain.shared.access import Actor
from domain.shared.errors import BadRequest, NotFound


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangePasswordCommand:
    actor: Actor
    current_password: str = field(repr=False)
    new_password: str = field(repr=False)
    client_address: str | None = None


class ChangePassword:
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

    async def __call__(self, command: ChangePasswordCommand) -> None:
        actor = command.actor
        async with self._uow as uow:
            user = await uow.users.get(actor.user_id)
        if user is None or not user.is_active:
            raise NotFound("No such user.")
        if len(command.current_password) > 1024 or not await self._hasher.verify(
            command.current_password, user.password_hash
        ):
            raise BadRequest(
                "The current password is not correct.", code="invalid_current_password"
            )
        self._passwords.validate(command.new_password, email=user.email, field="new_password")
        new_hash = await self._hasher.hash(command.new_password)
        async with self._uow as uow:
            fresh = await uow.users.get(actor.user_id)
            if fresh is None or fresh.password_hash != user.password_hash:
                raise BadRequest(
                    "The current password is not correct.", code="invalid_current_password"
                )
            now = self._clock.now()
            fresh.change_password(new_hash, now, keep_session_id=actor.session_id)
            await uow.users.save(fresh)
            await end_sessions(uow, fresh, now, keep_session_id=actor.session_id)
            await self._state.hold(fresh.id)
            await uow.commit()
        await publish_user(self._state, fresh)
        await self._log.record(
            PasswordChanged.__name__, user_id=fresh.id, ip=command.client_address
        )
