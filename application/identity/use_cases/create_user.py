"""An administrator (any role) or a manager (any role but admin) creates a user."""

from __future__ import annotations

from dataclasses import dataclass, field

from application.identity.ports import IdentityUnitOfWork
from application.identity.views import UserView
from application.shared.clock import Clock
from application.shared.security import PasswordHasher
from domain.identity.password_policy import PasswordPolicy
from domain.identity.user import User
from domain.identity.values import clean_email, clean_names
from domain.shared.access import Action, Actor, Resource, Role, grantable_roles, require
from domain.shared.errors import DuplicateValue, Forbidden


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateUserCommand:
    actor: Actor
    email: str
    password: str = field(repr=False)
    first_name: str
    last_name: str
    role: Role


class CreateUser:
    def __init__(
        self,
        uow: IdentityUnitOfWork,
        hasher: PasswordHasher,
        passwords: PasswordPolicy,
        clock: Clock,
    ) -> None:
        self._uow, self._hasher, self._passwords, self._clock = uow, hasher, passwords, clock

    async def __call__(self, command: CreateUserCommand) -> UserView:
        require(command.actor, Resource.USERS, Action.CREATE)
        if command.role not in grantable_roles(command.actor.role):
            raise Forbidden(f"You may not create users with the role {command.role.value}.")
        email = clean_email(command.email)
        clean_names(command.first_name, command.last_name)
        self._passwords.validate(command.password, email=email)
        async with self._uow as uow:
            if await uow.users.get_by_email(email) is not None:
                raise DuplicateValue(
                    ["email"], "This e-mail address is already registered.", code="email_taken"
                )
        password_hash = await self._hasher.hash(command.password)
        async with self._uow as uow:
            user = User.register(
                email=email,
                first_name=command.first_name,
                last_name=command.last_name,
                role=command.role,
                password_hash=password_hash,
                now=self._clock.now(),
            )
            await uow.users.add(user)
            await uow.commit()
        return UserView.of(user)
