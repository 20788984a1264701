"""DELETE a user: a soft deactivation that ends every session at once."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.identity.ports import IdentityUnitOfWork
from application.identity.revocations import publish_user
from application.identity.session_state import SessionState
from application.identity.sessions import end_sessions
from application.shared.clock import Clock
from domain.shared.access import Action, Actor, Resource, authorize
from domain.shared.errors import NotFound, RuleViolated


@dataclass(frozen=True, slots=True, kw_only=True)
class DeactivateUserCommand:
    actor: Actor
    user_id: UUID
    expected_version: int | None = None


class DeactivateUser:
    def __init__(self, uow: IdentityUnitOfWork, state: SessionState, clock: Clock) -> None:
        self._uow, self._state, self._clock = uow, state, clock

    async def __call__(self, command: DeactivateUserCommand) -> None:
        owns = command.actor.is_self(command.user_id)
        authorize(command.actor, Resource.USERS, Action.DELETE, owns=owns)
        if owns:
            raise RuleViolated("You cannot deactivate yourself.", code="self_administration")
        async with self._uow as uow:
            user = await uow.users.get(command.user_id)
            if user is None:
                raise NotFound("No such user.")
            user.check_version(command.expected_version)
            if not user.is_active:
                return  # already done: DELETE is idempotent
            now = self._clock.now()
            user.deactivate(now)
            await uow.users.save(user)
            await end_sessions(uow, user, now)
            await self._state.hold(user.id)
            await uow.commit()
        await publish_user(self._state, user)
