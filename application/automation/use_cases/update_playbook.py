"""PUT (every field) and PATCH (the fields given) /playbooks/{id}, honouring ``If-Match``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.automation.ports import ENTITY_PLAYBOOK, AutomationUnitOfWork
from application.automation.use_cases._guards import load_playbook
from application.automation.views import PlaybookView
from application.shared import audit
from application.shared.clock import Clock
from domain.shared.access import Action, Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdatePlaybookCommand:
    actor: Actor
    playbook_id: UUID
    name: str | None = None
    content: Mapping[str, Any] | None = None
    expected_version: int | None = None


class UpdatePlaybook:
    def __init__(self, uow: AutomationUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: UpdatePlaybookCommand) -> PlaybookView:
        async with self._uow as uow:
            playbook = await load_playbook(uow, command.actor, command.playbook_id, Action.UPDATE)
            playbook.check_version(command.expected_version)
            loaded, old_name = playbook.version, playbook.name
            now = self._clock.now()
            changed = playbook.change(now, name=command.name, content=command.content)
            if changed:
                await uow.playbooks.save(playbook, expected_version=loaded)
                changes: dict[str, tuple[Any, Any]] = {}
                if "name" in changed:
                    changes["name"] = (old_name, playbook.name)
                if "content" in changed:
                    changes["content"] = ("(previous)", "(changed)")
                await audit.record(
                    uow,
                    actor=command.actor,
                    entity_type=ENTITY_PLAYBOOK,
                    entity_id=playbook.id,
                    action="update",
                    changes=changes,
                    at=now,
                )
                await uow.commit()
        return PlaybookView.of(playbook)
