"""The caller's own user, from the cached user record when there is one.

The request's authentication has just read the record (``SessionState.current``): usually
nothing more is asked of the cache or the database. Otherwise the cache is asked, then the
database (which fills the cache)."""

from __future__ import annotations

from application.identity.ports import IdentityUnitOfWork
from application.identity.session_state import SessionState, UserRecord
from application.identity.views import UserView
from domain.shared.access import Actor
from domain.shared.errors import NotFound


class GetMe:
    def __init__(self, uow: IdentityUnitOfWork, state: SessionState) -> None:
        self._uow, self._state = uow, state

    async def __call__(self, actor: Actor) -> UserView:
        record = self._state.current(actor.user_id) or await self._state.record(actor.user_id)
        if record is not None:
            return record.user
        async with self._uow as uow:
            user = await uow.users.get(actor.user_id)
        if user is None:
            raise NotFound("No such user.")
        record = UserRecord.of(user)
        await self._state.fill(record)
        return record.user
