"""POST /playbooks: the caller's new playbook."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from application.automation.ports import ENTITY_PLAYBOOK, AutomationUnitOfWork
from application.automation.views import PlaybookView
from application.shared import audit
from application.shared.clock import Clock
from domain.automation.playbook import Playbook
from domain.shared.access import Action, Actor, Resource, require


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePlaybookCommand:
    actor: Actor
    name: str
    content: Mapping[str, Any]


class CreatePlaybook:
    def __init__(self, uow: AutomationUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: CreatePlaybookCommand) -> PlaybookView:
        require(command.actor, Resource.PLAYBOOKS, Action.CREATE)
        now = self._clock.now()
        playbook = Playbook.create(
            owner_id=command.actor.user_id, name=command.name, content=command.content, now=now
        )
        async with self._uow as uow:
            await uow.playbooks.add(playbook)
            await audit.record(
                uow,
                actor=command.actor,
                entity_type=ENTITY_PLAYBOOK,
                entity_id=playbook.id,
                action="create",
                changes=audit.created({"name": playbook.name}),
                at=now,
            )
            await uow.commit()
        return PlaybookView.of(playbook)
