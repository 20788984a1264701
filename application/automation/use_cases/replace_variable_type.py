"""PUT /admin/variable-types/{id}: every field replaced, honouring ``If-Match``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.automation.ports import ENTITY_VARIABLE_TYPE, AutomationUnitOfWork
from application.automation.use_cases._variable_types import (
    AUDITED,
    VariableTypeFields,
    admin_only,
    load_type,
)
from application.automation.validation import ValueValidator
from application.automation.views import VariableTypeView
from application.shared import audit
from application.shared.clock import Clock
from domain.automation.variable_types import type_taken
from domain.shared.access import Action, Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceVariableTypeCommand:
    actor: Actor
    type_id: UUID
    fields: VariableTypeFields
    expected_version: int | None = None


class ReplaceVariableType:
    def __init__(self, uow: AutomationUnitOfWork, clock: Clock, validator: ValueValidator) -> None:
        self._uow, self._clock, self._validator = uow, clock, validator

    async def __call__(self, command: ReplaceVariableTypeCommand) -> VariableTypeView:
        admin_only(command.actor, Action.UPDATE)
        f = command.fields
        async with self._uow as uow:
            current = await load_type(uow, command.type_id)
            current.check_version(command.expected_version)
            before: dict[str, Any] = audit.fields_of(current, AUDITED)
            loaded = current.version
            now = self._clock.now()
            changed = current.replace(
                now,
                name=f.name,
                label=f.label,
                description=f.description,
                pattern=f.pattern,
                is_active=f.is_active,
            )
            if "pattern" in changed:
                self._validator.check_pattern(current.pattern)
            if "name" in changed:
                other = await uow.variable_types.get_by_name(current.name)
                if other is not None and other.id != current.id:
                    raise type_taken(current.name)
            if changed:
                await uow.variable_types.save(current, expected_version=loaded)
                await audit.record(
                    uow,
                    actor=command.actor,
                    entity_type=ENTITY_VARIABLE_TYPE,
                    entity_id=current.id,
                    action="update",
                    changes=audit.diff(before, audit.fields_of(current, AUDITED)),
                    at=now,
                )
                await uow.commit()
        return VariableTypeView.of(current)
