"""Replace the caller's preferences (PUT, honouring ``If-Match``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from application.identity.ports import IdentityUnitOfWork
from application.identity.views import PreferencesView
from application.shared.clock import Clock
from domain.identity.preferences import Preferences
from domain.shared.access import Action, Actor, Resource, authorize


@dataclass(frozen=True, slots=True, kw_only=True)
class PutPreferencesCommand:
    actor: Actor
    favorite_namespaces: Sequence[str] = ()
    favorite_collections: Sequence[str] = ()
    favorite_modules: Sequence[str] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    expected_version: int | None = None


class PutPreferences:
    def __init__(self, uow: IdentityUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: PutPreferencesCommand) -> PreferencesView:
        actor = command.actor
        authorize(actor, Resource.PREFERENCES, Action.UPDATE, owns=True)
        async with self._uow as uow:
            preferences = await uow.preferences.get(actor.user_id)
            if preferences is None:
                preferences = Preferences.empty(actor.user_id)
            preferences.check_version(command.expected_version)
            preferences.replace(
                self._clock.now(),
                favorite_namespaces=command.favorite_namespaces,
                favorite_collections=command.favorite_collections,
                favorite_modules=command.favorite_modules,
                settings=command.settings,
            )
            await uow.preferences.save(preferences)
            await uow.commit()
        return PreferencesView.of(preferences)
