"""The caller's own user."""

from __future__ import annotations

from application.identity.ports import IdentityUnitOfWork
from application.identity.views import UserView
from domain.shared.access import Actor
from domain.shared.errors import NotFound


class GetMe:
    def __init__(self, uow: IdentityUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, actor: Actor) -> UserView:
        async with self._uow as uow:
            user = await uow.users.get(actor.user_id)
        if user is None:
            raise NotFound("No such user.")
        return UserView.of(user)
