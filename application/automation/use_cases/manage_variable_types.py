"""Administration of custom variable types: GET one, POST, PUT, DELETE
(/admin/variable-types). A pattern is checked by the pattern engine before it is kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.automation.ports import ENTITY_VARIABLE_TYPE, AutomationUnitOfWork
from application.automation.validation import ValueValidator
from application.automation.views import VariableTypeView
from application.shared import audit
from application.shared.clock import Clock
from domain.automation.variable_types import VariableType, type_taken
from domain.shared.access import Action, Actor, Resource, Scope, require
from domain.shared.errors import Forbidden, NotFound

_AUDITED = ("name", "label", "description", "pattern", "is_active")


def _admin(actor: Actor, action: Action) -> None:
    if require(actor, Resource.VARIABLE_TYPES, action) is not Scope.ALL:
        raise Forbidden("Only administrators manage variable types.")


async def _load(uow: AutomationUnitOfWork, type_id: UUID) -> VariableType:
    found = await uow.variable_types.get(type_id)
    if found is None:
        raise NotFound("No such variable type.")
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class VariableTypeFields:
    name: str
    label: str
    pattern: str
    description: str = ""
    is_active: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateVariableTypeCommand:
    actor: Actor
    fields: VariableTypeFields


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceVariableTypeCommand:
    actor: Actor
    type_id: UUID
    fields: VariableTypeFields
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteVariableTypeCommand:
    actor: Actor
    type_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GetVariableTypeQuery:
    actor: Actor
    type_id: UUID


class GetVariableType:
    def __init__(self, uow: AutomationUnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: GetVariableTypeQuery) -> VariableTypeView:
        _admin(query.actor, Action.UPDATE)
        async with self._uow as uow:
            return VariableTypeView.of(await _load(uow, query.type_id))


class CreateVariableType:
    def __init__(self, uow: AutomationUnitOfWork, clock: Clock, validator: ValueValidator) -> None:
        self._uow, self._clock, self._validator = uow, clock, validator

    async def __call__(self, command: CreateVariableTypeCommand) -> VariableTypeView:
        _admin(command.actor, Action.CREATE)
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
                changes=audit.created(audit.fields_of(created, _AUDITED)),
                at=now,
            )
            await uow.commit()
        return VariableTypeView.of(created)


class ReplaceVariableType:
    def __init__(self, uow: AutomationUnitOfWork, clock: Clock, validator: ValueValidator) -> None:
        self._uow, self._clock, self._validator = uow, clock, validator

    async def __call__(self, command: ReplaceVariableTypeCommand) -> VariableTypeView:
        _admin(command.actor, Action.UPDATE)
        f = command.fields
        async with self._uow as uow:
            current = await _load(uow, command.type_id)
            current.check_version(command.expected_version)
            before: dict[str, Any] = audit.fields_of(current, _AUDITED)
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
                    changes=audit.diff(before, audit.fields_of(current, _AUDITED)),
                    at=now,
                )
                await uow.commit()
        return VariableTypeView.of(current)


class DeleteVariableType:
    def __init__(self, uow: AutomationUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, command: DeleteVariableTypeCommand) -> None:
        _admin(command.actor, Action.DELETE)
        async with self._uow as uow:
            current = await _load(uow, command.type_id)
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
