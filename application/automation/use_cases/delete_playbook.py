"""DELETE /playbooks/{id} (204), honouring ``If-Match``."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.automation.ports import ENTITY_PLAYBOOK, AutomationUnitOfWork
from application.automation.use_cases._guards import load_playbook
from application.shared import audit
from application.shared.clock import Clock
from domain.shared.access import Action, Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class DeletePlaybookCommand:
    actor: Actor
    playbook_id: UUID
    expected_version: int | None = None


class DeletePlaybook:
    def __init__(self, uow: AutomationUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: DeletePlaybookCommand) -> None:
        async with self._uow as uow:
            playbook = await load_playbook(uow, command.actor, command.playbook_id, Action.DELETE)
            playbook.check_version(command.expected_version)
            await uow.playbooks.delete(playbook, expected_version=playbook.version)
            await audit.record(
                uow,
                actor=command.actor,
                entity_type=ENTITY_PLAYBOOK,
                entity_id=playbook.id,
                action="delete",
                changes={"name": (playbook.name, None)},
                at=self._clock.now(),
            )
            await uow.commit()
