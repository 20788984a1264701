"""POST /admin/variable-types: a custom type; its pattern is checked by the pattern engine
(422 ``invalid_pattern`` / ``unsupported_pattern``) and its name is unique (409
``variable_type_taken``, also for a builtin's name)."""

from __future__ import annotations

from dataclasses import dataclass

from application.automation.ports import ENTITY_VARIABLE_TYPE, AutomationUnitOfWork
from application.automation.use_cases._variable_types import (
    AUDITED,
    VariableTypeFields,
    admin_only,
)
from application.automation.validation import ValueValidator
from application.automation.views import VariableTypeView
from application.shared import audit
from application.shared.clock import Clock
from domain.automation.variable_types import VariableType, type_taken
from domain.shared.access import Action, Actor

__all__ = ["CreateVariableType", "CreateVariableTypeCommand", "VariableTypeFields"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateVariableTypeCommand:
    actor: Actor
    fields: VariableTypeFields


class CreateVariableType:
    def __init__(self, uow: AutomationUnitOfWork, clock: Clock, validator: ValueValidator) -> None:
        self._uow, self._clock, self._validator = uow, clock, validator

    async def __call__(self, command: CreateVariableTypeCommand) -> VariableTypeView:
        admin_only(command.actor, Action.CREATE)
        f = command.fields
        now = self._clock.now()
        created = VariableType.create(
            name=f.name,
            label=f.label,
            description=f.description,
            pattern=f.pattern,
            is_active=f.is_active,
            created_by=command.actor.user_id,
            now=now,
        )
        self._validator.check_pattern(created.pattern)
        async with self._uow as uow:
            if await uow.variable_types.get_by_name(created.name) is not None:
                raise type_taken(created.name)
            await uow.variable_types.add(created)
            await audit.record(
                uow,
                actor=command.actor,
                entity_type=ENTITY_VARIABLE_TYPE,
                entity_id=created.id,
                action="create",
                changes=audit.created(audit.fields_of(created, AUDITED)),
                at=now,
            )
            await uow.commit()
        return VariableTypeView.of(created)
