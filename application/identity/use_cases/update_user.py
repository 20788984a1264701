"""PATCH a user: names (self or admin), role and activation (admin; never oneself)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.identity.ports import IdentityUnitOfWork
from application.identity.revocations import publish_user
from application.identity.session_state import SessionState
from application.identity.sessions import end_sessions
from application.identity.views import UserView
from application.shared.clock import Clock
from domain.shared.access import Action, Actor, Resource, Role, authorize, grantable_roles
from domain.shared.errors import Forbidden, NotFound, RuleViolated


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateUserCommand:
    actor: Actor
    user_id: UUID
    expected_version: int | None = None
    """The ``If-Match`` version; a stale one is ``PreconditionFailed`` and changes nothing."""
    first_name: str | None = None
    last_name: str | None = None
    role: Role | None = None
    is_active: bool | None = None


class UpdateUser:
    def __init__(self, uow: IdentityUnitOfWork, state: SessionState, clock: Clock) -> None:
        self._uow, self._state, self._clock = uow, state, clock

    async def __call__(self, command: UpdateUserCommand) -> UserView:
        actor, owns = command.actor, command.actor.is_self(command.user_id)
        authorize(actor, Resource.USERS, Action.READ, owns=owns)
        if command.first_name is not None or command.last_name is not None:
            authorize(actor, Resource.USERS, Action.UPDATE, owns=owns)
        administering = command.role is not None or command.is_active is not None
        if administering:
            authorize(actor, Resource.USERS, Action.MANAGE, owns=owns)
        async with self._uow as uow:
            user = await uow.users.get(command.user_id)
            if user is None:
                raise NotFound("No such user.")
            user.check_version(command.expected_version)
            now = self._clock.now()
            role_changes = command.role is not None and command.role != user.role
            active_changes = command.is_active is not None and command.is_active != user.is_active
            if owns and (role_changes or active_changes):
                raise RuleViolated(
                    "You cannot change your own role or deactivate yourself.",
                    code="self_administration",
                )
            if command.role is not None and role_changes:
                if command.role not in grantable_roles(actor.role):
                    raise Forbidden(f"You may not grant the role {command.role.value}.")
                user.change_role(command.role, now)
            if command.is_active is True:
                user.reactivate(now)
            elif command.is_active is False:
                user.deactivate(now)
            user.rename(now, first_name=command.first_name, last_name=command.last_name)
            cut_sessions = role_changes or (active_changes and command.is_active is False)
            await uow.users.save(user)
            if cut_sessions:
                await end_sessions(uow, user, now)
            await self._state.hold(user.id)  # any change (role, activation, names, version)
            await uow.commit()
        await publish_user(self._state, user)
        return UserView.of(user)
