"""One user, if the caller may see them (404 otherwise)."""

from __future__ import annotations

from uuid import UUID

from application.identity.ports import IdentityUnitOfWork
from application.identity.views import UserView
from domain.shared.access import Action, Actor, Resource, authorize
from domain.shared.errors import NotFound


class GetUser:
    def __init__(self, uow: IdentityUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, actor: Actor, user_id: UUID) -> UserView:
        authorize(actor, Resource.USERS, Action.READ, owns=actor.is_self(user_id))
        async with self._uow as uow:
            user = await uow.users.get(user_id)
        if user is None:
            raise NotFound("No such user.")
        return UserView.of(user)
