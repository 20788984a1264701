"""Self-service sign-up: always the ``client`` role."""

from __future__ import annotations

from dataclasses import dataclass, field

from application.identity.policy import IdentityPolicy
from application.identity.ports import IdentityUnitOfWork
from application.identity.views import UserView
from application.shared.clock import Clock
from application.shared.security import PasswordHasher
from domain.identity.password_policy import PasswordPolicy
from domain.identity.user import User
from domain.identity.values import clean_email, clean_names
from domain.shared.access import Role
from domain.shared.errors import DuplicateValue, Forbidden


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterCommand:
    email: str
    password: str = field(repr=False)
    first_name: str
    last_name: str


class Register:
    def __init__(
        self,
        uow: IdentityUnitOfWork,
        hasher: PasswordHasher,
        clock: Clock,
        policy: IdentityPolicy,
        passwords: PasswordPolicy,
    ) -> None:
        self._uow, self._hasher, self._clock = uow, hasher, clock
        self._policy, self._passwords = policy, passwords

    async def __call__(self, command: RegisterCommand) -> UserView:
        if not self._policy.signup_enabled:
            raise Forbidden("Sign-up is disabled.", code="signup_disabled")
        email = clean_email(command.email)
        clean_names(command.first_name, command.last_name)
        self._passwords.validate(command.password, email=email)
        async with self._uow as uow:  # cheap early answer; ``add`` is the real guard
            if await uow.users.get_by_email(email) is not None:
                raise DuplicateValue(
                    ["email"], "This e-mail address is already registered.", code="email_taken"
                )
        password_hash = await self._hasher.hash(command.password)  # slow: outside the UoW
        async with self._uow as uow:
            user = User.register(
                email=email,
                first_name=command.first_name,
                last_name=command.last_name,
                role=Role.CLIENT,
                password_hash=password_hash,
                now=self._clock.now(),
            )
            await uow.users.add(user)
            await uow.commit()
        return UserView.of(user)
