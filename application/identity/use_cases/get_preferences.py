"""The caller's preferences (defaults, version 0, when never saved)."""

from __future__ import annotations

from application.identity.ports import IdentityUnitOfWork
from application.identity.views import PreferencesView
from domain.identity.preferences import Preferences
from domain.shared.access import Action, Actor, Resource, authorize


class GetPreferences:
    def __init__(self, uow: IdentityUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, actor: Actor) -> PreferencesView:
        authorize(actor, Resource.PREFERENCES, Action.READ, owns=True)
        async with self._uow as uow:
            stored = await uow.preferences.get(actor.user_id)
        return PreferencesView.of(stored or Preferences.empty(actor.user_id))
