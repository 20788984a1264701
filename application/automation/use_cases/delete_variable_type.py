"""DELETE /admin/variable-types/{id} (204), honouring ``If-Match``."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.automation.ports import ENTITY_VARIABLE_TYPE, AutomationUnitOfWork
from application.automation.use_cases._variable_types import admin_only, load_type
from application.shared import audit
from application.shared.clock import Clock
from domain.shared.access import Action, Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteVariableTypeCommand:
    actor: Actor
    type_id: UUID
    expected_version: int | None = None


class DeleteVariableType:
    def __init__(self, uow: AutomationUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: DeleteVariableTypeCommand) -> None:
        admin_only(command.actor, Action.DELETE)
        async with self._uow as uow:
            current = await load_type(uow, command.type_id)
            current.check_version(command.expected_version)
            await uow.variable_types.delete(current, expected_version=current.version)
            await audit.record(
                uow,
                actor=command.actor,
                entity_type=ENTITY_VARIABLE_TYPE,
                entity_id=current.id,
                action="delete",
                changes={"name": (current.name, None)},
                at=self._clock.now(),
            )
            await uow.commit()
